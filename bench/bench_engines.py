"""Documents per second with the default engine (process pool) and with `--engine ray`, 1 and 2
workers, on the same corpus, in one run; the ratios between them.

    python bench/bench_engines.py                 # 300 real French articles (../shared), else generated ones
    python bench/bench_engines.py --docs 100 --workers 1 2

Each configuration runs in a fresh Python process (no model already loaded, no Ray left over from the
previous one) that reads the corpus with the readers `scorer check` uses and drains the engine's
outcomes. Two rates per run:

- end to end: documents / (start of the run to the last result): includes starting Ray and loading
  the model in every worker;
- steady: documents after the first `--warm` results / the time they took: the scoring rate once
  every worker is up, which is what a long run sees.

and the peak memory of the run's process tree (PSS: pages shared copy-on-write counted once) and of
its largest scoring worker.

The speed-up of 2 workers over 1 is the steady rate ratio; the overhead of Ray is its steady and
end-to-end rates against the process pool's at the same number of workers, and its start-up time.
The machine's load average is printed before and after: on a shared machine the ratios are only as
good as the machine was quiet.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import FR_NEWS, REPO, SHARED, generated_articles  # noqa: E402

FIELDS = ("id", "url", "title", "author", "published", "text")


def write_corpus(n: int, path: Path) -> str:
    """`n` records in JSONL at `path`; what they are."""
    source = SHARED / FR_NEWS
    with path.open("w", encoding="utf-8") as w:
        if source.is_file():
            with source.open(encoding="utf-8") as f:
                for i, line in enumerate(f):
                    if i >= n:
                        break
                    rec = json.loads(line)
                    w.write(json.dumps({k: rec.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
            return f"the first {n} OrangeSum articles ({source})"
        for art in generated_articles(n, seed=7):
            w.write(json.dumps({"id": art.id, "text": art.text}, ensure_ascii=False) + "\n")
    return f"{n} generated French articles (../shared absent)"


def child(engine: str, workers: int, corpus: str, warm: int) -> None:
    """Run one configuration and print its timings as JSON."""
    t0 = time.perf_counter()
    from scorer.config import Settings
    from scorer.corpus.batch import Scored
    from scorer.ingest.inputs import iter_items

    settings = Settings()
    if engine == "ray":
        from scorer.corpus import ray_engine

        outcomes = ray_engine.score_items([corpus], settings=settings, jobs=workers)
    else:
        from scorer.corpus.parallel import score_items

        outcomes = score_items(iter_items([corpus]), settings=settings, jobs=workers)
    n = scored = 0
    first = t_warm = None
    for outcome in outcomes:
        now = time.perf_counter()
        first = first or now
        n += 1
        scored += isinstance(outcome, Scored)
        if n == warm:
            t_warm = now
    end = time.perf_counter()
    steady = (n - warm) / (end - t_warm) if t_warm and end > t_warm else None
    print(
        json.dumps(
            {
                "n": n,
                "scored": scored,
                "first": first - t0 if first else None,
                "total": end - t0,
                "steady": steady,
            }
        )
    )


def _tree(root: int) -> list[int]:
    """`root` and its descendants (a local Ray cluster's processes descend from its driver)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _memory(pid: int) -> tuple[int, str, int]:
    """(proportional set size in kB, process title, resident set size in kB); zeros when gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
            fields = {ln.split(":")[0]: int(ln.split()[1]) for ln in f if ln.split(":")[0] in ("Rss", "Pss")}
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().split(b"\0")[0].decode("utf-8", "replace")
    except (OSError, ValueError, IndexError):
        return 0, "", 0
    return fields.get("Pss", 0), title, fields.get("Rss", 0)


class Sampler(threading.Thread):
    """Peak memory of a child's process tree (PSS, shared pages counted once) and of its largest
    scoring worker (a Ray `MapWorker` actor, or a pool worker), sampled every half second."""

    def __init__(self, pid: int, engine: str) -> None:
        super().__init__(daemon=True)
        self.pid, self.engine = pid, engine
        self.tree_pss = self.worker_rss = self.worker_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            total = 0
            for pid in _tree(self.pid):
                pss, title, rss = _memory(pid)
                total += pss
                is_worker = "MapWorker" in title if self.engine == "ray" else pid != self.pid
                if is_worker and rss > self.worker_rss:
                    self.worker_rss, self.worker_pss = rss, pss
            self.tree_pss = max(self.tree_pss, total)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--engines", nargs="+", default=["pool", "ray"], choices=["pool", "ray"])
    ap.add_argument("--warm", type=int, default=32, help="results left out of the steady rate (start-up)")
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "WORKERS", "CORPUS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2], args.warm)
        return 0
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("RAY_ADDRESS", None)
    runs: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as folder:
        path = Path(folder) / "corpus.jsonl"
        print(
            f"corpus: {write_corpus(args.docs, path)}; {os.cpu_count()} CPUs; load average before: {load()}"
        )
        print(
            f"{'engine':<6} {'workers':>7} {'docs':>5} {'first result s':>14} {'total s':>8} {'end-to-end docs/s':>17} {'steady docs/s':>13}"
        )
        for engine in args.engines:
            for w in args.workers:
                cmd = [
                    sys.executable,
                    __file__,
                    "--warm",
                    str(args.warm),
                    "--child",
                    engine,
                    str(w),
                    str(path),
                ]
                proc = subprocess.Popen(
                    cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                sampler = Sampler(proc.pid, engine)
                sampler.start()
                stdout, stderr = proc.communicate()
                sampler.stop.set()
                sampler.join()
                if proc.returncode != 0:
                    print(f"{engine} {w}: failed\n{stderr[-2000:]}")
                    continue
                r = json.loads(stdout.strip().splitlines()[-1])
                runs[(engine, w)] = r
                steady = f"{r['steady']:.2f}" if r["steady"] else "-"
                print(
                    f"{engine:<6} {w:>7} {r['n']:>5} {r['first']:>14.1f} {r['total']:>8.1f} {r['n'] / r['total']:>17.2f} {steady:>13}"
                    f"   memory: tree {sampler.tree_pss / 1024:.0f} MB (PSS), largest worker {sampler.worker_rss / 1024:.0f} MB RSS / {sampler.worker_pss / 1024:.0f} MB PSS"
                )
    print(f"load average after: {load()}")

    def ratio(a: tuple[str, int], b: tuple[str, int], key: str) -> str:
        if a not in runs or b not in runs:
            return "-"
        va = runs[a]["n"] / runs[a]["total"] if key == "e2e" else runs[a]["steady"]
        vb = runs[b]["n"] / runs[b]["total"] if key == "e2e" else runs[b]["steady"]
        return f"{va / vb:.2f}x" if va and vb else "-"

    lo, hi = min(args.workers), max(args.workers)
    for engine in args.engines:
        print(
            f"{engine}: {hi} workers over {lo}: steady {ratio((engine, hi), (engine, lo), 'steady')}, end to end {ratio((engine, hi), (engine, lo), 'e2e')}"
        )
    if "pool" in args.engines and "ray" in args.engines:
        for w in args.workers:
            print(
                f"ray / pool at {w} workers: steady {ratio(('ray', w), ('pool', w), 'steady')}, "
                f"end to end {ratio(('ray', w), ('pool', w), 'e2e')}; start-up (first result) "
                f"{runs.get(('ray', w), {}).get('first', float('nan')):.1f} s vs {runs.get(('pool', w), {}).get('first', float('nan')):.1f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

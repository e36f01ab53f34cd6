"""Documents per second with the default engine (process pool) and with `--engine ray`, 1 and 2
workers, on the same corpus, in one run; the ratios between them.

    python bench/bench_engines.py                 # 1,000 real French articles (../shared), else generated ones
    python bench/bench_engines.py --docs 300 --workers 1 2

Each configuration runs in a fresh Python process (no model already loaded, no Ray left over from the
previous one) that reads the corpus with the readers `scorer check` uses and drains the engine's
outcomes. For each run:

- start-up: seconds to the first result (for Ray: starting the local cluster, starting the actors
  and loading the scorer in each; the Ray lines below split it);
- end to end: documents / (start of the run to the last result), start-up included;
- steady: documents after the first `--warm` results / the time they took: the scoring rate once
  every worker is up, which is what a long run sees;
- CPU ms/doc: CPU time of the run's whole process tree (driver, workers, Ray's own processes) per
  document over the steady part: what a document costs, whatever else the machine runs;
- others: the CPU (in cores) the rest of the machine used meanwhile; on a shared machine the rates
  and their ratios are only as good as this was close to 0;
- peak memory of the run's process tree (PSS: pages shared copy-on-write counted once) and of its
  largest scoring worker.

The figures asked for are printed last, labelled: the speed-up of 2 Ray workers over 1, and Ray
against the default engine at 1 and at 2 workers (steady and end to end), with the machine's load.
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


def child(engine: str, workers: int, corpus: str, warm: int, expected: int) -> None:
    """Run one configuration and print its timings as JSON."""
    t0 = time.perf_counter()
    b0 = machine_busy()
    import logging

    from scorer.config import Settings
    from scorer.corpus.batch import Scored
    from scorer.ingest.inputs import iter_items

    notes: list[str] = []

    class Notes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            notes.append(record.getMessage())

    settings = Settings()
    if engine == "ray":
        from scorer.corpus import ray_engine

        log = logging.getLogger("scorer.corpus.ray_engine")
        log.setLevel(logging.INFO)
        log.addHandler(Notes())
        outcomes = ray_engine.score_items([corpus], settings=settings, jobs=workers)
    else:
        from scorer.corpus.parallel import score_items

        outcomes = score_items(iter_items([corpus]), settings=settings, jobs=workers)
    n = scored = 0
    first = None
    at_warm = at_last = None
    for outcome in outcomes:
        now = time.perf_counter()
        first = first or now
        n += 1
        scored += isinstance(outcome, Scored)
        # The CPU of the process tree is read while every process of the run is still alive: at the
        # warm-th and at the last result (before the engine stops its workers or its cluster).
        if n == warm:
            at_warm = (now, tree_cpu(os.getpid()), machine_busy())
        if n == expected:
            at_last = (time.perf_counter(), tree_cpu(os.getpid()), machine_busy())
    end = time.perf_counter()
    out: dict[str, object] = {"n": n, "scored": scored, "first": first - t0 if first else None}
    out["total"] = end - t0
    if at_last is not None:
        out["others_total"] = max(0.0, (at_last[2] - b0) - at_last[1]) / (at_last[0] - t0)
    if at_warm and at_last and at_last[0] > at_warm[0]:
        span = at_last[0] - at_warm[0]
        out["steady"] = (n - warm) / span
        out["cpu_ms"] = 1000 * (at_last[1] - at_warm[1]) / (n - warm)
        out["others"] = max(0.0, (at_last[2] - at_warm[2]) - (at_last[1] - at_warm[1])) / span
    out["notes"] = notes
    print(json.dumps(out))


TICK = os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since boot (every process, every core)."""
    with open("/proc/stat", encoding="utf-8") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of `root`'s tree."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            total += int(parts[11]) + int(parts[12])
        except (OSError, ValueError, IndexError):
            continue
    return total / TICK


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
    scoring worker (a Ray `ScoringActor`, or a pool worker), sampled every half second."""

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
                is_worker = "ScoringActor" in title if self.engine == "ray" else pid != self.pid
                if is_worker and rss > self.worker_rss:
                    self.worker_rss, self.worker_pss = rss, pss
            self.tree_pss = max(self.tree_pss, total)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--engines", nargs="+", default=["pool", "ray"], choices=["pool", "ray"])
    ap.add_argument(
        "--warm",
        type=int,
        default=None,
        help="results left out of the steady rate (start-up and the first blocks); default: a tenth, at least 64",
    )
    ap.add_argument("--child", nargs=4, metavar=("ENGINE", "WORKERS", "CORPUS", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    warm = args.warm if args.warm is not None else max(64, args.docs // 10)
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2], warm, int(args.child[3]))
        return 0
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("RAY_ADDRESS", None)
    runs: dict[tuple[str, int], dict[str, float]] = {}
    loads: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as folder:
        path = Path(folder) / "corpus.jsonl"
        what = write_corpus(args.docs, path)
        with path.open(encoding="utf-8") as f:
            expected = sum(1 for _ in f)
        print(f"corpus: {what}; {os.cpu_count()} CPUs; steady rates after the first {warm} results")
        print(f"load average before: {load()}")
        header = (
            f"{'engine':<6} {'workers':>7} {'docs':>5} {'start-up s':>10} {'total s':>8} "
            f"{'end-to-end docs/s':>17} {'steady docs/s':>13} {'CPU ms/doc':>10} {'others':>6}"
        )
        print(header)
        for engine in args.engines:
            for w in args.workers:
                cmd = [sys.executable, __file__, "--warm", str(warm), "--child", engine, str(w), str(path)]
                cmd.append(str(expected))
                proc = subprocess.Popen(
                    cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                sampler = Sampler(proc.pid, engine)
                sampler.start()
                stdout, stderr = proc.communicate()
                sampler.stop.set()
                sampler.join()
                loads.append(load().split()[0])
                if proc.returncode != 0:
                    print(f"{engine} {w}: failed\n{stderr[-2000:]}")
                    continue
                r = json.loads(stdout.strip().splitlines()[-1])
                runs[(engine, w)] = r
                steady = f"{r['steady']:.2f}" if r.get("steady") else "-"
                cpu = f"{r['cpu_ms']:.1f}" if r.get("cpu_ms") else "-"
                others = f"{r['others']:.2f}" if r.get("others") is not None else "-"
                print(
                    f"{engine:<6} {w:>7} {r['n']:>5} {r['first']:>10.1f} {r['total']:>8.1f} "
                    f"{r['n'] / r['total']:>17.2f} {steady:>13} {cpu:>10} {others:>6}"
                    f"   memory: tree {sampler.tree_pss / 1024:.0f} MB (PSS), largest worker "
                    f"{sampler.worker_rss / 1024:.0f} MB RSS / {sampler.worker_pss / 1024:.0f} MB PSS"
                )
                for note in r.get("notes", []):
                    print(f"{'':>15}{note}")
    print(f"load average after: {load()}; 1-minute load after each run: {', '.join(loads)}")

    def rate(run: tuple[str, int], key: str) -> float | None:
        if run not in runs:
            return None
        r = runs[run]
        return r["n"] / r["total"] if key == "e2e" else r.get("steady")

    def ratio(a: tuple[str, int], b: tuple[str, int]) -> str:
        parts = []
        for key, label in (("steady", "steady"), ("e2e", "end to end")):
            va, vb = rate(a, key), rate(b, key)
            parts.append(f"{label} {va / vb:.2f}x" if va and vb else f"{label} -")
        return ", ".join(parts)

    def busy(*keys: tuple[str, int]) -> str:
        got = [f"{runs[k]['others']:.2f}" for k in keys if runs.get(k, {}).get("others") is not None]
        return f"(others used {' and '.join(got)} cores meanwhile)" if got else ""

    lo, hi = min(args.workers), max(args.workers)
    print("\nfigures:")
    if "ray" in args.engines and lo != hi:
        print(
            f"  speed-up of {hi} Ray workers over {lo}: {ratio(('ray', hi), ('ray', lo))} {busy(('ray', lo), ('ray', hi))}"
        )
    if "pool" in args.engines and lo != hi:
        print(
            f"  speed-up of {hi} pool workers over {lo}: {ratio(('pool', hi), ('pool', lo))} {busy(('pool', lo), ('pool', hi))}"
        )
    if "pool" in args.engines and "ray" in args.engines:
        for w in args.workers:
            first = [runs.get((e, w), {}).get("first") for e in ("ray", "pool")]
            up = f"; start-up {first[0]:.1f} s vs {first[1]:.1f} s" if all(first) else ""
            print(
                f"  Ray / default engine at {w} worker(s): {ratio(('ray', w), ('pool', w))}{up} {busy(('ray', w), ('pool', w))}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

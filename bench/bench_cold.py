"""Cold start of the command line: `scorer score` in a new process, on one file and on 300 files.

    python bench/bench_cold.py                          # this tree
    python bench/bench_cold.py --before /tmp/old-tree   # and an older checkout, taking turns

Writes 300 OrangeSum articles (../shared/data/fr_news, French news bodies) as .txt files in a
temporary folder, then times, on one core (`sched_setaffinity`), in new processes:

- `python -c "import trafilatura"`: the floor any extraction tool pays, measured in the same run;
- `scorer score --format jsonl` on the first article, and on the folder of 300.

Prints wall times (median of `--repeat` turns), their ratios to the trafilatura import, CPU time
(user + system) per run, and the start-up-subtracted speed: 299 / (t_300 - t_1) documents/s (the
one-article run pays the start-up and the first document), next to the warm speed of this tree (a
second pass over the same articles in one loaded process) measured in the same run. Trees take turns in every round, so a
slow phase of the shared machine hits both alike: compare ratios within one run.

The derived-data cache (`features.cache`) and the trees' bytecode (`__pycache__`, whatever
PYTHONDONTWRITEBYTECODE says) are warmed by an untimed run per tree first, as a user's second run
finds them; `--empty-cache` also times one run of this tree on an empty cache (a user's very first run).
Skips with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fr_news" / "orangesum_sample.jsonl"


def write_articles(folder: Path, n: int) -> list[Path]:
    """The first `n` OrangeSum bodies as `NNN.txt` files."""
    paths = []
    with DATA.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            p = folder / f"{i:03d}.txt"
            p.write_text(json.loads(line)["text"], encoding="utf-8")
            paths.append(p)
    return paths


def one_core() -> None:
    """Pin the child to the first core this process may use."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timed(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of `cmd` in `cwd` (a neutral folder: `python -m`
    puts the working directory first on the path, ahead of PYTHONPATH); fails loudly on a non-zero
    exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=one_core,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:4])} … exited {proc.returncode}: {proc.stderr.decode()[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


WARM = """
import sys, time
from pathlib import Path
from scorer.engine import default_scorer
from scorer.ingest.inputs import iter_documents
docs = [d for d in iter_documents([sys.argv[1]]) if not hasattr(d, "error")]
s = default_scorer()
for d in docs:
    s.score(d)
w, c = time.perf_counter(), time.process_time()
for d in docs:
    s.score(d)
print(len(docs) / (time.perf_counter() - w), len(docs) / (time.process_time() - c))
"""


def warm_speed(env: dict[str, str], folder: Path, cwd: str) -> tuple[float, float]:
    """Docs/s (wall, CPU) of a second pass over the folder in one loaded process: the warm speed the
    cold path is measured against."""
    proc = subprocess.run(
        [sys.executable, "-c", WARM, str(folder)],
        env=env, cwd=cwd, capture_output=True, text=True, preexec_fn=one_core, check=True,
    )  # fmt: skip
    wall, cpu = proc.stdout.split()
    return float(wall), float(cpu)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--before",
        metavar="TREE",
        action="append",
        default=[],
        help="an older checkout to time in the same run (repeatable)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="turns per measurement (default 3)")
    ap.add_argument("--files", type=int, default=300, help="articles in the folder run (default 300)")
    ap.add_argument(
        "--empty-cache", action="store_true", help="also time one run of this tree on an empty cache"
    )
    args = ap.parse_args(argv)
    if not DATA.is_file():
        print(f"skipped: {DATA} is absent (../shared/data/fr_news)")
        return 0
    trees = [("after", ROOT)] + [
        (f"before{i + 1}" if len(args.before) > 1 else "before", Path(t).resolve())
        for i, t in enumerate(args.before)
    ]
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        files = write_articles(folder, args.files)
        cache_home = Path(tmp) / "cache"  # the runs' own cache, warmed below, so no earlier state counts
        base_env = dict(os.environ, XDG_CACHE_HOME=str(cache_home), PYTHONHASHSEED="0")
        # Bytecode as an installed package has it (pip compiles at install; an editable install writes
        # it on the first run): with PYTHONDONTWRITEBYTECODE inherited, every run would compile the
        # trees' modules from source again (~0.2 s), which no user's second run does.
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        envs = {name: dict(base_env, PYTHONPATH=str(tree)) for name, tree in trees}
        score = [py, "-m", "scorer", "score", "--format", "jsonl"]
        runs = {
            "import trafilatura": ([py, "-c", "import trafilatura"], base_env),
            **{f"{name} 1 file": ([*score, str(files[0])], envs[name]) for name, _ in trees},
            **{f"{name} {len(files)} files": ([*score, str(folder)], envs[name]) for name, _ in trees},
        }
        empty: dict[str, tuple[float, float]] = {}
        if args.empty_cache:  # this tree only: older trees have no cache, every run of theirs is a first
            empty["after"] = timed(
                [*score, str(folder)], dict(envs["after"], XDG_CACHE_HOME=f"{tmp}/empty"), tmp
            )
        for name, _ in trees:  # warm-up, untimed: builds the cache a second run would find (the
            # folder run, since only some articles load spaCy)
            timed([*score, str(folder)], envs[name], tmp)
        warm = warm_speed(envs["after"], folder, tmp)
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
        for _ in range(args.repeat):
            for key, (cmd, env) in runs.items():
                times[key].append(timed(cmd, env, tmp))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()
    }
    floor = med["import trafilatura"][0]
    print(
        f"cold start on one core, median of {args.repeat} (load average {load:.1f}); ratios to the trafilatura import"
    )
    print(f"{'run':<22} {'wall s':>8} {'cpu s':>8} {'× import':>9}")
    for key, (wall, cpu) in med.items():
        print(f"{key:<22} {wall:8.2f} {cpu:8.2f} {wall / floor:9.2f}")
    n = len(files)
    for name, tree in trees:
        print(f"{name} = {tree}")
    for name, _ in trees:
        w1, c1 = med[f"{name} 1 file"]
        wn, cn = med[f"{name} {n} files"]
        print(
            f"{name}: {n} files at {(n - 1) / max(wn - w1, 1e-9):.0f} docs/s start-up subtracted "
            f"(CPU: {(n - 1) / max(cn - c1, 1e-9):.0f} docs/s); {n / wn:.0f} docs/s overall"
        )
    print(f"after, warm (second pass in one process): {warm[0]:.0f} docs/s (CPU: {warm[1]:.0f} docs/s)")
    for name, (wall, cpu) in empty.items():
        print(f"{name}: {n} files on an empty cache (a first run ever): {wall:.2f} s wall, {cpu:.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())

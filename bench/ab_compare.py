"""Before/after comparison of one change, in one run, on the same documents.

    /work/venv/bin/python bench/ab_compare.py --before HEAD            # committed code vs the work tree
    /work/venv/bin/python bench/ab_compare.py --before HEAD~1 --after HEAD
    /work/venv/bin/python bench/ab_compare.py --before HEAD --html     # HTML pages instead of articles
    /work/venv/bin/python bench/ab_compare.py --before HEAD --cold     # first sight of every article

Each side runs in its own process with its own copy of the code (`git archive` of a revision, or the
work tree), its models preloaded and one untimed pass made over the documents; the parent
alternates rounds between them so that machine load hits both alike. Prints docs/s and p50/p99
latency per side from CPU time (the machine may be shared; median over rounds), the ratio of the
medians and the median of the paired ratios (round r of both sides ran back to back), and whether
both sides produced exactly the same results (score, label, signals, evidence) for every document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import REPO, SHARED, fr_news_articles, generated_articles, html_pages, sample  # noqa: E402

# The child: loads the scorer from the tree on its sys.path, then answers "run" requests on stdin with
# the per-document times and a digest of each result.
CHILD = r"""
import hashlib, json, logging, sys, time
logging.disable(logging.WARNING)
import scorer, features
assert scorer.__file__.startswith(sys.argv[1]), (scorer.__file__, sys.argv[1])
# The older layout first: an editable install of a newer tree would lend its `scorer.ingest` to an
# older package.
try:
    from scorer.documents import from_html, from_text  # before the ingest room
except ImportError:
    from scorer.ingest.documents import from_html, from_text
from scorer.engine import Scorer
from scorer.errors import ScorerError
items, warm = json.loads(open(sys.argv[2], encoding="utf-8").read())
html = sys.argv[3] == "html"
cold = sys.argv[4] == "cold"
s = Scorer()
if hasattr(s, "preload"):  # the spaCy pipeline, loaded lazily otherwise (inside a timed round)
    s.preload()
def one(item):
    t0 = time.thread_time()  # CPU time: the machine may be shared
    try:
        doc = from_html(item[1].encode("latin-1"), id=item[0]) if html else from_text(item[1], id=item[0])
    except ScorerError as e:
        return time.thread_time() - t0, "error: " + str(e)
    r = s.score(doc, clean=True)
    dt = time.thread_time() - t0
    return dt, hashlib.sha256(json.dumps(r.to_dict(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
# One untimed pass: per-process caches (word frequencies, syllables, token views, noun genders) fill
# on first sight, so every timed round sees the same steady state. Cold: the untimed pass is over
# other documents, so the timed one meets its words for the first time, as a corpus does.
for item in warm if cold else items:
    one(item)
print("ready", flush=True)
for line in sys.stdin:
    out = [one(item) for item in items]
    print(json.dumps(out), flush=True)
"""


def materialise(rev: str, dest: Path) -> Path:
    """The tree of `rev` ("WORKTREE" for the work tree as it is, or a folder holding a tree) as a folder."""
    if rev == "WORKTREE":
        return REPO
    if Path(rev).is_dir():  # a copy of the tree prepared elsewhere
        return Path(rev).resolve()
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def start(tree: Path, items_file: Path, mode: str, cold: bool) -> subprocess.Popen[str]:
    """A warmed-up child scoring with the code of `tree`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tree), str(items_file), mode, "cold" if cold else "warm"],
        cwd=str(tree),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        raise SystemExit(f"child for {tree} failed to start")
    return proc


def run_round(proc: subprocess.Popen[str]) -> tuple[float, list[float], list[str]]:
    assert proc.stdin is not None and proc.stdout is not None
    t0 = time.perf_counter()
    proc.stdin.write("run\n")
    proc.stdin.flush()
    out = json.loads(proc.stdout.readline())
    return time.perf_counter() - t0, [t for t, _ in out], [d for _, d in out]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (k - lo)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--before", default="HEAD", help="git revision, WORKTREE, or a folder (default HEAD)")
    p.add_argument(
        "--after", default="WORKTREE", help="git revision, WORKTREE, or a folder (default: the work tree)"
    )
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds per side (default 5)")
    p.add_argument("--n", type=int, default=0, help="articles (default: every fr_news article of 4.5-5.5 KB)")
    p.add_argument("--html", action="store_true", help="score HTML pages (from_html) instead of articles")
    p.add_argument(
        "--cold",
        action="store_true",
        help="each round in fresh processes warmed on other documents, so the timed pass meets the"
        " documents' words for the first time (as bench_score's one-core pass); else one process per"
        " side and warm rounds",
    )
    p.add_argument("--html-n", type=int, default=60)
    p.add_argument("--seed", type=int, default=20240501)
    p.add_argument("--shared", type=Path, default=SHARED)
    args = p.parse_args()

    warm: list[tuple[str, str]] = []
    if args.html:
        items = [(a.id, a.html.decode("latin-1")) for a in html_pages(args.shared, args.html_n, args.seed)]
        what = f"{len(items)} HTML pages"
        if args.cold:
            raise SystemExit("--cold is for articles only")
    elif (args.shared / "data/fr_news").exists():
        inside, outside = fr_news_articles(args.shared)
        items = [(a.id, a.text) for a in sample(inside, args.n, args.seed)]
        warm = [(a.id, a.text) for a in sample(outside, 20, args.seed)]  # as bench_score warms up
        what = f"{len(items)} fr_news articles of 4.5-5.5 KB"
    else:
        gen = generated_articles((args.n or 150) + 20, args.seed)
        items, warm = [(a.id, a.text) for a in gen[:-20]], [(a.id, a.text) for a in gen[-20:]]
        what = f"{len(items)} generated French articles"
    if not items:
        print("no documents")
        return 0

    with tempfile.TemporaryDirectory(prefix="ab-") as tmp:
        items_file = Path(tmp) / "items.json"
        items_file.write_text(json.dumps([items, warm]), encoding="utf-8")
        trees = {
            "before": materialise(args.before, Path(tmp) / "before"),
            "after": materialise(args.after, Path(tmp) / "after"),
        }
        mode = "html" if args.html else "text"

        def launch() -> dict[str, subprocess.Popen[str]]:
            return {side: start(tree, items_file, mode, args.cold) for side, tree in trees.items()}

        def stop(procs: dict[str, subprocess.Popen[str]]) -> None:
            for proc in procs.values():
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait()

        procs = launch()
        rates: dict[str, list[float]] = {"before": [], "after": []}
        lat: dict[str, list[list[float]]] = {"before": [], "after": []}
        digests: dict[str, list[str]] = {}
        for r in range(args.rounds):
            if args.cold and r:
                stop(procs)
                procs = launch()
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for side in order:
                _, times, dig = run_round(procs[side])
                rates[side].append(len(times) / sum(times))
                lat[side].append(times)
                digests[side] = dig
        stop(procs)

    print(
        f"ab_compare: {what}, {args.rounds} alternating rounds"
        f"{' (cold: fresh processes each round, warmed on 20 other articles)' if args.cold else ''};"
        f" before = {args.before}, after = {args.after}"
    )
    for side in ("before", "after"):
        best = max(range(args.rounds), key=lambda i: rates[side][i])
        med = statistics.median(rates[side])
        times = lat[side][best]
        print(
            f"  {side:<6} median {med:7.1f} docs/s (best round {rates[side][best]:.1f}); best round p50 {1000 * pct(times, 50):.2f} ms, p99 {1000 * pct(times, 99):.2f} ms"
        )
    ratio = statistics.median(rates["after"]) / statistics.median(rates["before"])
    # Round r of each side ran back to back, so their ratio sees the same machine; its median is the
    # figure least moved by the machine's drift over the run.
    paired = statistics.median(a / b for a, b in zip(rates["after"], rates["before"], strict=True))
    mean_b = statistics.fmean(sum(lat["before"], []))
    mean_a = statistics.fmean(sum(lat["after"], []))
    print(
        "  docs/s per round, before: "
        + " ".join(f"{x:.0f}" for x in rates["before"])
        + "; after: "
        + " ".join(f"{x:.0f}" for x in rates["after"])
    )
    print(
        f"  speed-up after/before: {ratio:.2f}x in docs/s (median of rounds), {paired:.2f}x (median of the"
        f" rounds' paired ratios); mean time per document over all rounds {1000 * mean_b:.2f} -> {1000 * mean_a:.2f} ms"
    )
    same = sum(a == b for a, b in zip(digests["before"], digests["after"], strict=True))
    print(f"  identical results (score, label, signals, evidence, clean text): {same}/{len(items)}")
    if same != len(items):
        diff = [
            items[i][0]
            for i, (a, b) in enumerate(zip(digests["before"], digests["after"], strict=True))
            if a != b
        ]
        print(f"  DIFFERENT: {', '.join(diff[:10])}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the provenance clusters cost: signature throughput, `scorer check` with clusters on vs off, and
the memory of `scorer check` as the corpus grows.

    python bench/bench_signatures.py signatures [--n 20000]
    python bench/bench_signatures.py ratio [--n 3000] [--rounds 3] [--jobs 2] [--before TREE]
    python bench/bench_signatures.py memory [--sizes 100000 300000] [--jobs 2]
    python bench/bench_signatures.py memory-pass [--n 1000000] [--signatures]

- `signatures`: documents per second of `scorer.corpus.fingerprint.fingerprints` on one core, in CPU
  time of this process (the machine may be shared, so wall time is printed too), on generated short
  records (~60 words) and, when ../shared is present, on OrangeSum articles (~370 words); one text per
  call, 8 per call, and grouped as the corpus pass does (`fingerprint.batches`).
- `ratio`: `scorer check` on the same generated records with clusters on and with `--no-clusters`,
  alternating in each round, in one run; prints each wall time and the ratio of the medians; with
  `--before TREE`, the same in another checkout, taking turns with this one.
- `memory`: peak RSS of `scorer check` (the largest process, and the summed process tree) on generated
  records, one run per size; the slope between sizes says whether memory is flat.
- `memory-pass`: the provenance pass alone (spill, band sort, clusters, re-read) on synthetic outcomes
  (random signatures, 1 % copies), RSS at checkpoints: what the clusters add, at sizes where scoring
  itself would take hours on this machine; with `--signatures`, the generated records' texts signed as
  the corpus pass does instead of random signatures (real clusters, and the signatures' own cost).

The records are seeded: word salad from a fixed vocabulary, unique by construction; 1 % are near-copies
of an earlier record (a word changed, a line added), so the cluster path is exercised.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.memory import run_measured  # noqa: E402
from scorer.corpus.fingerprint import BATCH, BATCH_CHARS, batches, fingerprint, fingerprints  # noqa: E402

VOCAB = (
    "le la les un une des du de et à en pour sur avec dans par que qui est sont a ont été sera conseil "
    "municipal ville maire budget projet travaux école écoles route port ferry gare train bus ligne "
    "habitants riverains association réunion vote voté adopté annoncé déclaré précisé millions euros "
    "hausse baisse année semaine mois lundi mardi mercredi jeudi vendredi région département quartier "
    "centre nord sud est ouest nouveau nouvelle premier première dernier grand grande petit petite "
    "public publique service services santé hôpital médecin emploi entreprise usine chantier calendrier"
).split()


def records(n: int, seed: int = 7, words: int = 60) -> list[dict[str, str]]:
    """`n` seeded records of about `words` words; 1 % near-copies of an earlier record."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    for i in range(n):
        if i > 10 and rng.random() < 0.01:
            base = out[rng.randrange(i)]["text"].split(" ")
            base[rng.randrange(len(base))] = rng.choice(VOCAB)
            text = " ".join(base) + "\nPartager sur Facebook"
        else:
            text = " ".join(rng.choice(VOCAB) for _ in range(words)) + f" (dossier {i})."
        out.append({"id": f"r{i}", "text": text})
    return out


def stream_texts(n: int) -> Iterator[str]:
    """The texts of `write_jsonl`, one at a time."""
    rng = random.Random(7)
    recent: list[str] = []
    for i in range(n):
        if recent and rng.random() < 0.01:
            base = rng.choice(recent).split(" ")
            base[rng.randrange(len(base))] = rng.choice(VOCAB)
            text = " ".join(base) + "\nPartager sur Facebook"
        else:
            text = " ".join(rng.choice(VOCAB) for _ in range(60)) + f" (dossier {i})."
            recent = (recent + [text])[-100:]
        yield text


def write_jsonl(path: Path, n: int) -> None:
    """Write `n` records to `path`, streaming (a million records never sit in memory)."""
    with open(path, "w", encoding="utf-8") as f:
        for i, text in enumerate(stream_texts(n)):
            f.write(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n")


def bench_signatures(n: int) -> None:
    texts = {"generated ~60 words": [r["text"] for r in records(n)]}
    shared = ROOT.parent / "shared" / "data" / "fr_news" / "orangesum_sample.jsonl"
    if shared.exists():
        with open(shared, encoding="utf-8") as f:
            texts["OrangeSum ~370 words"] = [json.loads(line)["text"] for line in f]
    else:
        print(f"({shared} absent: only generated records)")
    fingerprint("warm up the tables " * 20)
    for name, items in texts.items():
        groups = {
            "one at a time": [items[i : i + 1] for i in range(len(items))],
            "in batches of 8": [items[i : i + 8] for i in range(0, len(items), 8)],
            f"in batches of {BATCH} texts or {BATCH_CHARS:,} characters, as the corpus pass does": list(
                batches(items, len)
            ),
        }
        for how, group in groups.items():
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for batch in group:
                fingerprints(batch)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            print(
                f"signatures, {name}, {how}: {len(items)} docs, {len(items) / cpu:,.0f} docs/s (CPU time, "
                f"one core), {len(items) / wall:,.0f} docs/s wall"
            )


def _check(path: Path, jobs: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "scorer.cli", "check", str(path), "--jobs", str(jobs),
        "--min-score", "0", "--max-flagged", "1", *extra,
    ]  # fmt: skip


def bench_ratio(n: int, rounds: int, jobs: int, before: str | None = None) -> None:
    trees = {"this tree": str(ROOT)} | ({"before": before} if before else {})
    with tempfile.TemporaryDirectory(prefix="bench-sig-") as tmp:
        path = Path(tmp) / "records.jsonl"
        write_jsonl(path, n)
        runs = [(tree, mode) for tree in trees for mode in ("on", "off")]
        times: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
        cpus: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
        for r in range(rounds):
            for tree, mode in runs if r % 2 == 0 else runs[::-1]:
                cmd = _check(path, jobs, *(() if mode == "on" else ("--no-clusters",)))
                before_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                # `python -m` puts the working directory first on sys.path: each tree runs its own code.
                u = run_measured(cmd, cwd=trees[tree])
                dt = time.perf_counter() - t0
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if u.returncode != 0:
                    raise SystemExit(f"scorer check exited {u.returncode}: {u.stderr_tail}")
                # CPU seconds of the command and its workers: steadier than wall time on a shared machine.
                cpu = (after.ru_utime - before_usage.ru_utime) + (after.ru_stime - before_usage.ru_stime)
                times[(tree, mode)].append(dt)
                cpus[(tree, mode)].append(cpu)
                print(
                    f"round {r + 1} {tree} clusters {mode:3}: {dt:6.2f} s wall ({n / dt:,.0f} docs/s), "
                    f"{cpu:6.2f} s CPU"
                )
        for tree in trees:
            on, off = statistics.median(times[(tree, "on")]), statistics.median(times[(tree, "off")])
            con, coff = statistics.median(cpus[(tree, "on")]), statistics.median(cpus[(tree, "off")])
            print(
                f"{tree}: scorer check, {n} records, --jobs {jobs}, medians of {rounds}: wall on {on:.2f} s / "
                f"off {off:.2f} s = {on / off:.3f}; CPU on {con:.2f} s / off {coff:.2f} s = {con / coff:.3f}"
            )


def bench_memory(sizes: list[int], jobs: int, log_every: float | None = None) -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-sig-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"records-{n}.jsonl"
            write_jsonl(path, n)
            u = run_measured(_check(path, jobs), cwd=str(ROOT), interval=0.5, log_every=log_every)
            path.unlink()
            if u.returncode != 0:
                raise SystemExit(f"scorer check exited {u.returncode}: {u.stderr_tail}")
            rows.append((n, u))
            print(
                f"scorer check, {n:,} records, --jobs {jobs}: {u.wall_s:.0f} s, largest process "
                f"{u.max_process_mb:.0f} MB, process tree peak {u.tree_peak_mb or 0:.0f} MB RSS / "
                f"{u.tree_pss_peak_mb or 0:.0f} MB PSS"
            )
    if len(rows) >= 2:
        (n0, u0), (n1, u1) = rows[0], rows[-1]
        slope = (u1.max_process_mb - u0.max_process_mb) / ((n1 - n0) / 1e6)
        print(f"largest process grows {slope:+.1f} MB per million records between {n0:,} and {n1:,}")


def _rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_pass_memory(n: int, checkpoints: list[int], signatures: bool = False) -> None:
    """The provenance pass alone (no scoring) on `n` synthetic outcomes: random signatures (unique
    documents) with 1 % exact copies of an earlier one, or with `signatures` the generated records'
    texts (those of `write_jsonl`) signed as the corpus pass does (`audit.with_signatures`); one real
    result object for all; the RSS of this process at each checkpoint, after clustering and at the end
    of the re-read."""
    import numpy as np

    from features import Document
    from scorer.corpus.batch import Scored
    from scorer.corpus.fingerprint import NUM_PERM, Fingerprint
    from scorer.corpus.provenance import ProvenancePass
    from scorer.engine import Scorer

    text = " ".join(VOCAB[:60])
    result = Scorer().score(Document(text, id="r"))
    rng = np.random.default_rng(7)
    recent: list[Fingerprint] = []

    def signed():  # type: ignore[no-untyped-def]
        from scorer.corpus.audit import with_signatures

        unsigned = (Scored(i, f"records.jsonl:{i + 1}", result, t) for i, t in enumerate(stream_texts(n)))
        for i, outcome in enumerate(with_signatures(unsigned)):
            yield outcome
            if i + 1 in checkpoints:
                print(f"  after {i + 1:>9,} outcomes: RSS {_rss_mb():6.1f} MB", flush=True)

    def outcomes():  # type: ignore[no-untyped-def]
        for i in range(n):
            if recent and i % 100 == 99:
                fp = recent[int(rng.integers(len(recent)))]
            else:
                sig = rng.integers(0, 2**32, size=2 * NUM_PERM, dtype=np.uint32)
                fp = Fingerprint(sig[:NUM_PERM].tobytes(), sig[NUM_PERM:].tobytes(), 56, 40)
                recent[:] = (recent + [fp])[-100:]
            yield Scored(i, f"records.jsonl:{i + 1}", result, text, fp)
            if i + 1 in checkpoints:
                print(f"  after {i + 1:>9,} outcomes: RSS {_rss_mb():6.1f} MB", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-sig-") as tmp:
        t0 = time.perf_counter()
        what = "generated records, signed as the corpus pass does" if signatures else "synthetic outcomes"
        print(f"provenance pass on {n:,} {what} (start: RSS {_rss_mb():.1f} MB)", flush=True)
        prov = ProvenancePass(tmp)
        count = 0
        for _ in prov.run(signed() if signatures else outcomes()):
            if count == 0:
                print(f"  clustered ({prov.stats()}): RSS {_rss_mb():6.1f} MB", flush=True)
            count += 1
        print(
            f"  re-read {count:,} outcomes: RSS {_rss_mb():.1f} MB, peak {_rss_mb('VmHWM'):.1f} MB, "
            f"{time.perf_counter() - t0:.0f} s",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("signatures")
    s.add_argument("--n", type=int, default=20000)
    r = sub.add_parser("ratio")
    r.add_argument("--n", type=int, default=3000)
    r.add_argument("--rounds", type=int, default=3)
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument(
        "--before", metavar="TREE", help="also run another checkout (e.g. a git worktree), alternating"
    )
    m = sub.add_parser("memory")
    m.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    m.add_argument("--jobs", type=int, default=2)
    m.add_argument("--log-every", type=float, default=None, help="print the tree's memory every N seconds")
    mp = sub.add_parser("memory-pass")
    mp.add_argument("--n", type=int, default=1_000_000)
    mp.add_argument("--signatures", action="store_true", help="sign generated records, not random signatures")
    args = ap.parse_args(argv)
    if args.what == "signatures":
        bench_signatures(args.n)
    elif args.what == "ratio":
        bench_ratio(args.n, args.rounds, args.jobs, args.before)
    elif args.what == "memory":
        bench_memory(args.sizes, args.jobs, args.log_every)
    else:
        marks = [m for m in (10_000, *range(100_000, 1_000_001, 100_000), 3_000_000) if m <= args.n]
        bench_pass_memory(args.n, marks, args.signatures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

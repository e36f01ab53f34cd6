"""How steady this machine's speed is: a fixed pure-Python workload, timed pass after pass.

    /work/venv/bin/python bench/machine_drift.py              # 30 seconds
    /work/venv/bin/python bench/machine_drift.py --seconds 120

Runs `corpus.speed_pass` (~10 ms, no project code) back to back and prints how much slower than the
fastest pass the passes were: the median, the 90th, 99th percentiles and the slowest, the share of the
time spent 1.25x and 1.5x slower or worse, and the longest stretch at 1.25x or worse. A latency
percentile over a benchmark phase of ~20 s can only be as steady as this: a request that waits behind
the ~8 ahead of it (16 clients, 2 cores) takes the machine's speed of that stretch. Run it alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import speed_pass  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=30.0, help="how long to measure (default 30)")
    args = p.parse_args()
    passes: list[float] = []
    end = time.perf_counter() + args.seconds
    while time.perf_counter() < end:
        passes.append(speed_pass())
    fastest = min(passes)
    slow = sorted(t / fastest for t in passes)

    def q(x: float) -> float:
        return slow[min(len(slow) - 1, int(x * len(slow)))]

    def share(factor: float) -> float:
        return sum(t for t in passes if t >= factor * fastest) / sum(passes)

    longest = run = 0.0
    for t in passes:
        run = run + t if t >= 1.25 * fastest else 0.0
        longest = max(longest, run)
    print(
        f"{len(passes)} passes over {sum(passes):.1f} s; fastest {1000 * fastest:.1f} ms"
        f" ({1 / fastest:.1f} passes/s, as machine_speed)"
    )
    print(
        f"slower than the fastest: median {statistics.median(slow):.2f}x, p90 {q(0.9):.2f}x,"
        f" p99 {q(0.99):.2f}x, slowest {slow[-1]:.2f}x"
    )
    print(
        f"time spent 1.25x slower or worse: {100 * share(1.25):.1f}%; 1.5x or worse: {100 * share(1.5):.1f}%;"
        f" longest stretch at 1.25x or worse: {longest:.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

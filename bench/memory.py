"""Peak resident memory of a child command: the largest single process (the kernel's ru_maxrss, what
`/usr/bin/time -v` prints) and the largest sum over the whole process tree (sampled from /proc), which
is what a multi-process command really holds."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Usage:
    """What one measured command cost."""

    returncode: int
    wall_s: float
    max_process_mb: float  # largest single process of the tree (GNU time's %M, i.e. ru_maxrss)
    tree_peak_mb: float | None  # sampled peak of the summed RSS of the child and its descendants (Linux)
    tree_pss_peak_mb: float | None  # the same with PSS: pages shared between processes counted once
    stderr_tail: str


def _children(pid: int) -> list[int]:
    out: list[int] = []
    task = Path(f"/proc/{pid}/task")
    try:
        for t in task.iterdir():
            out.extend(int(c) for c in (t / "children").read_text().split())
    except OSError:
        pass
    return out


def _field_kb(path: str, name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_mb(pid: int) -> tuple[float, float]:
    """Summed RSS and summed PSS of `pid` and all its descendants, in MB."""
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        rss += _field_kb(f"/proc/{p}/status", "VmRSS:")
        pss += _field_kb(f"/proc/{p}/smaps_rollup", "Pss:")
        stack.extend(_children(p))
    return rss / 1024, pss / 1024


GNU_TIME = Path("/usr/bin/time")


def run_measured(
    cmd: Sequence[str], *, cwd: str | None = None, interval: float = 0.05, log_every: float | None = None
) -> Usage:
    """Run `cmd` (stdout discarded) and measure its peak memory and wall time; with `log_every`, also
    print the process tree's RSS and PSS every `log_every` seconds (is the memory flat over the run?).

    The single-process peak comes from GNU time when installed: a child forked from this (large)
    benchmark process inherits its resident-size high-water mark across exec, so our own wait4
    figure would be at least the benchmark's size; GNU time forks from a small process.
    """
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    stderr_path = tmp / f"bench-stderr-{os.getpid()}-{time.monotonic_ns()}"
    time_path = tmp / f"bench-time-{os.getpid()}-{time.monotonic_ns()}"
    use_time = GNU_TIME.exists()
    full = [str(GNU_TIME), "-f", "%M", "-o", str(time_path), *cmd] if use_time else list(cmd)
    with stderr_path.open("w+b") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        peak = [0.0, 0.0]
        done = threading.Event()
        can_sample = Path(f"/proc/{proc.pid}/status").exists()

        def sample() -> None:
            next_log = log_every
            while not done.is_set():
                rss, pss = tree_mb(proc.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                elapsed = time.perf_counter() - t0
                if next_log is not None and log_every is not None and elapsed >= next_log:
                    print(
                        f"  {elapsed:7.0f} s: process tree {rss:6.1f} MB RSS / {pss:6.1f} MB PSS", flush=True
                    )
                    next_log += log_every
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        if can_sample:
            sampler.start()
        # wait4 gives the rusage of this very child (Popen.wait would not).
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        if can_sample:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
    stderr_path.unlink(missing_ok=True)
    max_kb = float(rusage.ru_maxrss)
    if use_time:
        try:
            max_kb = float(time_path.read_text().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
        time_path.unlink(missing_ok=True)
    return Usage(
        proc.returncode,
        wall,
        max_kb / 1024,
        peak[0] if can_sample else None,
        peak[1] if can_sample and peak[1] else None,
        tail,
    )

"""Load benchmark of the HTTP API (`scorer serve`) on loopback.

    /work/venv/bin/python bench/load_api.py                  # 2 workers, the full run (a few minutes)
    /work/venv/bin/python bench/load_api.py --workers 1
    /work/venv/bin/python bench/load_api.py --quick          # fewer requests, for a smoke test

Starts `scorer serve` on a free 127.0.0.1 port, then POSTs one ~5 KB French article (from
../shared/data/fr_news when present, else generated French text) to /score with 1, 16 and 64
concurrent clients (threads with keep-alive connections; requests per phase are fixed, so the run is
bounded) and prints requests/s and p50/p95/p99 latency per phase. The server's resident memory (the
uvicorn parent plus its workers, from /proc) is printed after a warm-up and again after 10,000 scoring
requests. Target on a 2-core machine: >= 150 requests/s with p99 < 100 ms at 16 clients, and flat
memory. The client runs on the same machine and takes some of its CPU.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, SHARED, fr_news_articles, generated_articles  # noqa: E402

HOST = "127.0.0.1"
# (concurrent clients, requests): 500 + 4,000 + 5,500 = 10,000 scoring requests between the two
# memory readings.
PHASES = ((1, 500), (16, 4_000), (64, 5_500))
QUICK_PHASES = ((1, 50), (16, 400), (64, 550))
WARM_UP = 320
STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def article() -> tuple[str, str]:
    """(where it comes from, the text) of one ~5 KB French article."""
    if (SHARED / "data/fr_news/orangesum_sample.jsonl").exists():
        inside, _ = fr_news_articles(SHARED)
        if inside:
            return f"fr_news {inside[0].id}", inside[0].text
    return "generated French text (../shared absent)", generated_articles(1, seed=7)[0].text


def tree(root: int) -> list[int]:
    """`root` and its descendants (the uvicorn parent and its workers)."""
    out: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                stack.extend(int(c) for c in task.read_text().split())
            except OSError:
                pass
    return out


def rss_mb(root: int) -> tuple[float, list[float]]:
    """Resident memory of the server's processes: (total MB, per process MB)."""
    per: list[float] = []
    for pid in tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        per.append(kb / 1024)
    return sum(per), per


def cpu_per_process(root: int) -> list[float]:
    """User + system CPU seconds of each of the server's processes so far."""
    out: list[float] = []
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))  # utime, stime
    return out


def cpu_seconds(root: int) -> float:
    """CPU time of the whole server so far. Per request, it depends little on what else the machine is
    running, unlike latency and throughput."""
    return sum(cpu_per_process(root))


def post(conn: http.client.HTTPConnection, body: bytes) -> int:
    conn.request("POST", "/score", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def run_phase(port: int, body: bytes, clients: int, total: int) -> tuple[float, list[float], int]:
    """`total` requests spread over `clients` threads: (seconds, latencies in s, non-200 answers)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    counts = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    start = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        nonlocal failures
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        mine: list[float] = []
        bad = 0
        start.wait()
        for _ in range(n):
            t0 = time.perf_counter()
            try:
                status = post(conn, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                status = 0
            mine.append(time.perf_counter() - t0)
            bad += status != 200
        conn.close()
        with lock:
            latencies.extend(mine)
            failures += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in counts]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, failures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"scorer serve exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"no answer on /health within {STARTUP_SECONDS} s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default: 2)")
    parser.add_argument("--quick", action="store_true", help="a tenth of the requests")
    args = parser.parse_args()

    source, text = article()
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    port = free_port()
    print(f"article: {source}, {len(text.encode('utf-8'))} bytes of UTF-8 text ({len(body)} bytes of JSON)")
    print(
        f"server: scorer serve --workers {args.workers} on {HOST}:{port}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCORER_API_KEY", None)
    cmd = [
        sys.executable,
        "-m",
        "scorer.cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    try:
        wait_ready(port, proc)
        # Warm-up with as many connections as the busiest phase uses, so that every worker has scored
        # the article (connections stick to the worker that accepted them) before memory is read.
        run_phase(port, body, 16, WARM_UP)
        before, per_before = rss_mb(proc.pid)
        print(
            f"RSS after start-up and {WARM_UP} warm-up requests: {before:.1f} MB ({', '.join(f'{m:.0f}' for m in per_before)} MB per process)"
        )
        print(
            f"{'clients':>7}  {'requests':>8}  {'req/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  {'max ms':>7}  {'non-200':>7}  {'server CPU ms/req':>17}  {'RSS MB':>6}"
        )
        done = 0
        for clients, total in QUICK_PHASES if args.quick else PHASES:
            cpu0 = cpu_seconds(proc.pid)
            seconds, lat, failures = run_phase(port, body, clients, total)
            cpu = cpu_seconds(proc.pid) - cpu0
            done += total
            mid, _ = rss_mb(proc.pid)
            ms = [x * 1000 for x in lat]
            print(
                f"{clients:>7}  {total:>8}  {total / seconds:>7.1f}  {statistics.median(ms):>7.1f}  {percentile(ms, 95):>7.1f}"
                f"  {percentile(ms, 99):>7.1f}  {max(ms):>7.1f}  {failures:>7}  {1000 * cpu / total:>17.1f}  {mid:>6.0f}"
            )
        cpu = cpu_per_process(proc.pid)
        print(
            f"server CPU seconds per process (parent first; the workers' shares show the balance): {', '.join(f'{c:.1f}' for c in cpu)}"
        )
        after, per_after = rss_mb(proc.pid)
        print(
            f"RSS after {done:,} more requests: {after:.1f} MB ({', '.join(f'{m:.0f}' for m in per_after)} MB per process); change {after - before:+.1f} MB"
        )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load benchmark of the HTTP API (`scorer serve`) on loopback.

    /work/venv/bin/python bench/load_api.py                  # the server's defaults, the full run (minutes)
    /work/venv/bin/python bench/load_api.py --workers 2      # 2 workers scoring in threads
    /work/venv/bin/python bench/load_api.py --pipeline 1     # a scoring process gets its next request once it has answered
    /work/venv/bin/python bench/load_api.py --quick          # fewer requests, for a smoke test
    /work/venv/bin/python bench/load_api.py --articles 16    # rotate among 16 distinct articles
    /work/venv/bin/python bench/load_api.py --target health  # the stack without scoring (GET /health)

Starts `scorer serve` on a free 127.0.0.1 port, then POSTs one ~5 KB French article (from
../shared/data/fr_news when present, else generated French text) to /score with 1, 16 and 64
concurrent clients and prints requests/s and p50/p95/p99 latency per phase. Each phase is closed-loop
(a client sends its next request when it has the answer to the previous one) with a fixed number of
requests, so the run is bounded. The server's resident memory (the uvicorn parent plus its workers,
from /proc: RSS, and PSS, which shares the pages of forked scoring processes among them instead of
counting them in each) is printed after a warm-up and again after 10,000 scoring requests. Target on a 2-core
machine: >= 150 requests/s with p99 < 100 ms at 16 clients, and flat memory.

The client shares the machine's cores with the server, so it is kept cheap: one asyncio thread with
raw keep-alive HTTP/1.1 connections and the request bytes built once. Its CPU per request and its
share of the CPU used by client and server together are printed with each phase, next to the
server's CPU per request (user + system time from /proc, which other processes on the machine move
less than latency and throughput; the machine's own speed still moves it, by up to a third over a
day on this machine: the speed of a fixed workload is printed before and after the run).

`--articles N` sends N distinct articles in turn instead of one: the scorer keeps no result cache, and
this shows that a repeated article is not cheaper than distinct ones (a different article has a
different cost, so compare the server CPU per request with the scoring time of the same articles).
`--target health` or `--target tiny` (a one-sentence text) measures the HTTP stack with scoring
excluded or nearly so: the ceiling of the API itself on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, SHARED, fr_news_articles, generated_articles, machine_speed  # noqa: E402

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


def articles(n: int) -> tuple[str, list[str]]:
    """(where they come from, the texts) of `n` distinct ~5 KB French articles, the first always the same."""
    if (SHARED / "data/fr_news/orangesum_sample.jsonl").exists():
        inside, _ = fr_news_articles(SHARED)
        if len(inside) >= n:
            ids = ", ".join(a.id for a in inside[: min(n, 3)]) + (", ..." if n > 3 else "")
            return f"fr_news {ids}", [a.text for a in inside[:n]]
    return "generated French text (../shared absent)", [a.text for a in generated_articles(n, seed=7)]


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


def rss_mb(root: int, field: str = "Rss:") -> tuple[float, list[float]]:
    """Memory of the server's processes from /proc/PID/smaps_rollup (`Rss:` or `Pss:`): (total MB,
    per process MB)."""
    per: list[float] = []
    for pid in tree(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        kb = next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith(field)), 0)
        per.append(kb / 1024)
    return sum(per), per


def cpu_by_pid(root: int) -> dict[int, float]:
    """User + system CPU seconds of each of the server's processes so far, by process id."""
    out: dict[int, float] = {}
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return out


def cpu_per_process(root: int) -> list[float]:
    """User + system CPU seconds of each of the server's processes so far."""
    return list(cpu_by_pid(root).values())


def busiest_share(before: dict[int, float], after: dict[int, float], root: int) -> float:
    """The busiest worker's share of the workers' CPU between two readings. Connections stay with the
    worker that accepted them, so an uneven split of the clients shows here and in the p99."""
    used = [after[pid] - before.get(pid, 0.0) for pid in after if pid != root]
    used = [u for u in used if u > 0]
    return max(used) / sum(used) if len(used) > 1 else 1.0


def cpu_seconds(root: int) -> float:
    """CPU time of the whole server so far. Per request, other processes move it less than latency
    and throughput (the machine's own speed still does)."""
    return sum(cpu_per_process(root))


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that sends ready-made requests and reads answers with a
    Content-Length (what uvicorn sends for JSON), with as little client work as possible."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.need = -1  # bytes of the whole answer once its head is read
        self.status = 0
        self.waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.need < 0:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self.buffer[:end]).lower().split(b"\r\n")
            self.status = int(lines[0][9:12])
            length = next((int(x[15:]) for x in lines if x.startswith(b"content-length:")), 0)
            self.need = end + 4 + length
        if len(self.buffer) >= self.need:
            del self.buffer[: self.need]
            self.need = -1
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(self.status)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))

    async def send(self, request: bytes) -> int:
        """The status of the answer to `request`."""
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


def http_request(method: str, path: str, body: bytes = b"") -> bytes:
    """The bytes of one keep-alive HTTP/1.1 request."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n"
    if body or method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode("ascii") + b"\r\n" + body


async def _phase(
    port: int, requests: list[bytes], clients: int, total: int
) -> tuple[float, list[float], int]:
    loop = asyncio.get_running_loop()
    conns = [(await loop.create_connection(Connection, HOST, port))[1] for _ in range(clients)]
    counts = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    latencies: list[float] = []
    failures = 0
    sent = 0  # requests take the articles in turn, across clients
    clock = time.perf_counter

    async def client(i: int, n: int) -> None:
        nonlocal failures, sent
        conn = conns[i]
        for _ in range(n):
            request = requests[sent % len(requests)]
            sent += 1
            t0 = clock()
            try:
                status = await conn.send(request)
            except ConnectionError:
                conn = (await loop.create_connection(Connection, HOST, port))[1]
                status = 0
            latencies.append(clock() - t0)
            failures += status != 200
        assert conn.transport is not None
        conn.transport.close()

    t0 = clock()
    await asyncio.gather(*(client(i, n) for i, n in enumerate(counts)))
    return clock() - t0, latencies, failures


def run_phase(port: int, requests: list[bytes], clients: int, total: int) -> tuple[float, list[float], int]:
    """`total` requests over `clients` connections, closed-loop: (seconds, latencies in s, non-200 answers)."""
    return asyncio.run(_phase(port, requests, clients, total))


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
    parser.add_argument("--workers", type=int, default=None, help="server workers (default: the server's)")
    parser.add_argument(
        "--threads", type=int, default=None, help="scoring threads per worker (default: the server's)"
    )
    parser.add_argument(
        "--scoring-processes", type=int, default=None, help="scoring processes (default: the server's)"
    )
    parser.add_argument(
        "--pipeline",
        type=int,
        default=None,
        help="requests each scoring process holds (default: the server's)",
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the requests")
    parser.add_argument(
        "--articles",
        type=int,
        default=1,
        help="distinct articles sent in turn (default: 1, the same article)",
    )
    parser.add_argument(
        "--target",
        choices=("score", "health", "tiny"),
        default="score",
        help="POST /score with the article(s) (default), GET /health, or POST /score with one sentence",
    )
    parser.add_argument("--access-log", action="store_true", help="let the server log every request")
    args = parser.parse_args()

    source, texts = articles(max(1, args.articles))
    bodies = [json.dumps({"text": t}, ensure_ascii=False).encode("utf-8") for t in texts]
    if args.target == "health":
        requests = [http_request("GET", "/health")]
        what = "GET /health (no scoring)"
    elif args.target == "tiny":
        tiny = {"text": "Le conseil municipal a voté le budget lundi soir.", "language": "fr"}
        requests = [http_request("POST", "/score", json.dumps(tiny, ensure_ascii=False).encode("utf-8"))]
        what = "POST /score with one sentence (scoring nearly excluded)"
    else:
        requests = [http_request("POST", "/score", b) for b in bodies]
        sizes = sorted(len(t.encode("utf-8")) for t in texts)
        what = (
            f"POST /score, {len(texts)} distinct article(s) in turn: {source}, {sizes[0]}-{sizes[-1]} bytes"
            f" of UTF-8 text ({len(bodies[0])} bytes of JSON for the first)"
        )
    warm_up = [http_request("POST", "/score", b) for b in bodies]
    port = free_port()
    print(what)
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
        "--log-level",
        "warning",
    ]
    for option, value in (
        ("--workers", args.workers),
        ("--threads", args.threads),
        ("--scoring-processes", args.scoring_processes),
        ("--pipeline", args.pipeline),
    ):
        if value is not None:
            cmd += [option, str(value)]
    if args.access_log:
        cmd.append("--access-log")
    speed_start = machine_speed()
    print(
        f"server: {' '.join(['scorer', *cmd[3:]])}; {os.cpu_count()} CPUs; load average"
        f" {os.getloadavg()[0]:.1f} (other work on the machine lowers req/s and raises latency); machine speed"
        f" {speed_start} passes/s (bench/corpus.py machine_speed: the machine's own drift moves every figure,"
        " CPU per request included)"
    )
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    cores = os.cpu_count() or 1
    try:
        wait_ready(port, proc)
        # Warm-up with as many connections as the busiest phase uses, so that every worker has scored
        # the articles (connections stick to the worker that accepted them) before memory is read.
        run_phase(port, warm_up, 16, max(WARM_UP, 16 * len(warm_up)))
        before, per_before = rss_mb(proc.pid)
        pss_before, _ = rss_mb(proc.pid, "Pss:")
        print(
            f"RSS after start-up and the warm-up requests: {before:.1f} MB ({', '.join(f'{m:.0f}' for m in per_before)} MB per process); PSS {pss_before:.1f} MB"
        )
        print(
            f"{'clients':>7}  {'requests':>8}  {'req/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  {'max ms':>7}  {'non-200':>7}"
            f"  {'server CPU ms/req':>17}  {'client CPU ms/req':>17}  {'client share':>12}  {'busiest worker':>14}  {'RSS MB':>6}"
        )
        done = 0
        for clients, total in QUICK_PHASES if args.quick else PHASES:
            cpu0 = cpu_seconds(proc.pid)
            split0 = cpu_by_pid(proc.pid)
            own0 = time.process_time()
            seconds, lat, failures = run_phase(port, requests, clients, total)
            own = time.process_time() - own0
            cpu = cpu_seconds(proc.pid) - cpu0
            busiest = busiest_share(split0, cpu_by_pid(proc.pid), proc.pid)
            done += total
            mid, _ = rss_mb(proc.pid)
            ms = [x * 1000 for x in lat]
            share = own / (own + cpu) if own + cpu else 0.0
            print(
                f"{clients:>7}  {total:>8}  {total / seconds:>7.1f}  {statistics.median(ms):>7.1f}  {percentile(ms, 95):>7.1f}"
                f"  {percentile(ms, 99):>7.1f}  {max(ms):>7.1f}  {failures:>7}  {1000 * cpu / total:>17.2f}"
                f"  {1000 * own / total:>17.2f}  {100 * share:>11.1f}%  {100 * busiest:>13.0f}%  {mid:>6.0f}"
            )
        per_process = cpu_per_process(proc.pid)
        print(
            f"server CPU seconds per process (parent first; the workers' shares show the balance): {', '.join(f'{c:.1f}' for c in per_process)}"
        )
        after, per_after = rss_mb(proc.pid)
        pss_after, _ = rss_mb(proc.pid, "Pss:")
        print(
            f"RSS after {done:,} more requests: {after:.1f} MB ({', '.join(f'{m:.0f}' for m in per_after)} MB per process); change {after - before:+.1f} MB;"
            f" PSS {pss_after:.1f} MB, change {pss_after - pss_before:+.1f} MB"
        )
        print(
            f"client share: the client's CPU over client plus server CPU; on {cores} cores, a closed loop of N"
            " clients has mean latency N / (req/s) (Little's law)"
        )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    time.sleep(2)  # the server's processes finish exiting
    print(f"machine speed at the start / end: {speed_start} / {machine_speed()} passes/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

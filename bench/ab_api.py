"""Before/after comparison of the HTTP API under load, in one run: two servers, alternating rounds.

    /work/venv/bin/python bench/ab_api.py --before HEAD                  # committed code vs the work tree
    /work/venv/bin/python bench/ab_api.py --before HEAD --after HEAD --after-args="--pipeline 1"
    /work/venv/bin/python bench/ab_api.py --before HEAD~1 --articles 16 --rounds 8

Starts `scorer serve` from each side's copy of the code (`git archive` of a revision, or the work
tree) on its own loopback port, warms both up, then alternates rounds of closed-loop requests at
`--clients` concurrent clients between them, so that the machine's drift (up to a third over a day
on this machine, and in bursts of seconds) hits both alike. A server waiting for its next round uses
no CPU. Prints per side the median over rounds of requests/s, p50/p95/p99 latency and server CPU per
request, the ratio of the medians and the median of the paired ratios (round r of both sides ran
back to back), and whether both sides answered every article with the same bytes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ab_compare import materialise  # noqa: E402
from corpus import machine_speed  # noqa: E402
from load_api import HOST, articles, cpu_seconds, free_port, http_request, percentile, run_phase, wait_ready  # noqa: E402


def serve(tree: Path, extra: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    """`scorer serve` from the code in `tree`, on a free port."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("SCORER_API_KEY", None)
    cmd = [sys.executable, "-m", "scorer.cli", "serve", "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--log-level", "warning", *extra], cwd=tree, env=env)
    wait_ready(port, proc)
    return proc, port


def answers(port: int, bodies: list[bytes]) -> list[bytes]:
    """The response body for each request body, one at a time."""
    out = []
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    for body in bodies:
        conn.request("POST", "/score", body, {"Content-Type": "application/json"})
        out.append(conn.getresponse().read())
    conn.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--before", default="HEAD", help="git revision, WORKTREE, or a folder (default HEAD)")
    p.add_argument(
        "--after", default="WORKTREE", help="git revision, WORKTREE, or a folder (default: the work tree)"
    )
    p.add_argument("--before-args", default="", help="extra `scorer serve` options for the before side")
    p.add_argument("--after-args", default="", help="extra `scorer serve` options for the after side")
    p.add_argument("--rounds", type=int, default=6, help="alternating rounds per side (default 6)")
    p.add_argument("--requests", type=int, default=1_500, help="requests per round (default 1,500)")
    p.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    p.add_argument("--articles", type=int, default=1, help="distinct ~5 KB French articles sent in turn")
    args = p.parse_args()

    source, texts = articles(max(1, args.articles))
    bodies = [json.dumps({"text": t}, ensure_ascii=False).encode("utf-8") for t in texts]
    requests = [http_request("POST", "/score", b) for b in bodies]
    sides = ("before", "after")
    extra = {"before": shlex.split(args.before_args), "after": shlex.split(args.after_args)}
    speed_start = machine_speed()
    rounds: dict[str, list[tuple[float, float, float, float, float]]] = {s: [] for s in sides}
    same = True
    with tempfile.TemporaryDirectory(prefix="ab-api-") as tmp:
        trees = {
            "before": materialise(args.before, Path(tmp) / "before"),
            "after": materialise(args.after, Path(tmp) / "after"),
        }
        servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        try:
            for side in sides:
                servers[side] = serve(trees[side], extra[side])
            for side in sides:  # every scoring process sees every article before the timed rounds
                _, port = servers[side]
                run_phase(port, requests, args.clients, max(320, args.clients * len(requests)))
            same = answers(servers["before"][1], bodies) == answers(servers["after"][1], bodies)
            for r in range(args.rounds):
                for side in sides if r % 2 == 0 else sides[::-1]:
                    proc, port = servers[side]
                    cpu0 = cpu_seconds(proc.pid)
                    seconds, latencies, failures = run_phase(port, requests, args.clients, args.requests)
                    cpu = cpu_seconds(proc.pid) - cpu0
                    if failures:
                        raise SystemExit(f"{side}: {failures} answers were not 200")
                    rounds[side].append(
                        (
                            len(latencies) / seconds,
                            1000 * percentile(latencies, 50),
                            1000 * percentile(latencies, 95),
                            1000 * percentile(latencies, 99),
                            1000 * cpu / len(latencies),
                        )
                    )
        finally:
            for proc, _ in servers.values():
                proc.send_signal(signal.SIGINT)
            for proc, _ in servers.values():
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()

    print(
        f"ab_api: POST /score, {len(texts)} article(s) ({source}); {args.rounds} alternating rounds of"
        f" {args.requests:,} requests at {args.clients} clients; machine speed {speed_start} /"
        f" {machine_speed()} passes/s at the start / end"
    )
    print(f"  before = {args.before} {args.before_args}".rstrip())
    print(f"  after  = {args.after} {args.after_args}".rstrip())
    print("  side    req/s   p50 ms   p95 ms   p99 ms   server CPU ms/req   (medians over rounds)")
    for side in sides:
        cols = [statistics.median(x[i] for x in rounds[side]) for i in range(5)]
        print(f"  {side:<6} {cols[0]:6.1f} {cols[1]:8.1f} {cols[2]:8.1f} {cols[3]:8.1f} {cols[4]:12.2f}")
    for side in sides:
        print(
            f"  {side} per round, req/s / p99 ms: "
            + ", ".join(f"{x[0]:.0f}/{x[3]:.0f}" for x in rounds[side])
        )
    ratio = statistics.median(x[0] for x in rounds["after"]) / statistics.median(
        x[0] for x in rounds["before"]
    )
    paired = statistics.median(a[0] / b[0] for a, b in zip(rounds["after"], rounds["before"], strict=True))
    p99 = statistics.median(b[3] / a[3] for a, b in zip(rounds["after"], rounds["before"], strict=True))
    print(
        f"  after / before req/s: {ratio:.2f}x (median of paired rounds {paired:.2f}x); p99 before / after, paired: {p99:.2f}x"
    )
    print(f"  same answers for every article: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The server's limits on a real socket: a server on a free loopback port (`tests.api.fake_server`:
`scorer serve`'s uvicorn configuration with a stand-in scorer), called by real clients. Every test is
bounded in time: small timeouts, a few seconds of load at most."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.fake_server import SETTINGS_ENV
from tests.api.test_serve import free_port
from tests.conftest import ROOT

STARTUP_SECONDS = 60


class Server:
    """A running fake server: its process, port and log."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.base = f"http://127.0.0.1:{port}"

    def scoring_pids(self) -> list[int]:
        """The scoring processes: the server's children."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


@contextmanager
def running(tmp_path: Path, **settings: Any) -> Iterator[Server]:
    """A fake server with these API settings, stopped (and its scoring processes with it) on exit."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    log = log_path.open("wb")
    env = {**os.environ, SETTINGS_ENV: json.dumps(settings), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.api.fake_server", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(proc, port, log_path)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(server.base + "/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer from the server within {STARTUP_SECONDS} s")
            time.sleep(0.1)
        yield server
    finally:
        children = server.scoring_pids() if proc.poll() is None else []
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pid in children:  # the ones started for this test only, by their id
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()


def post(
    conn: http.client.HTTPConnection, body: Any, path: str = "/score"
) -> tuple[int, dict[str, Any], float]:
    """POST `body` as JSON on a kept-alive connection: status, JSON answer, seconds."""
    t0 = time.perf_counter()
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    answer = json.loads(resp.read())
    return resp.status, answer, time.perf_counter() - t0


def latencies(base_port: int, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=10)
    try:
        out = []
        for _ in range(n):
            status, _, seconds = post(conn, {"text": "an ordinary article"})
            assert status == 200
            out.append(seconds)
        return out
    finally:
        conn.close()


def socket_fds(pid: int) -> list[str]:
    """The sockets among a process's descriptors."""
    fd_dir = Path(f"/proc/{pid}/fd")
    out = []
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            out.append(f"{fd.name} -> {target}")
    return out


# --- the time bound is enforced ----------------------------------------------------------------


def test_hostile_requests_are_ended_at_the_timeout_and_others_stay_fast(tmp_path: Path) -> None:
    """Four documents that never finish fill every slot (2 processes x 2): at the 1 s timeout each
    gets its 503, their processes are killed and replaced, and other clients are then served within
    their normal latency (without the kill they would wait for ever)."""
    with running(tmp_path, processes=2, pipeline=2, timeout=1.0, queue_timeout=5.0) as server:
        before = latencies(server.port, 20)
        pids_before = set(server.scoring_pids())
        outcomes: list[tuple[int, dict[str, Any], float]] = []

        def hostile() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            outcomes.append(post(conn, {"text": "spin " * 8000}))
            conn.close()

        threads = [threading.Thread(target=hostile) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        after = latencies(server.port, 20)
        pids_after = set(server.scoring_pids())
    assert len(outcomes) == 4
    for status, answer, seconds in outcomes:
        assert status == 503 and "did not finish within 1 s" in answer["detail"]
        assert seconds < 3.0
    assert pids_before.isdisjoint(pids_after) and len(pids_after) == 2  # both killed and replaced
    print(
        f"\nnormal latency before: median {statistics.median(before) * 1000:.1f} ms; hostile 503 after "
        f"{max(o[2] for o in outcomes):.2f} s; normal latency after: median "
        f"{statistics.median(after) * 1000:.1f} ms, max {max(after) * 1000:.1f} ms"
    )
    assert statistics.median(after) <= 3 * statistics.median(before) + 0.02
    assert max(after) < 1.0  # under the timeout: nothing queued behind a spinning process


# --- a scoring process killed under load -------------------------------------------------------


def test_kill_9_of_a_scoring_process_under_load(tmp_path: Path) -> None:
    """64 clients on kept-alive connections; one scoring process is killed with SIGKILL mid-load. No
    request waits longer than the request timeout, only requests the process held fail (503 with
    the sentence), each client's next request on the same connection is answered, and the
    replacement process holds no socket of the server's."""
    clients, timeout = 64, 5.0
    with running(tmp_path, processes=2, pipeline=2, timeout=timeout, queue_timeout=10.0) as server:
        stop = threading.Event()
        records: list[list[tuple[int, str, float]]] = [[] for _ in range(clients)]
        errors: list[str] = []

        def client(i: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout + 5)
            try:
                while not stop.is_set() or (records[i] and records[i][-1][0] != 200):
                    status, answer, seconds = post(conn, {"text": "slow article"})
                    records[i].append((status, answer.get("detail", ""), seconds))
            except Exception as e:  # a hang or a reset: reported below
                errors.append(f"client {i}: {type(e).__name__}: {e}")
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        victim = server.scoring_pids()[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join(timeout=timeout + 10)
        # Each process has answered since the kill (the clients' last requests): past its start-up.
        replacement = [p for p in server.scoring_pids() if p != victim]
        held = {pid: socket_fds(pid) for pid in replacement}
    assert not errors, errors[:5]
    flat = [r for rec in records for r in rec]
    failed = [r for r in flat if r[0] != 200]
    print(
        f"\n{len(flat)} requests from {clients} clients; {len(failed)} failed after the kill; max latency "
        f"{max(r[2] for r in flat):.2f} s (timeout {timeout:g} s)"
    )
    assert max(r[2] for r in flat) < timeout + 1.0
    assert len(failed) <= 2  # at most the requests the killed process held (pipeline = 2)
    for status, detail, _ in failed:
        assert status == 503 and "scoring process died" in detail
    assert all(rec and rec[-1][0] == 200 for rec in records)  # the next request on each connection
    assert len(replacement) == 2 and all(not fds for fds in held.values()), held


def test_no_scoring_process_holds_the_port_after_the_server_dies(tmp_path: Path) -> None:
    """A replacement is forked mid-service with connections open; after the server is killed, the port
    can be bound again at once and the scoring processes end."""
    with running(tmp_path, processes=1, timeout=5.0) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        assert post(conn, {"text": "an article"})[0] == 200  # a client connection is open
        first = server.scoring_pids()[0]
        os.kill(first, signal.SIGKILL)
        for _ in range(100):
            pids = server.scoring_pids()
            if pids and pids[0] != first:
                break
            time.sleep(0.02)
        replacement = server.scoring_pids()[0]
        assert (
            post(conn, {"text": "an article"})[0] == 200
        )  # answered by the replacement, on the same connection
        assert replacement != first and socket_fds(replacement) == []
        conn.close()
        server.proc.kill()
        server.proc.wait()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # SO_REUSEADDR lets the bind through connections left in TIME_WAIT by the server's closes, but
            # Linux still refuses it while any process listens on the port.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", server.port))
            s.listen()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{replacement}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{replacement}/fd").exists(), "the scoring process outlived the server"


# --- headers, idle and slow connections, concurrency --------------------------------------------


def raw(port: int, data: bytes, read_timeout: float = 5.0) -> bytes:
    """Send `data` on a new connection and read until the server closes it (or the timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        return out


def test_an_oversized_header_is_refused_without_growing_the_server(tmp_path: Path) -> None:
    with running(tmp_path, max_header_bytes=64 * 1024) as server:
        over = raw(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
        assert over.startswith(b"HTTP/1.1 431 ")
        assert b"headers exceed 64 KiB" in over
        rss = server.rss_kib()
        for _ in range(3):  # 1 MB headers: refused after the first 64 KiB, never held whole
            raw(server.port, b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n")
        grown = server.rss_kib() - rss
        ok = raw(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    print(f"\nserver RSS after three 1 MB headers: {grown:+d} KiB")
    assert grown < 2048
    assert ok.startswith(b"HTTP/1.1 200 ")


def test_idle_and_slow_connections_are_closed(tmp_path: Path) -> None:
    with running(tmp_path, header_timeout=1.0, keep_alive=1) as server:
        t0 = time.perf_counter()
        assert raw(server.port, b"") == b""  # sent nothing: closed, nothing to answer
        idle = time.perf_counter() - t0
        t0 = time.perf_counter()
        slow = raw(server.port, b"POST /score HTTP/1.1\r\nHost: x\r\nContent-")  # a head that never ends
        partial = time.perf_counter() - t0
        assert slow.startswith(b"HTTP/1.1 408 ") and b"did not arrive within 1 s" in slow
        # A kept-alive connection idle after its response is closed after keep_alive seconds.
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            t0 = time.perf_counter()
            got = b""
            while chunk := s.recv(65536):
                got += chunk
            kept = time.perf_counter() - t0
        assert got.startswith(b"HTTP/1.1 200 ")
    print(f"\nclosed after: idle {idle:.2f} s, partial head {partial:.2f} s, kept-alive idle {kept:.2f} s")
    assert 0.8 < idle < 3 and 0.8 < partial < 3 and 0.8 < kept < 3


def test_a_slow_body_is_answered_408(tmp_path: Path) -> None:
    with running(tmp_path, body_timeout=1.0) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(
                b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"text": '
            )
            got = b""
            while chunk := s.recv(65536):
                got += chunk
        assert got.startswith(b"HTTP/1.1 408 ") and b"did not arrive within 1 s" in got


def test_connections_over_the_limit_get_503(tmp_path: Path) -> None:
    with running(tmp_path, max_connections=3) as server:
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(3)]
        try:
            time.sleep(0.2)
            over = raw(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        finally:
            for s in held:
                s.close()
        assert over.startswith(b"HTTP/1.1 503 ")
        time.sleep(0.2)
        assert raw(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(
            b"HTTP/1.1 200 "
        )


# --- a 12 MB body gets a 413 the client can read --------------------------------------------------


BIG = json.dumps({"text": "mot " * 3_000_000}).encode()  # 12 MB


def test_a_12_mb_body_gets_a_readable_413_from_urllib_httpx_and_curl(tmp_path: Path) -> None:
    assert len(BIG) > 12_000_000
    with running(tmp_path) as server:
        url = server.base + "/score"
        req = urllib.request.Request(url, data=BIG, headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(req, timeout=30)
        assert caught.value.code == 413
        assert "body exceeds 2 MB" in json.loads(caught.value.read())["detail"]

        r = httpx.post(url, content=BIG, headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 413 and "body exceeds 2 MB" in r.json()["detail"]

        curl = shutil.which("curl")
        if curl is None:
            pytest.skip("curl is not installed: urllib and httpx were checked")
        body_file = tmp_path / "big.json"
        body_file.write_bytes(BIG)
        # As curl sends it (Expect: 100-continue: answered before the body is sent), and without
        # Expect (the whole body is sent first, then the answer read).
        for extra in ([], ["-H", "Expect:"]):
            out = subprocess.run(
                [
                    curl,
                    "-sS",
                    "-m",
                    "30",
                    "-H",
                    "Content-Type: application/json",
                    "--data-binary",
                    f"@{body_file}",
                ]
                + extra
                + ["-w", "\n%{http_code}", url],
                capture_output=True,
                timeout=60,
            )
            assert out.returncode == 0, out.stderr
            body, code = out.stdout.rsplit(b"\n", 1)
            assert code == b"413" and "body exceeds 2 MB" in json.loads(body)["detail"], (
                extra,
                out.stdout[:200],
            )

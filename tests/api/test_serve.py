"""`scorer serve` starts the real server: a subprocess on a free loopback port, called over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from api.server import API_KEY_ENV, PIPELINE_ENV, PROCESSES_ENV, THREADS_ENV, api_settings
from scorer.cli import build_parser
from tests.api.conftest import API_KEY, FR_TEXT
from tests.conftest import ROOT

# Loading the model and every feature's resources takes seconds; the wait is bounded.
STARTUP_SECONDS = 120


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scorer_command() -> list[str]:
    """The installed `scorer` console script next to this interpreter, else the module."""
    script = Path(sys.executable).parent / "scorer"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scorer.cli"]


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_serve_options_parse() -> None:
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "2"])
    assert (args.host, args.port, args.workers) == ("0.0.0.0", 9000, 2)
    defaults = build_parser().parse_args(["serve"])
    assert defaults.host == "127.0.0.1" and defaults.workers >= 1
    for bad in (["--port", "70000"], ["--workers", "0"], ["--port", "http"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["serve", *bad])


def test_api_key_comes_from_the_environment() -> None:
    assert api_settings({}).api_key is None
    assert api_settings({API_KEY_ENV: ""}).api_key is None
    assert api_settings({API_KEY_ENV: "k"}).api_key == "k"


def test_scoring_threads_per_worker() -> None:
    assert build_parser().parse_args(["serve", "--threads", "2"]).threads == 2
    assert build_parser().parse_args(["serve"]).threads is None
    for bad in ("0", "17", "two"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["serve", "--threads", bad])
    # One thread per worker unless `scorer serve --threads` passed another count to the workers.
    assert api_settings({}).threads == 1
    assert api_settings({THREADS_ENV: "3"}).threads == 3
    assert build_parser().parse_args(["serve", "--scoring-processes", "0"]).scoring_processes == 0
    assert (api_settings({}).processes, api_settings({PROCESSES_ENV: "2"}).processes) == (0, 2)


def test_requests_held_per_scoring_process() -> None:
    assert build_parser().parse_args(["serve", "--pipeline", "1"]).pipeline == 1
    assert build_parser().parse_args(["serve"]).pipeline is None
    for bad in ("0", "9", "two"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["serve", "--pipeline", bad])
    assert (api_settings({}).pipeline, api_settings({PIPELINE_ENV: "1"}).pipeline) == (2, 1)


def test_scorer_serve_answers_over_http(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, API_KEY_ENV: API_KEY, "PYTHONPATH": str(ROOT)}
    # The server's output goes to a file, not a pipe nobody reads (a full pipe would block it).
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            *scorer_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        health: tuple[int, Any] | None = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"scorer serve exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                health = call("GET", f"{base}/health")
                break
            except (ConnectionError, urllib.error.URLError, TimeoutError):
                time.sleep(0.2)
        assert health is not None, f"no answer on {base}/health within {STARTUP_SECONDS} s"
        assert health[0] == 200 and health[1]["status"] == "ok" and health[1]["model_version"]

        status, body = call("POST", f"{base}/score", {"text": FR_TEXT}, {"X-API-Key": API_KEY})
        assert status == 200 and 0 <= body["score"] <= 100 and body["language"] == "fr"
        status, body = call("POST", f"{base}/score", {"text": FR_TEXT})
        assert status == 401 and "X-API-Key" in body["detail"]
        status, body = call(
            "POST", f"{base}/score", {"text": FR_TEXT, "html": "<p>x</p>"}, {"X-API-Key": API_KEY}
        )
        assert status == 422 and "exactly one" in body["detail"]
    finally:
        proc.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully on SIGINT/SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode == 0

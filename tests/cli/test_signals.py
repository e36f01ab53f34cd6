"""SIGTERM during a parallel `scorer audit` unwinds like Ctrl-C: a real subprocess with two workers is
terminated mid-run and must leave no worker process and no temporary folder behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 240  # loading the scorer and forking the workers, on a busy two-core machine
STOP_SECONDS = 120  # the workers finish the batch they hold, then the pool shuts down


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (Linux /proc)."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:  # the task ended meanwhile
            continue
    return out


def alive(pid: int) -> bool:
    """Whether `pid` is still a running (not zombie) process."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see the workers")
def test_sigterm_during_a_parallel_audit_cleans_up(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (FIXTURES / "examples" / "fr_original.txt").read_bytes()
    for i in range(600):  # enough work that the run is still going when the signal comes
        (corpus / f"a{i:03d}.txt").write_bytes(text)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCORER_")}
    env.update(PYTHONPATH=str(ROOT), TMPDIR=str(tmp))
    # stderr to a file: orphaned workers would hold a pipe open.
    with (tmp_path / "stderr.txt").open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scorer.cli", "audit", "--jobs", "2", str(corpus)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        workers: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            workers = children(proc.pid)
            if len(workers) >= 2 and any(tmp.glob("scorer-audit-*")):
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the audit ended before it could be terminated: give it more work"
        assert len(workers) >= 2, f"no two workers within {START_SECONDS} s"
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=STOP_SECONDS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = (tmp_path / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    assert code == 143, stderr[-2000:]
    assert "Traceback" not in stderr and stderr.rstrip().endswith("Terminated")
    assert [w for w in workers if alive(w)] == []
    assert list(tmp.iterdir()) == [], "the temporary folder was left behind"

"""The HTML report in a real headless browser (Debian's `chromium`): it renders to a non-empty PNG,
its script runs (the filters fill the shown count) and it makes no network request.

The report is built from `../shared/seeds/` when present, else from the test fixtures. Skipped, with
a message, when chromium is not installed (`apt-get install chromium`). Set SCORER_SCREENSHOT to a
path to keep the screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from scorer.cli import main
from tests.conftest import FIXTURES, SHARED

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def chromium() -> str:
    """The chromium binary, or skip."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium is not installed (Debian: apt-get install chromium); the browser test is skipped")


def report_inputs() -> list[str]:
    """The seed articles when ../shared is there, else the fixture folder."""
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        files = sorted(str(p) for p in seeds.glob("*.txt"))
        if files:
            return files
    return [str(FIXTURES / "inputs" / "folder")]


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run chromium headless with a throwaway profile."""
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium()
    path = tmp_path_factory.mktemp("report") / "report.html"
    code = main(["audit", "--format", "html", "--jobs", "1", "--output", str(path), *report_inputs()])
    assert code in (0, 1) and path.is_file()
    return path


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, checking its signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_is_a_non_empty_png(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    proc = run_chromium(tmp_path, "--window-size=1280,2400", f"--screenshot={shot}", report.as_uri())
    assert shot.is_file(), f"chromium wrote no screenshot: {proc.stderr[-2000:]}"
    data = shot.read_bytes()
    assert len(data) > 10_000  # a blank page compresses to a few hundred bytes
    assert png_size(data) == (1280, 2400)
    keep = os.environ.get("SCORER_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)


def test_script_runs_and_evidence_is_highlighted(report: Path, tmp_path: Path) -> None:
    proc = run_chromium(tmp_path, "--dump-dom", report.as_uri())
    dom = proc.stdout
    assert "</html>" in dom, proc.stderr[-2000:]
    shown = re.search(r'<span id="shown">(\d+)</span>', dom)
    assert shown, "the filter script did not run"
    assert int(shown.group(1)) == len(re.findall(r'<tr data-label="', dom)) > 0
    assert "<mark " in dom and 'title="' in dom

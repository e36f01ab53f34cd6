"""The HTML report in a real headless browser (Debian's `chromium`): it renders to a non-empty PNG,
its script runs (the filters fill the shown count) and it makes no network request.

The report is built from `../shared/seeds/` when present, else from the test fixtures. Skipped, with
a message, when chromium is not installed (`apt-get install chromium`). Set SCORER_SCREENSHOT to a
path to keep the screenshot, SCORER_SCREENSHOT_DIR to a folder to keep the two layout screenshots
(`report_1280.png`, `report_420.png`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from html import escape, unescape
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


PROBE = """<script>
(function(){
  var out={scrollWidth:document.documentElement.scrollWidth, innerWidth:window.innerWidth};
  var art=document.querySelector('article');
  if(art){
    art.scrollIntoView();
    out.articleTop=art.getBoundingClientRect().top;
    out.barBottom=document.querySelector('.filters').getBoundingClientRect().bottom;
  }
  var wide=[];
  document.querySelectorAll('body *').forEach(function(e){
    if(e.closest('.scroll')) return;
    var r=e.getBoundingClientRect(); if(r.right>window.innerWidth+1) wide.push(e.tagName+'.'+e.className);
  });
  out.wide=wide.slice(0,5);
  var host=window.parent!==window?parent.document:document;
  var p=host.createElement('pre'); p.id='probe'; p.textContent=JSON.stringify(out); host.body.appendChild(p);
})();
</script>"""


# Headless chromium keeps its window at least 500 px wide: a narrower screen is an iframe that wide,
# whose document (the report, inlined with srcdoc) lays out exactly as on a phone of that width.
MIN_WINDOW = 500


def page_at(report_html: str, width: int, folder: Path, name: str) -> tuple[Path, int]:
    """A file showing `report_html` at `width` CSS pixels, and the window width to open it with."""
    page = folder / name
    if width >= MIN_WINDOW:
        page.write_text(report_html, encoding="utf-8")
        return page, width
    frame = escape(report_html, quote=True)
    page.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe style="border:0;width:{width}px;height:1800px" srcdoc="{frame}"></iframe></body></html>',
        encoding="utf-8",
    )
    return page, MIN_WINDOW


@pytest.mark.parametrize("width", [1280, 420])
def test_layout_at_two_widths(report: Path, tmp_path: Path, width: int) -> None:
    """No horizontal overflow (the ranked table scrolls in its own box), a linked article's heading
    is not under the sticky filter bar, and the screenshot is a real page at that width."""
    html = report.read_text(encoding="utf-8")
    probe, window = page_at(html.replace("</body>", PROBE + "</body>"), width, tmp_path, "probe.html")
    proc = run_chromium(tmp_path, f"--window-size={window},900", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout)
    assert found, f"the probe did not run: {proc.stderr[-2000:]}"
    m = json.loads(unescape(found.group(1)))
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= m["innerWidth"], f"horizontal overflow at {width} px: {m}"
    assert not m["wide"], f"elements past the right edge at {width} px: {m['wide']}"
    assert m["articleTop"] >= m["barBottom"] - 1, f"the article heading hides under the filter bar: {m}"
    page, window = page_at(html, width, tmp_path, "shot.html")
    shot = tmp_path / f"report_{width}.png"
    run_chromium(tmp_path, f"--window-size={window},1800", f"--screenshot={shot}", page.as_uri())
    data = shot.read_bytes()
    assert png_size(data) == (window, 1800) and len(data) > 10_000
    keep = os.environ.get("SCORER_SCREENSHOT_DIR")
    if keep:
        shutil.copyfile(shot, Path(keep) / f"report_{width}.png")


def test_flags_are_listed_with_message_and_snippet(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    items = re.findall(r'<ol class="flags"[^>]*>(.*?)</ol>', html, flags=re.S)
    assert items, "no article lists its flags"
    assert all("<li>" in x and '<span class="code">' in x for x in items)
    assert "<q>" in "".join(items)  # evidence quoted in the page, not only in a tooltip
    assert re.search(r"language <code>[a-z]{2,3}</code>", html)  # codes, not names
    assert "dashed" not in html and not re.search(r'<mark class="[^"]*\bmulti\b', html)

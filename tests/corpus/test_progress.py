"""Progress of long runs: the totals counted up front, the periodic status line of a log (an
injected clock), the bar on a terminal, and silence for short runs."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from scorer.cli import main
from scorer.corpus.progress import ByteTracker, Progress, Total, measure, status_line
from scorer.ingest.inputs import InputFailure, Item, iter_items
from tests.conftest import FIXTURES

FOLDER = FIXTURES / "inputs" / "folder"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_totals_count_files_lines_and_rows_else_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Un article.", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>Une page.</p>", encoding="utf-8")
    lines = "".join(json.dumps({"text": f"doc {i}"}) + "\n" for i in range(5))
    (tmp_path / "c.jsonl").write_text(lines + '{"text": "no newline at the end"}', encoding="utf-8")
    t = measure([str(tmp_path)])
    assert (t.count, t.unit) == (2 + 6, "documents")
    assert t.bytes == sum(p.stat().st_size for p in tmp_path.iterdir())
    with gzip.open(tmp_path / "d.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(lines)
    t = measure([str(tmp_path)])
    assert (t.count, t.unit) == (None, "bytes")  # a compressed file is not counted: bytes instead
    assert measure([str(tmp_path / "missing.txt")]).count == 1  # one failure to report


def test_parquet_rows_come_from_the_footer(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    pq.write_table(pa.table({"text": ["a", "b", "c"]}), tmp_path / "x.parquet")
    assert measure([str(tmp_path / "x.parquet")]).count == 3


def test_status_line_format() -> None:
    by_count = Total(count=200, bytes=0, sizes={})
    assert status_line(done=50, total=by_count, docs=48, errors=2, elapsed=25.0) == (
        "progress: 50/200 inputs (25%), 48 documents scored, 2 errors, 1.9 docs/s, elapsed 0:25, ETA 1:15"
    )
    by_bytes = Total(count=None, bytes=4_000_000_000, sizes={})
    assert status_line(done=1e9, total=by_bytes, docs=9000, errors=0, elapsed=3700.0) == (
        "progress: 1000.0/4000.0 MB (25%), 9000 documents scored, 0 errors, 2.4 docs/s, "
        "elapsed 1:01:40, ETA 3:05:00"
    )


def test_a_log_gets_one_line_every_interval_and_a_last_one() -> None:
    clock, out = Clock(), io.StringIO()
    p = Progress(Total(10, 0, {}), out, tty=False, interval=30.0, clock=clock)
    for i in range(10):
        clock.now += 7.0  # one outcome every 7 s: lines at 35 s and 70 s
        p.update(InputFailure("x", "bad") if i == 3 else object())
    p.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "progress: 5/10 inputs (50%), 4 documents scored, 1 errors, 0.1 docs/s, elapsed 0:35, ETA 0:35",
        "progress: 10/10 inputs (100%), 9 documents scored, 1 errors, 0.1 docs/s, elapsed 1:10",
        "progress: 10/10 inputs (100%), 9 documents scored, 1 errors, 0.1 docs/s, elapsed 1:10",
    ]


def test_a_short_run_in_a_log_prints_nothing() -> None:
    clock, out = Clock(), io.StringIO()
    p = Progress(Total(3, 0, {}), out, tty=False, interval=30.0, clock=clock)
    for _ in range(3):
        clock.now += 1.0
        p.update(object())
    p.close()
    assert out.getvalue() == ""


def test_a_terminal_gets_a_bar_with_percentage_and_eta() -> None:
    out = io.StringIO()
    p = Progress(Total(4, 0, {}), out, tty=True)
    for _ in range(4):
        p.update(object())
    p.close()
    text = out.getvalue()
    assert "100%" in text and "4/4" in text and "0 errors" in text and "<" in text  # elapsed<remaining


def test_bytes_positions_follow_files_and_warc_offsets() -> None:
    total = Total(None, 300, {"a": 100, "b": 200})
    tracker = ByteTracker(total)
    items = [
        Item("a", "record", {}, line=1),
        Item("a", "record", {}, line=2),
        Item("b", "html", b"", offset=50),
    ]
    assert list(tracker.wrap(items)) == items
    assert [tracker.next_position() for _ in items] == [0, 0, 150]


def test_the_cli_is_quiet_on_a_short_run(capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", "-j", "1", str(FOLDER / "fr_article.txt")])
    assert "progress:" not in capsys.readouterr().err


def test_items_of_a_folder_match_its_count() -> None:
    assert measure([str(FOLDER)]).count == sum(1 for _ in iter_items([str(FOLDER)]))

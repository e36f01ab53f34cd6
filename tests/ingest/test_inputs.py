"""The streaming input reader: every format, field options, and every kind of broken input reported
with its location while the rest is read."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from scorer.ingest import inputs
from scorer.ingest.inputs import InputFailure, ReadOptions, iter_documents, iter_items
from tests.conftest import FIXTURES

INPUTS = FIXTURES / "inputs"
FOLDER = INPUTS / "folder"

# Short articles written for these tests.
ARTICLES = [
    {
        "id": "a1",
        "url": "https://example.org/a1",
        "text": "Le syndicat des eaux a annoncé lundi que les travaux sur le réseau de la rue Pasteur dureront trois semaines, selon un communiqué de la mairie.",
    },
    {
        "id": "a2",
        "url": "https://example.org/a2",
        "text": "The school board voted on Thursday to extend the library's opening hours to 7 pm, the board's chair, Anna Kowalski, said after the meeting.",
    },
    {
        "id": "a3",
        "url": "https://example.org/a3",
        "text": "La compagnie de bus a présenté mercredi ses nouveaux horaires d'été, qui entreront en vigueur le 1er juillet, a indiqué sa directrice.",
    },
    {
        "id": "a4",
        "url": "https://example.org/a4",
        "text": "The museum will close for two weeks in February to replace its lighting, the curator, Tom Baxter, told the local paper on Sunday.",
    },
]
PAGE = (
    "<html><head><title>{title}</title></head><body><nav>Home</nav><article><h1>{title}</h1>"
    "<p>{body}</p><p>The announcement was made on Tuesday by the council, which said the work would take a month.</p>"
    "</article></body></html>"
)


def jsonl_bytes(records: list[dict[str, Any]]) -> bytes:
    """JSONL for `records`."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def split(items: list[Any]) -> tuple[list[Any], list[InputFailure]]:
    """Documents and failures apart."""
    docs = [d for d in items if not isinstance(d, InputFailure)]
    fails = [d for d in items if isinstance(d, InputFailure)]
    return docs, fails


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A Parquet file of `rows`."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def write_warc(path: Path, pages: list[tuple[str, str]], *, extra: bool = True) -> Path:
    """A gzipped (by suffix) WARC with one HTML response per (url, html), plus a request and an image
    response that the reader must skip."""
    pytest.importorskip("warcio")
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=path.name.endswith(".gz"))
        for i, (url, html) in enumerate(pages):
            if extra and i == 1:
                req = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
                writer.write_record(req)
                img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
                writer.write_record(
                    writer.create_warc_record(
                        url + "/logo.png", "response", payload=io.BytesIO(b"\x89PNG..."), http_headers=img
                    )
                )
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=headers
            )
            writer.write_record(record)
    return path


def pages(n: int) -> list[tuple[str, str]]:
    """`n` (url, html) pairs built from ARTICLES' English texts."""
    bodies = [a["text"] for a in ARTICLES if a["id"] in ("a2", "a4")]
    return [
        (f"https://example.org/p{i}", PAGE.format(title=f"Notice {i}", body=bodies[i % 2])) for i in range(n)
    ]


# --- folders ----------------------------------------------------------------------------------------


def test_folder_reads_every_article_and_reports_broken_files() -> None:
    docs, fails = split(list(iter_documents([str(FOLDER)])))
    names = sorted(Path(d.id).name if "/" in d.id else d.id for d in docs)
    assert names == ["en_notes.md", "fr_article.txt", "fr_copy.txt", "latin1.txt", "page.html", "record-7"]
    errors = {Path(f.source).name: f.error for f in fails}
    assert errors == {"binary.txt": "binary file (NUL bytes), not text", "empty.txt": "empty file"}
    # photo.png is not an article: skipped, not an error.
    assert all("photo" not in f.source for f in fails)


def test_latin1_file_is_decoded() -> None:
    (doc,) = list(iter_documents([str(FOLDER / "latin1.txt")]))
    assert not isinstance(doc, InputFailure)
    assert "Le conseil régional a voté jeudi" in doc.text
    assert doc.meta["encoding"] in ("cp1252", "latin_1", "iso8859_15")


def test_folder_order_is_sorted_and_recursive() -> None:
    sources = [i.path for i in iter_items([str(FOLDER)]) if not isinstance(i, InputFailure)]
    assert sources == sorted(sources)
    assert any("/sub/" in s for s in sources)


def test_hidden_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLES[0]["text"], encoding="utf-8")
    assert [Path(i.path).name for i in iter_items([str(tmp_path)])] == ["a.txt"]


def test_missing_and_unknown_files_are_errors(tmp_path: Path) -> None:
    odd = tmp_path / "notes.pdf"
    odd.write_bytes(b"%PDF-1.4")
    docs, fails = split(list(iter_documents([str(tmp_path / "nope.txt"), str(odd)])))
    assert not docs
    assert fails[0].error == "no such file or folder"
    assert "unsupported file type .pdf" in fails[1].error


def test_json_array_file(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([ARTICLES[0], {"id": "bad"}, ARTICLES[1]]), encoding="utf-8")
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.id for d in docs] == ["a1", "a2"]
    assert fails[0].row == 2 and "row 2" in fails[0].error


def test_invalid_json_file_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"text": "x",\n  oops}', encoding="utf-8")
    (fail,) = list(iter_documents([str(path)]))
    assert isinstance(fail, InputFailure)
    assert "line 2" in fail.error


# --- JSONL ------------------------------------------------------------------------------------------


def test_jsonl_reports_each_bad_line_and_reads_the_rest() -> None:
    docs, fails = split(list(iter_documents([str(INPUTS / "records.jsonl")])))
    assert [d.id for d in docs] == ["fr-1", "en-2", "fr-copy"]
    assert [(f.line, f.error.split(":")[0]) for f in fails] == [
        (3, "line 3"),
        (4, "line 4"),
        (5, "line 5 (id no-text)"),
    ]
    assert "not JSON" in fails[0].error
    assert "must be a JSON object" in fails[1].error
    assert "no 'text' or 'html' field" in fails[2].error
    assert fails[0].location.endswith("records.jsonl:3")
    assert fails[0].to_dict()["line"] == 3


def test_jsonl_html_record_is_extracted() -> None:
    docs, _ = split(list(iter_documents([str(INPUTS / "records.jsonl")])))
    en = next(d for d in docs if d.id == "en-2")
    assert "ferry operator" in en.text and "<p>" not in en.text
    assert en.url == "https://example.org/en/2"


def test_field_options_name_the_record_fields() -> None:
    options = ReadOptions(text_field="body", html_field="page", id_field="doc_id", url_field="link")
    docs, fails = split(list(iter_documents([str(INPUTS / "fields.jsonl")], options)))
    assert not fails
    assert [(d.id, d.url) for d in docs] == [
        ("custom-1", "https://example.org/c/1"),
        ("custom-2", "https://example.org/c/2"),
    ]
    assert "county fair" in docs[1].text


def test_records_without_id_are_named_by_location(tmp_path: Path) -> None:
    path = tmp_path / "noid.jsonl"
    path.write_bytes(jsonl_bytes([{"text": ARTICLES[0]["text"]}]))
    (doc,) = list(iter_documents([str(path)]))
    assert doc.id == f"{path}:1"


def test_jsonl_gz(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl_bytes(ARTICLES)))
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.id for d in docs] == ["a1", "a2", "a3", "a4"] and not fails


def test_truncated_gz_keeps_the_lines_before_and_reports_where(tmp_path: Path) -> None:
    data = gzip.compress(jsonl_bytes(ARTICLES * 50))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    docs, fails = split(list(iter_documents([str(path)])))
    assert docs, "the complete lines before the cut are read"
    assert len(fails) in (1, 2)  # the cut itself, possibly preceded by the half line it left
    last = fails[-1]
    assert "truncated or corrupt" in last.error and last.line is not None
    assert last.line >= len(docs)


def test_jsonl_zst(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    path = tmp_path / "batch.jsonl.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(jsonl_bytes(ARTICLES)))
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.id for d in docs] == ["a1", "a2", "a3", "a4"] and not fails


def test_truncated_zst_is_reported(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    data = zstandard.ZstdCompressor().compress(jsonl_bytes(ARTICLES * 50))
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(data[: len(data) // 2])
    items = list(iter_documents([str(path)]))
    _, fails = split(items)
    assert fails and fails[-1].line is not None


def test_undecodable_jsonl_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(jsonl_bytes(ARTICLES[:1]) + b'{"text": "caf\xe9"}\n' + jsonl_bytes(ARTICLES[1:2]))
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.id for d in docs] == ["a1", "a2"]
    assert fails[0].line == 2 and "undecodable bytes" in fails[0].error


def test_overlong_jsonl_line_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_RECORD_BYTES", 400)
    path = tmp_path / "long.jsonl"
    path.write_bytes(jsonl_bytes([ARTICLES[0], {"id": "big", "text": "x " * 2000}, ARTICLES[1]]))
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.id for d in docs] == ["a1", "a2"]
    assert fails[0].line == 2 and "longer than 400 bytes" in fails[0].error


def test_record_with_non_string_text(tmp_path: Path) -> None:
    path = tmp_path / "typed.jsonl"
    path.write_bytes(jsonl_bytes([{"id": "n", "text": 42}, {"id": "e", "text": "   "}]))
    _, fails = split(list(iter_documents([str(path)])))
    assert [f.line for f in fails] == [1, 2]
    assert "not a string" in fails[0].error and "empty" in fails[1].error


# --- Parquet ----------------------------------------------------------------------------------------


def test_parquet_rows(tmp_path: Path) -> None:
    rows = [*ARTICLES[:2], {"id": "null", "url": None, "text": None}, *ARTICLES[2:]]
    path = write_parquet(tmp_path / "batch.parquet", rows)
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.id for d in docs] == ["a1", "a2", "a3", "a4"]
    assert fails[0].row == 3 and fails[0].error.startswith("row 3 (id null):")  # rows count from 1


def test_parquet_field_options(tmp_path: Path) -> None:
    rows = [{"key": a["id"], "content": a["text"], "link": a["url"], "other": 1} for a in ARTICLES]
    path = write_parquet(tmp_path / "named.parquet", rows)
    options = ReadOptions(text_field="content", id_field="key", url_field="link")
    docs, fails = split(list(iter_documents([str(path)], options)))
    assert not fails and [d.url for d in docs] == [a["url"] for a in ARTICLES]
    _, fails = split(list(iter_documents([str(path)])))
    assert len(fails) == 1 and "no 'text' or 'html' column" in fails[0].error


def test_parquet_html_column(tmp_path: Path) -> None:
    rows = [{"id": f"h{i}", "html": html, "url": url} for i, (url, html) in enumerate(pages(2))]
    docs, fails = split(list(iter_documents([str(write_parquet(tmp_path / "pages.parquet", rows))])))
    assert not fails and "museum" in docs[1].text


def test_not_a_parquet_file(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"this is not parquet at all")
    (fail,) = list(iter_documents([str(path)]))
    assert isinstance(fail, InputFailure) and "not a readable Parquet file" in fail.error


@pytest.mark.parametrize(
    "module, name", [("pyarrow", "batch.parquet"), ("warcio", "crawl.warc"), ("zstandard", "batch.jsonl.zst")]
)
def test_missing_optional_package_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"not read: the package is missing")
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    (fail,) = list(iter_documents([str(path)]))
    assert isinstance(fail, InputFailure)
    assert f"needs the '{module}' package" in fail.error
    assert "pip install 'article-scorer[formats]'" in fail.error


# --- WARC -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses(tmp_path: Path, name: str) -> None:
    path = write_warc(tmp_path / name, pages(3))
    docs, fails = split(list(iter_documents([str(path)])))
    assert not fails
    assert [d.url for d in docs] == [u for u, _ in pages(3)]
    assert "school board" in docs[0].text and docs[0].origin == "warc"
    items = [i for i in iter_items([str(path)]) if not isinstance(i, InputFailure)]
    assert items[0].offset == 0 and items[1].offset > 0 and items[0].record_id


def test_truncated_warc_gz_keeps_the_records_before(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", pages(6), extra=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 3 // 4])
    docs, fails = split(list(iter_documents([str(path)])))
    assert 1 <= len(docs) < 6
    assert len(fails) == 1 and fails[0].offset is not None
    assert "byte offset" in fails[0].error


def test_not_a_warc(tmp_path: Path) -> None:
    pytest.importorskip("warcio")
    path = tmp_path / "junk.warc"
    path.write_bytes(b"hello, this is not a WARC file\n" * 3)
    (fail,) = list(iter_documents([str(path)]))
    assert isinstance(fail, InputFailure) and fail.offset is not None


# --- several inputs ---------------------------------------------------------------------------------


def test_every_format_together_in_order(tmp_path: Path) -> None:
    gz = tmp_path / "b.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl_bytes(ARTICLES[:2])))
    pq = write_parquet(tmp_path / "c.parquet", ARTICLES[2:])
    warc = write_warc(tmp_path / "d.warc.gz", pages(2))
    paths = [str(FOLDER / "fr_article.txt"), str(gz), str(pq), str(warc)]
    first = [getattr(d, "id", None) for d in iter_documents(paths)]
    again = [getattr(d, "id", None) for d in iter_documents(paths)]
    assert first == again
    assert first[:5] == [str(FOLDER / "fr_article.txt"), "a1", "a2", "a3", "a4"]
    assert len(first) == 7


# --- paths that are not article files ---------------------------------------------------------------


def _article(folder: Path, name: str = "a.txt") -> Path:
    path = folder / name
    path.write_text(ARTICLES[0]["text"], encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["pipe.txt", "pipe.jsonl", "pipe.jsonl.gz", "pipe.warc", "pipe.parquet"])
def test_fifo_given_as_a_path_is_reported_without_blocking(tmp_path: Path, name: str) -> None:
    # Opening a FIFO with no writer blocks forever; every reader must refuse it before reading.
    fifo = tmp_path / name
    os.mkfifo(fifo)
    docs, fails = split(list(iter_documents([str(fifo), str(_article(tmp_path))])))
    assert len(docs) == 1
    assert [f.source for f in fails] == [str(fifo)]
    assert fails[0].error == "not a regular file (a FIFO)"


@pytest.mark.parametrize("name", ["zero.txt", "zero.jsonl"])
def test_link_to_a_device_is_not_read(tmp_path: Path, name: str) -> None:
    # /dev/zero has st_size 0 and never ends: reading it whole ends in MemoryError.
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    (fail,) = list(iter_documents([str(link)]))
    assert isinstance(fail, InputFailure) and fail.error == "not a regular file (a character device)"


def test_file_larger_than_the_limit_is_read_only_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_FILE_BYTES", 100)
    big = tmp_path / "big.txt"
    big.write_text("mot " * 1000, encoding="utf-8")
    (fail,) = list(iter_documents([str(big)]))
    assert isinstance(fail, InputFailure) and "file too large for one article" in fail.error


def test_folder_walk_reports_what_it_cannot_read_and_scores_the_rest(tmp_path: Path) -> None:
    _article(tmp_path, "a.txt")
    sub = tmp_path / "sub"
    sub.mkdir()
    _article(sub, "b.txt")
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    (sub / "up").symlink_to(tmp_path)  # a folder link back to an ancestor: a loop
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    (tmp_path / "logo.png").symlink_to(tmp_path / "missing.png")  # not an input: skipped quietly
    docs, fails = split(list(iter_documents([str(tmp_path)])))
    assert sorted(Path(d.id).name for d in docs) == ["a.txt", "b.txt"]
    errors = {Path(f.source).relative_to(tmp_path).as_posix(): f.error for f in fails}
    assert errors == {
        "dangling.txt": f"dangling symbolic link (to {tmp_path / 'gone.txt'}); skipped",
        "fifo.txt": "not a regular file (a FIFO); skipped",
        "self.txt": "symbolic link loop; skipped",
        "sub/up": "symbolic link loop (it points to a folder that contains it); skipped",
        "zero.jsonl": "not a regular file (a character device); skipped",
    }


def _deny(monkeypatch: pytest.MonkeyPatch, name: str, denied: Path) -> None:
    """Make `os.<name>` raise PermissionError on `denied` (tests run as root, who can read mode 000)."""
    real = getattr(os, name)

    def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(os.fsdecode(path)) == denied:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, name, guarded)


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    _article(locked)
    _deny(monkeypatch, "scandir", locked)
    (fail,) = list(iter_documents([str(locked)]))
    assert isinstance(fail, InputFailure)
    assert fail.source == str(locked) and fail.error == "cannot read the folder: Permission denied; skipped"


def test_unreadable_subfolder_is_reported_and_the_rest_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _article(tmp_path, "a.txt")
    locked = tmp_path / "locked"
    locked.mkdir()
    _article(locked, "b.txt")
    _deny(monkeypatch, "scandir", locked)
    docs, fails = split(list(iter_documents([str(tmp_path)])))
    assert [Path(d.id).name for d in docs] == ["a.txt"]
    assert [(f.source, f.error) for f in fails] == [
        (str(locked), "cannot read the folder: Permission denied; skipped")
    ]


def test_file_in_an_unsearchable_folder_is_reported_and_the_rest_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A folder that can be listed but not entered (mode r--): its entries cannot be stat'ed or opened.
    _article(tmp_path, "a.txt")
    hidden = _article(tmp_path, "b.txt")
    _deny(monkeypatch, "stat", hidden)
    _deny(monkeypatch, "open", hidden)
    docs, fails = split(list(iter_documents([str(tmp_path), str(hidden)])))
    assert [Path(d.id).name for d in docs] == ["a.txt"]
    assert [(f.source, f.error) for f in fails] == [
        (str(hidden), "cannot read: Permission denied; skipped"),
        (str(hidden), "cannot read: Permission denied"),
    ]


# --- damaged compressed files and WARCs ------------------------------------------------------------


def _corrupt_gzip(records: list[dict[str, Any]]) -> tuple[bytes, int]:
    """A gzip file whose deflate stream stays decodable after a flipped bit, so that it decompresses to
    garbled lines before the CRC check fails at the end; and the number of lines before the damage."""
    raw = jsonl_bytes(records)
    good = gzip.compress(raw, mtime=0)
    for pos in range(len(good) // 3, len(good) - 8):
        bad = bytearray(good)
        bad[pos] ^= 0x01
        try:
            out = gzip.GzipFile(fileobj=io.BytesIO(bytes(bad))).read()
        except (OSError, EOFError, zlib.error) as e:
            if "CRC check failed" not in str(e):
                continue
            # Decoded fully except for the checksum: find the first garbled line (raw deflate after
            # the 10-byte header, which skips the CRC check).
            out = zlib.decompressobj(-15).decompress(bytes(bad[10:]))
            lines = out.split(b"\n")
            first_bad = next(i for i, line in enumerate(lines) if line != raw.split(b"\n")[i])
            return bytes(bad), first_bad
    raise AssertionError("no single-bit corruption kept the stream decodable")


def test_corrupt_gzip_reports_the_crc_error_once(tmp_path: Path) -> None:
    records = [{"id": str(i), "text": f"Article {i}: " + "é à ü " * 40} for i in range(2000)]
    data, good_lines = _corrupt_gzip(records)
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(data)
    docs, fails = split(list(iter_items([str(path)])))
    assert len(fails) == 1, [f.error for f in fails]
    assert "CRC check failed" in fails[0].error and "compressed stream is corrupt" in fails[0].error
    assert fails[0].line is not None and fails[0].line > good_lines  # the lines before the damage are read
    assert len(docs) == fails[0].line - 1


def test_genuinely_bad_line_in_a_sound_gzip_is_a_line_error(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(
        gzip.compress(jsonl_bytes(ARTICLES[:2]) + b"\xff\xfe not utf-8\n" + jsonl_bytes(ARTICLES[2:]))
    )
    docs, fails = split(list(iter_items([str(path)])))
    assert len(docs) == 4
    assert [f.error for f in fails] == ["line 3: undecodable bytes at column 1 (JSONL must be UTF-8)"]


@pytest.mark.parametrize("suffix, fmt", [(".gz", "gzip"), (".zst", "zstd")])
def test_uncompressed_file_with_a_compressed_name(tmp_path: Path, suffix: str, fmt: str) -> None:
    path = tmp_path / f"batch.jsonl{suffix}"
    path.write_bytes(json.dumps(ARTICLES[0]).encode("utf-8"))
    docs, fails = split(list(iter_documents([str(path), str(_article(tmp_path))])))
    assert len(docs) == 1
    (fail,) = fails
    assert fail.error.startswith(f"not a {fmt} file although it is named {suffix} (it starts with b'{{")
    assert fail.error.endswith(f"an uncompressed file must not end in {suffix}")


def test_deeply_nested_jsonl_line_is_a_line_error(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n" + jsonl_bytes(ARTICLES[:1]))
    docs, fails = split(list(iter_items([str(path)])))
    assert len(docs) == 1
    assert [f.error for f in fails] == ["line 1: JSON nested too deeply to read"]


def test_warc_cut_inside_its_last_record_is_reported(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc", pages(3), extra=False)
    data = path.read_bytes()
    path.write_bytes(data[:-300])
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.url for d in docs] == [u for u, _ in pages(2)]
    (fail,) = fails
    assert fail.offset is not None and fail.offset > 0
    assert "cut short: its Content-Length is" in fail.error and "not scored" in fail.error


def test_warc_record_without_uri_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc", pages(3), extra=False)
    # Same length, so every Content-Length stays right: only the first record loses its URI header.
    path.write_bytes(path.read_bytes().replace(b"WARC-Target-URI", b"X-Not-Target-URI", 1))
    docs, fails = split(list(iter_documents([str(path)])))
    assert [d.url for d in docs] == [u for u, _ in pages(3)][1:]
    assert [(f.offset, f.error) for f in fails] == [
        (0, "record at byte offset 0: a response record without WARC-Target-URI; not scored")
    ]


def test_deep_folder_tree_is_walked(tmp_path: Path) -> None:
    # Deeper than the recursion limit allows for a recursive walk of nested generators.
    folder = tmp_path
    for _ in range(sys.getrecursionlimit() + 100):  # one mkdir at a time: os.makedirs recurses too
        folder = folder / "d"
        folder.mkdir()
    _article(folder)
    _article(tmp_path, "top.txt")
    try:
        sources = list(inputs.iter_sources([str(tmp_path)]))
        assert sources == [str(folder / "a.txt"), str(tmp_path / "top.txt")]
    finally:  # bottom up, one folder at a time: shutil.rmtree recurses too
        (folder / "a.txt").unlink()
        while folder != tmp_path:
            folder.rmdir()
            folder = folder.parent

"""Input reading: turn paths (files, folders, `-` for stdin) into documents, one at a time.

One streaming reader for every format the scorer accepts:

- folders, recursively (sorted): `.txt .md .html .htm .json`, and the corpus formats below;
- JSONL, optionally compressed (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`; `.ndjson` too), one record a line;
- Parquet (`.parquet`, pyarrow), read in row batches of only the columns needed;
- WARC (`.warc`, `.warc.gz`, warcio): the `response` records whose payload is HTML.

Reading is split in two steps so that the expensive one can run in worker processes: `iter_items`
yields small picklable `Item`s (a file's bytes, or one record) in a deterministic order, and
`to_document` turns one item into a `Document`. `iter_documents` chains both.

Every problem with one input becomes an `InputFailure` that names its location (the file, and the
line, row or byte offset of the record), never an exception that stops the run: the rest are still
read. Memory stays constant: compressed streams are decompressed as they are read, Parquet is read in
batches, and a record longer than `MAX_RECORD_BYTES` is skipped, not buffered.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from features import Document
from scorer.errors import InputError, ScorerError
from scorer.ingest.documents import (
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    MAX_HTML_BYTES,
    TEXT_SUFFIXES,
    from_bytes,
    from_html,
    from_record,
)

logger = logging.getLogger(__name__)

FILE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".jsonl.zst", ".ndjson.zst")
PARQUET_SUFFIXES = (".parquet", ".pq")
WARC_SUFFIXES = (".warc", ".warc.gz")
# Folder walks pick up single-article files and corpus files; anything else in a folder (images,
# PDFs, hidden files) is skipped with an INFO log, because article folders hold such files. A file
# named explicitly with an unknown suffix is an error.
FOLDER_SUFFIXES = FILE_SUFFIXES
# A single-article file larger than this is not an article; reading it whole would cost the memory.
MAX_FILE_BYTES = 50_000_000
# A JSONL line longer than this is skipped (read through, never held whole).
MAX_RECORD_BYTES = 20_000_000
PARQUET_BATCH_ROWS = 256
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")

# Extras: which optional package provides which format.
_EXTRA_HINT = "install the optional formats: pip install 'article-scorer[formats]'"


@dataclass(frozen=True)
class ReadOptions:
    """Which record fields hold the text, the HTML, the id and the URL (JSONL, Parquet, JSON).

    A record with both a text and an HTML field is read from the HTML: the page gives the extractor
    its metadata (dates, author) and the boilerplate signals their page text.
    """

    text_field: str = "text"
    html_field: str = "html"
    id_field: str = "id"
    url_field: str = "url"
    title_field: str = "title"
    author_field: str = "author"
    published_fields: tuple[str, ...] = ("published", "date")
    language_field: str = "language"

    def columns(self) -> list[str]:
        """Every field name a record may use (the Parquet columns to read)."""
        return [
            self.text_field,
            self.html_field,
            self.id_field,
            self.url_field,
            self.title_field,
            self.author_field,
            *self.published_fields,
            self.language_field,
        ]


DEFAULT_OPTIONS = ReadOptions()


@dataclass(frozen=True)
class InputFailure:
    """An input that could not become a document, why, and where (line, row or byte offset)."""

    source: str
    error: str
    line: int | None = None
    row: int | None = None
    offset: int | None = None

    @property
    def location(self) -> str:
        """`path`, `path:12` (line), `path:row 3` (Parquet row or JSON array element) or `path:offset
        1024` (WARC). Lines and rows count from 1, as editors count lines; offsets from 0."""
        return _location(self.source, self.line, self.row, self.offset)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: `source` (the file) and `error`, plus the record's location when known."""
        out: dict[str, Any] = {"source": self.source, "error": self.error}
        for key in ("line", "row", "offset"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def _location(path: str, line: int | None, row: int | None, offset: int | None) -> str:
    if line is not None:
        return f"{path}:{line}"
    if row is not None:
        return f"{path}:row {row}"
    if offset is not None:
        return f"{path}:offset {offset}"
    return path


def _where(line: int | None = None, row: int | None = None, offset: int | None = None) -> str:
    """The prefix of an error message that locates a record inside its file."""
    if line is not None:
        return f"line {line}: "
    if row is not None:
        return f"row {row}: "
    if offset is not None:
        return f"record at byte offset {offset}: "
    return ""


@dataclass(frozen=True)
class Item:
    """One unit of input before it becomes a document: a whole file's bytes (`kind="file"`), a
    record's fields (`"record"`) or a WARC response's HTML (`"html"`). Small and picklable."""

    path: str
    kind: str
    data: Any
    suffix: str = ""
    line: int | None = None
    row: int | None = None
    offset: int | None = None
    url: str | None = None
    record_id: str | None = None

    @property
    def location(self) -> str:
        """Where the item comes from, as in `InputFailure.location`."""
        return _location(self.path, self.line, self.row, self.offset)

    @property
    def reference(self) -> str | None:
        """What names the record beside its location: the WARC-Target-URI of a WARC response, else
        the record's id field."""
        if self.kind == "html" and self.url:
            return self.url
        return f"id {self.record_id}" if self.record_id else None

    def failure(self, error: str) -> InputFailure:
        """An `InputFailure` at this item's location, naming the record's id or URL when known."""
        where = _where(self.line, self.row, self.offset)
        if self.reference:
            where = f"{where[:-2]} ({self.reference}): " if where else f"({self.reference}) "
        return InputFailure(self.path, where + error, self.line, self.row, self.offset)


def input_kind(path: str) -> str:
    """The reader for a path from its name: file, jsonl, parquet, warc or unknown."""
    name = path.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if Path(name).suffix in FILE_SUFFIXES:
        return "file"
    return "unknown"


def iter_paths(paths: Iterable[str]) -> Iterator[str]:
    """Expand folders (recursively, supported files, sorted) and keep files and `-` as given; what a
    folder walk cannot use (see `iter_sources`) is logged as a warning."""
    for source in iter_sources(paths):
        if isinstance(source, InputFailure):
            logger.warning("skipped %s: %s", source.source, source.error)
        else:
            yield source


def iter_sources(paths: Iterable[str]) -> Iterator[str | InputFailure]:
    """Files and `-` as given, folders expanded (recursively, sorted by name, hidden entries and
    unsupported suffixes skipped). Inside a folder, what cannot be read is an `InputFailure` with its
    path, and the walk goes on: an unreadable folder, a symbolic link loop, a dangling link, a FIFO
    or device."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        try:
            st = os.stat(raw)
        except OSError:
            yield raw  # the reader reports why (missing, dangling link, loop, permission)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(Path(raw), (st.st_dev, st.st_ino))
        else:
            yield raw


def _walk(root: Path, key: tuple[int, int]) -> Iterator[str | InputFailure]:
    """Depth first, names sorted; iterative (a stack of folders), so that a deep tree cannot reach the
    recursion limit. `ancestors` holds the folders above each entry, to tell a link loop."""
    stack: list[tuple[Path, frozenset[tuple[int, int]], Iterator[str]]] = []

    def enter(folder: Path, ancestors: frozenset[tuple[int, int]]) -> InputFailure | None:
        try:
            with os.scandir(folder) as it:
                names = sorted(e.name for e in it)
        except OSError as e:
            return InputFailure(str(folder), f"cannot read the folder: {e.strerror or e}; skipped")
        stack.append((folder, ancestors, iter(names)))
        return None

    failed = enter(root, frozenset({key}))
    if failed:
        yield failed
    while stack:
        folder, ancestors, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        if name.startswith("."):
            continue
        child = folder / name
        supported = input_kind(name) != "unknown"
        try:
            st = os.stat(child)
        except OSError as e:
            # A broken link without a supported suffix may be an image or a PDF: skip it like one.
            if supported or not Path(name).suffix:
                yield InputFailure(str(child), _stat_error(child, e) + "; skipped")
            continue
        if stat.S_ISDIR(st.st_mode):
            sub = (st.st_dev, st.st_ino)
            if sub in ancestors:
                yield InputFailure(
                    str(child), "symbolic link loop (it points to a folder that contains it); skipped"
                )
            elif failed := enter(child, ancestors | {sub}):
                yield failed
        elif not supported:
            logger.info("skipped %s: not a supported input file", child)
        elif not stat.S_ISREG(st.st_mode):
            yield InputFailure(str(child), f"not a regular file ({_file_type(st.st_mode)}); skipped")
        else:
            yield str(child)


def _stat_error(path: Path, e: OSError) -> str:
    """Why `os.stat` failed on a path, in words."""
    if e.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(e, FileNotFoundError):
        return (
            f"dangling symbolic link (to {os.readlink(path)})"
            if path.is_symlink()
            else "no such file or folder"
        )
    return f"cannot read: {e.strerror or e}"


def _file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a file"


def open_regular(path: str | Path) -> IO[bytes]:
    """Open a regular file for reading, or raise `InputError` without blocking: a FIFO, a device
    (`/dev/zero` behind a link) or a folder is not an input. Opened non-blocking first so that a FIFO
    with no writer cannot hang the run."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise InputError(_stat_error(Path(path), e)) from e
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"not a regular file ({_file_type(mode)})")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# --- step 1: items ------------------------------------------------------------------------------


def iter_items(paths: Iterable[str], options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[Item | InputFailure]:
    """Every item (or the failure to read it) under `paths`, in a deterministic order."""
    for source in iter_sources(paths):
        if isinstance(source, InputFailure):
            yield source
            continue
        if source == "-":
            yield _stdin_item()
            continue
        p = Path(source)
        try:
            os.stat(p)
        except OSError as e:
            yield InputFailure(source, _stat_error(p, e))
            continue
        kind = input_kind(source)
        try:
            if kind == "file":
                yield from _file_items(p, options)
            elif kind == "jsonl":
                yield from _jsonl_items(p, options)
            elif kind == "parquet":
                yield from _parquet_items(p, options)
            elif kind == "warc":
                yield from _warc_items(p)
            else:
                yield InputFailure(
                    source,
                    f"unsupported file type {''.join(p.suffixes[-2:]) or '(none)'}; expected .txt .md .html .htm .json, "
                    ".jsonl[.gz|.zst], .parquet or .warc[.gz]",
                )
        except OSError as e:
            yield InputFailure(source, f"cannot read: {e.strerror or e}")
        except ScorerError as e:  # not a regular file, or a missing optional package
            yield InputFailure(source, str(e))


def _stdin_item() -> Item:
    data = sys.stdin.buffer.read()
    head = data.lstrip()[:1]
    suffix = ".json" if head == b"{" else ".html" if head == b"<" else ".txt"
    return Item("<stdin>", "file", data, suffix=suffix)


def _file_items(p: Path, options: ReadOptions) -> Iterator[Item | InputFailure]:
    # The size is what can be read, not what `st_size` claims: read at most one byte past the limit.
    with open_regular(p) as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        yield InputFailure(
            str(p),
            f"file too large for one article (over {MAX_FILE_BYTES / 1e6:.0f} MB); use JSONL, Parquet or WARC for corpora",
        )
        return
    suffix = p.suffix.lower()
    if suffix in JSON_SUFFIXES and data.lstrip()[:1] == b"[":
        # A JSON array of records: one item per element.
        try:
            records = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            yield InputFailure(str(p), f"invalid JSON: {e}")
            return
        except RecursionError:
            yield InputFailure(str(p), "invalid JSON: nested too deeply to read")
            return
        for i, record in enumerate(records, start=1):
            rid = _record_id(record, options.id_field) if isinstance(record, dict) else None
            yield Item(str(p), "record", record, suffix=suffix, row=i, record_id=rid)
        return
    yield Item(str(p), "file", data, suffix=suffix)


# The first bytes of each compressed format, to tell a misnamed file from a corrupt one.
_MAGIC = {".gz": (b"\x1f\x8b", "gzip"), ".zst": (b"\x28\xb5\x2f\xfd", "zstd")}


def _open_jsonl(p: Path, raw: IO[bytes]) -> IO[bytes]:
    """A binary stream of the decompressed lines of `raw` (the file `p`, opened)."""
    name = p.name.lower()
    zstandard = _optional("zstandard", ".zst") if name.endswith(".zst") else None
    for suffix, (magic, fmt) in _MAGIC.items():
        if name.endswith(suffix):
            head = raw.read(len(magic))
            raw.seek(0)
            if head and head != magic:
                raise InputError(
                    f"not a {fmt} file although it is named {suffix} (it starts with {head!r}); "
                    f"an uncompressed file must not end in {suffix}"
                )
    if name.endswith(".gz"):
        import gzip

        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if zstandard is not None:
        return io.BufferedReader(_ZstdReader(raw, zstandard), buffer_size=1 << 16)
    return raw


def _stream_error(p: Path) -> str | None:
    """Decompress all of `p` once, keeping nothing: the error that stops it (a CRC check, a cut
    stream), or None when the stream is sound."""
    try:
        with open_regular(p) as raw, _open_jsonl(p, raw) as f:
            while f.read(1 << 20):
                pass
    except Exception as e:  # noqa: BLE001 - gzip, zlib and zstandard each raise their own
        return f"{type(e).__name__}: {e}" if not str(e).startswith(type(e).__name__) else str(e)
    return None


class _ZstdReader(io.RawIOBase):
    """Decompresses a (multi-frame) zstd file as it is read, and raises EOFError when the file ends in
    the middle of a frame (zstandard's own stream reader ends quietly on a truncated file)."""

    CHUNK = 1 << 16

    def __init__(self, raw: IO[bytes], zstandard: Any) -> None:
        self._raw = raw
        self._zstd = zstandard
        self._dobj = zstandard.ZstdDecompressor().decompressobj()
        self._pending = b""
        self._in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._raw.read(self.CHUNK)
            if not chunk:
                if self._in_frame:
                    raise EOFError("the zstd stream ends in the middle of a frame")
                return 0
            self._feed(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _feed(self, chunk: bytes) -> None:
        while chunk:
            self._in_frame = True
            self._pending += self._dobj.decompress(chunk)
            if not self._dobj.eof:
                return
            # Frame complete: what follows starts the next frame.
            chunk = self._dobj.unused_data
            self._dobj = self._zstd.ZstdDecompressor().decompressobj()
            self._in_frame = False

    def close(self) -> None:
        self._raw.close()
        super().close()


def _jsonl_items(p: Path, options: ReadOptions) -> Iterator[Item | InputFailure]:
    path = str(p)
    line_no = 0
    # A corrupt compressed stream decompresses to garbage before its checksum fails at the end of
    # the member: the first bad line of a compressed file checks the whole stream once, so that the
    # cause is reported instead of a line error for each garbled line.
    compressed = p.name.lower().endswith(tuple(_MAGIC))
    with open_regular(p) as raw, _open_jsonl(p, raw) as f:
        while True:
            try:
                line = f.readline(MAX_RECORD_BYTES + 1)
                if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
                    _skip_line(f)
                    overlong = True
                else:
                    overlong = False
            except (EOFError, OSError, ValueError) as e:  # truncated or corrupt compressed stream
                yield InputFailure(
                    path,
                    f"after line {line_no}: the compressed stream is truncated or corrupt ({e}); the lines before were read",
                    line=line_no + 1,
                )
                return
            except Exception as e:  # noqa: BLE001 - zstandard raises its own ZstdError
                yield InputFailure(
                    path,
                    f"after line {line_no}: cannot decompress ({type(e).__name__}: {e}); the lines before were read",
                    line=line_no + 1,
                )
                return
            if not line:
                return
            line_no += 1
            if overlong:
                yield InputFailure(
                    path,
                    f"line {line_no}: record longer than {MAX_RECORD_BYTES} bytes, skipped",
                    line=line_no,
                )
                continue
            if not line.strip():
                continue
            out = _jsonl_record(path, line, line_no, options.id_field)
            if isinstance(out, InputFailure) and compressed:
                compressed = False  # check once
                cause = _stream_error(p)
                if cause:
                    yield InputFailure(
                        path,
                        f"line {line_no}: the compressed stream is corrupt ({cause}); it cannot be read "
                        f"from here on, the {line_no - 1} lines before were read",
                        line=line_no,
                    )
                    return
            yield out


def _skip_line(f: IO[bytes]) -> None:
    """Read through the rest of an overlong line without keeping it."""
    while True:
        chunk = f.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return


def _jsonl_record(path: str, line: bytes, line_no: int, id_field: str = "id") -> Item | InputFailure:
    try:
        text = line.decode("utf-8-sig" if line_no == 1 else "utf-8")
    except UnicodeDecodeError as e:
        return InputFailure(
            path,
            f"line {line_no}: undecodable bytes at column {e.start + 1} (JSONL must be UTF-8)",
            line=line_no,
        )
    try:
        record = json.loads(text)
    except json.JSONDecodeError as e:
        return InputFailure(path, f"line {line_no}: not JSON: {e.msg} (column {e.colno})", line=line_no)
    except RecursionError:
        return InputFailure(path, f"line {line_no}: JSON nested too deeply to read", line=line_no)
    if not isinstance(record, dict):
        return InputFailure(
            path, f"line {line_no}: a record must be a JSON object, not {type(record).__name__}", line=line_no
        )
    return Item(path, "record", record, line=line_no, record_id=_record_id(record, id_field))


def _record_id(record: Mapping[str, Any], id_field: str) -> str | None:
    value = record.get(id_field)
    return (
        str(value) if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else None
    )


def _optional(module: str, what: str) -> Any:
    """Import an optional dependency, or raise an InputError that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise InputError(f"reading {what} files needs the '{module}' package: {_EXTRA_HINT}") from e


def _parquet_items(p: Path, options: ReadOptions) -> Iterator[Item | InputFailure]:
    path = str(p)
    _optional("pyarrow", "Parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq

    with open_regular(p) as f:
        yield from _parquet_rows(path, f, options, pa, pq)


def _parquet_rows(
    path: str, f: IO[bytes], options: ReadOptions, pa: Any, pq: Any
) -> Iterator[Item | InputFailure]:
    try:
        pf = pq.ParquetFile(f)
    except (pa.ArrowException, ValueError) as e:
        yield InputFailure(path, f"not a readable Parquet file: {e}")
        return
    wanted = set(options.columns())
    columns = [name for name in pf.schema_arrow.names if name in wanted]
    if options.text_field not in columns and options.html_field not in columns:
        yield InputFailure(
            path,
            f"no '{options.text_field}' or '{options.html_field}' column (columns: {', '.join(pf.schema_arrow.names)}); "
            "name them with --text-field / --html-field",
        )
        return
    row = 1  # rows count from 1, like JSONL lines and JSON array elements (and editors' lines)
    try:
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
            for record in batch.to_pylist():
                yield Item(path, "record", record, row=row, record_id=_record_id(record, options.id_field))
                row += 1
    except (pa.ArrowException, OSError, ValueError) as e:
        yield InputFailure(path, f"row {row}: cannot read the rest of the file: {e}", row=row)


def _warc_items(p: Path) -> Iterator[Item | InputFailure]:
    path = str(p)
    _optional("warcio", "WARC")
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    skipped = 0
    last_offset = 0
    end = 0  # where the last complete record ends
    size = p.stat().st_size
    with open_regular(p) as f:
        it = ArchiveIterator(f)
        it.loader = _warc_loader()
        try:
            for record in it:
                if record.format != "warc":
                    # warcio reads anything as an old ARC file rather than fail; a .warc must be WARC.
                    yield InputFailure(
                        path,
                        f"record at byte offset {last_offset}: not a WARC record; the file is not a WARC",
                        offset=last_offset,
                    )
                    return
                body: bytes | Exception | None = None
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response" and not url:
                    body = InputError("a response record without WARC-Target-URI; not scored")
                elif record.rec_type == "response":
                    ctype = (
                        record.http_headers.get_header("Content-Type") if record.http_headers else ""
                    ) or ""
                    if ctype.lower().startswith(HTML_CONTENT_TYPES):
                        try:
                            body = record.content_stream().read(MAX_HTML_BYTES)
                        except Exception as e:  # noqa: BLE001 - a broken chunked or gzip body
                            body = e
                # get_record_offset reads the record through: call it after the body.
                last_offset = it.get_record_offset()
                end = last_offset + it.get_record_length()
                missing = getattr(record.raw_stream, "limit", 0)
                if isinstance(missing, int) and missing > 0:
                    # The file ends before the Content-Length the record declares: a cut download.
                    yield InputFailure(
                        path,
                        f"record at byte offset {last_offset}: cut short: its Content-Length is "
                        f"{record.length} bytes and only {record.length - missing} are in the file; not scored",
                        offset=last_offset,
                    )
                elif isinstance(body, InputError):
                    yield InputFailure(
                        path, f"record at byte offset {last_offset}: {body}", offset=last_offset
                    )
                elif body is None:
                    skipped += 1
                elif isinstance(body, Exception):
                    yield InputFailure(
                        path,
                        f"record at byte offset {last_offset}: cannot read the HTTP body ({body})",
                        offset=last_offset,
                    )
                else:
                    rid = record.rec_headers.get_header("WARC-Record-ID")
                    yield Item(path, "html", body, offset=last_offset, url=url, record_id=rid)
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as e:
            yield InputFailure(
                path,
                f"after the record at byte offset {last_offset}: the WARC is truncated or corrupt ({e}); the records before were read",
                offset=last_offset,
            )
            return
        except Exception as e:  # noqa: BLE001 - zlib.error and friends from a damaged .warc.gz
            yield InputFailure(
                path,
                f"after the record at byte offset {last_offset}: cannot read the WARC ({type(e).__name__}: {e}); the records before were read",
                offset=last_offset,
            )
            return
    if end < size and _has_data_after(p, end):
        # warcio stops quietly at a cut gzip member or a short record: the bytes left over are the loss.
        yield InputFailure(
            path,
            f"from byte offset {end} to the end ({size - end} bytes): no complete record could be read; the WARC is truncated or corrupt",
            offset=end,
        )
    if skipped:
        logger.info("%s: skipped %d WARC records that are not HTML responses", path, skipped)


def _warc_loader() -> Any:
    """warcio's record loader, except that a record without WARC-Target-URI is read (without HTTP
    headers) instead of raising AttributeError and ending the file; `_warc_items` reports it."""
    from warcio.recordloader import ArcWarcRecordLoader

    class Loader(ArcWarcRecordLoader):  # type: ignore[misc]
        def load_http_headers(self, rec_type: str, uri: str | None, stream: Any, length: Any) -> Any:
            if uri is None:
                return None
            return super().load_http_headers(rec_type, uri, stream, length)

    return Loader(verify_http=False, arc2warc=False)


def _has_data_after(p: Path, end: int) -> bool:
    """Whether anything but the blank lines that close a record follows byte `end` of the file."""
    with p.open("rb") as f:
        f.seek(end)
        tail = f.read(64)
    return bool(tail.strip()) or len(tail) == 64


# --- step 2: documents ----------------------------------------------------------------------------


def normalise_record(record: Mapping[str, Any], options: ReadOptions) -> dict[str, Any]:
    """A record with the standard field names `from_record` reads, from the configured ones."""
    out: dict[str, Any] = {}
    text = record.get(options.text_field)
    html = record.get(options.html_field)
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if isinstance(html, str) and html.strip():
        out["html"] = html
    elif isinstance(text, str):
        out["text"] = text
    elif text is None and html is None:
        raise InputError(f"the record has no '{options.text_field}' or '{options.html_field}' field")
    else:
        raise InputError(f"the record's '{options.text_field}' field is not a string")
    for key, field_name in (
        ("id", options.id_field),
        ("url", options.url_field),
        ("title", options.title_field),
        ("author", options.author_field),
        ("language", options.language_field),
    ):
        if field_name in record:
            out[key] = record[field_name]
    for name in options.published_fields:
        if name in record:
            out["published"] = record[name]
            break
    return out


def to_document(item: Item, options: ReadOptions = DEFAULT_OPTIONS) -> Document:
    """The Document for one item; raises `ScorerError` (without the location) when it cannot be built."""
    if item.kind == "file":
        return _file_document(item.data, item.path, item.suffix, options)
    if item.kind == "html":
        if not item.data.strip():
            raise InputError("empty HTTP body")
        return from_html(item.data, id=item.record_id or item.location, url=item.url, origin="warc")
    if not isinstance(item.data, Mapping):
        raise InputError(f"a record must be an object, not {type(item.data).__name__}")
    record = normalise_record(item.data, options)
    if record.get("id") in (None, ""):
        record.pop("id", None)
    return from_record(record, id=item.location)


def _file_document(data: bytes, source: str, suffix: str, options: ReadOptions) -> Document:
    """A Document from one article file's bytes; `suffix` picks the format."""
    return from_bytes(data, source=source, suffix=suffix, normalise=lambda r: normalise_record(r, options))


def load_item(item: Item, options: ReadOptions = DEFAULT_OPTIONS) -> Document | InputFailure:
    """`to_document`, with any problem turned into an `InputFailure` at the item's location."""
    try:
        return to_document(item, options)
    except ScorerError as e:
        msg = str(e)
        # File-level errors already start with the path; keep the message short.
        if msg.startswith(item.path + ": "):
            msg = msg[len(item.path) + 2 :]
        return item.failure(msg)
    except Exception as e:  # noqa: BLE001 - a malformed input must never stop the run
        logger.debug("unexpected error on %s", item.location, exc_info=True)
        return item.failure(f"cannot read ({type(e).__name__}: {e})")


def load(source: str) -> Document | InputFailure:
    """One path (or `-`) as a Document, or the failure that prevented it (first record of a corpus)."""
    for item in iter_items([source]):
        return item if isinstance(item, InputFailure) else load_item(item)
    return InputFailure(source, "no documents")


def iter_documents(
    paths: Iterable[str], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Document | InputFailure]:
    """Documents (or failures) for every input under `paths`, in order."""
    for item in iter_items(paths, options):
        yield item if isinstance(item, InputFailure) else load_item(item, options)

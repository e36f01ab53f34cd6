"""Progress of a long `audit` or `check` on stderr: a bar with percentage and ETA on a terminal
(tqdm), and one status line every `interval` seconds otherwise (a CI log), so a long job shows it is
alive without filling the log.

The total is counted before the run when that is cheap: one document per article file, the row count
a Parquet file's footer gives, the line count of an uncompressed JSONL file (a fast scan, read again
from the page cache by the run). Compressed JSONL, WARC, JSON arrays and stdin cannot be counted
without reading them through, so a run that holds any of them measures progress in bytes of its input
files instead: a file counts as read when the reader moves on to the next one, and a WARC record as
far as its byte offset.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from scorer.ingest.inputs import InputFailure, Item, input_kind, iter_paths

STATUS_INTERVAL = 30.0  # seconds between two status lines when stderr is not a terminal
_SCAN_CHUNK = 1 << 20


@dataclass(frozen=True)
class Total:
    """What a run will read: `count` documents when every input can be counted, else `bytes`."""

    count: int | None
    bytes: int
    sizes: dict[str, int]

    @property
    def unit(self) -> str:
        """`documents` or `bytes`."""
        return "documents" if self.count is not None else "bytes"


def _count_lines(path: str) -> int:
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(_SCAN_CHUNK):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def _parquet_rows(path: str) -> int | None:
    try:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # noqa: BLE001 - not readable now: the reader reports it; count in bytes
        return None


def _count(path: str) -> int | None:
    """Documents in `path` when a cheap look tells, else None."""
    kind = input_kind(path)
    name = path.lower()
    if kind == "file":
        if name.endswith(".json"):
            with open(path, "rb") as f:
                return None if f.read(4096).lstrip()[:1] == b"[" else 1
        return 1
    if kind == "jsonl" and not name.endswith((".gz", ".zst")):
        return _count_lines(path)
    if kind == "parquet":
        return _parquet_rows(path)
    return None if kind in ("jsonl", "warc") else 1  # unknown: one failure


def measure(paths: Iterable[str]) -> Total:
    """The total of a run over `paths` (folders expanded as the reader expands them)."""
    count: int | None = 0
    sizes: dict[str, int] = {}
    for path in iter_paths(paths):
        if path == "-":
            count = None
            continue
        try:
            sizes[path] = os.path.getsize(path)
            n = _count(path) if count is not None else None
        except OSError:  # missing or unreadable: one failure for the reader to report
            sizes.setdefault(path, 0)
            n = 1
        count = None if n is None or count is None else count + n
    return Total(count, sum(sizes.values()), sizes)


class ByteTracker:
    """Wraps the item stream (in the main process) to know how far into the input bytes each item is,
    and hands the positions out in input order as the outcomes come back."""

    def __init__(self, total: Total) -> None:
        self.total = total
        self._done = 0  # bytes of the files finished
        self._path: str | None = None
        self._positions: deque[int] = deque()

    def wrap(self, items: Iterable[Item | InputFailure]) -> Iterator[Item | InputFailure]:
        """`items`, recording the byte position of each."""
        for item in items:
            path = item.path if isinstance(item, Item) else item.source
            if path != self._path:
                if self._path is not None:
                    self._done += self.total.sizes.get(self._path, 0)
                self._path = path
            self._positions.append(self._done + (item.offset or 0))
            yield item

    def next_position(self) -> int:
        """The position of the next outcome (outcomes come back in input order)."""
        return self._positions.popleft() if self._positions else self._done


def _clock_text(seconds: float) -> str:
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def status_line(*, done: int | float, total: Total, docs: int, errors: int, elapsed: float) -> str:
    """One line for a log: position, percentage, counts, speed, elapsed time and ETA."""
    target = total.count if total.count is not None else total.bytes
    if total.count is not None:
        where = f"{docs + errors}/{total.count} inputs"
    else:
        where = f"{_mb(done)}/{_mb(total.bytes)} MB"
    pct = f" ({100 * min(done, target) / target:.0f}%)" if target else ""
    rate = docs / elapsed if elapsed > 0 else 0.0
    eta = ""
    if target and 0 < done < target and elapsed > 0:
        eta = f", ETA {_clock_text(elapsed * (target - done) / done)}"
    return (
        f"progress: {where}{pct}, {docs} documents scored, {errors} errors, {rate:.1f} docs/s, "
        f"elapsed {_clock_text(elapsed)}{eta}"
    )


class Progress:
    """Counts outcomes and shows them: a tqdm bar on a terminal, a status line every `interval`
    seconds elsewhere, or nothing (`enabled=False`)."""

    def __init__(
        self,
        total: Total,
        stream: TextIO,
        *,
        tty: bool | None = None,
        interval: float = STATUS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool = True,
    ) -> None:
        self.total = total
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.interval = interval
        self.clock = clock
        self.enabled = enabled
        self.start = clock()
        self._last_line = self.start
        self.lines = 0
        self.docs = 0
        self.errors = 0
        self.done = 0
        self._bar: Any = None
        if enabled and self.tty:
            from tqdm import tqdm

            by_bytes = total.count is None
            self._bar = tqdm(
                total=total.bytes if by_bytes else total.count,
                unit="B" if by_bytes else " inputs",
                unit_scale=by_bytes,
                unit_divisor=1000,
                file=stream,
                dynamic_ncols=True,
                mininterval=0.2,
                leave=True,
            )

    def update(self, outcome: Any, position: int | None = None) -> None:
        """Count one outcome; `position` is the input byte position reached (bytes mode)."""
        if isinstance(outcome, InputFailure):
            self.errors += 1
        else:
            self.docs += 1
        new = self.docs + self.errors if self.total.count is not None else position or 0
        step, self.done = max(0, new - self.done), max(self.done, new)
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self.errors} errors", refresh=False)
            self._bar.update(step)
            return
        now = self.clock()
        if now - self._last_line >= self.interval:
            self._last_line = now
            self._write(now)

    def _write(self, now: float) -> None:
        self.lines += 1
        line = status_line(
            done=self.done, total=self.total, docs=self.docs, errors=self.errors, elapsed=now - self.start
        )
        self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar, or write a last line when the log already has status lines."""
        if not self.enabled:
            return
        if self._bar is not None:
            if self.total.count is None:
                self._bar.update(max(0, self.total.bytes - self.done))
            self._bar.close()
            return
        if self.lines:
            self.done = self.total.count if self.total.count is not None else self.total.bytes
            self._write(self.clock())


def track(
    paths: list[str],
    run: Callable[[Iterable[Item | InputFailure]], Iterable[Any]],
    items: Iterable[Item | InputFailure],
    stream: TextIO,
    **options: Any,
) -> Iterator[Any]:
    """Run `run(items)` and show its progress over the inputs `paths` on `stream`."""
    total = measure(paths)
    progress = Progress(total, stream, **options)
    bytes_mode = total.count is None
    tracker = ByteTracker(total) if bytes_mode else None
    try:
        for outcome in run(tracker.wrap(items) if tracker else items):
            progress.update(outcome, tracker.next_position() if tracker else None)
            yield outcome
    finally:
        progress.close()

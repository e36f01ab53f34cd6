"""A per-user cache of data the scorer derives from installed packages, so that a new process maps it
instead of recomputing it: the word-frequency tables (`features.frequencies`, ~2 s to build from
wordfreq's files), spaCy's compiled French tokenizer pattern (`features.nlp`, ~3 s to compile) and
the leaked-word candidate lists (`features.translation.words`, ~1 s from wordfreq's top lists).

Nothing here is downloaded: every entry is computed from files already installed, under a name that
hashes what it was computed from (the source file's path, size and modification time, the Python
version, a format number), so a changed package or interpreter simply misses the cache. Entries are
written to a temporary name and renamed, so concurrent processes never read half a file. When the
folder cannot be written (a read-only home, a sandbox), everything still works, computed in memory.

The folder is `$XDG_CACHE_HOME/article-scorer` (default `~/.cache/article-scorer`); `use_folder`
points it elsewhere or turns the cache off (tests, read-only deployments).
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

FORMAT = 1  # bump when the layout of any entry changes
_UNSET = object()
_folder: Path | None | object = _UNSET


def default_folder() -> Path:
    """`$XDG_CACHE_HOME/article-scorer`, or `~/.cache/article-scorer` (the XDG convention)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "article-scorer"


def use_folder(folder: str | Path | None) -> None:
    """Keep cache entries in `folder` from now on; None turns the cache off for this process."""
    global _folder
    _folder = None if folder is None else Path(folder)


def folder() -> Path | None:
    """The cache folder in use, or None when the cache is off."""
    if _folder is _UNSET:
        try:
            return default_folder()
        except RuntimeError:  # no home directory to resolve `~`
            return None
    return _folder  # type: ignore[return-value]


def entry_name(kind: str, *parts: object) -> str:
    """A file name for an entry of `kind` computed from `parts` (anything whose change must miss)."""
    digest = hashlib.sha256(repr((FORMAT, *parts)).encode("utf-8")).hexdigest()[:32]
    return f"{kind}-{digest}.bin"


def source_stamp(path: str | Path) -> tuple[str, int, int]:
    """What identifies an installed file's content cheaply: its path, size and modification time."""
    st = os.stat(path)
    return (str(path), st.st_size, st.st_mtime_ns)


def open_entry(name: str) -> mmap.mmap | None:
    """The entry mapped read-only (shared by every process that maps it), or None when absent."""
    base = folder()
    if base is None:
        return None
    try:
        with open(base / name, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                return None
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError:
        return None


def write_entry(name: str, chunks: Iterable[bytes]) -> bool:
    """Write an entry atomically; False (logged at DEBUG) when the folder cannot be written."""
    base = folder()
    if base is None:
        return False
    tmp = None
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=base)
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, base / name)
        return True
    except OSError as e:
        logger.debug("cannot write the cache entry %s in %s: %s", name, base, e)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False

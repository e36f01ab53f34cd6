"""Input reading: turn paths (files, folders, `-` for stdin) into documents, one at a time.

Every problem with one input becomes an `InputFailure` with its location, never an exception that
stops the run: the rest are still scored.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from features import Document
from scorer.documents import HTML_SUFFIXES, JSON_SUFFIXES, TEXT_SUFFIXES, from_bytes, from_path
from scorer.errors import ScorerError

FOLDER_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES


@dataclass(frozen=True)
class InputFailure:
    """An input that could not become a document, and why."""

    source: str
    error: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"source": self.source, "error": self.error}


def iter_paths(paths: Iterable[str]) -> Iterator[str]:
    """Expand folders (recursively, supported suffixes, sorted) and keep files and `-` as given."""
    for raw in paths:
        p = Path(raw)
        if raw != "-" and p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and child.suffix.lower() in FOLDER_SUFFIXES:
                    yield str(child)
        else:
            yield raw


def load(source: str) -> Document | InputFailure:
    """One path (or `-`) as a Document, or the failure that prevented it."""
    try:
        if source == "-":
            data = sys.stdin.buffer.read()
            head = data.lstrip()[:1]
            suffix = ".json" if head == b"{" else ".html" if head == b"<" else ".txt"
            return from_bytes(data, source="<stdin>", suffix=suffix)
        if not Path(source).exists():
            return InputFailure(source, "no such file or folder")
        return from_path(source)
    except ScorerError as e:
        return InputFailure(source, str(e))


def iter_documents(paths: Iterable[str]) -> Iterator[Document | InputFailure]:
    """Documents (or failures) for every input under `paths`, in order."""
    for source in iter_paths(paths):
        yield load(source)

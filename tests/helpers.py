"""Helpers for signal tests: build a document and check that a code fires with valid evidence."""

from __future__ import annotations

from features import Document, Feature, Signal
from scorer.ingest.documents import from_text


def make_doc(text: str, language: str | None = None, **kw: object) -> Document:
    """A document from literal text (language given, so tests do not depend on detection)."""
    return from_text(text, language=language, **kw)  # type: ignore[arg-type]


def signals_of(feature: Feature, doc: Document, code: str) -> list[Signal]:
    """The signals with `code` that `feature` emits for `doc`, with every evidence slice checked."""
    found = [s for s in feature.run(doc) if s.code == code]
    for s in found:
        for e in s.evidence:
            assert doc.text[e.start : e.end] == e.text
    return found


def check_signal(feature: Feature, doc: Document, code: str, expected: bool) -> list[Signal]:
    """Assert that `code` fires (or not) on `doc`; return the signals found."""
    found = signals_of(feature, doc, code)
    assert bool(found) is expected, f"{code} expected={expected}, got {[s.to_dict() for s in found]}"
    return found

"""Golden fixtures: each `fixtures/<family>/<case>.txt|.html` has a `<case>.json` that lists the codes that
must and must not fire, and quotes that must appear in a code's evidence.

    {"language": "fr", "must": ["translation.number_placeholder"], "must_not": [...],
     "quotes": {"translation.number_placeholder": ["XNUMX"]}}

Optional, checked on the scored result: "min_score"/"max_score" (bounds on the score with the bundled
model), "not_label" (labels it must not get), "not_counted" (codes reported that must not move the
score) and "counted" (codes that must count).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scorer.ingest import documents
from tests.conftest import FIXTURES

FAMILY_DIRS = ("translation", "boilerplate", "dating", "sourcing", "readability", "quality", "generation")
CASES = sorted(p for d in FAMILY_DIRS for p in (FIXTURES / d).glob("*.json") if (FIXTURES / d).is_dir())


def _document(spec_path: Path):  # type: ignore[no-untyped-def]
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    for suffix in (".txt", ".html", ".md"):
        body = spec_path.with_suffix(suffix)
        if body.exists():
            if suffix == ".html":
                return spec, documents.from_html(
                    body.read_bytes(), id=str(body), language=spec.get("language")
                )
            return spec, documents.from_text(
                body.read_text(encoding="utf-8"),
                id=str(body),
                language=spec.get("language"),
                **spec.get("meta", {}),
            )
    raise AssertionError(f"{spec_path}: no .txt/.html/.md body beside it")


@pytest.mark.parametrize("spec_path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_fixture(spec_path: Path, scorer_engine) -> None:  # type: ignore[no-untyped-def]
    spec, doc = _document(spec_path)
    signals = scorer_engine.signals(doc)
    codes = {s.code for s in signals}
    missing = set(spec.get("must", [])) - codes
    unexpected = set(spec.get("must_not", [])) & codes
    assert not missing, f"expected codes did not fire: {sorted(missing)}"
    assert not unexpected, f"codes fired that must not: {sorted(unexpected)}"
    for code, quotes in spec.get("quotes", {}).items():
        cited = " | ".join(e.text for s in signals if s.code == code for e in s.evidence)
        for q in quotes:
            assert q in cited, f"{code}: evidence {cited!r} does not quote {q!r}"
    if not {"min_score", "max_score", "not_label", "not_counted", "counted"} & set(spec):
        return
    result = scorer_engine.score(doc, signals=signals)
    assert result.score >= spec.get("min_score", 0.0), f"score {result.score}: {result.reasons}"
    assert result.score <= spec.get("max_score", 100.0), f"score {result.score}: {result.reasons}"
    assert result.label not in spec.get("not_label", []), f"label {result.label}: {result.reasons}"
    for code in spec.get("not_counted", []):
        assert code in codes and code in result.not_counted and code not in result.contributions, code
    for code in spec.get("counted", []):
        assert code in codes and code not in result.not_counted, code

"""Property tests over arbitrary text: no feature raises, every evidence slice matches, scores stay in range."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.ingest import documents

# Text that looks a little like articles (words, punctuation, line breaks, quotes, digits) finds more
# paths through the features than uniform unicode alone.
_WORDS = st.sampled_from(
    [
        "Le",
        "ministre",
        "a",
        "déclaré",
        "selon",
        "des",
        "sources",
        "XNUMX",
        "2000",
        "«",
        "»",
        '"',
        "Source",
        ":",
        "Date",
        "the",
        "said",
        "according",
        "to",
        "experts",
        "Lire",
        "aussi",
        "\n",
        "\n\n",
        ".",
        ",",
        "?",
        "Share",
        "e",
        "d'",
        "l'",
    ]
)
_ARTICLEISH = st.lists(_WORDS, max_size=80).map(" ".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=600), _ARTICLEISH), st.sampled_from(["fr", "en", "de", None]))
def test_any_text_scores_with_valid_evidence(scorer_engine, text: str, language: str | None) -> None:  # type: ignore[no-untyped-def]
    doc = documents.from_text(text, language=language)
    result = scorer_engine.score(doc, clean=True)
    assert 0.0 <= result.score <= 100.0
    assert all(0.0 <= v <= 100.0 for v in result.families.values())
    for s in result.signals:
        for e in s.evidence:
            assert doc.text[e.start : e.end] == e.text
    assert isinstance(result.clean_text, str)

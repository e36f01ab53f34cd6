"""features.text: phrase lists searched from their first words give exactly the matches of the one
regex tried at every position."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.text import PhraseSearch, regex_fold, word_runs

# Latin letters of the French and English lexicons, with their accented forms.
LEXICON_LETTERS = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ"


def test_regex_fold_maps_every_case_variant_onto_its_letter() -> None:
    """Every code point a case-insensitive regex takes for a lexicon letter folds to that letter, and
    is a word character: a phrase's first word can then only match a run of word characters that
    folds to it."""
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for letter in LEXICON_LETTERS:
        found = [m.group() for m in re.finditer(re.escape(letter), everything, re.IGNORECASE)]
        assert len(found) >= 2, letter  # at least the letter and its capital
        for ch in found:
            assert regex_fold(ch) == letter, (letter, hex(ord(ch)))
            assert re.fullmatch(r"\w", ch), (letter, hex(ord(ch)))


def test_word_runs_keep_offsets_when_folding_changes_the_length() -> None:
    text = "İSTANBUL et Paris, İstanbul."
    runs = word_runs(text)
    assert runs["istanbul"] == [0, 19]
    assert runs["paris"] == [12]
    assert all(regex_fold(text[a : a + len(w)]) == w for w, starts in runs.items() for a in starts)


PHRASES = ["la semaine dernière", "la semaine", "lundi", "l'an dernier", "hier", "avant-hier", "ce soir"]
PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
SEARCH = PhraseSearch(PATTERN, PHRASES)


def _both(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    fast = [m.span() for m in SEARCH.finditer(text, word_runs(text))]
    return fast, [m.span() for m in PATTERN.finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        "LUNDI, la semaine dernière puis la semaine prochaine ; hier et avant-hier.",
        "lundis, hiers, la semainette, xlundi, lundi_ et l'an dernier ce soir-là",
        "LA SEMAİNE DERNİÈRE, İl y a eu lundi.",  # dotted capital I
        "la semaine la semaine dernière la semaine",  # overlapping candidates
        "",
    ],
)
def test_phrase_search_equals_finditer(text: str) -> None:
    fast, full = _both(text)
    assert fast == full


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*PHRASES, "LUNDI", "Hier", " ", "-", "'", "x", "_", "İ", "ſ", "\n", "semaine", "dernière", "la "]
        ),
        max_size=30,
    ).map("".join)
)
def test_phrase_search_equals_finditer_on_any_mix(text: str) -> None:
    fast, full = _both(text)
    assert fast == full


def test_phrase_search_refuses_what_it_cannot_search() -> None:
    with pytest.raises(ValueError):
        PhraseSearch(re.compile(r"\blundi\b"), ["lundi"])  # case-sensitive
    with pytest.raises(ValueError):
        PhraseSearch(PATTERN, ["(lundi)"])  # no first word


def _lexicon_searches() -> list[tuple[str, PhraseSearch]]:
    from features.dating import RelativeTimeOnly
    from features.generation import ChatbotResidue

    dating = RelativeTimeOnly()
    return [("generation", ChatbotResidue().phrases)] + [
        (f"dating.{lang}", search) for lang, search in dating.patterns.items()
    ]


def _check_texts(texts: list[str]) -> int:
    """Compare every lexicon search with its regex on `texts`; the number of matches seen."""
    seen = 0
    for name, search in _lexicon_searches():
        for text in texts:
            fast = [(m.span(), m.lastgroup) for m in search.finditer(text, word_runs(text))]
            full = [(m.span(), m.lastgroup) for m in search.pattern.finditer(text)]
            assert fast == full, (name, text[:80])
            seen += len(full)
    return seen


def test_lexicon_searches_equal_their_regex_on_the_fixtures() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "fixtures"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*.txt"))]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*.html"))]
    assert texts
    assert _check_texts(texts) > 0


def test_lexicon_searches_equal_their_regex_on_real_news(shared_dir) -> None:  # type: ignore[no-untyped-def]
    import json

    texts = []
    for name in ("fr_news/orangesum_sample.jsonl", "wmt/wmt21_fr_dev.jsonl"):
        path = shared_dir / "data" / name
        if path.is_file():
            with path.open(encoding="utf-8") as f:
                for i, line in enumerate(f):
                    if i >= 100:  # the full regexes take ~20 ms per article
                        break
                    rec = json.loads(line)
                    texts.extend(v for v in rec.values() if isinstance(v, str) and len(v) > 200)
    if not texts:
        pytest.skip("no real news text under ../shared/data")
    assert _check_texts(texts) > 0

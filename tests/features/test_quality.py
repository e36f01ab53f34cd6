"""Per-signal tables for the input-quality family, French and English. Texts are written for these tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.quality import MIN_WORDS, InputQuality
from tests.helpers import check_signal, make_doc

FR_OK = (
    "La médiathèque ouvrira le dimanche. L'adjointe à la culture l'a annoncé lundi devant le conseil "
    "municipal, qui a voté le budget nécessaire. Les bibliothécaires volontaires seront payés en heures "
    "supplémentaires, selon le directeur, et les familles pourront venir ensemble le seul jour où beaucoup "
    "ne travaillent pas."
)
EN_OK = (
    "The library will open on Sundays. The deputy mayor announced it on Monday before the council, which "
    "voted the budget it needs. Librarians who volunteer will be paid overtime, the director said, and "
    "families will be able to come together on the one day many of them do not work at all."
)


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("", "fr", True),
        ("ok", "en", True),
        ("Le maire a démissionné lundi.", "fr", True),
        ("The mayor quit.", "en", True),
        (FR_OK, "fr", False),
        (EN_OK, "en", False),
    ],
)
def test_too_short(text: str, lang: str, expected: bool) -> None:
    found = check_signal(InputQuality(), make_doc(text, lang), "quality.too_short", expected)
    if expected and text:
        assert found[0].evidence[0].text == text.strip()
    if expected and not text:
        assert found[0].evidence == ()


def test_minimum_is_documented() -> None:
    assert str(MIN_WORDS) in InputQuality.codes["quality.too_short"]


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("A" * 5000, "en", True),
        ("1111 2222 " * 100, "en", True),
        ("mot " * 300, "fr", True),
        ("mot mot", "fr", True),
        ("\u200b\u200c" * 500, "fr", True),
        ("?! " * 400, "en", True),
        (" ".join(["un deux trois quatre cinq six sept huit"] * 10), "fr", True),
        (FR_OK, "fr", False),
        (EN_OK, "en", False),
        ("Le maire a démissionné lundi.", "fr", False),
    ],
    ids=[
        "AAAA",
        "digits",
        "mot-mot-long",
        "mot-mot",
        "zero-width",
        "punctuation",
        "no-sentence",
        "fr-ok",
        "en-ok",
        "short-but-language",
    ],
)
def test_degenerate(text: str, lang: str, expected: bool) -> None:
    found = check_signal(InputQuality(), make_doc(text, lang), "quality.degenerate", expected)
    if expected:
        assert found[0].detail["reason"]


def _degenerate_per_character(feature, doc, words):  # type: ignore[no-untyped-def]
    """The counts of `InputQuality._degenerate` written one character at a time (the reference)."""
    if not words:
        return "no word with a letter"
    visible = sum(1 for ch in doc.text if not ch.isspace())
    letters = sum(1 for ch in doc.text if ch.isalpha())
    if letters < feature.min_letter_share * visible:
        return f"{letters} letters among {visible} visible characters"
    return "letters ok"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_counts_in_c_equal_the_per_character_counts(text: str) -> None:
    feature = InputQuality(min_words=1)
    doc = make_doc(text, "fr")
    words = [w for w in doc.lower_words if any(ch.isalpha() for ch in w)]
    assert [w for w in doc.lower_words if w.isalpha() or any(map(str.isalpha, w))] == words
    ref = _degenerate_per_character(feature, doc, words)
    got = feature._degenerate(doc, words)
    if ref != "letters ok":
        assert got == ref
    else:
        assert got is None or "letters among" not in got

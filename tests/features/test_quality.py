"""Per-signal tables for the input-quality family, French and English. Texts are written for these tests."""

from __future__ import annotations

import pytest

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

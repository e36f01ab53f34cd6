"""Per-signal tables for the dating family: each code fires on a positive and stays quiet on a negative,
in French and English. Texts are written for these tests."""

from __future__ import annotations

import datetime as dt

import pytest

from features.dating import (
    DateReader,
    EmptyDateField,
    PublishedDate,
    RelativeTimeOnly,
    choose_date,
    scan_dates,
)
from tests.helpers import check_signal, make_doc

TODAY = dt.date(2024, 6, 1)
FR_DATELINE = "La mairie rénove l'école\n\npublié le mardi 23 avril 2019 à 20h10\n\nLes travaux commenceront cet été, a indiqué la mairie."
EN_DATELINE = "Council renovates the school\n\nPublished 9 October 2023\n\nWork will start this summer, the council said."
FR_AGENCY = "Grève à l'usine\n\nLyon, 12 mars 2024 (AFP) - Les salariés de l'usine ont cessé le travail."
EN_AGENCY = "Strike at the plant\n\nLONDON, March 12, 2024 (Reuters) - Workers at the plant walked out."
FR_NONE = "La mairie rénove l'école\n\nLes travaux commenceront bientôt, a indiqué la mairie. Les parents sont satisfaits."
EN_NONE = "Council renovates the school\n\nWork will start soon, the council said. Parents are pleased."
FR_BODY = "La mairie rénove l'école\n\nLes travaux, lancés le 1er mai 2020, sont achevés. Les parents sont satisfaits."
EN_BODY = (
    "Council renovates the school\n\nThe work, which began on May 1, 2020, is finished. Parents are pleased."
)
FR_RELATIVE = "La Corée envoie des soldats\n\nLes troupes partiront juillet prochain, quelques jours après la rencontre de la semaine dernière."
EN_RELATIVE = "Troops to be sent\n\nThe troops will leave next July, a few days ago the leaders met, and last week talks ended."
FR_FUTURE = "Titre\n\npublié le lundi 3 mars 2025\n\nUn texte."
EN_FUTURE = "Title\n\nPublished March 3, 2025\n\nSome text."
FR_OLD = "Titre\n\npublié le 3 mars 1975\n\nUn texte."
EN_OLD = "Title\n\nPublished March 3, 1975\n\nSome text."
FR_EMPTY = "Titre\n\nDate :\n\nUn texte sans date."
EN_EMPTY = "Title\n\nPublished on:\n\nA text with no date."
FR_FILLED = "Titre\n\nDate : 12 mars 2020\n\nUn texte daté."
EN_FILLED = "Title\n\nDate: March 12, 2020\n\nA dated text."


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        (FR_NONE, "fr", True),
        (EN_NONE, "en", True),
        (FR_DATELINE, "fr", False),
        (EN_DATELINE, "en", False),
        (FR_AGENCY, "fr", False),
        (EN_BODY, "en", False),
    ],
)
def test_no_published_date(text: str, lang: str, expected: bool) -> None:
    found = check_signal(
        PublishedDate(today=TODAY), make_doc(text, lang), "dating.no_published_date", expected
    )
    if expected:
        assert found[0].evidence == () and "metadata" in found[0].message and "dateline" in found[0].message


@pytest.mark.parametrize(
    "text, lang, expected, date, quote",
    [
        (FR_DATELINE, "fr", True, "2019-04-23", "mardi 23 avril 2019"),
        (EN_DATELINE, "en", True, "2023-10-09", "9 October 2023"),
        (FR_AGENCY, "fr", True, "2024-03-12", "12 mars 2024"),
        (EN_AGENCY, "en", True, "2024-03-12", "March 12, 2024"),
        (FR_BODY, "fr", False, None, None),
        (EN_NONE, "en", False, None, None),
    ],
)
def test_date_from_dateline(
    text: str, lang: str, expected: bool, date: str | None, quote: str | None
) -> None:
    found = check_signal(
        PublishedDate(today=TODAY), make_doc(text, lang), "dating.date_from_dateline", expected
    )
    if expected:
        assert found[0].detail["date"] == date
        assert found[0].evidence[0].text == quote


@pytest.mark.parametrize(
    "lang, text",
    [
        ("fr", "Titre\n\npublié le 17 juillet\n\nUn texte."),
        ("en", "Title\n\nPublished July 17\n\nSome text."),
    ],
)
def test_dateline_without_year_is_a_partial_date(lang: str, text: str) -> None:
    (sig,) = check_signal(PublishedDate(today=TODAY), make_doc(text, lang), "dating.date_from_dateline", True)
    assert (
        sig.value == 0.5
        and sig.detail["date"] is None
        and (sig.detail["day"], sig.detail["month"]) == (17, 7)
    )


@pytest.mark.parametrize(
    "text, lang, expected",
    [(FR_BODY, "fr", True), (EN_BODY, "en", True), (FR_DATELINE, "fr", False), (EN_NONE, "en", False)],
)
def test_date_from_body(text: str, lang: str, expected: bool) -> None:
    found = check_signal(PublishedDate(today=TODAY), make_doc(text, lang), "dating.date_from_body", expected)
    if expected:
        assert found[0].detail["date"] == "2020-05-01"


@pytest.mark.parametrize("lang, text", [("fr", FR_NONE), ("en", EN_NONE)])
@pytest.mark.parametrize("published, expected", [("2021-02-03", True), (None, False)])
def test_date_from_metadata(lang: str, text: str, published: str | None, expected: bool) -> None:
    found = check_signal(
        PublishedDate(today=TODAY),
        make_doc(text, lang, published=published),
        "dating.date_from_metadata",
        expected,
    )
    if expected:
        assert found[0].detail["date"] == "2021-02-03" and found[0].detail["source"] == "record"


def test_metadata_wins_over_the_text() -> None:
    doc = make_doc(FR_DATELINE, "fr", published="2019-04-24")
    assert choose_date(doc, scan_dates(doc, DateReader()))[:2] == (dt.date(2019, 4, 24), "record")


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        (FR_FUTURE, "fr", True),
        (EN_FUTURE, "en", True),
        (FR_DATELINE, "fr", False),
        (EN_DATELINE, "en", False),
    ],
)
def test_future_date(text: str, lang: str, expected: bool) -> None:
    check_signal(PublishedDate(today=TODAY), make_doc(text, lang), "dating.future_date", expected)


def test_future_date_follows_today_argument() -> None:
    doc = make_doc(FR_FUTURE, "fr")
    check_signal(PublishedDate(today=dt.date(2026, 1, 1)), doc, "dating.future_date", False)


def test_future_metadata_date_is_a_measure_without_evidence() -> None:
    (sig,) = check_signal(
        PublishedDate(today=TODAY),
        make_doc(FR_NONE, "fr", published="2030-01-01"),
        "dating.future_date",
        True,
    )
    assert sig.kind.value == "measure" and sig.detail["date"] == "2030-01-01"


@pytest.mark.parametrize(
    "text, lang, expected",
    [(FR_OLD, "fr", True), (EN_OLD, "en", True), (FR_DATELINE, "fr", False), (EN_DATELINE, "en", False)],
)
def test_implausible_date(text: str, lang: str, expected: bool) -> None:
    check_signal(PublishedDate(today=TODAY), make_doc(text, lang), "dating.implausible_date", expected)


@pytest.mark.parametrize(
    "text, lang, expected, quote",
    [
        (FR_EMPTY, "fr", True, "Date :"),
        (EN_EMPTY, "en", True, "Published on:"),
        (FR_FILLED, "fr", False, None),
        (EN_FILLED, "en", False, None),
    ],
)
def test_empty_date_field(text: str, lang: str, expected: bool, quote: str | None) -> None:
    found = check_signal(EmptyDateField(), make_doc(text, lang), "dating.empty_date_field", expected)
    if expected:
        assert found[0].evidence[0].text == quote


def test_label_with_value_on_next_line_is_not_empty() -> None:
    check_signal(
        EmptyDateField(),
        make_doc("Titre\nDate :\n12 mars 2020\nUn texte.", "fr"),
        "dating.empty_date_field",
        False,
    )


@pytest.mark.parametrize("lang, text", [("fr", FR_NONE), ("en", EN_NONE)])
@pytest.mark.parametrize("empty, expected", [(("date",), True), (("author",), False), ((), False)])
def test_empty_date_metadata(lang: str, text: str, empty: tuple[str, ...], expected: bool) -> None:
    check_signal(
        EmptyDateField(), make_doc(text, lang, empty_fields=empty), "dating.empty_date_metadata", expected
    )


@pytest.mark.parametrize(
    "text, lang, expected, quotes",
    [
        (FR_RELATIVE, "fr", True, ["juillet prochain", "quelques jours après", "la semaine dernière"]),
        (EN_RELATIVE, "en", True, ["next July", "last week"]),
        (FR_DATELINE + " La semaine dernière, le conseil a voté.", "fr", False, []),
        (EN_DATELINE + " Last week the council voted.", "en", False, []),
        (FR_NONE, "fr", False, []),
    ],
)
def test_relative_time_only(text: str, lang: str, expected: bool, quotes: list[str]) -> None:
    found = check_signal(RelativeTimeOnly(), make_doc(text, lang), "dating.relative_time_only", expected)
    if expected:
        cited = [e.text for e in found[0].evidence]
        for q in quotes:
            assert any(q.lower() == c.lower() for c in cited), (q, cited)


@pytest.mark.parametrize(
    "text, lang, date",
    [
        ("Titre\n\nMis à jour le 1er février 2022\n\nTexte.", "fr", "2022-02-01"),
        ("Titre\n\n05/03/2021\n\nTexte.", "fr", "2021-03-05"),
        ("Title\n\n2021-03-05\n\nText.", "en", "2021-03-05"),
        ("Title\n\nPosted on Friday, 5th March 2021\n\nText.", "en", "2021-03-05"),
        ("Titel\n\n05.03.2021\n\nText.", "de", "2021-03-05"),
    ],
)
def test_date_forms(text: str, lang: str, date: str) -> None:
    doc = make_doc(text, lang)
    chosen, source, _ = choose_date(doc, scan_dates(doc, DateReader()))
    assert chosen is not None and chosen.isoformat() == date and source == "dateline"


def test_impossible_day_is_no_date() -> None:
    doc = make_doc("Titre\n\npublié le 31 février 2021\n\nTexte.", "fr")
    assert choose_date(doc, scan_dates(doc, DateReader()))[0] is None

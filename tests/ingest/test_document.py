"""Building Documents from every input kind, and the evidence-offset invariants."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import Evidence
from scorer.errors import ExtractionError, InputError
from scorer.ingest import documents
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "examples"


def test_plain_text_document_detects_french() -> None:
    doc = documents.from_path(EXAMPLES / "fr_original.txt")
    assert doc.language == "fr"
    assert doc.origin == "text"
    assert doc.paragraphs and doc.sentences
    for a, b in doc.paragraphs:
        assert "\n" not in doc.text[a:b]


def test_plain_text_document_detects_english() -> None:
    assert documents.from_path(EXAMPLES / "en_original.txt").language == "en"


def test_html_document_carries_metadata() -> None:
    doc = documents.from_path(EXAMPLES / "en_page.html")
    assert doc.origin == "html"
    assert doc.title == "Library reopens after two-year renovation"
    assert doc.author == "Priya Shah"
    assert doc.published == dt.date(2024, 2, 17)
    assert doc.published_source == "metadata"
    assert doc.sitename == "Northfield Gazette"
    assert "children's wing" in doc.text
    assert "Sign up for our newsletter" not in doc.text
    assert doc.page_text_chars is not None and doc.page_text_chars > len(doc.text)
    assert doc.removed_text and "newsletter" in doc.removed_text


_BODY = {
    "fr": "Le conseil municipal a voté le budget après un long débat sur les écoles du quartier. ",
    "en": "The city council passed the budget after a long debate about the district's schools. ",
}


@pytest.mark.parametrize(
    "lang, dateline",
    [("fr", "Publié le 12 mars 2020 à 10h05"), ("en", "Published on Thursday, 12th of March 2020")],
)
def test_html_date_written_in_the_page_text_is_read(lang: str, dateline: str) -> None:
    # No date in the markup: only the written-out date, which htmldate reads through its free-text parser.
    html = f"<html><body><article><h1>Budget</h1><p>{dateline}</p><p>{_BODY[lang] * 8}</p></article></body></html>"
    doc = documents.from_html(html)
    assert doc.published == dt.date(2020, 3, 12)
    assert doc.published_source == "metadata"


def test_html_free_text_date_parser_is_limited_to_the_main_web_languages() -> None:
    from htmldate import extractors

    documents.from_html(f"<html><body><article><p>{_BODY['en'] * 8}</p></article></body></html>")
    parser = extractors.get_external_parser()
    assert parser.languages == list(documents.DATE_TEXT_LANGUAGES)
    assert parser.get_date_data("12 марта 2020").date_obj == dt.datetime(2020, 3, 12)  # Russian: listed
    assert parser.get_date_data("12. maaliskuuta 2020").date_obj is None  # Finnish: not listed


def test_json_record_document() -> None:
    doc = documents.from_path(EXAMPLES / "fr_record.json")
    assert doc.id == "fr-record-1"
    assert doc.published == dt.date(2022, 5, 2)
    assert doc.author == "Julien Robert"
    assert doc.language == "fr"


def test_json_record_with_html(tmp_path) -> None:  # type: ignore[no-untyped-def]
    html = (EXAMPLES / "en_page.html").read_text(encoding="utf-8")
    p = tmp_path / "rec.json"
    p.write_text(json.dumps({"html": html, "url": "https://x.example/a"}), encoding="utf-8")
    doc = documents.from_path(p)
    assert (
        doc.origin == "record" and doc.url == "https://x.example/a" and doc.published == dt.date(2024, 2, 17)
    )


@pytest.mark.parametrize(
    "record, message",
    [
        ({"text": "a", "html": "<p>a</p>"}, "exactly one"),
        ({}, "exactly one"),
        ({"text": "   "}, "empty"),
        ([1, 2], "object"),
    ],
    ids=["both", "neither", "empty-text", "not-object"],
)
def test_bad_records_raise_clear_errors(record, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((InputError, ExtractionError), match=message):
        documents.from_record(record)


def test_html_without_text_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        documents.from_html("<html><body><script>var a=1;</script></body></html>")


def test_binary_and_empty_files_are_input_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="binary"):
        documents.from_path(binary)
    with pytest.raises(InputError, match="empty"):
        documents.from_path(empty)


def test_latin1_file_is_decoded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "latin1.txt"
    p.write_bytes("Le député a déclaré à la presse que la réforme était prête.".encode("latin-1"))
    assert "député" in documents.from_path(p).text


def test_language_detection_is_deterministic() -> None:
    text = "Le gouvernement a présenté mardi un projet de loi sur l'énergie."
    assert len({documents.detect_language(text) for _ in range(5)}) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_spans_index_the_text(text: str) -> None:
    doc = documents.from_text(text, language="fr")
    for spans in (doc.paragraphs, doc.blocks, doc.sentences, doc.words):
        for a, b in spans:
            assert 0 <= a < b <= len(doc.text)
            ev = Evidence.of(doc, (a, b))
            assert doc.text[ev.start : ev.end] == ev.text

"""Build `Document`s at the input edge: plain text, HTML (trafilatura), JSON records. Nothing past this
module parses an input format."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from features.document import Document
from scorer.errors import ExtractionError, InputError

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSON_SUFFIXES = frozenset({".json"})
# Bound the work per document: longer inputs are cut (and the cut is recorded in `meta`).
MAX_TEXT_CHARS = 200_000
MAX_HTML_BYTES = 5_000_000
# Language detection looks at this much text; more changes nothing but the cost.
_LANGDETECT_CHARS = 3_000
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Unicode category Cc (C0 and C1 controls, U+0000-U+001F and U+007F-U+009F; fixed by Unicode's stability
# policy) except tab and newline: one C-level pass instead of a category lookup per character.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The metadata a page or a structured record has a place for. Absence signals depend on them
# (`features.directions`: "no date" needs a place for "published", "no byline" one for "author").
METADATA_FIELDS = frozenset({"published", "author", "title", "url"})


def _langdetect_backend() -> Any:
    """langdetect-rs (same results, much faster) when installed, else langdetect; seeded either way."""
    try:
        import langdetect_rs as backend
    except ImportError:  # pragma: no cover - depends on the wheel being available
        import langdetect as backend  # type: ignore[no-redef]
    backend.DetectorFactory.seed = 0
    return backend


_LANGDETECT = _langdetect_backend()


def detect_language(text: str) -> tuple[str, float]:
    """The most likely language code of `text` and its probability; ("und", 0.0) when undecidable."""
    sample = text[:_LANGDETECT_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return "und", 0.0
    try:
        ranked = _LANGDETECT.detect_langs(sample)
    except Exception:  # langdetect raises its own exception type for featureless text
        return "und", 0.0
    if not ranked:
        return "und", 0.0
    return str(ranked[0].lang), float(ranked[0].prob)


def normalise_text(text: str) -> str:
    """NFC, Unix line breaks, no control characters but tab and newline, bounded length."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL_RE.sub("", text)
    return text[:MAX_TEXT_CHARS]


def parse_date(value: Any) -> dt.date | None:
    """A date from an ISO-like string, a date or a datetime; None when absent or unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.search(str(value))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def from_text(
    text: str,
    *,
    id: str = "",
    title: str | None = None,
    url: str | None = None,
    author: str | None = None,
    published: Any = None,
    language: str | None = None,
    origin: str = "text",
    empty_fields: tuple[str, ...] = (),
    meta: dict[str, Any] | None = None,
    metadata_places: frozenset[str] | None = None,
) -> Document:
    """A Document from article text, detecting the language unless it is given.

    Which metadata the input had a place for (`Document.metadata_places`), unless given: a text with any
    of `title`, `url`, `author` or `published` (a record or a request with metadata, even an empty one)
    comes from a source with a metadata schema, so it had a place for all of them; a bare text had none,
    and "no date" or "no byline" says nothing about it (those signals are reported but do not count).
    """
    text = normalise_text(text)
    if language:
        lang, conf = language.lower(), 1.0
    else:
        lang, conf = detect_language(text)
    date = parse_date(published)
    if metadata_places is None:
        given = any(v is not None for v in (title, url, author, published)) or bool(empty_fields)
        metadata_places = METADATA_FIELDS if given else frozenset()
    return Document(
        text=text,
        id=id,
        title=title or None,
        url=url or None,
        author=author or None,
        published=date,
        published_source="record" if date else None,
        language=lang,
        language_confidence=conf,
        origin=origin,
        empty_fields=empty_fields,
        metadata_places=metadata_places,
        meta=meta or {},
    )


# Languages in which htmldate's last resort, dateparser, reads dates written out in a page's free text
# ("12 mars 2020"): the most used languages of the web. Left unrestricted, dateparser tries each of its
# ~200 locales on a string no locale reads, compiling their patterns as it goes: about 40 MB and 2 s in
# every process that meets one. Restricted to these, a process holds about 10 MB of them, and the dates
# found on the gold pages of `scripts/eval_dates.py` are the same (90.8% right either way).
DATE_TEXT_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "pl", "ja", "zh", "ar")


@lru_cache(maxsize=1)
def _restrict_date_parser() -> None:
    """Make htmldate's free-text date parser a dateparser parser limited to `DATE_TEXT_LANGUAGES`, with
    htmldate's own settings. htmldate builds its parser in `extractors.get_external_parser` and calls it
    through that name, so replacing the name is enough; a htmldate without it is left as it is."""
    try:
        from dateparser import DateDataParser
        from htmldate import extractors
    except ImportError:  # pragma: no cover - both come with trafilatura
        return
    if not hasattr(extractors, "get_external_parser"):  # pragma: no cover - depends on htmldate's version
        logger.debug("htmldate has no get_external_parser: its date parser is left unrestricted")
        return
    parser = DateDataParser(
        languages=list(DATE_TEXT_LANGUAGES),
        settings={  # as htmldate 1.11 sets them
            "NORMALIZE": True,
            "PARSERS": ["custom-formats", "absolute-time"],
            "PREFER_DATES_FROM": "past",
            "PREFER_LOCALE_DATE_ORDER": True,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": True,
        },
    )
    extractors.get_external_parser = lambda: parser  # type: ignore[assignment]  # replaces an lru_cache wrapper


_VISIBLE_XPATH = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)


@lru_cache(maxsize=1)
def _visible_xpath() -> Any:
    from lxml import etree

    # Compiled once; plain strings, not lxml's "smart" strings that each carry a proxy of their parent
    # element (15% of this function's time).
    return etree.XPath(_VISIBLE_XPATH, smart_strings=False)


def _visible_lines(tree: Any) -> list[str]:
    """The page's visible text as a careless scraper would save it: one stripped line per text node."""
    return [s for s in (t.strip() for t in _visible_xpath()(tree)) if s]


# Start tags with absurdly many attributes: libxml2 checks each new attribute against the ones before it,
# and lxml (hence htmldate and trafilatura) looks each one up by name, so a tag with n attributes costs n²
# (150,000 attributes: two minutes). Real pages stay far below the bound: at most 37 attributes on one tag
# in 1,182 pages of news and blogs. Past it, the tag keeps its name and first attributes; the rest is dropped
# before parsing. A tag is examined only when it has `_TAG_UNITS` units (a character, or a whole quoted
# value), so the scan is one regex pass that skips ordinary tags at once.
MAX_TAG_ATTRIBUTES = 100
_TAG_UNITS = 256
_BIG_TAG = r"""<[A-Za-z](?:[^<>"']|"[^"]*+"|'[^']*+'){""" + str(_TAG_UNITS) + ",}+"
_ATTRIBUTE = r"""[^\s"'<>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'<>=`]++))?"""
_BIG_TAG_RE = (re.compile(_BIG_TAG), re.compile(_BIG_TAG.encode()))
_ATTRIBUTE_RE = (re.compile(_ATTRIBUTE), re.compile(_ATTRIBUTE.encode()))


def limit_start_tags(html: str | bytes, max_attributes: int = MAX_TAG_ATTRIBUTES) -> tuple[str | bytes, int]:
    """`html` with every start tag cut after its first `max_attributes` attributes, and how many
    attributes were dropped. Linear in the length of `html`."""
    raw = isinstance(html, bytes)
    big: re.Pattern[Any] = _BIG_TAG_RE[raw]
    attribute: re.Pattern[Any] = _ATTRIBUTE_RE[raw]
    parts: list[Any] = []
    pos = dropped = 0
    for m in big.finditer(html):
        kept = total = 0
        for total, tok in enumerate(attribute.finditer(html, m.start() + 1, m.end()), 1):
            if total == max_attributes + 2:  # the tag name, then `max_attributes` attributes
                kept = tok.start()
        if kept:
            parts.append(html[pos:kept])
            dropped += total - max_attributes - 1
            pos = m.end()
    if not dropped:
        return html, 0
    parts.append(html[pos:])
    return (b"".join(parts) if raw else "".join(parts)), dropped


def from_html(
    html: str | bytes,
    *,
    id: str = "",
    url: str | None = None,
    title: str | None = None,
    author: str | None = None,
    published: Any = None,
    language: str | None = None,
    origin: str = "html",
) -> Document:
    """A Document from an HTML page: trafilatura's main text and metadata (dates through htmldate).

    Also records how much of the page's visible text the extractor kept and what it removed, so the
    boilerplate family can use them.
    """
    import trafilatura

    _restrict_date_parser()
    html, dropped = limit_start_tags(html[:MAX_HTML_BYTES])
    if dropped:
        logger.info(
            "%s: %d attributes past the first %d of a tag dropped", id or "page", dropped, MAX_TAG_ATTRIBUTES
        )
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError("no article text could be extracted: the HTML could not be parsed")
    visible = _visible_lines(tree)
    # bare_extraction prunes the tree it is given; the visible text was read above.
    result = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False, deduplicate=False
    )
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise ExtractionError("no article text could be extracted from the HTML")
    doc_text = normalise_text(text)
    kept = set(doc_text.splitlines())
    removed = "\n".join(line for line in visible if line not in kept)
    given_date = parse_date(published)
    date = given_date or parse_date(getattr(result, "date", None))
    if language:
        lang, conf = language.lower(), 1.0
    else:
        lang, conf = detect_language(doc_text)
    return Document(
        text=doc_text,
        id=id,
        title=title or getattr(result, "title", None) or None,
        url=url or getattr(result, "url", None) or None,
        author=author or getattr(result, "author", None) or None,
        published=date,
        published_source=("record" if given_date else "metadata") if date else None,
        sitename=getattr(result, "sitename", None) or None,
        language=lang,
        language_confidence=conf,
        origin=origin,
        page_text_chars=sum(len(v) for v in visible),
        removed_text=normalise_text(removed),
        # A page has a place for every piece of metadata (its meta tags, its header).
        metadata_places=METADATA_FIELDS,
    )


def from_record(record: Mapping[str, Any], *, id: str = "") -> Document:
    """A Document from a JSON record with `text` or `html`, plus optional url/title/author/published/language."""
    if not isinstance(record, Mapping):
        raise InputError("a JSON record must be an object with a 'text' or 'html' field")
    has_text = isinstance(record.get("text"), str)
    has_html = isinstance(record.get("html"), str)
    if has_text == has_html:
        raise InputError("a JSON record needs exactly one of 'text' or 'html' (a string)")
    opt: dict[str, Any] = {
        k: (str(record[k]) if record.get(k) is not None else None)
        for k in ("url", "title", "author", "language")
    }
    date_field = next((k for k in ("published", "date") if k in record), None)
    empty = tuple(k for k in ("published", "date", "author") if k in record and record[k] in ("", None))
    rid = str(record.get("id") or id)
    if has_html:
        return from_html(
            record["html"],
            id=rid,
            published=record.get(date_field) if date_field else None,
            origin="record",
            **opt,
        )
    if not record["text"].strip():
        raise ExtractionError("the record's text is empty")
    # A record with any metadata field, even empty or null, had a place for all of them; `{"id", "text"}`
    # is bare text (see `from_text`).
    places = (
        METADATA_FIELDS
        if any(k in record for k in ("url", "title", "author", "published", "date"))
        else frozenset()
    )
    return from_text(
        record["text"],
        id=rid,
        published=record.get(date_field) if date_field else None,
        origin="record",
        empty_fields=empty,
        metadata_places=places,
        **opt,
    )


# Western European code pages, preferred among equally plausible detections: the inputs are French and
# English, and on short texts the detector cannot tell cp1252 from cp1257 or cp775.
_PREFERRED_CHARSETS = ("cp1252", "latin_1", "iso8859_15")
# How much more "chaos" (charset_normalizer's mess ratio) a preferred code page may show than the best.
_PREFERENCE_MARGIN = 0.02


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and encoding name from a file's bytes: UTF-8 (with or without BOM), else the most plausible
    charset, preferring Western European code pages among equally plausible ones."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes as detect

    matches = list(detect(data[:200_000]))
    if not matches:
        raise InputError("undecodable bytes: neither UTF-8 nor a recognisable charset")
    best_chaos = min(m.chaos for m in matches)
    for name in _PREFERRED_CHARSETS:
        for m in matches:
            if m.encoding == name and m.chaos <= best_chaos + _PREFERENCE_MARGIN:
                return data.decode(name, errors="replace"), name
    best = min(matches, key=lambda m: (m.chaos, -m.coherence))
    return data.decode(best.encoding, errors="replace"), best.encoding


def from_path(path: str | Path) -> Document:
    """A Document from a .txt/.md, .html/.htm or .json file."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES:
        raise InputError(
            f"{p}: unsupported file type {suffix or '(none)'}; expected .txt, .md, .html, .htm or .json"
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from e
    try:
        return from_bytes(data, source=str(p), suffix=suffix)
    except InputError as e:
        raise InputError(f"{p}: {e}") from e


def from_bytes(
    data: bytes,
    *,
    source: str,
    suffix: str,
    normalise: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
) -> Document:
    """A Document from one article file's bytes; `suffix` picks the format and `normalise` maps a JSON
    record's own field names onto text/html/id/url. Errors carry no path: the caller knows where it is."""
    if not data.strip():
        raise InputError("empty file")
    if suffix in HTML_SUFFIXES:
        return from_html(data, id=source)
    text, encoding = decode_text(data)
    if encoding != "utf-8":
        logger.info("%s: decoded as %s", source, encoding)
    if suffix in JSON_SUFFIXES:
        try:
            record = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
        if not isinstance(record, Mapping):
            raise InputError(f"a JSON file must hold an object, not {type(record).__name__}")
        return from_record(normalise(record) if normalise else record, id=source)
    if not text.strip():
        raise InputError("no text")
    return from_text(text, id=source, meta={"encoding": encoding})

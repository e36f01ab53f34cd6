"""Dating family: when the article was published, where that date came from, and whether the text lets a
reader tell at all.

Dates are read in words and numbers, French and English ("publié le mardi 23 avril 2019 à 20h10",
"Paris, 12 mars (AFP)", "Published 9 October 2023", "2023-10-09"), with month and weekday names from
`features/data/dating/calendar.json`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from features.base import Evidence, Feature, Kind, Signal, load_lexicon
from features.document import Document, MemoKey, Span
from features.text import PhraseSearch

LANGS = ("fr", "en")
_DIGITS_RE = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date read in the text: day and month always, the year when written (`date` is None without it)."""

    day: int
    month: int
    year: int | None
    span: Span
    kind: str  # "dateline" (introduced as the publication date, or at the top of the text) | "body"
    updated: bool = False  # introduced by "mis à jour" / "updated": a revision, not the publication

    @property
    def date(self) -> dt.date | None:
        """The full date, or None when the year is missing or the day does not exist."""
        if self.year is None:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class DateScan:
    """What one pass over the text found: dated lines, dates in the body, and which of them is the dateline."""

    datelines: tuple[FoundDate, ...]
    body: tuple[FoundDate, ...]


def _alternation(words: Iterable[str]) -> str:
    # Longest first so "septembre" wins over "sept"; escaped, so the pattern is a plain word list.
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class DateReader:
    """Finds dates written in words or numbers in a text, per language; built once from the lexicons."""

    def __init__(self, head_chars: int = 600, max_dates: int = 200) -> None:
        cal = load_lexicon("dating/calendar")
        cues = load_lexicon("dating/datelines")
        self.head_chars = head_chars
        self.max_dates = max_dates
        self.months: dict[str, dict[str, int]] = cal["months"]
        self.firsts: dict[str, set[str]] = {
            k: {w.lower() for w in v} for k, v in cal["ordinal_first"].items()
        }
        self.patterns: dict[str, re.Pattern[str]] = {}
        for lang in LANGS:
            months = _alternation(self.months[lang])
            days = _alternation(cal["weekdays"][lang])
            first = _alternation(cal["ordinal_first"][lang]) if cal["ordinal_first"][lang] else None
            day = rf"(?:{first}|\d{{1,2}})" if first else r"\d{1,2}"
            if lang == "fr":
                body = rf"(?P<d>{day})(?:er)?\s+(?P<m>{months})\.?"
            else:
                body = (
                    rf"(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{months})\.?"
                    rf"|(?P<m2>{months})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b)"
                )
            self.patterns[lang] = re.compile(
                rf"\b(?:(?:{days})\.?,?\s+)?{body}(?:,?\s+(?P<y>\d{{4}})\b)?(?!\s*\d)", re.IGNORECASE
            )
        # Numbers only: ISO everywhere; day.month.year outside English (month/day/year is US usage).
        self.iso = re.compile(r"\b(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})\b")
        self.numeric = re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})\b")
        self.published_cue = {
            lang: re.compile(rf"(?:{_alternation(cues['published'][lang])})\s*:?\s*$", re.IGNORECASE)
            for lang in LANGS
        }
        self.updated_cue = {
            lang: re.compile(rf"(?:{_alternation(cues['updated'][lang])})\s*:?\s*$", re.IGNORECASE)
            for lang in LANGS
        }
        # "Paris, 12 mars (AFP)", "LONDON, March 12 (Reuters) -": a place, the date, an agency in brackets.
        self.agency_after = re.compile(rf"\s*\(?(?:{_alternation(cues['agencies'])})\b")

    def month_of(self, lang: str, word: str) -> int | None:
        """The month number of a month name or abbreviation in `lang`."""
        return self.months.get(lang, {}).get(word.lower().rstrip("."))

    def _windows(self, doc: Document) -> list[Span]:
        """Stretches of text around digit runs: every date has digits, so only these are searched."""
        out: list[Span] = []
        for m in _DIGITS_RE.finditer(doc.text):
            a, b = max(0, m.start() - 28), min(len(doc.text), m.end() + 24)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
            if len(out) >= 4 * self.max_dates:
                break
        return out

    def _in_words(self, doc: Document, lang: str) -> list[tuple[int, int, int, int, int | None]]:
        out: list[tuple[int, int, int, int, int | None]] = []
        matches = (m for a, b in self._windows(doc) for m in self.patterns[lang].finditer(doc.text, a, b))
        for m in matches:
            d, mname = (m["d"], m["m"]) if m["d"] else (m["d2"], m["m2"])
            day = 1 if d.lower() in self.firsts.get(lang, set()) else int(d)
            month = self.month_of(lang, mname)
            if month is None or not 1 <= day <= 31:
                continue
            out.append((m.start(), m.end(), day, month, int(m["y"]) if m["y"] else None))
            if len(out) >= self.max_dates:
                break
        return out

    def _in_numbers(self, doc: Document, lang: str) -> list[tuple[int, int, int, int, int | None]]:
        out: list[tuple[int, int, int, int, int | None]] = []
        text = doc.text
        n = len(text)
        for d in _DIGITS_RE.finditer(text):
            e = d.end()
            # Both patterns need a "-", "/" or "." right after the first digit run: most runs (years,
            # amounts) are settled by this test before any pattern is tried.
            if e >= n or text[e] not in "-/." or d.start() > 0 and text[d.start() - 1].isalnum():
                continue
            m = self.iso.match(text, d.start())
            if m is not None:
                out.append((m.start(), m.end(), int(m["d"]), int(m["mo"]), int(m["y"])))
                continue
            m = self.numeric.match(text, d.start())
            if m is not None:
                a, b = int(m["a"]), int(m["b"])
                day, month = (b, a) if lang == "en" and a <= 12 else (a, b)
                out.append((m.start(), m.end(), day, month, int(m["y"])))
        return [x for x in out[: self.max_dates] if 1 <= x[3] <= 12 and 1 <= x[2] <= 31]

    def scan(self, doc: Document) -> DateScan:
        """Every date in the text, each marked as a dateline (publication date) or a date in the body."""
        lang = doc.base_language
        found: list[tuple[int, int, int, int, int | None]] = []
        if lang in LANGS:
            found.extend(self._in_words(doc, lang))
        found.extend(self._in_numbers(doc, lang))
        found.sort()
        starts = [p[0] for p in doc.paragraphs]
        datelines: list[FoundDate] = []
        body: list[FoundDate] = []
        for start, end, day, month, year in found:
            kind, updated = self._classify(doc, lang, start, end, _paragraph_at(doc, starts, start))
            fd = FoundDate(day, month, year, (start, end), kind, updated)
            if kind == "dateline":
                datelines.append(fd)
            elif year is not None:  # "12 mars" alone in a sentence is an event, not a date one can place
                body.append(fd)
        return DateScan(tuple(datelines), tuple(body))

    def _classify(
        self, doc: Document, lang: str, start: int, end: int, para: Span | None
    ) -> tuple[str, bool]:
        text = doc.text
        if para is None:
            return "body", False
        before = text[max(para[0], start - 40) : start]
        cue_lang = lang if lang in LANGS else None
        if cue_lang is not None:
            if self.updated_cue[cue_lang].search(before):
                return "dateline", True
            if self.published_cue[cue_lang].search(before):
                return "dateline", False
            if self.agency_after.match(text, end) and start - para[0] <= 40:
                return "dateline", False
        # A short line near the top that is mostly the date ("Mardi 23 avril 2019", "AFP, 12/03/2019").
        short = para[1] - para[0] <= 80 and (end - start) * 2 >= min(para[1] - para[0], 60)
        if short and para[0] <= self.head_chars:
            return "dateline", False
        return "body", False


def _paragraph_at(doc: Document, starts: list[int], pos: int) -> Span | None:
    """The paragraph containing offset `pos` (`starts` are the paragraph starts, in order)."""
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and doc.paragraphs[i][0] <= pos < doc.paragraphs[i][1]:
        return doc.paragraphs[i]
    return None


DATE_SCAN: MemoKey[DateScan] = MemoKey("dating.scan")


def scan_dates(doc: Document, reader: DateReader) -> DateScan:
    """The date scan of `doc`, computed once per document and shared by the dating features."""
    return doc.memo(DATE_SCAN.of(reader.head_chars), lambda: reader.scan(doc))


def choose_date(doc: Document, scan: DateScan) -> tuple[dt.date | None, str | None, FoundDate | None]:
    """The publication date the family settles on, where it came from, and the text date it was read from.

    Metadata (the record's field, or the HTML meta tags read by htmldate) first; then a dateline that names
    the publication; then a revision dateline; then, when the text has no dateline at all, the first full
    date in the body.
    """
    if doc.published is not None:
        return doc.published, doc.published_source or "metadata", None
    for want_updated in (False, True):
        for fd in scan.datelines:
            if fd.updated is want_updated and fd.date is not None:
                return fd.date, "dateline", fd
    if scan.datelines:
        return None, None, None  # a dateline without its year still names the day: no event date for it
    for fd in scan.body:
        if fd.date is not None:
            return fd.date, "body", fd
    return None, None, None


class PublishedDate(Feature):
    """The publication date and its source (metadata, a dateline, a date in the body), or its absence;
    dates in the future or too old to be a web publication.

    Known false positives: a body date taken as the publication date when the text has no dateline (an
    event date, possibly long before publication); a page whose dateline lacks the year gets no full date.
    """

    family: ClassVar[str] = "dating"
    codes: ClassVar[dict[str, str]] = {
        "dating.no_published_date": "No publication date in the metadata or the text.",
        "dating.date_from_metadata": "Publication date from the input's metadata (record field or HTML meta tags); detail has the date.",
        "dating.date_from_dateline": "Publication date from a dateline in the text (value 0.5 when it has no year); detail has the date.",
        "dating.date_from_body": "No metadata or dateline: the first explicit full date in the body stands for the publication date.",
        "dating.future_date": "The publication date is after today.",
        "dating.implausible_date": "The publication date is older than any web publication could be.",
    }

    def __init__(
        self, head_chars: int = 600, oldest: dt.date = dt.date(1990, 1, 1), today: dt.date | None = None
    ) -> None:
        self.reader = DateReader(head_chars=head_chars)
        self.oldest = oldest
        self.today = today

    def extract(self, doc: Document) -> list[Signal]:
        scan = scan_dates(doc, self.reader)
        date, source, fd = choose_date(doc, scan)
        if date is None:
            partial = next((d for d in scan.datelines if d.year is None), None)
            if partial is not None:
                return [
                    Signal(
                        "dating.date_from_dateline",
                        f"Dateline without a year: day {partial.day}, month {partial.month}.",
                        (Evidence.of(doc, partial.span),),
                        0.5,
                        Kind.MEASURE,
                        {
                            "date": None,
                            "day": partial.day,
                            "month": partial.month,
                            "precision": "day-month",
                            "source": "dateline",
                        },
                    )
                ]
            return [
                self.absence(
                    "dating.no_published_date",
                    "No publication date found: checked the input's metadata (date fields, HTML meta tags), a dateline "
                    f"in the first {self.reader.head_chars} characters or after 'publié le'/'published'/'mis à jour', "
                    "and full dates (day, month, year) in the body.",
                )
            ]
        evidence = (Evidence.of(doc, fd.span),) if fd is not None else ()
        detail: dict[str, str | bool | None] = {
            "date": date.isoformat(),
            "source": source,
            "precision": "day",
        }
        if fd is not None and fd.updated:
            detail["updated"] = True
        code = {"dateline": "dating.date_from_dateline", "body": "dating.date_from_body"}.get(
            source or "", "dating.date_from_metadata"
        )
        out = [
            Signal(
                code,
                f"Publication date {date.isoformat()} from the {source}.",
                evidence,
                1.0,
                Kind.MEASURE,
                detail,
            )
        ]
        today = self.today or dt.date.today()
        if source == "body":
            return out  # a date in the body may be an event's, past or coming: no verdict on the publication
        # One day of slack: a page dated in a time zone ahead of the reader's.
        if date > today + dt.timedelta(days=1):
            out.append(
                self._dated(
                    "dating.future_date",
                    f"Publication date {date.isoformat()} is after today ({today.isoformat()}).",
                    evidence,
                    date,
                )
            )
        elif date < self.oldest:
            msg = f"Publication date {date.isoformat()} is before {self.oldest.isoformat()}, older than web publishing."
            out.append(self._dated("dating.implausible_date", msg, evidence, date))
        return out

    @staticmethod
    def _dated(code: str, message: str, evidence: tuple[Evidence, ...], date: dt.date) -> Signal:
        # A date read in the text is a flag citing it; a metadata date has no span, so it is a measure.
        return Signal(
            code, message, evidence, 1.0, Kind.FLAG if evidence else Kind.MEASURE, {"date": date.isoformat()}
        )


class EmptyDateField(Feature):
    """A date field that is present but empty: "Date :" with nothing after it in the text, or an empty
    date field in the input record.

    Known false positives: a label line whose value a scraper put on the next line ("Date :" then the
    date alone on its own line) is not flagged when that next line is a date.
    """

    family: ClassVar[str] = "dating"
    codes: ClassVar[dict[str, str]] = {
        "dating.empty_date_field": "A date label in the text ('Date :', 'Publié le') with nothing after it.",
        "dating.empty_date_metadata": "The input record has a date field, but it is empty.",
    }

    def __init__(self) -> None:
        cues = load_lexicon("dating/datelines")
        self.reader = DateReader()
        self.labels = {
            lang: re.compile(
                # Possessive blanks: "[ \t]*:?[ \t]*$" splits a run of n blanks before a letter in n
                # ways before failing, n² steps for "Publié le" + n spaces.
                rf"^[ \t]*+(?:{_alternation(cues['labels'][lang])})[ \t]*+(?::[ \t]*+)?$",
                re.IGNORECASE | re.MULTILINE,
            )
            for lang in LANGS
        }

    def extract(self, doc: Document) -> list[Signal]:
        out: list[Signal] = []
        empty = [f for f in doc.empty_fields if f in ("published", "date")]
        if empty:
            out.append(
                self.absence(
                    "dating.empty_date_metadata",
                    f"The input's date field is empty: {', '.join(empty)}.",
                    fields=empty,
                )
            )
        lang = doc.base_language
        if lang not in LANGS:
            return out
        dated_starts = {p for p in _next_lines_with_dates(doc, self.reader)}
        spans = []
        for m in self.labels[lang].finditer(doc.text):
            # "Date :" whose value sits alone on the next line is not empty.
            if m.end() + 1 in dated_starts:
                continue
            a, b = m.start(), m.end()
            while a < b and doc.text[a].isspace():
                a += 1
            while b > a and doc.text[b - 1].isspace():
                b -= 1
            if b > a:
                spans.append((a, b))
        if spans:
            out.append(self.flag(doc, "dating.empty_date_field", "Date label with nothing after it.", spans))
        return out


def _next_lines_with_dates(doc: Document, reader: DateReader) -> Iterable[int]:
    scan = scan_dates(doc, reader)
    for fd in (*scan.datelines, *scan.body):
        yield fd.span[0]


class RelativeTimeOnly(Feature):
    """Relative time expressions ("lundi", "la semaine dernière", "juillet prochain", "last week") in a text
    that gives no date to anchor them: no metadata date, no dateline, no full date in the body.

    Known false positives: a text whose only date is given as a bare year ("en 2022") is treated as
    unanchored, since a year cannot place "lundi".
    """

    family: ClassVar[str] = "dating"
    codes: ClassVar[dict[str, str]] = {
        "dating.relative_time_only": "Events placed only with relative times ('lundi', 'juillet prochain') and no date to anchor them.",
    }

    def __init__(self, min_expressions: int = 1) -> None:
        self.min_expressions = min_expressions
        rel = load_lexicon("dating/relative")
        self.reader = DateReader()
        # Tried only where one of the expressions' first words starts (`PhraseSearch`): tried at every
        # position, the ~70 alternatives cost about a millisecond per article.
        self.patterns = {
            lang: PhraseSearch(re.compile(rf"\b(?:{_alternation(rel[lang])})\b", re.IGNORECASE), rel[lang])
            for lang in LANGS
        }

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in LANGS:
            return []
        scan = scan_dates(doc, self.reader)
        if choose_date(doc, scan)[0] is not None or scan.datelines:
            return []
        spans = [m.span() for m in self.patterns[lang].finditer(doc.text, doc.word_runs)]
        if len(spans) < self.min_expressions:
            return []
        return [
            self.flag(doc, "dating.relative_time_only", "Relative times with no date to anchor them.", spans)
        ]


FEATURES: list[type[Feature]] = [PublishedDate, EmptyDateField, RelativeTimeOnly]

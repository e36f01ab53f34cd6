"""Source lines and credits for the sourcing family: source lines that point nowhere, bylines, and
credit lines that show copy taken from another outlet."""

from __future__ import annotations

import re
from typing import ClassVar

from features.base import Evidence, Feature, Kind, Signal, load_lexicon
from features.document import Document, Span
from features.nlp import zipf
from features.sourcing.judge import entity_labels
from features.sourcing.phrases import LANGS, PhraseIndex
from features.text import PHRASE_TOKEN_RE, alternation

_URL_RE = re.compile(r"https?://|www\.|\w\.(?:com|fr|org|net)\b")


class HollowSource(Feature):
    """Source references that point nowhere: "Source : internet", "Source link", "La source de cet article
    se trouve sur ce site".

    Known false positives: a "Source : ici" line whose link the scraper dropped (the link may have been
    real; the text still names nothing).
    """

    family: ClassVar[str] = "sourcing"
    codes: ClassVar[dict[str, str]] = {
        "sourcing.hollow_source": "A source line that names no outlet, author or link ('Source : internet', 'Source link').",
    }

    def __init__(self, max_line_chars: int = 120) -> None:
        lex = load_lexicon("sourcing/hollow")
        self.max_line_chars = max_line_chars
        self.lead = {
            lang: re.compile(
                rf"[\s\-–—*•]*(?:{alternation(lex['phrases'][lang] + lex['labels'][lang])})\b", re.IGNORECASE
            )
            for lang in LANGS
        }
        self.targets = {
            lang: re.compile(rf"\b(?:{alternation(lex['targets'][lang])})\b", re.IGNORECASE) for lang in LANGS
        }

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in LANGS:
            return []
        spans = []
        for a, b in doc.paragraphs:
            if b - a > self.max_line_chars:
                continue
            m = self.lead[lang].match(doc.text, a, b)
            if m is None:
                continue
            rest = doc.text[m.end() : b]
            if _URL_RE.search(rest):
                continue
            words = PHRASE_TOKEN_RE.findall(rest)
            named = [w for w in words if w[0].isupper()]
            hollow = not rest.strip(" :.-–—") or (self.targets[lang].search(rest) is not None and not named)
            if hollow:
                spans.append((a, b))
        if not spans:
            return []
        return [
            self.flag(
                doc, "sourcing.hollow_source", "Source line that names no outlet, author or link.", spans
            )
        ]


class BylineCredit(Feature):
    """Byline present or missing (the input's author field, a "Par X"/"By X" line, a name line near the
    top, the author before a dateline), and credit lines showing copy from another outlet ("avec AFP",
    "(Reuters)", "X contributed to this report").

    Known false positives: a short capitalised line near the top that is a section name taken for a person
    in English (French name lines are checked by the named-entity recogniser); an agency named in the
    body in brackets as a source ("a indiqué l'institut (AFP)") counts as a credit.
    """

    family: ClassVar[str] = "sourcing"
    needs_spacy: ClassVar[bool] = True  # NER on the few sources or name lines a cheap test leaves undecided
    codes: ClassVar[dict[str, str]] = {
        "sourcing.byline": "An author is named: the input's author field or a byline line in the text (measure; detail has it).",
        "sourcing.no_byline": "No author: not in the metadata, nor as a byline line in the text.",
        "sourcing.credit_line": "A credit line showing the text comes from another outlet ('avec AFP', '(Reuters)', 'contributed to this report').",
    }

    def __init__(self, head_paragraphs: int = 5, max_byline_chars: int = 60) -> None:
        lex = load_lexicon("sourcing/bylines")
        self.head_paragraphs = head_paragraphs
        self.max_byline_chars = max_byline_chars
        self.byline = {
            lang: re.compile(
                rf"^(?:{alternation(lex['byline'][lang])})(?:\s*+:\s++|\s++)(?P<name>[A-ZÀ-Ý][^\n]{{1,60}})$",
                re.IGNORECASE,
            )
            for lang in LANGS
        }
        self.credit = {lang: PhraseIndex(lex["credit"][lang]) for lang in LANGS}
        # Agency names as written ("AFP", not "afp"); a credit when bracketed or after "avec"/"via"/"©".
        self.agencies = PhraseIndex(lex["agencies"], case_sensitive=True)
        self.credit_before = re.compile(
            rf"(?:\(|©\s*|\b(?:{alternation(lex['credit_before'])})\s*:?\s*(?:l['’]|the\s)?)$", re.IGNORECASE
        )
        # A dateline's author part: "Orange avec AFP , publié le ..." / "By Jane Doe | Published ...".
        self.dateline_author = re.compile(
            r"^(?P<who>[^\n,|]{2,60}?)\s*+[,|]\s*+(?:publié|publiée|mis à jour|published|posted|updated)\b",
            re.IGNORECASE,
        )
        self.name_line = re.compile(
            r"^(?:[A-ZÀ-Ý][\w'’.-]+|de|du|van|von|der|le|la|da|di|bin|al|ibn)(?:\s+(?:[A-ZÀ-Ý][\w'’.-]+|de|du|van|von|der|le|la|da|di|bin|al|ibn)){1,3}$"
        )

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        out: list[Signal] = []
        if lang in LANGS:
            credits = self.credit[lang].spans(doc)
            for a, b in self.agencies.spans(doc):
                lead = self.credit_before.search(doc.text, max(0, a - 16), a)
                if lead is not None and (doc.text[lead.start()] != "(" or doc.text[b : b + 1] == ")"):
                    credits.append((lead.start(), b + (doc.text[lead.start()] == "(")))
            if credits:
                out.append(
                    self.flag(
                        doc,
                        "sourcing.credit_line",
                        "Credit line: the text comes from another outlet.",
                        credits,
                    )
                )
        if doc.author:
            out.append(
                Signal(
                    "sourcing.byline",
                    f"Author from the metadata: {doc.author}.",
                    (),
                    1.0,
                    Kind.MEASURE,
                    {"author": doc.author, "source": "metadata"},
                )
            )
            return out
        found = self._text_byline(doc, lang) if lang in LANGS else None
        if found is not None:
            span, source = found
            out.append(
                Signal(
                    "sourcing.byline",
                    f"Byline in the text: {doc.span(span)}.",
                    (Evidence.of(doc, span),),
                    1.0,
                    Kind.MEASURE,
                    {"author": doc.span(span), "source": source},
                )
            )
            return out
        out.append(
            self.absence(
                "sourcing.no_byline",
                f"No author: checked the author metadata, a 'Par'/'By' line and a name line in the first {self.head_paragraphs} paragraphs, and the author part of a dateline.",
            )
        )
        return out

    def _text_byline(self, doc: Document, lang: str) -> tuple[Span, str] | None:
        head = doc.paragraphs[: self.head_paragraphs]
        name_lines: list[Span] = []
        for a, b in head:
            line = doc.text[a:b]
            m = self.byline[lang].match(line)
            if m is not None and len(line) <= self.max_byline_chars + 10:
                return (a + m.start("name"), b), "byline"
            m = self.dateline_author.match(line)
            if m is not None:
                return (a + m.start("who"), a + m.end("who")), "dateline"
            if (
                b - a <= self.max_byline_chars
                and self.name_line.match(line)
                and (a, b) != (doc.paragraphs[0] if doc.title is None else (-1, -1))
            ):
                name_lines.append((a, b))
        if not name_lines:
            return None
        if lang == "fr":
            labels = entity_labels([doc.span(s) for s in name_lines[:2]], lang)
            for span, found in zip(name_lines, labels, strict=False):
                if "PER" in found:
                    return span, "name line"
            return None
        # English: no model; a name line is rare words only ("Jane Doe", not "Latest News").
        for span in name_lines:
            words = doc.span(span).split()
            if all(zipf(w.lower(), "en") < 4.5 for w in words if w[0].isupper()):
                return span, "name line"
        return None

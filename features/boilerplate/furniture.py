"""Furniture of the boilerplate family: lines that are page furniture (navigation, widgets, CMS
artefacts), metadata labels with no value, and lines in another language than the body."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar

from features.base import MAX_EVIDENCE, Feature, Signal
from features.boilerplate.lines import GLUE_RE, LexiconSet, Line, foreign_language, is_prose, lines_of, norm
from features.boilerplate.rules import CMS_ARTEFACT, GLUED_BREADCRUMB, UNKNOWN_WORD, verdicts_of
from features.document import Document, Span
from features.text import HYPHENATED_WORD_RE


def _glue_span(doc: Document, ln: Line) -> Span:
    """The part of a prose line to remove for a breadcrumb glued to its start: up to the last
    lower->upper transition of the first glued token ("À la uneGuerreRussieUkraineLe ..." -> "...Ukraine")."""
    a = ln.span[0]
    for m in HYPHENATED_WORD_RE.finditer(ln.text):
        glued = list(GLUE_RE.finditer(m.group()))
        if len(glued) >= 2 and len(m.group()) >= 8:
            return (a, a + m.start() + glued[-1].start() + 1)
    return ln.span


def merge_lines(doc: Document, spans: Iterable[Span]) -> list[Span]:
    """Line spans merged into blocks where they are consecutive lines (a menu is one piece of evidence)."""
    index = {sp: i for i, sp in enumerate(doc.paragraphs)}
    out: list[Span] = []
    last = -2
    for sp in sorted(spans):
        i = index.get(sp, -2)
        if out and i >= 0 and i == last + 1:
            out[-1] = (out[-1][0], sp[1])
        else:
            out.append(sp)
        last = i
    return out


def chunked_flags(
    feature: Feature, doc: Document, code: str, message: str, spans: Sequence[Span]
) -> list[Signal]:
    """Flags for `code` citing `spans`, split so that no signal exceeds the evidence bound: the clean
    text must remove every span, not only the first ones. The values add up to the number of spans."""
    return [
        feature.flag(doc, code, message, spans[k : k + MAX_EVIDENCE])
        for k in range(0, len(spans), MAX_EVIDENCE)
    ]


class FurnitureLines(Feature):
    """Lines that are page furniture rather than article: navigation and skip links, breadcrumbs
    (also glued to the text), share/comment/newsletter/ad-block/cookie widgets, related-links labels,
    author boxes, comment forms, CMS artefacts.

    Each line gets a score from its shape (length, final punctuation, capitalisation glue, separators,
    position outside the prose, neighbours), furniture lexicons (data/boilerplate/furniture.json) and
    its language; lines at or above `threshold` are flagged.

    Known false positives: a short list of menu-like items inside an article (e.g. a bulleted list of
    services with no punctuation), a one-word line that is a rare proper noun, an article about cookies
    or newsletters with short headings made of those words.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.furniture_line": "A line that is page furniture (navigation, share/comment/newsletter/ad-block/cookie widget, related-links label, author box).",
        "boilerplate.glued_breadcrumb": "A breadcrumb or menu whose items are glued together or to the text ('À la uneGuerreRussie').",
        "boilerplate.cms_artefact": "A template or CMS artefact in the text (snake_case identifier, shortcode, unknown widget label).",
        "boilerplate.furniture_share": "Share of the text's characters in lines flagged as furniture (0-1).",
    }
    removable: ClassVar[frozenset[str]] = frozenset(
        {"boilerplate.furniture_line", "boilerplate.glued_breadcrumb", "boilerplate.cms_artefact"}
    )

    def __init__(self, threshold: float = 3.0) -> None:
        self.threshold = threshold
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        lines = lines_of(doc, self._lex)
        verdicts = verdicts_of(doc, self._lex)
        furniture: list[Span] = []
        glued: list[Span] = []
        artefacts: list[Span] = []
        for ln, v in zip(lines, verdicts, strict=True):
            if ln.glue and (v.score < self.threshold or is_prose(ln, doc.base_language)):
                # A breadcrumb glued to the first words of a prose line: cite (and remove) only the crumb.
                if ln.index < 3 and 0 <= ln.glue_at < 6:
                    glued.append(_glue_span(doc, ln))
                continue
            if v.score < self.threshold:
                continue
            if GLUED_BREADCRUMB in v.rules:
                glued.append(ln.span)
            elif CMS_ARTEFACT in v.rules or UNKNOWN_WORD in v.rules:
                artefacts.append(ln.span)
            else:
                furniture.append(ln.span)
        total = sum(b - a for a, b in doc.paragraphs)
        flagged = sum(b - a for a, b in furniture + glued + artefacts)
        out: list[Signal] = []
        out += chunked_flags(
            self,
            doc,
            "boilerplate.furniture_line",
            "Lines that are page furniture, not article text.",
            merge_lines(doc, furniture),
        )
        out += chunked_flags(
            self,
            doc,
            "boilerplate.glued_breadcrumb",
            "A breadcrumb or menu glued together or to the text.",
            glued,
        )
        out += chunked_flags(
            self, doc, "boilerplate.cms_artefact", "Template or CMS artefacts left in the text.", artefacts
        )
        out.append(
            self.measure(
                "boilerplate.furniture_share",
                "Share of the text in furniture lines.",
                flagged / total if total else 0.0,
            )
        )
        return out


class EmptyMetadataLabel(Feature):
    """Metadata labels a template printed with nothing after them ("Date:", "Vues :", "Auteur : |").

    Known false positives: a heading that is a label word followed by a colon and then a list on the
    next lines ("Sources :" before a list of references).
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.empty_label": "A metadata label (date, views, author...) with no value after it.",
    }
    removable: ClassVar[frozenset[str]] = frozenset({"boilerplate.empty_label"})

    _SPLIT = re.compile(r"[|•·]")

    def __init__(self, max_words: int = 12) -> None:
        self.max_words = max_words
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        labels = self._lex(doc.base_language).labels
        spans: list[Span] = []
        for ln in lines_of(doc, self._lex):
            if ln.n > self.max_words or ":" not in ln.text:
                continue
            pos = 0
            for piece in [*self._SPLIT.split(ln.text)]:
                a = ln.span[0] + pos
                pos += len(piece) + 1
                body = piece.strip()
                if not body:
                    continue
                label, colon, value = body.partition(":")
                if not colon and "：" in body:
                    label, colon, value = body.partition("：")
                if colon and norm(label) in labels and not value.strip(" -–—_.\t"):
                    off = piece.index(body)
                    spans.append((a + off, a + off + len(body)))
        if not spans:
            return []
        return [self.flag(doc, "boilerplate.empty_label", "Metadata labels printed with no value.", spans)]


class ForeignLanguageLines(Feature):
    """Lines in another language than the body (an English comment form or ad-block notice under a
    French article), from cheap stop-word counts per language.

    Not removable: a quotation in another language is article text. Known false positives: a quoted
    sentence or a title of a work in another language.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.foreign_language_line": "A line in another language than the body of the text.",
    }

    def __init__(self, min_hits: int = 3) -> None:
        self.min_hits = min_hits
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in ("fr", "en"):
            return []
        spans: list[Span] = []
        found: dict[str, int] = {}
        for ln in lines_of(doc, self._lex):
            other = foreign_language(ln, lang, min_hits=self.min_hits)
            if other:
                spans.append(ln.span)
                found[other] = found.get(other, 0) + 1
        if not spans:
            return []
        return [
            self.flag(
                doc,
                "boilerplate.foreign_language_line",
                f"Lines in another language than the body ({lang}).",
                spans,
                languages=found,
            )
        ]

"""Repetition of the boilerplate family: lines compared with each other. A headline or paragraph given
twice, a teaser followed by its full text, and trailing paragraphs unrelated to the article."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import ClassVar

from features.base import Feature, Signal, load_lexicon
from features.boilerplate.lines import ELLIPSIS, LexiconSet, Line, lines_of, norm
from features.boilerplate.rules import LineVerdict, verdicts_of
from features.document import Document, Span
from features.text import QUOTE_PAIRS

# How many of the last words of the line before a headline copy are searched for a citation cue.
_CUE_WINDOW = 4


def citation_cues() -> dict[str, frozenset[str]]:
    """Per language, the words that end a line introducing a title ("sous le titre :", "headlined:")."""
    cues = load_lexicon("boilerplate/citation_cues")
    return {k: frozenset(v) for k, v in cues.items() if not k.startswith("_")}


def is_cited(lines: Sequence[Line], k: int, lang: str, cues: Mapping[str, frozenset[str]]) -> bool:
    """Whether line `k` is cited rather than repeated: one quotation as a whole, or right after a line
    that ends by introducing a title."""
    text = lines[k].text.strip().rstrip(".,;:!?…").rstrip()
    for opening, closing in QUOTE_PAIRS:
        if (
            len(text) > 2
            and text.startswith(opening)
            and text.endswith(closing)
            and closing not in text[1:-1]
            and (opening == closing or opening not in text[1:-1])
        ):
            return True
    if k == 0:
        return False
    words = cues.get(lang, frozenset()) | cues.get("en", frozenset())
    prev = lines[k - 1]
    return prev.text.rstrip().endswith(":") and any(t in words for t in prev.tokens[-_CUE_WINDOW:])


class Repetition(Feature):
    """The headline repeated in the body or at the end, a teaser paragraph cut with an ellipsis and then
    given in full, and paragraphs that occur twice. Evidence is the later copy (or the teaser), so that
    the clean text keeps one full copy.

    The headline is `doc.title`, else the first line that is not furniture and reads like a title.
    A copy that is cited is not repeated: a line that is one quotation as a whole (the headline quoted,
    or a quoted headline quoted again), or a line right after a citation cue ("sous le titre :",
    "headlined:", from `data/boilerplate/citation_cues.json`) does not count.
    Known false positives: a short refrain or slogan that an article deliberately repeats.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.repeated_headline": "The headline occurs again in the body or at the end.",
        "boilerplate.teaser_repeated": "A teaser paragraph cut with '...' whose full text follows or precedes it.",
        "boilerplate.duplicate_paragraph": "A paragraph that occurs twice in the text.",
    }
    removable: ClassVar[frozenset[str]] = frozenset(
        {"boilerplate.repeated_headline", "boilerplate.teaser_repeated", "boilerplate.duplicate_paragraph"}
    )

    def __init__(self, min_dup_words: int = 8, min_teaser_words: int = 6, threshold: float = 3.0) -> None:
        self.min_dup_words = min_dup_words
        self.min_teaser_words = min_teaser_words
        self.threshold = threshold
        self._lex = LexiconSet()
        self._cues = citation_cues()

    def _cited(self, lines: Sequence[Line], k: int, lang: str) -> bool:
        return is_cited(lines, k, lang, self._cues)

    def _headline(
        self, doc: Document, lines: Sequence[Line], verdicts: Sequence[LineVerdict]
    ) -> tuple[str | None, int]:
        if doc.title and norm(doc.title):
            # The title line heads the text when it comes before the first long (prose) line.
            title = norm(doc.title)
            for ln in lines[:5]:
                if norm(ln.text) == title:
                    return title, ln.index
                if ln.n >= 12:
                    break
            return title, -1
        for ln, v in zip(lines[:5], verdicts[:5], strict=True):
            if v.score >= self.threshold:
                continue
            # A title: a few words, one sentence at most, not a label or a teaser.
            text = ln.text.rstrip()
            body = text.rstrip(".")
            if (
                3 <= ln.n <= (20 if body != text else 30)
                and not body.endswith((":", *ELLIPSIS))
                and ". " not in body
            ):
                return norm(ln.text), ln.index
            break
        return None, -1

    def extract(self, doc: Document) -> list[Signal]:
        lines = lines_of(doc, self._lex)
        verdicts = verdicts_of(doc, self._lex)
        headline, head_idx = self._headline(doc, lines, verdicts)
        norms = [norm(ln.text) for ln in lines]
        lang = doc.base_language
        repeated = [
            ln.span
            for k, (ln, t) in enumerate(zip(lines, norms, strict=True))
            if headline and t == headline and ln.index != head_idx and not self._cited(lines, k, lang)
        ]
        seen: set[str] = set()
        dups: list[Span] = []
        for ln, t in zip(lines, norms, strict=True):
            if ln.n < self.min_dup_words or t == headline:
                continue
            if t in seen:
                dups.append(ln.span)
            seen.add(t)
        teasers: list[Span] = []
        # The teaser without its ellipsis must start another, longer line; lines sharing a prefix are
        # neighbours in sorted order, so one binary search per teaser bounds the work.
        ordered = sorted(set(norms))
        for ln, t in zip(lines, norms, strict=True):
            if not ln.ellipsis or ln.n < self.min_teaser_words:
                continue
            k = bisect.bisect_left(ordered, t)
            while k < len(ordered) and ordered[k].startswith(t):
                if len(ordered[k]) > len(t):
                    teasers.append(ln.span)
                    break
                k += 1
        out: list[Signal] = []
        if repeated:
            out.append(
                self.flag(
                    doc, "boilerplate.repeated_headline", "The headline is repeated in the text.", repeated
                )
            )
        if teasers:
            out.append(
                self.flag(
                    doc,
                    "boilerplate.teaser_repeated",
                    "A teaser cut with '...' is followed or preceded by its full text.",
                    teasers,
                )
            )
        if dups:
            out.append(
                self.flag(doc, "boilerplate.duplicate_paragraph", "Paragraphs that occur twice.", dups)
            )
        return out


def _stems(line: Line, stop: frozenset[str], min_len: int = 4, prefix: int = 5) -> list[str]:
    """Content-word stems of a line: tokens of `min_len`+ characters that are not stop words or
    numbers, cut to `prefix` characters (a cheap stemmer: "inquiétude" and "inquiétante" meet)."""
    return [t[:prefix] for t in line.tokens if len(t) >= min_len and not t[0].isdigit() and t not in stop]


class OffTopicTail(Feature):
    """Trailing paragraphs whose vocabulary has little to do with the article: the "related articles",
    "latest" or comment blocks that a scraper keeps after the end of the story.

    A tail starts at a related-links marker line ("Lire aussi", "Related") in the second half of the
    text when the paragraphs after it share few content words with the body; without a marker, at least
    `min_paragraphs` trailing paragraphs must each share fewer than `max_overlap` of their content words
    with everything before them. Known false positives: an article whose last paragraphs turn to a new
    subject (a round-up of unrelated news items).
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.offtopic_tail": "Trailing paragraphs (related articles, comments) whose vocabulary is unrelated to the article.",
    }
    removable: ClassVar[frozenset[str]] = frozenset({"boilerplate.offtopic_tail"})

    def __init__(
        self,
        max_overlap: float = 0.1,
        marker_overlap: float = 0.3,
        min_paragraphs: int = 2,
        min_content_words: int = 6,
        min_body_words: int = 60,
        max_tail_share: float = 0.5,
        max_candidates: int = 12,
    ) -> None:
        self.max_overlap = max_overlap
        self.marker_overlap = marker_overlap
        self.min_paragraphs = min_paragraphs
        self.min_content_words = min_content_words
        self.min_body_words = min_body_words
        self.max_tail_share = max_tail_share
        self.max_candidates = max_candidates
        self._lex = LexiconSet()
        self._cues = citation_cues()

    def _cited(self, lines: Sequence[Line], k: int, lang: str) -> bool:
        return is_cited(lines, k, lang, self._cues)

    def extract(self, doc: Document) -> list[Signal]:
        lines = lines_of(doc, self._lex)
        if len(lines) < 4:
            return []
        lang = doc.base_language
        stop = self._lex(lang).stopwords.get(lang, frozenset())
        stems = [_stems(ln, stop) for ln in lines]
        n_chars = len(doc.text)
        start = self._marker_tail(lines, stems, n_chars) or self._plain_tail(lines, stems, n_chars)
        if start is None:
            return []
        tail = (lines[start].span[0], lines[-1].span[1])
        return [
            self.flag(
                doc,
                "boilerplate.offtopic_tail",
                "Trailing paragraphs unrelated to the article.",
                [tail],
                value=len(lines) - start,
            )
        ]

    def _overlap(self, body: set[str], para: list[str]) -> float:
        return sum(1 for s in para if s in body) / len(para)

    def _marker_tail(self, lines: Sequence[Line], stems: Sequence[list[str]], n_chars: int) -> int | None:
        for ln in lines:
            if not (
                ln.starts_with_marker and ln.n <= 6 and ln.span[0] >= n_chars * (1 - self.max_tail_share)
            ):
                continue
            i = ln.index
            body = {s for st in stems[:i] for s in st}
            if sum(len(st) for st in stems[:i]) < self.min_body_words:
                return None
            content = [st for st in stems[i + 1 :] if len(st) >= self.min_content_words]
            if not content:
                # Nothing but short lines after the marker: they are links, the marker opens a tail.
                return i if all(not ln2.terminal or ln2.n <= 6 for ln2 in lines[i + 1 :]) else None
            words = sum(len(c) for c in content)
            shared = sum(1 for c in content for s in c if s in body)
            if shared / words < self.marker_overlap:
                return i
            return None
        return None

    def _plain_tail(self, lines: Sequence[Line], stems: Sequence[list[str]], n_chars: int) -> int | None:
        content_idx = [i for i, st in enumerate(stems) if len(st) >= self.min_content_words]
        if len(content_idx) < self.min_paragraphs + 3:
            return None
        best: int | None = None
        count = 0
        for k in range(len(content_idx) - 1, max(-1, len(content_idx) - 1 - self.max_candidates), -1):
            i = content_idx[k]
            if lines[i].span[0] < n_chars * (1 - self.max_tail_share):
                break
            body_idx = content_idx[:k]
            body = {s for j in body_idx for s in stems[j]}
            if sum(len(stems[j]) for j in body_idx) < self.min_body_words:
                break
            if self._overlap(body, stems[i]) >= self.max_overlap:
                break
            count += 1
            best = i
        if best is None or count < self.min_paragraphs:
            return None
        # Short lines just before the first off-topic paragraph (its title, a label) belong to the tail.
        j = best
        while (
            j > 0
            and len(stems[j - 1]) < self.min_content_words
            and not lines[j - 1].terminal
            and j - 1 > content_idx[0]
        ):
            j -= 1
        return j

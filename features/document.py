"""The one `Document` type that flows from the input edge through every feature to the scorer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from features.text import WORD_RE, word_runs

# A paragraph is a run of text between blank lines (or between single line breaks: scraped text often
# has one line per block). Both are kept: `paragraphs` splits on any line break, `blocks` on blank lines.
_LINE_RE = re.compile(r"[^\n]+")
_BLOCK_RE = re.compile(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*")
# Sentence end: ., !, ? or … (optionally followed by closing quotes/brackets), then space and an
# upper-case letter, a digit or an opening quote. Linear: a run of end marks is tried once, from its
# first mark (the lookbehind), and taken whole (possessive): without both, a run of n marks that no
# capital follows ("?!?!…") is retried from each of its marks, n²/2 steps.
_SENT_END_RE = re.compile(r"(?<![.!?…])[.!?…]++[\"'»”’)\]]*+(?=\s++[\"'«“(\[]?[A-ZÀ-ÖØ-Þ0-9])|\n")

Span = tuple[int, int]
T = TypeVar("T")


class MemoKey(str, Generic[T]):
    """The name of a derived view that `Document.memo` keeps once per document, typed with the view's
    type so that a reader gets back what the writer stored. Keys are namespaced by family
    ("translation.leaked") and declared as module constants next to the function that computes them."""

    __slots__ = ()

    def of(self, *params: object) -> MemoKey[T]:
        """The key of the same view computed with other parameters: one memo entry per parameter set."""
        return MemoKey(".".join([self, *map(str, params)]))


WORDS: MemoKey[tuple[Span, ...]] = MemoKey("words")
WORD_TEXTS: MemoKey[list[str]] = MemoKey("word_texts")
LOWER_TEXT: MemoKey[str] = MemoKey("lower_text")
LOWER_WORDS: MemoKey[list[str]] = MemoKey("lower_words")
WORD_RUNS: MemoKey[dict[str, list[int]]] = MemoKey("word_runs")
HEAD: MemoKey[Document] = MemoKey("head")


def _spans(pattern: re.Pattern[str], text: str) -> tuple[Span, ...]:
    return tuple(m.span() for m in pattern.finditer(text) if not m.group().isspace())


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split `text[start:end]` into sentence spans (offsets into `text`), stripped of outer space."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    pos = start
    for m in _SENT_END_RE.finditer(text, start, end):
        cut = m.end() if m.group() != "\n" else m.start()
        _append_stripped(text, pos, cut, spans)
        pos = m.end()
    _append_stripped(text, pos, end, spans)
    return spans


# How far before the limit a cut may move back to find a line break or a blank.
_CUT_BACKOFF = 1_000


def cut_point(text: str, limit: int) -> int:
    """Where to cut `text` to keep at most `limit` characters: after the last line break, else the last
    blank, of the `_CUT_BACKOFF` characters before `limit`; `limit` itself when there is neither."""
    if len(text) <= limit:
        return len(text)
    lo = max(0, limit - _CUT_BACKOFF)
    for sep in ("\n", " "):
        i = text.rfind(sep, lo, limit)
        if i > 0:
            return i + 1 if sep == "\n" else i
    return limit


def _append_stripped(text: str, a: int, b: int, out: list[Span]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append((a, b))


@dataclass(frozen=True, slots=True)
class Document:
    """An article as the scorer sees it: body text plus whatever metadata the input carried.

    `text` is what every evidence offset indexes. `paragraphs` (one per non-empty line), `blocks`
    (runs of lines between blank lines) and `sentences` are spans into `text`, computed once here so
    that no feature splits the text again.
    """

    text: str
    id: str = ""
    title: str | None = None
    url: str | None = None
    author: str | None = None
    published: dt.date | None = None
    published_source: str | None = None  # where `published` came from: "metadata", "record", ...
    sitename: str | None = None
    language: str = "und"
    language_confidence: float = 0.0
    origin: str = "text"  # "text" | "html" | "record"
    # HTML input only: the visible text of the whole page, and what the extractor dropped from it.
    page_text_chars: int | None = None
    removed_text: str | None = None
    # Fields present in the input but empty ("date": "") are recorded so dating can flag them.
    empty_fields: tuple[str, ...] = ()
    # The metadata the input had a place for ("published", "author", ...), filled or not: every field of
    # an HTML page, those of a record with metadata, none for a bare text. An absence ("no date", "no
    # byline") counts in the score only where there was a place for what is missing.
    metadata_places: frozenset[str] = frozenset()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    paragraphs: tuple[Span, ...] = field(init=False, compare=False, repr=False)
    blocks: tuple[Span, ...] = field(init=False, compare=False, repr=False)
    sentences: tuple[Span, ...] = field(init=False, compare=False, repr=False)
    # Per-document memo for derived views (word spans, a parse) that several features share.
    _memo: dict[str, Any] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Document.text must be str, not {type(self.text).__name__}")
        object.__setattr__(self, "paragraphs", _spans(_LINE_RE, self.text))
        object.__setattr__(self, "blocks", _spans(_BLOCK_RE, self.text))
        sentences: list[Span] = []
        for a, b in self.paragraphs:
            sentences.extend(split_sentences(self.text, a, b))
        object.__setattr__(self, "sentences", tuple(sentences))

    def head(self, limit: int) -> Document:
        """This document cut to at most `limit` characters, at the last line break (else blank) of the
        last `_CUT_BACKOFF` characters before the limit, so that no word is split; the document itself when
        it is no longer. The text is a prefix of `text`, so every offset into it is an offset into `text`.
        Computed once per limit: the features that analyse a bounded text share it and its derived views."""
        if len(self.text) <= limit:
            return self
        cut = cut_point(self.text, limit)
        return self.memo(HEAD.of(limit), lambda: replace(self, text=self.text[:cut]))

    def span(self, span: Span) -> str:
        """The text of a span."""
        return self.text[span[0] : span[1]]

    @property
    def words(self) -> tuple[Span, ...]:
        """Word spans over the whole text (letters, digits, inner apostrophes and hyphens)."""
        cached = self._memo.get(WORDS)
        if cached is None:
            cached = tuple(map(re.Match.span, WORD_RE.finditer(self.text)))
            self._memo[WORDS] = cached
        return cached  # type: ignore[no-any-return]

    @property
    def word_texts(self) -> list[str]:
        """The text of each of `words`, as written."""
        cached = self._memo.get(WORD_TEXTS)
        if cached is None:
            # Slicing the spans costs half of a second regex pass (findall).
            text = self.text
            cached = self._memo[WORD_TEXTS] = [text[a:b] for a, b in self.words]
        return cached  # type: ignore[no-any-return]

    @property
    def lower_text(self) -> str:
        """`text` lower-cased (the same length as `text` for nearly every text, not for all: "İ")."""
        cached = self._memo.get(LOWER_TEXT)
        if cached is None:
            cached = self._memo[LOWER_TEXT] = self.text.lower()
        return cached  # type: ignore[no-any-return]

    @property
    def lower_words(self) -> list[str]:
        """Each of `words` lower-cased: sliced from `lower_text` when lower-casing kept every offset,
        else lower-cased one by one."""
        cached = self._memo.get(LOWER_WORDS)
        if cached is None:
            low = self.lower_text
            if len(low) == len(self.text):
                cached = [low[a:b] for a, b in self.words]
            else:
                cached = [w.lower() for w in self.word_texts]
            self._memo[LOWER_WORDS] = cached
        return cached  # type: ignore[no-any-return]

    @property
    def word_runs(self) -> dict[str, list[int]]:
        """Runs of word characters, folded as a case-insensitive regex compares letters, with their
        start offsets (`features.text.word_runs`): where a phrase list can match (`PhraseSearch`)."""
        cached = self._memo.get(WORD_RUNS)
        if cached is None:
            cached = self._memo[WORD_RUNS] = word_runs(self.text, self.lower_text)
        return cached  # type: ignore[no-any-return]

    def memo(self, key: MemoKey[T], make: Callable[[], T]) -> T:
        """Return the shared derived value `key`, computing it once with `make()`."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]  # type: ignore[no-any-return]

    @property
    def base_language(self) -> str:
        """The primary language subtag ("fr" for "fr-CA")."""
        return self.language.split("-")[0].lower()

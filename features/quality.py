"""Input quality: is there enough real text to judge at all?

A score says how a text reads as edited original reporting; a handful of words, or text that is not
language (one token repeated, digits, punctuation, invisible characters), cannot be read that way. These
signals say so, and the engine caps the score of such input (`scorer.engine.SCORE_CAPS`), so that
"ok", an empty text or a navigation-only page is never labelled "high".
"""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from features.base import Feature, Kind, Signal
from features.document import Document, Span

# Below this many words (tokens with at least one letter) a text is too short to judge: a headline and a
# sentence or two, where no signal family has anything to read.
MIN_WORDS = 40
# Evidence of these whole-text signals is the text itself, cut to this many characters.
EVIDENCE_CHARS = 300


def _text_span(doc: Document) -> Span | None:
    """The text without its outer white space, cut to EVIDENCE_CHARS; None when nothing is left."""
    text = doc.text
    a, b = 0, len(text)
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, min(b, a + EVIDENCE_CHARS)) if b > a else None


class InputQuality(Feature):
    """Too short and degenerate input.

    `quality.too_short`: fewer than `min_words` words with a letter. `quality.degenerate`: the text is not
    language: no word with a letter, fewer than half of its visible characters letters, most of its
    letters in absurdly long tokens ("AAAA…"), one word making up most of the words ("mot mot mot"), or
    `min_words` words or more without any sentence punctuation.

    Known false positives: a data table or a list of figures reads as degenerate (fewer letters than
    other characters); a poem or a keyword list without punctuation as "no sentence".
    """

    family: ClassVar[str] = "quality"
    codes: ClassVar[dict[str, str]] = {
        "quality.too_short": f"Fewer than {MIN_WORDS} words: too short to judge (the score is capped below 'high'); evidence is the text.",
        "quality.degenerate": "Text that is not language (one repeated token, no letters, no sentences); the score is capped to 'very_low'.",
    }

    def __init__(
        self,
        min_words: int = MIN_WORDS,
        max_word_chars: int = 40,
        max_top_share: float = 0.5,
        min_letter_share: float = 0.5,
    ) -> None:
        self.min_words = min_words
        self.max_word_chars = max_word_chars
        self.max_top_share = max_top_share
        self.min_letter_share = min_letter_share

    def extract(self, doc: Document) -> list[Signal]:
        span = _text_span(doc)
        # Per-character tests mapped in C (a generator per character cost ~1 ms per article).
        words = [w for w in doc.lower_words if w.isalpha() or any(map(str.isalpha, w))]
        out: list[Signal] = []
        if len(words) < self.min_words:
            msg = f"{len(words)} words: fewer than {self.min_words}, too short to judge."
            if span is None:
                out.append(Signal("quality.too_short", msg, (), 1.0, Kind.ABSENCE, {"words": 0}))
            else:
                out.append(self.flag(doc, "quality.too_short", msg, [span], value=1.0, words=len(words)))
        if span is None:
            return out
        why = self._degenerate(doc, words)
        if why:
            out.append(
                self.flag(doc, "quality.degenerate", f"Not language: {why}.", [span], value=1.0, reason=why)
            )
        return out

    def _degenerate(self, doc: Document, words: list[str]) -> str | None:
        if not words:
            return "no word with a letter"
        visible = len(doc.text) - sum(map(str.isspace, doc.text))
        letters = sum(map(str.isalpha, doc.text))
        if letters < self.min_letter_share * visible:
            return f"{letters} letters among {visible} visible characters"
        long_letters = sum(len(w) for w in words if len(w) > self.max_word_chars)
        if 2 * long_letters > letters:
            return f"most letters in tokens longer than {self.max_word_chars} characters"
        top, n = Counter(words).most_common(1)[0]
        if len(words) >= 2 and (n == len(words) or (len(words) >= 4 and n > self.max_top_share * len(words))):
            return f"the word '{top[:40]}' is {n} of {len(words)} words"
        if len(words) >= self.min_words and not any(mark in doc.text for mark in ".!?…;:"):
            return f"{len(words)} words and no sentence punctuation"
        return None


FEATURES: list[type[Feature]] = [InputQuality]

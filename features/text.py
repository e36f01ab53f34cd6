"""Text toolbox shared by the feature families: token patterns, alternations built from word lists,
whole-word search and quotation spans.

Every family cuts text into tokens and looks words up in lexicons; the patterns and builders live here
once so that two families never disagree on what a word or a quotation is. Nothing here knows about
`Document`: these are functions of strings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping

# --------------------------------------------------------------------------------------------------
# Token patterns
# --------------------------------------------------------------------------------------------------

# A word: letters and digits with inner apostrophes and hyphens ("aujourd'hui", "porte-parole").
# `Document.words` cuts text with it, so every family counts the same words.
WORD = r"\w+(?:['’\-]\w+)*"
# A word whose apostrophes split it ("l'armée" -> "l", "armée"), so that elided articles count as the
# stop words they are; hyphens stay inside.
HYPHENATED_WORD = r"\w+(?:-\w+)*"
# A bare run of word characters.
WORD_RUN = r"\w+"
# A French elided article, pronoun or conjunction with its apostrophe ("l'", "qu'").
ELIDED = r"(?:[Qq]u|[DdLlJjMmNnTtSsCc])['’]"
# A token of a source phrase: an elided word, a word with inner hyphens or dots ("U.S.", "Jean-Luc"), or
# the punctuation that delimits an apposition.
PHRASE_TOKEN = ELIDED + r"|\w+(?:[-.]\w+)*|[,()]"

WORD_RE = re.compile(WORD)
HYPHENATED_WORD_RE = re.compile(HYPHENATED_WORD)
WORD_RUN_RE = re.compile(WORD_RUN)
PHRASE_TOKEN_RE = re.compile(PHRASE_TOKEN)

APOSTROPHES = "'’"
# Typography folded to ASCII where it is the publisher's style, not the writer's (quote, apostrophe and
# dash styles, the ellipsis character): what the MT estimates must neither learn nor score.
TYPOGRAPHY_FOLD: dict[str, str] = {
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "’": "'",
    "‘": "'",
    "–": "-",
    "—": "-",
    "…": "...",
}


# --------------------------------------------------------------------------------------------------
# Alternations
# --------------------------------------------------------------------------------------------------


def alternation(words: Iterable[str]) -> str:
    """A regex alternation matching any of `words` literally, longest first: a word is tried before its
    own prefixes, so the longest listed word wins at each position."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def char_class(chars: Iterable[str]) -> str:
    """A regex character class matching any of `chars`."""
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


# --------------------------------------------------------------------------------------------------
# Phrase lists searched from their first words
# --------------------------------------------------------------------------------------------------

# Letters that a case-insensitive regex takes for a Latin letter but `str.lower()` does not turn into
# it: dotted capital I (lower-cased to two characters, "i" and a combining dot), dotless i and long s.
# `regex_fold` maps them first (tests/test_text.py checks the fold over every code point).
_REGEX_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_REGEX_FOLD_CHARS = frozenset(map(chr, _REGEX_FOLD))


def regex_fold(text: str, lower: str | None = None) -> str:
    """`text` with its letters folded as a case-insensitive regex compares them with the Latin
    letters of a lexicon: lower-cased, and "İ", "ı", "ſ" made "i", "i", "s". `lower` is `text.lower()`
    when the caller has it."""
    if _REGEX_FOLD_CHARS.isdisjoint(text):
        return text.lower() if lower is None else lower
    return text.translate(_REGEX_FOLD).lower()


def word_runs(text: str, lower: str | None = None) -> dict[str, list[int]]:
    """Every maximal run of word characters (`WORD_RUN`) of `text`, folded (`regex_fold`), with the
    offsets where it starts, in order."""
    folded = regex_fold(text, lower)
    runs: dict[str, list[int]] = {}
    if len(folded) == len(text):  # folding kept every offset: slice the folded text
        for m in WORD_RUN_RE.finditer(text):
            a, b = m.span()
            runs.setdefault(folded[a:b], []).append(a)
    else:
        for m in WORD_RUN_RE.finditer(text):
            runs.setdefault(regex_fold(m.group()), []).append(m.start())
    return runs


class PhraseSearch:
    """`pattern.finditer(text)` for a case-insensitive alternation of phrases that each begin with a
    whole word (`\\b(?:…)` where every alternative spells its phrase's first word letter for letter, then
    a non-word character or a word boundary), tried only where one of those first words starts.

    A regex of many alternatives tries each at every position of the text (tens of milliseconds for
    a few hundred phrases on a 5 KB article); a match can only start at a run of word characters that
    is exactly some phrase's first word (its letters are word characters, and what follows them in
    the phrase is not), so trying the same pattern at those starts alone, left to right, gives the
    same matches with the same alternative winning each."""

    def __init__(self, pattern: re.Pattern[str], phrases: Iterable[str]) -> None:
        if not pattern.flags & re.IGNORECASE:
            raise ValueError("PhraseSearch expects a case-insensitive pattern")
        first: set[str] = set()
        for phrase in phrases:
            m = WORD_RUN_RE.match(phrase)
            if m is None:
                raise ValueError(f"phrase {phrase!r} does not begin with a word character")
            first.add(regex_fold(m.group()))
        self.pattern = pattern
        self.first_words = frozenset(first)

    def finditer(self, text: str, runs: Mapping[str, list[int]]) -> Iterator[re.Match[str]]:
        """The matches of `pattern` in `text`, as `finditer` gives them; `runs` is `word_runs(text)`."""
        hits = self.first_words.intersection(runs)
        if not hits:
            return
        starts = sorted(a for w in hits for a in runs[w])
        match = self.pattern.match
        pos = 0
        for a in starts:
            if a < pos:
                continue  # inside the previous match: finditer resumes after it
            m = match(text, a)
            if m is not None:
                yield m
                pos = m.end()


# --------------------------------------------------------------------------------------------------
# Whole-word search
# --------------------------------------------------------------------------------------------------


def whole_words(pattern: str) -> str:
    """`pattern` standing as whole words: no word character glued on either side."""
    return rf"(?<!\w)(?:{pattern})(?!\w)"


def has_word(text: str, word: str) -> bool:
    """Whether `word` occurs in `text` as a whole word."""
    return re.search(whole_words(re.escape(word)), text) is not None


def starts_word(text: str, a: int, b: int) -> bool:
    """Whether the word `text[a:b]` stands whole at `a`, as `WORD` cuts words: no letter, digit or
    joined apostrophe/hyphen on either side."""
    if b < len(text) and (
        text[b].isalnum()
        or text[b] == "_"
        or text[b] in "'’-"
        and b + 1 < len(text)
        and (text[b + 1].isalnum() or text[b + 1] == "_")
    ):
        return False
    return not (
        a
        and (
            text[a - 1].isalnum()
            or text[a - 1] == "_"
            or text[a - 1] in "'’-"
            and a > 1
            and text[a - 2].isalnum()
        )
    )


def find_whole_word(text: str, word: str) -> list[int]:
    """Offsets where `word` stands as a whole word in `text` (as `starts_word` tests it). No regex is
    compiled per word: a corpus keeps bringing new verb forms, each of which would be a new pattern."""
    out = []
    n = len(word)
    a = text.find(word)
    while a >= 0:
        if starts_word(text, a, a + n):
            out.append(a)
        a = text.find(word, a + 1)
    return out


# --------------------------------------------------------------------------------------------------
# Quotations
# --------------------------------------------------------------------------------------------------

# Opening and closing marks of a quotation: French guillemets, English curly quotes, straight quotes,
# German low-high quotes.
QUOTE_PAIRS: tuple[tuple[str, str], ...] = (("«", "»"), ("“", "”"), ('"', '"'), ("„", "“"))


def quotation_pattern(
    max_chars: int,
    *,
    min_chars: int = 0,
    pairs: Iterable[tuple[str, str]] = QUOTE_PAIRS,
    reopened_guillemets: bool = False,
    parentheses: int | None = None,
) -> re.Pattern[str]:
    """A pattern for quotations of `min_chars` to `max_chars` characters on one line, for each pair of
    marks in `pairs`. The bound keeps the search linear. `reopened_guillemets` also accepts a «
    closed by a second « (a common typing slip); `parentheses` adds parenthesised asides of at most
    that many characters."""
    parts = []
    for opening, closing in pairs:
        body = "[^" + re.escape(opening + closing if opening != closing else opening) + r"\n]"
        end = "[»«]" if opening == "«" and reopened_guillemets else re.escape(closing)
        parts.append(f"{re.escape(opening)}{body}{{{min_chars},{max_chars}}}{end}")
    if parentheses is not None:
        parts.append(rf"\([^()\n]{{{min_chars},{parentheses}}}\)")
    return re.compile("|".join(parts))


def quoted_speech_spans(text: str, max_chars: int = 600) -> list[tuple[int, int]]:
    """Spans of the quotations of `text` (any pair of `QUOTE_PAIRS`), in order, each inside one line (a
    paragraph as the text gives it) and at most `max_chars` long. A line with an odd number of straight
    quotes cannot be paired reliably: its straight-quote spans are left out, so that an unbalanced mark
    never turns the prose between two quotations into a quotation."""
    pattern = _speech_pattern(max_chars)
    out: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        if any(ch in line for ch in _QUOTE_MARKS):
            odd_straight = line.count('"') % 2 == 1
            for m in pattern.finditer(line):
                if odd_straight and m.group().startswith('"'):
                    continue
                out.append((start + m.start(), start + m.end()))
        start += len(line) + 1
    return out


_QUOTE_MARKS = frozenset(ch for pair in QUOTE_PAIRS for ch in pair)
_SPEECH_PATTERNS: dict[int, re.Pattern[str]] = {}


def _speech_pattern(max_chars: int) -> re.Pattern[str]:
    pat = _SPEECH_PATTERNS.get(max_chars)
    if pat is None:
        pat = _SPEECH_PATTERNS.setdefault(max_chars, quotation_pattern(max_chars))
    return pat


def inside_any(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether `pos` falls inside one of `spans` (sorted by start, not overlapping)."""
    i = bisect_right(spans, pos, key=lambda sp: sp[0]) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]

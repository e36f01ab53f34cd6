"""Finding phrases in a document for the sourcing family: whole-word lookups of lexicon phrases, the
distinct words of a text, and the words after a cue that name a source."""

from __future__ import annotations

import re
from collections.abc import Iterable

from features.document import Document, MemoKey, Span
from features.text import PHRASE_TOKEN_RE, WORD_RE, find_whole_word, starts_word

LANGS = ("fr", "en")
# Phrase length bound (tokens): a source is named within a few words of its cue.
MAX_PHRASE_TOKENS = 12
# Where a source phrase ends: punctuation, a quote, or a subordinate clause.
_PHRASE_STOP_RE = re.compile(r"[.;:!?«»\"“”(\n]|,|\s(?:que|qu['’]|qui|dont|that|who|which|on|in|at|to)\s")
# ", Anne Le Goff." closing a sentence: two to four capitalised words (particles allowed) in apposition.
_APPOSED_NAME_RE = re.compile(
    r",\s+(?P<name>[A-ZÀ-Ý][\w'’-]+(?:\s+(?:[A-ZÀ-Ý][\w'’-]+|de|du|van|von|le|la|da|di)){1,3})\s*(?:[.;!?]|$)"
)

WORD_SET: MemoKey[set[str]] = MemoKey("sourcing.word_set.False")
WORD_SET_CASED: MemoKey[set[str]] = MemoKey("sourcing.word_set.True")


class PhraseIndex:
    """Whole-word phrase lookup over a document's word spans: one dict lookup per word instead of a regex
    alternation tried at every character (the lexicons have hundreds of entries)."""

    def __init__(self, phrases: Iterable[str], case_sensitive: bool = False) -> None:
        self.case_sensitive = case_sensitive
        self.index: dict[str, list[str]] = {}
        for p in sorted(set(phrases), key=len, reverse=True):
            key = p if case_sensitive else p.lower()
            first = WORD_RE.match(key)
            if first is not None:
                self.index.setdefault(first.group(), []).append(key)

    def spans(self, doc: Document) -> list[Span]:
        """Spans of `doc.text` where a phrase starts at a word and ends at a word boundary (longest first)."""
        text = doc.text
        search = _searchable(doc, self.case_sensitive)
        # Each phrase is looked for with `str.find`, in C, instead of checking every occurrence of its
        # first word ("de", "il") in Python. That reads the phrase in the searchable text, which is
        # what `text[a:e].lower()` gives for it unless lower-casing changed a length or met a capital
        # sigma (whose lower case depends on its neighbours); and a found phrase starts a whole word
        # exactly when `word_starts` says so unless a "_" joins an apostrophe or hyphen. Documents with
        # any of these take the word-by-word path.
        if "_" in search or not self.case_sensitive and (search is text or "Σ" in text):
            return self._spans_by_word(doc)
        keys = self.index.keys() if self.case_sensitive else self.index.keys() & word_set(doc)
        n = len(text)
        out: list[Span] = []
        for key in keys:
            k = len(key)
            found: dict[int, int] = {}
            for p in self.index[key]:  # longest first: the first phrase found at an offset is kept
                m = len(p)
                a = search.find(p)
                while a >= 0:
                    e = a + m
                    if (
                        a not in found
                        and starts_word(search, a, a + k)
                        and (e >= n or not text[e].isalnum() or p[-1] in "'’")
                    ):
                        found[a] = e
                    a = search.find(p, a + 1)
            out.extend(found.items())
        return sorted(out)

    def _spans_by_word(self, doc: Document) -> list[Span]:
        text, out = doc.text, []
        for key in self.index.keys() & word_set(doc, self.case_sensitive):
            for a in word_starts(doc, key, self.case_sensitive):
                for p in self.index[key]:
                    e = a + len(p)
                    seg = text[a:e]
                    if (seg if self.case_sensitive else seg.lower()) == p and (
                        e >= len(text) or not text[e].isalnum() or p[-1] in "'’"
                    ):
                        out.append((a, e))
                        break
        return sorted(out)


def _searchable(doc: Document, case_sensitive: bool) -> str:
    """The text to search: itself, or lower-cased when that keeps every offset (it nearly always does)."""
    if case_sensitive:
        return doc.text
    low = doc.lower_text
    return low if len(low) == len(doc.text) else doc.text


def word_set(doc: Document, case_sensitive: bool = False) -> set[str]:
    """The distinct words of `doc` (lower-cased unless `case_sensitive`), once per document: lexicon
    lookups are then set intersections done in C, not a Python loop over every word."""
    # From the document's shared word lists (`doc.words` cut once for every family): lower-casing that
    # keeps the length keeps each character's class (word character, apostrophe or hyphen, other), so
    # the words are the same in the lower-cased text.
    key = WORD_SET_CASED if case_sensitive else WORD_SET

    def make() -> set[str]:
        if case_sensitive or _searchable(doc, False) is doc.text:
            return set(doc.word_texts)
        return set(doc.lower_words)

    return doc.memo(key, make)


def word_starts(doc: Document, word: str, case_sensitive: bool = False) -> list[int]:
    """Offsets where `word` (lower case unless `case_sensitive`) stands as a whole word in `doc.text`,
    as `Document.words` cuts words: no letter, digit or joined apostrophe/hyphen on either side."""
    return find_whole_word(_searchable(doc, case_sensitive), word)


def comma_chunks(text: str, a: int, b: int) -> list[Span]:
    out = []
    pos = a
    i = text.find(",", a, b)
    while i >= 0:
        out.append((pos, i))
        pos = i + 1
        i = text.find(",", pos, b)
    out.append((pos, b))
    # Trim spaces so that chunk starts point at a word.
    trimmed = []
    for x, y in out:
        while x < y and text[x].isspace():
            x += 1
        while y > x and text[y - 1].isspace():
            y -= 1
        trimmed.append((x, y))
    return trimmed


def phrase_after(text: str, a: int, limit: int) -> Span | None:
    """The source words after a cue: up to punctuation or a clause, at most MAX_PHRASE_TOKENS tokens, plus
    a name in apposition that closes the sentence ("a déclaré la maire, Anne Le Goff.")."""
    end = min(limit, a + 120)
    m = _PHRASE_STOP_RE.search(text, a, end)
    b = m.start() if m else end
    tokens = list(PHRASE_TOKEN_RE.finditer(text, a, b))
    if not tokens:
        return None
    tokens = tokens[:MAX_PHRASE_TOKENS]
    apposed = _APPOSED_NAME_RE.match(text, tokens[-1].end(), limit)
    if apposed is not None:
        return tokens[0].start(), apposed.end("name")
    return tokens[0].start(), tokens[-1].end()

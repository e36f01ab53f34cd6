"""Line measures of the boilerplate family: every member works on lines (`doc.paragraphs`: scraped
text has one block per line). Tokens, stop words per language, furniture lexicon hits and shape are
computed once per document and shared through `doc.memo`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from features.base import load_lexicon
from features.document import Document, MemoKey, Span
from features.nlp import zipf
from features.text import HYPHENATED_WORD_RE, char_class

# A lower-case letter directly followed by an upper-case one inside a token: "uneGuerre".
GLUE_RE = re.compile(r"[a-zà-öø-ÿ][A-ZÀ-ÖØ-Þ]")
# The same test anchored on the capital, for "is there any": capitals are rarer than lower-case letters,
# so the regex engine stops at far fewer places.
_GLUE_ANY_RE = re.compile(r"[A-ZÀ-ÖØ-Þ](?<=[a-zà-öø-ÿ][A-ZÀ-ÖØ-Þ])")
_GLUE_SPLIT_RE = re.compile(r"([a-zà-öø-ÿ])([A-ZÀ-ÖØ-Þ])")
# Template and CMS artefacts: snake_case identifiers, shortcodes, unrendered template variables.
_ARTEFACT_RE = re.compile(
    r"\b[a-z]{2,20}_[a-z_]{2,30}\b|\[/?[a-z_]{3,30}(?: [^\]\n]{0,200})?\]|\{\{[^}\n]{0,100}\}\}|%%[a-z_]{2,30}%%"
)
_TERMINAL = frozenset('.!?»"”…)')
_SEPARATORS = "|›»>•·/"
_SEPARATOR_ANY_RE = re.compile(char_class(_SEPARATORS))
ELLIPSIS = ("...", "…")


def norm(text: str) -> str:
    """Lower case, no accents-insensitive folding, single spaces, no edge punctuation: for comparisons."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return " ".join(text.split()).strip(" .,;:!?…\"'«»“”-–—")


@dataclass(frozen=True, slots=True)
class Lexicons:
    """The furniture vocabulary of one document language (its own lists plus English ones, since
    English theme strings are common on pages in any language)."""

    phrases: frozenset[tuple[str, ...]]
    prefixes: frozenset[
        tuple[str, ...]
    ]  # every prefix of a phrase or marker: n-grams stop growing outside it
    words: frozenset[str]
    markers: frozenset[tuple[str, ...]]
    labels: frozenset[str]
    stopwords: Mapping[str, frozenset[str]]
    stop_index: Mapping[str, tuple[str, ...]]  # word -> languages it is a stop word of
    max_phrase: int
    firsts: frozenset[str]  # first words of the phrases and markers: where an n-gram can start


def build_lexicons(lang: str) -> Lexicons:
    """The furniture lexicons that apply to a document in `lang` ("fr", "en" or "other")."""
    data = load_lexicon("boilerplate/furniture")
    stop = load_lexicon("boilerplate/stopwords")
    langs = [lang, "en"] if lang == "fr" else ["en"]

    def phrases(key: str) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(HYPHENATED_WORD_RE.findall(p.lower())) for la in langs for p in data[la][key])

    ph = phrases("phrases")
    mk = phrases("markers")
    stops = {k: frozenset(v) for k, v in stop.items() if not k.startswith("_")}
    index: dict[str, tuple[str, ...]] = {}
    for la, words in sorted(stops.items()):
        for w in words:
            index[w] = (*index.get(w, ()), la)
    return Lexicons(
        phrases=ph,
        prefixes=frozenset(p[:k] for p in ph | mk for k in range(1, len(p) + 1)),
        words=frozenset(w for la in langs for w in data[la]["words"]),
        markers=mk,
        labels=frozenset(norm(w) for la in langs for w in data[la]["labels"]),
        stopwords=stops,
        stop_index=index,
        max_phrase=max(len(p) for p in ph | mk),
        firsts=frozenset(p[0] for p in ph | mk),
    )


class LexiconSet:
    """The lexicons of every supported language, loaded once when a feature is built."""

    def __init__(self) -> None:
        self._by_lang = {la: build_lexicons(la) for la in ("fr", "en", "other")}

    def __call__(self, lang: str) -> Lexicons:
        """The lexicons for a document in `lang`."""
        return self._by_lang.get(lang, self._by_lang["other"])


@dataclass(slots=True)
class Line:
    """Measures of one line of the document (a `doc.paragraphs` span)."""

    index: int
    span: Span
    text: str
    tokens: list[str]  # lower case
    stop_hits: dict[str, int]  # language -> number of its stop words in the line
    phrase_hits: int  # furniture phrases found
    phrase_len: int  # tokens in the longest furniture phrase found
    starts_with_marker: bool  # the line opens with a related-links/comments marker
    word_share: float  # share of tokens that are furniture words
    glue: int  # lower->upper transitions inside tokens (glued breadcrumbs)
    glue_at: int  # token index of the first glued token (-1 if none)
    separators: int
    artefact: bool
    terminal: bool
    ellipsis: bool
    n: int  # number of tokens


def _ngram_hits(
    tokens: Sequence[str],
    table: frozenset[tuple[str, ...]],
    prefixes: frozenset[tuple[str, ...]],
    longest: int,
    firsts: frozenset[str],
) -> tuple[int, int]:
    """How many lexicon phrases occur in `tokens`, and the longest hit."""
    hits = 0
    best = 0
    n = len(tokens)
    # A phrase starts at a word that starts some phrase: a set lookup rules out most tokens before any
    # n-gram is built.
    for i in [i for i, t in enumerate(tokens) if t in firsts]:
        for k in range(1, min(longest, n - i) + 1):
            gram = tuple(tokens[i : i + k])
            if gram not in prefixes:
                break
            if gram in table:
                hits += 1
                best = max(best, k)
    return hits, best


def _starts_with(
    tokens: Sequence[str],
    table: frozenset[tuple[str, ...]],
    prefixes: frozenset[tuple[str, ...]],
    longest: int,
) -> bool:
    """Whether a lexicon phrase starts at token 0 of `tokens`."""
    for k in range(1, min(longest, len(tokens)) + 1):
        gram = tuple(tokens[:k])
        if gram not in prefixes:
            return False
        if gram in table:
            return True
    return False


def analyse_line(index: int, span: Span, text: str, lex: Lexicons) -> Line:
    """The measures of one line (also used on the removed text of HTML pages)."""
    glue = 0
    glue_at = -1
    if _GLUE_ANY_RE.search(text) is None:  # the common case: no token with an inner capital
        tokens = HYPHENATED_WORD_RE.findall(text.lower())
    else:
        # Split glued breadcrumbs ("uneGuerreRussie") so that their words are looked up too. Handles
        # and hashtags ("@realDonaldTrump") are names, not breadcrumbs.
        tokens = []
        for m in HYPHENATED_WORD_RE.finditer(text):
            t = m.group()
            g = len(GLUE_RE.findall(t)) if len(t) >= 8 else 0
            if (
                g >= 2
                and not (m.start() and text[m.start() - 1] in "@#/")
                and not any(c.isdigit() for c in t)
            ):
                glue += g
                glue_at = len(tokens) if glue_at < 0 else glue_at
                tokens.extend(_GLUE_SPLIT_RE.sub(r"\1 \2", t).lower().split())
            else:
                tokens.append(t.lower())
    stop_hits = dict.fromkeys(lex.stopwords, 0)
    stop_index = lex.stop_index
    for langs in [stop_index[t] for t in tokens if t in stop_index]:
        for la in langs:
            stop_hits[la] += 1
    # A furniture phrase only changes the verdict of a short line or at a line's start: long lines are
    # searched at their start only, which bounds the work on long paragraphs.
    head = tokens if len(tokens) <= 25 else tokens[: lex.max_phrase]
    firsts = lex.firsts
    # Most lines hold no word that starts a phrase or a marker: one set test instead of the searches.
    if firsts.isdisjoint(head):
        hits, longest = 0, 0
    else:
        hits, longest = _ngram_hits(head, lex.phrases, lex.prefixes, lex.max_phrase, firsts)
    marker_start = (
        bool(tokens)
        and tokens[0] in firsts
        and _starts_with(tokens, lex.markers, lex.prefixes, lex.max_phrase)
    )
    word_share = (
        sum(1 for t in tokens if t in lex.words) / len(tokens) if 0 < len(tokens) <= 8 else 0.0
    )  # used on short lines only
    stripped = text.rstrip()
    return Line(
        index=index,
        span=span,
        text=text,
        tokens=tokens,
        stop_hits=stop_hits,
        phrase_hits=hits,
        phrase_len=longest,
        starts_with_marker=marker_start,
        word_share=word_share,
        glue=glue,
        glue_at=glue_at,
        separators=sum(map(text.count, _SEPARATORS)) if _SEPARATOR_ANY_RE.search(text) else 0,
        artefact=("_" in text or "[" in text or "{" in text or "%" in text)
        and bool(_ARTEFACT_RE.search(text)),
        terminal=bool(stripped) and stripped[-1] in _TERMINAL,
        ellipsis=stripped.endswith(ELLIPSIS),
        n=len(tokens),
    )


LINES: MemoKey[list[Line]] = MemoKey("boilerplate.lines")


def lines_of(doc: Document, lexset: LexiconSet) -> list[Line]:
    """The measured lines of `doc`, computed once per document."""

    def make() -> list[Line]:
        lex = lexset(doc.base_language)
        return [analyse_line(i, sp, doc.text[sp[0] : sp[1]], lex) for i, sp in enumerate(doc.paragraphs)]

    return doc.memo(LINES, make)


def foreign_language(line: Line, lang: str, *, min_hits: int = 3) -> str | None:
    """The language whose stop words dominate `line` when it is not `lang` (None otherwise)."""
    if lang not in line.stop_hits or line.n < 4:
        return None
    own = line.stop_hits[lang]
    # The other language with the most hits (the greatest name among equals).
    best, hits = "", -1
    for la, h in line.stop_hits.items():
        if la != lang and (h > hits or h == hits and la > best):
            best, hits = la, h
    if hits >= min_hits and hits >= 2 * own + 2:
        return best
    return None


def is_prose(line: Line, lang: str) -> bool:
    """A line that reads like article prose: long, ends a sentence, carries function words."""
    if line.n < 12 or not line.terminal:
        return False
    stops = line.stop_hits.get(lang, max(line.stop_hits.values(), default=0))
    return stops >= 0.15 * line.n


def is_unknown_word(token: str, lang: str) -> bool:
    """A word that neither the body language nor English knows (a plugin label, a code name)."""
    if len(token) < 4 or not token.isalpha():
        return False
    langs = (lang, "en") if lang in ("fr", "en") else ("en",)
    return all(zipf(token, la) < 1.0 for la in langs)

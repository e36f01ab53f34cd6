"""Readability family: how the prose is built, measured in the document's own language.

Machine-translated and spun copies read differently from edited news: flatter sentence lengths,
fragments, rare or invented words, headline-case lines and stray capitals in the body. These features
turn that texture into measures for the classifier, and into flags with evidence where a span is to
blame. Readability indices use textstat's per-language formula constants (Kandel-Moles for French,
Flesch for English), kept in the lexicon per language (checked against textstat by a test) rather than
read through textstat's global `set_lang`, so no state passes from one document to the next. Syllables are
vowel groups by default; textstat's hyphenation counter is an option (`textstat_syllables=True`).
"""

from __future__ import annotations

import bisect
import operator
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, ClassVar

from features.base import Feature, Signal, load_lexicon
from features.document import Document, MemoKey, Span
from features.nlp import zipf

# Languages with a lexicon (and, for the indices, fitted ranges); other languages get no readability
# signal because every measure here is only meaningful against a language's own norms.
LANGUAGES = ("fr", "en")
# Closing characters a complete sentence may end on.
_TERMINAL = frozenset(".!?…:;\"'»”’)]")
# Characters after which a capital letter starts a new clause legitimately (quotes, colon, brackets, dashes).
_OPENERS = frozenset(":«\"“'‘(-–—[/•*")


def _lexicon(lang: str) -> dict[str, Any]:
    return load_lexicon("readability/lexicon")[lang]  # type: ignore[no-any-return]


# Written syllables as vowel groups: French counts its mute e ("hausse" = haus-se), so a vowel group is a
# syllable; "y" is a vowel in both languages.
_VOWELS = re.compile(r"[aeiouyàâäéèêëîïôöùûüÿœæ]+", re.IGNORECASE)


def vowel_syllables(word: str, lang: str = "fr") -> int:
    """Syllables of `word` as vowel groups (at least 1): a C-speed regex, 3x cheaper than hyphenation.
    English final e is silent ("despite"), except after a consonant + l ("table")."""
    n = len(_VOWELS.findall(word))
    if (
        lang == "en"
        and n > 1
        and word[-1] in "eE"
        and not (word[-2:].lower() == "le" and word[-3:-2].lower() not in "aeiouy")
    ):
        n -= 1
    return max(1, n)


# Words whose syllable count a process keeps (about 3 MB): a worker of a long audit keeps its memory
# bounded, and the frequent words of news are back in the cache within a few documents after it is cleared.
SYLLABLE_CACHE_WORDS = 30_000


@lru_cache(maxsize=SYLLABLE_CACHE_WORDS)
def syllables(word: str, pyphen_lang: str) -> int:
    """Syllables of `word` as textstat counts them without a pronunciation dictionary (hyphenation
    points + 1). textstat's English path loads CMUdict through nltk, which downloads it at run time:
    the scorer never downloads, so both languages use the hyphenation counter."""
    if not word.isalpha():
        return 1
    from textstat.backend.utils import get_pyphen

    return len(get_pyphen(pyphen_lang).positions(word.lower())) + 1


SENTENCE_WORDS: MemoKey[list[tuple[Span, tuple[Span, ...]]]] = MemoKey("readability.sentence_words")
SENTENCE_RANGES: MemoKey[list[tuple[int, int]]] = MemoKey("readability.sentence_ranges")
SENTENCE_INITIAL: MemoKey[frozenset[int]] = MemoKey("readability.sentence_initial")
WORD_COUNTS: MemoKey[Counter[str]] = MemoKey("readability.word_counts")
LINES: MemoKey[frozenset[Span]] = MemoKey("readability.lines")


def sentence_words(doc: Document) -> list[tuple[Span, tuple[Span, ...]]]:
    """Each sentence with the word spans inside it (shared by every feature of the family)."""

    def make() -> list[tuple[Span, tuple[Span, ...]]]:
        words = doc.words
        return [(sp, words[i:j]) for sp, (i, j) in zip(doc.sentences, sentence_ranges(doc), strict=True)]

    return doc.memo(SENTENCE_WORDS, make)


def sentence_ranges(doc: Document) -> list[tuple[int, int]]:
    """Each sentence's words as a range of indices into `doc.words` (start, end)."""

    def make() -> list[tuple[int, int]]:
        starts = [w[0] for w in doc.words]
        out = []
        for a, b in doc.sentences:
            i = bisect.bisect_left(starts, a)
            out.append((i, bisect.bisect_left(starts, b, i)))
        return out

    return doc.memo(SENTENCE_RANGES, make)


def sentence_initial(doc: Document) -> frozenset[int]:
    """Indices (into `doc.words`) of the first word of every sentence."""
    return doc.memo(SENTENCE_INITIAL, lambda: frozenset(i for i, _ in sentence_ranges(doc)))


def word_counts(doc: Document) -> Counter[str]:
    """How often each word (as written) occurs in `doc`."""
    return doc.memo(WORD_COUNTS, lambda: Counter(doc.word_texts))


# Syllables per word and language, shared by every document of the process (news repeats its words): a
# plain dict lookup is twice as cheap as the lru_cache call it saves. Cleared past SYLLABLE_CACHE_WORDS.
_SYLLABLES: dict[str, dict[str, int]] = {}


def _enough(
    doc: Document, sents: Sequence[tuple[Span, tuple[Span, ...]]], min_sentences: int, min_words: int
) -> bool:
    return (
        doc.base_language in LANGUAGES
        and len(sents) >= min_sentences
        and sum(len(w) for _, w in sents) >= min_words
    )


def _is_headline(doc: Document, span: Span) -> bool:
    """A sentence that is a whole line without closing punctuation: a title or subheading (a line
    that ends on a comma is a sentence cut off, not a title)."""
    end = doc.text[span[1] - 1]
    return end not in _TERMINAL and end != "," and span in doc.memo(LINES, lambda: frozenset(doc.paragraphs))


def _after_opener(text: str, floor: int, a: int) -> bool:
    """Whether the character before position `a` (spaces skipped, not before `floor`) opens a clause."""
    i = a - 1
    while i > floor and text[i].isspace():
        i -= 1
    return i < floor or text[i] in _OPENERS or text[i] in ".!?…"


class ReadabilityIndex(Feature):
    """Readability indices in the document's language (Flesch reading ease with textstat's constants:
    Kandel-Moles for French; LIX), and a flag when Flesch is far outside the range of edited news.

    Syllables are vowel groups by default; `textstat_syllables=True` uses textstat's hyphenation counter
    (slower on unseen words). The fitted ranges are for the default counter.

    The range comes from `features/data/readability/ranges.json` (quartiles fitted on news by
    `scripts/fit_readability_ranges.py`); "far" is Tukey's far-out fence (quartile -/+ `fence` x IQR).
    Known false positives: legal or scientific texts quoted at length (hard), lists and captions (easy).
    """

    family: ClassVar[str] = "readability"
    codes: ClassVar[dict[str, str]] = {
        "readability.flesch": "Flesch reading ease with the language's constants (Kandel-Moles for French).",
        "readability.lix": "LIX index: words per sentence + percentage of words over six letters.",
        "readability.atypical_flesch": "Flesch reading ease far outside the range of edited news in the language; cites the sentences that pull it most.",
    }

    def __init__(
        self,
        *,
        fence: float = 3.0,
        min_sentences: int = 3,
        min_words: int = 60,
        max_evidence: int = 3,
        textstat_syllables: bool = False,
    ) -> None:
        self.fence = fence
        # textstat's own syllable counter (pyphen hyphenation) is the costliest step of the family on
        # unseen words; vowel groups give the same ranking of documents (scripts/eval_readability.py).
        self.textstat_syllables = textstat_syllables
        self.min_sentences = min_sentences
        self.min_words = min_words
        self.max_evidence = max_evidence
        # textstat's constants, kept in the lexicon: importing textstat (and the nltk it pulls in) costs
        # ~70 MB per process for three numbers per language.
        self._cfg = {
            lang: tuple(
                float(_lexicon(lang)["flesch"][k])
                for k in ("fre_base", "fre_sentence_length", "fre_syll_per_word")
            )
            for lang in LANGUAGES
        }
        self._pyphen = {lang: str(_lexicon(lang)["pyphen"]) for lang in LANGUAGES}
        ranges = load_lexicon("readability/ranges")
        self._fences: dict[str, tuple[float, float]] = {}
        for lang, r in ranges.items():
            q = r.get("flesch") if isinstance(r, dict) else None
            if q:
                iqr = q["p75"] - q["p25"]
                self._fences[lang] = (q["p25"] - fence * iqr, q["p75"] + fence * iqr)

    def extract(self, doc: Document) -> list[Signal]:
        sents = sentence_words(doc)
        if not _enough(doc, sents, self.min_sentences, self.min_words):
            return []
        lang = doc.base_language
        base, k_len, k_syl = self._cfg[lang]
        pl = self._pyphen[lang]
        words = doc.word_texts
        counts = word_counts(doc)
        # Syllables once per distinct word of the document: news repeats its words.
        if self.textstat_syllables:
            syl_of = {w: syllables(w, pl) for w in counts}
        else:
            known = _SYLLABLES.setdefault(lang, {})
            if len(known) > SYLLABLE_CACHE_WORDS:
                known.clear()
            # set.difference with a dict looks each of the document's words up (`keys() - keys()` would
            # walk the whole process-wide cache).
            for w in set(counts).difference(known):
                known[w] = vowel_syllables(w, lang) if w.isalpha() else 1
            syl_of = known
        n_words = len(words)
        n_syl = sum(map(operator.mul, map(syl_of.__getitem__, counts), counts.values()))
        n_long = sum(n for w, n in counts.items() if len(w) > 6)
        flesch = base - k_len * n_words / len(sents) - k_syl * n_syl / n_words
        lix = n_words / len(sents) + 100.0 * n_long / n_words
        out = [
            self.measure(
                "readability.flesch", f"Flesch reading ease ({lang} constants): {flesch:.1f}.", flesch
            ),
            self.measure("readability.lix", f"LIX: {lix:.1f}.", lix),
        ]
        fence = self._fences.get(lang)
        if fence and not fence[0] <= flesch <= fence[1]:
            hard = flesch < fence[0]
            text = doc.text
            per_sentence = [
                (base - k_len * len(ws) - k_syl * sum(syl_of[text[a:b]] for a, b in ws) / len(ws), span)
                for span, ws in sents
                if ws
            ]
            ranked = sorted(per_sentence, key=lambda t: (t[0] if hard else -t[0], t[1]))
            spans = [sp for _, sp in ranked[: self.max_evidence]]
            what = "harder" if hard else "easier"
            out.append(
                self.flag(
                    doc,
                    "readability.atypical_flesch",
                    f"Flesch reading ease {flesch:.1f} is far {what} than edited {lang} news ({fence[0]:.0f} to {fence[1]:.0f}); the sentences cited pull it most.",
                    spans,
                    value=abs(flesch - (fence[0] if hard else fence[1])),
                )
            )
        return out


class SentenceShape(Feature):
    """Sentence length (in words): mean and spread (coefficient of variation; machine translation keeps
    the source's segmentation and flattens it), and very long sentences.

    Headline lines are left out of the lengths. Known false positives: enumerations written as one
    sentence, legal texts.
    """

    family: ClassVar[str] = "readability"
    codes: ClassVar[dict[str, str]] = {
        "readability.sentence_length_mean": "Mean sentence length in words (headline lines left out).",
        "readability.sentence_length_cv": "Spread of sentence lengths: standard deviation / mean.",
        "readability.long_sentence": "Sentences longer than a threshold number of words.",
    }

    def __init__(self, *, long_words: int = 80, min_sentences: int = 3, min_words: int = 60) -> None:
        self.long_words = long_words
        self.min_sentences = min_sentences
        self.min_words = min_words

    def extract(self, doc: Document) -> list[Signal]:
        sents = [(sp, w) for sp, w in sentence_words(doc) if w and not _is_headline(doc, sp)]
        if not _enough(doc, sents, self.min_sentences, self.min_words):
            return []
        lengths = [len(w) for _, w in sents]
        mean = statistics.fmean(lengths)
        cv = statistics.pstdev(lengths) / mean
        out = [
            self.measure(
                "readability.sentence_length_mean", f"Mean sentence length: {mean:.1f} words.", mean
            ),
            self.measure(
                "readability.sentence_length_cv", f"Sentence-length spread (sd/mean): {cv:.2f}.", cv
            ),
        ]
        long = [sp for sp, w in sents if len(w) > self.long_words]
        if long:
            out.append(
                self.flag(
                    doc,
                    "readability.long_sentence",
                    f"{len(long)} sentence(s) longer than {self.long_words} words.",
                    long,
                )
            )
        return out


class Fragments(Feature):
    """Sentence fragments: sentences cut off mid-phrase, ending on a comma, or on an article, a
    preposition, a conjunction or a possessive just before the full stop ("pour les."), or teasers
    truncated with an ellipsis after such a word ("dans son attaque contre...").

    Verbless sentences are not counted: a cheap verb test cannot tell "Les images prouvent ..." from a
    fragment, spaCy's small French model tags such verbs as adverbs or adjectives without its parser,
    and parsing costs about a millisecond per sentence. Headline lines and the halves of a sentence
    split after an initial ("M. Ferrand") are skipped. Known false positives: list items ending in a
    comma, a sentence ending on "plus." or "très." by design.
    """

    family: ClassVar[str] = "readability"
    codes: ClassVar[dict[str, str]] = {
        "readability.fragment_share": "Share of sentences that are cut off mid-phrase.",
        "readability.fragment": "Sentence fragments: sentences cut off mid-phrase.",
    }

    def __init__(self, *, min_sentences: int = 3) -> None:
        self.min_sentences = min_sentences
        self._dangling = {lang: frozenset(_lexicon(lang)["dangling"]) for lang in LANGUAGES}
        self._before_ellipsis = {
            lang: frozenset(_lexicon(lang)["dangling_before_ellipsis"]) for lang in LANGUAGES
        }

    def _cut_off(self, text: str, span: Span, words: tuple[Span, ...], lang: str) -> bool:
        end = text[span[1] - 1]
        if end == ",":
            return True
        # Questions and exclamations end on any word ("Par qui ?", "pas que !"); only full stops count.
        if end not in ".…" or len(words) < 2:
            return False
        last = words[-1]
        tail = text[last[1] : span[1]].strip()
        word = text[last[0] : last[1]].lower()
        if tail == ".":
            return word in self._dangling[lang]
        # A teaser truncated by the site ("son attaque contre..."): more words cannot end a phrase there.
        if tail in ("...", "…"):
            return word in self._dangling[lang] or word in self._before_ellipsis[lang]
        return False

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        sents = [(sp, w) for sp, w in sentence_words(doc) if w and not _is_headline(doc, sp)]
        if lang not in LANGUAGES or len(sents) < self.min_sentences:
            return []
        text = doc.text
        found: list[Span] = []
        after_initial = False
        for sp, words in sents:
            # "M. Ferrand" is split after the initial: neither half is a fragment.
            initial = words[-1][1] - words[-1][0] == 1 and text[words[-1][0]].isupper()
            if not (initial or after_initial) and self._cut_off(text, sp, words, lang):
                found.append(sp)
            after_initial = initial
        out = [
            self.measure(
                "readability.fragment_share",
                f"{len(found)} of {len(sents)} sentences are cut off.",
                len(found) / len(sents),
            )
        ]
        if found:
            out.append(
                self.flag(doc, "readability.fragment", f"{len(found)} sentence(s) cut off mid-phrase.", found)
            )
        return out


class LexicalVariety(Feature):
    """Lexical variety over a fixed window (moving-average type-token ratio, so it does not depend on
    length) and the share of very rare words (word-frequency data of the language).

    Rare words (`rare_words=True`, off by default) are counted among lower-case alphabetic words
    (capitalised ones are mostly names).
    Known false positives: technical vocabulary (high rare share), interviews and lists (low variety).
    """

    family: ClassVar[str] = "readability"
    codes: ClassVar[dict[str, str]] = {
        "readability.mattr": "Moving-average type-token ratio over a fixed word window (windows every few words).",
        "readability.rare_word_share": "Share of lower-case words that are very rare or unknown in the language (opt-in: rare_words=True).",
    }

    def __init__(
        self,
        *,
        window: int = 100,
        stride: int = 10,
        rare_words: bool = False,
        rare_zipf: float = 1.5,
        min_words: int = 100,
    ) -> None:
        self.window = window
        # Off by default: on news, human and machine translations alike it is ~0 and carries no
        # information (scripts/eval_readability.py), and each unseen word costs a frequency lookup.
        self.rare_words = rare_words
        self.stride = stride
        self.rare_zipf = rare_zipf
        self.min_words = min_words

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in LANGUAGES:
            return []
        # Words that start with a letter, lower-cased (lower-casing keeps a first letter a letter).
        tokens = [w for w in doc.lower_words if w[0].isalpha()]
        if len(tokens) < self.min_words:
            return []
        mattr = _mattr(tokens, min(self.window, len(tokens)), self.stride)
        out = [
            self.measure(
                "readability.mattr", f"Type-token ratio over {self.window}-word windows: {mattr:.3f}.", mattr
            )
        ]
        if self.rare_words:
            lower = {t: n for t, n in word_counts(doc).items() if t.islower() and len(t) > 2 and t.isalpha()}
            rare = sum(n for t, n in lower.items() if zipf(t, lang) < self.rare_zipf)
            total = sum(lower.values())
            share = rare / total if total else 0.0
            out.append(
                self.measure(
                    "readability.rare_word_share", f"{rare} of {total} lower-case words are very rare.", share
                )
            )
        return out


def _mattr(tokens: Sequence[str], window: int, stride: int = 1) -> float:
    """Mean type-token ratio of the `window`-token windows starting every `stride` tokens (the last
    window always included). A stride of a tenth of the window gives the moving average within a few
    thousandths at a tenth of the cost, each window being one C-speed set()."""
    last = len(tokens) - window
    starts = list(range(0, last + 1, stride))
    if starts[-1] != last:
        starts.append(last)
    return sum(len(set(tokens[i : i + window])) for i in starts) / (window * len(starts))


class Capitalisation(Feature):
    """Capitalisation oddities: Title Case lines in a French body (French headlines use sentence case),
    and words capitalised mid-sentence that the same text writes in lower case elsewhere (or, in
    French, day and month names).

    Known false positives: institutions capitalised by convention next to the common noun ("la Commission"
    and "une commission"), titles of works quoted in Title Case, events named after a date ("Mai 68").
    """

    family: ClassVar[str] = "readability"
    codes: ClassVar[dict[str, str]] = {
        "readability.title_case_line": "Lines of a French text in English-style Title Case.",
        "readability.midsentence_capital": "Words capitalised mid-sentence that the text elsewhere writes in lower case (or French day/month names).",
    }

    def __init__(
        self,
        *,
        min_title_words: int = 3,
        title_share: float = 0.75,
        max_line_words: int = 20,
        min_distinct: int = 3,
    ) -> None:
        self.min_title_words = min_title_words
        self.min_distinct = min_distinct
        self.title_share = title_share
        self.max_line_words = max_line_words
        self._function = {lang: frozenset(_lexicon(lang)["function_words"]) for lang in LANGUAGES}
        self._calendar = {lang: frozenset(_lexicon(lang)["calendar"]) for lang in LANGUAGES}

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in LANGUAGES:
            return []
        text = doc.text
        sents = sentence_words(doc)
        texts = doc.word_texts
        # Lower-case words seen mid-sentence: the text's own evidence of how it spells a common word.
        # A word is seen mid-sentence when it occurs more often than it starts a sentence.
        at_start = Counter(
            texts[i] for i in sentence_initial(doc) if i < len(texts) and texts[i][0].islower()
        )
        lower_seen = {w for w, n in word_counts(doc).items() if w[0].islower() and n > at_start.get(w, 0)}
        # The capitalised words, the only ones the loop below looks at.
        caps = [g for g, w in enumerate(texts) if w[0].isupper()]
        title_lines: list[Span] = []
        capitals: list[Span] = []
        distinct: set[str] = set()
        for (sp, words), (first, end) in zip(sents, sentence_ranges(doc), strict=True):
            if len(words) < 2:
                continue
            if lang == "fr" and self._title_case(doc, sp, words, lower_seen):
                title_lines.append(sp)
                continue
            for g in caps[bisect.bisect_left(caps, first + 1) : bisect.bisect_left(caps, end)]:
                i = g - first
                a, b = words[i]
                if text[a:b].isupper() or _after_opener(text, sp[0], a):
                    continue
                low = text[a:b].lower()
                calendar = low in self._calendar[lang]
                if not (calendar or low in lower_seen) or self._in_name(text, words, i, calendar):
                    continue
                capitals.append((a, b))
                distinct.add(low)
        out = []
        if title_lines:
            out.append(
                self.flag(
                    doc,
                    "readability.title_case_line",
                    f"{len(title_lines)} line(s) in Title Case, which French headlines do not use.",
                    title_lines,
                )
            )
        # One stray capital is house style or a name; several distinct common words are a pattern.
        if capitals and (
            len(distinct) >= self.min_distinct or any(w in self._calendar[lang] for w in distinct)
        ):
            out.append(
                self.flag(
                    doc,
                    "readability.midsentence_capital",
                    f"{len(capitals)} word(s) capitalised mid-sentence that are common words here.",
                    capitals,
                )
            )
        return out

    @staticmethod
    def _in_name(text: str, words: tuple[Span, ...], i: int, calendar: bool) -> bool:
        """Whether word `i` belongs to a multi-word name ("Le Journal du Dimanche", "Santé publique
        France", "Mai 68"): a capitalised word within two words before it, or right after it."""
        for j in (i - 2, i - 1, i + 1):
            if 0 <= j < len(words) and text[words[j][0]].isupper():
                return True
        if calendar and i + 1 < len(words):
            nxt = text[words[i + 1][0] : words[i + 1][1]]
            return nxt.isdigit() and len(nxt) == 2 and int(nxt) > 31
        return False

    def _title_case(self, doc: Document, sp: Span, words: tuple[Span, ...], lower_seen: set[str]) -> bool:
        """A whole line whose words after the first are mostly capitalised, at least one of them a word
        that is common (a function word, or written in lower case elsewhere), so a list of names is not one."""
        if not _is_headline(doc, sp) or len(words) > self.max_line_words:
            return False
        text = doc.text
        # Capitals-only words (acronyms, lines set in capitals) say nothing about Title Case.
        rest = [
            w
            for w in (text[a:b] for a, b in words[1:])
            if w[0].isalpha() and not (len(w) > 1 and w.isupper())
        ]
        caps = [w for w in rest if w[0].isupper()]
        if len(caps) < self.min_title_words or len(caps) < self.title_share * len(rest):
            return False
        return any(w.lower() in self._function["fr"] or w.lower() in lower_seen for w in caps)


FEATURES: list[type[Feature]] = [ReadabilityIndex, SentenceShape, Fragments, LexicalVariety, Capitalisation]

__all__ = ["FEATURES", "Capitalisation", "Fragments", "LexicalVariety", "ReadabilityIndex", "SentenceShape"]

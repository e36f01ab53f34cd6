"""Words of translation: function words of another language left in a sentence, and idioms translated
word for word (calques). Both also vote for the source language of `MachineTranslationEstimate`."""

from __future__ import annotations

import json
import logging
import re
from bisect import bisect_right
from collections import Counter
from functools import lru_cache
from typing import Any, ClassVar

from features import cache
from features.base import Feature, Signal, load_lexicon
from features.document import Document, MemoKey, Span
from features.frequencies import list_path, top_words
from features.nlp import run_components, zipf
from features.text import APOSTROPHES, has_word, quotation_pattern, whole_words

# Quotations and parentheses, each bounded (the search stays linear): words inside are cited, not leaked.
_QUOTE_RE = quotation_pattern(400, parentheses=300)
# spaCy components that give a word's part of speech in its sentence.
_TAGGER = ("tok2vec", "morphologizer", "attribute_ruler")
# Parts of speech of a content-word reading: a candidate read so in its sentence is also a word of the
# document language there ("il se mit à", "las des dissensions"), not only a function word of another.
_CONTENT_POS = frozenset({"VERB", "AUX", "ADJ", "NOUN", "ADV"})

logger = logging.getLogger(__name__)

# Bump when `_build_foreign_words` (or the frequencies it reads) changes what it returns: the cached
# lists of older code then miss.
_FOREIGN_FORMAT = 1

QUOTED: MemoKey[list[Span]] = MemoKey("translation.quoted")
LEAKED: MemoKey[list[tuple[Span, str]]] = MemoKey("translation.leaked")
CALQUES: MemoKey[list[tuple[Span, dict[str, Any]]]] = MemoKey("translation.calques")


def quoted_spans(doc: Document) -> list[Span]:
    """Spans of the quotations and parentheses of `doc`, once per document."""
    return doc.memo(QUOTED, lambda: [m.span() for m in _QUOTE_RE.finditer(doc.text)])


def _core(word: str) -> str:
    """The word after an elided prefix ("l'Iran" -> "Iran"); frequency checks look at this part."""
    for ch in APOSTROPHES:
        i = word.rfind(ch)
        if i >= 0:
            word = word[i + 1 :]
    return word


def _inside(spans: list[Span], starts: list[int], pos: int) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _sentence_initial(text: str, pos: int) -> bool:
    """True when only space separates `pos` from a sentence end, a line start or the text start."""
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in '.!?:\n…«"“'


def _only_space(text: str, a: int, b: int) -> bool:
    return b - a <= 3 and text[a:b].strip(" \t") == ""


class LeakedForeignWords(Feature):
    """Function words of another language left untranslated inside a sentence ("l'Iran e Corée du Nord",
    "At a rencontre"), with the language they most likely come from.

    Candidates are the most frequent words of other languages (wordfreq top lists) that are much rarer
    in the document's language; a candidate counts only in running text: not quoted or in parentheses,
    not capitalised mid-sentence, not part of a name (particles next to capitalised words that are not
    common words of the document language), not in a run of foreign words (a title or a quotation),
    and next to a word that clearly belongs to the document language.

    Many short function words of other languages are also words of the document language ("mit" is
    German "with" and French "put", "las" Spanish "the" and French "weary", "com" Portuguese "with"
    and a French clipping). A candidate of three letters or more that is common in the document
    language (`doc_form_zipf`), that the lemmatizer tables of the language's spaCy model list as one of
    its word forms (`data/translation/word_forms.json`, built by `scripts/build_word_forms.py`) and that
    the language's tagger reads as a content word in its sentence has a reading in the document
    language there: alone it is not a leak, and it counts only
    beside a candidate without such a reading (a copy that leaks "mit" usually leaks "und" or "für"
    too). So does a common word of the document language in a slot no function word fills: after a
    determiner or right before a preposition or an auxiliary ("le conseiller com du ministre", "the hem
    of her dress"; `slot_words` in the lexicon); this reading needs no tagger. Without a tagger and
    word forms for the language (English), the frequency caps of the word lists and the slots do this
    work: a word common in English is never an English candidate.
    Known false positives: a foreign conjunction between two French-looking names; one-letter list
    markers written without punctuation; unquoted song or film titles mixing languages.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.leaked_foreign_word": "A function word of another language left inside a sentence of the document language; detail gives the language.",
    }

    needs_spacy: ClassVar[bool] = True  # the tagger on the sentences of the few candidates

    def __init__(
        self, min_zipf_gap: float | None = None, doc_word_zipf: float = 3.0, doc_form_zipf: float = 3.0
    ) -> None:
        lex = load_lexicon("translation/leaked_words")
        self._doc_form_zipf = doc_form_zipf
        forms = load_lexicon("translation/word_forms")
        self._doc_forms = {k: frozenset(v) for k, v in forms.items() if not k.startswith("_")}
        self._lex = lex
        self._gap = float(lex["min_zipf_gap"] if min_zipf_gap is None else min_zipf_gap)
        self._doc_word_zipf = doc_word_zipf
        self._prior: dict[str, float] = {
            k: float(v) for k, v in lex["language_prior"].items() if not k.startswith("_")
        }
        self._allow = {k: frozenset(v) for k, v in lex["allow"].items()}
        self._particles = frozenset(lex["name_particles"])
        self._letter_ctx = {k: frozenset(v) for k, v in lex["letter_contexts"].items()}
        self._slots = {
            k: (frozenset(v["before"]), frozenset(v["after"])) for k, v in lex["slot_words"].items()
        }
        self._foreign: dict[str, dict[str, list[tuple[str, float]]]] = {
            lang: _foreign_words(
                lang,
                tuple(lex["source_languages"]),
                int(lex["top_n"]),
                float(lex["min_source_zipf"]),
                self._gap,
                float(lex["max_doc_zipf"][lang]),
                int(lex["max_word_length"]),
            )
            for lang in ("fr", "en")
        }

    @property
    def prior(self) -> dict[str, float]:
        """How likely each language is as a source, to break ties."""
        return self._prior

    def find(self, doc: Document) -> list[tuple[Span, str]]:
        """Leaked words as (span, language), memoised on the document for the document-level estimate."""
        return doc.memo(LEAKED, lambda: self._find(doc))

    def _find(self, doc: Document) -> list[tuple[Span, str]]:
        lang = doc.base_language
        foreign = self._foreign.get(lang)
        if foreign is None:
            return []
        text = doc.text
        words = doc.words
        allow = self._allow.get(lang, frozenset())
        out: list[tuple[Span, str]] = []
        lows = doc.lower_words
        # Most documents hold no word of the lists: a set operation in C settles them.
        found = {w for w in foreign.keys() & lows if w not in allow}
        if not found:
            return out
        quoted = quoted_spans(doc)
        qstarts = [s[0] for s in quoted]
        slotted: set[int] = set()
        for i in [i for i, lw in enumerate(lows) if lw in found]:
            lw = lows[i]
            cands = foreign[lw]
            a, b = words[i]
            w = text[a:b]
            if _inside(quoted, qstarts, a):
                continue
            initial = _sentence_initial(text, a)
            if (w[0].isupper() and not initial) or (len(w) > 1 and w.isupper()):
                continue  # a capitalised word mid-sentence is a name or a title; all capitals, an acronym
            if (
                (a > 0 and text[a - 1] in "-/#@&.'’_")
                or (b < len(text) and text[b] in "-/&_@'’")
                or (b + 1 < len(text) and text[b] == "." and text[b + 1].isalpha())
            ):
                continue  # part of a compound, handle, abbreviation or URL
            src = max(cands, key=lambda c: c[1] * self._prior.get(c[0], 0.2))[0]
            if self._in_context(doc, i, lw, src, lang, initial):
                if self._in_word_slot(doc, i, lw, lang):
                    slotted.add(len(out))
                out.append(((a, b), src))
        return self._drop_lone_doc_words(doc, out, slotted)

    def _in_word_slot(self, doc: Document, i: int, lw: str, lang: str) -> bool:
        """Whether candidate `i` stands where no function word of another language fits and is a common
        word of the document language: after a determiner ("the hem", "la pub") or right before a
        preposition or an auxiliary ("le conseiller com du ministre", "com a été", "the hem of").
        Translation output leaves prepositions, articles and conjunctions before what they govern,
        not there."""
        slots = self._slots.get(lang)
        if slots is None or not self._common_doc_word(lw, lang):
            return False
        before, after = self._neighbours(doc, i, -1, 1), self._neighbours(doc, i, 1, 1)
        return bool(before and before[0].lower() in slots[0]) or bool(after and after[0].lower() in slots[1])

    def _drop_lone_doc_words(
        self, doc: Document, found: list[tuple[Span, str]], slotted: set[int]
    ) -> list[tuple[Span, str]]:
        """`found`, or nothing when each of its candidates has a reading in the document language
        (`slotted`: by the words around it; others: as a content word of its sentence for the tagger):
        such a candidate counts only beside one without that reading."""
        forms = self._doc_forms.get(doc.base_language, frozenset())
        maybe = [
            k
            for k, ((a, b), _) in enumerate(found)
            if k not in slotted
            and (w := _core(doc.text[a:b]).lower()) in forms
            and self._common_doc_word(w, doc.base_language)
        ]
        ambiguous = slotted | self._content_readings(doc, [found[k][0][0] for k in maybe], maybe)
        return [] if len(ambiguous) == len(found) else found

    def _content_readings(self, doc: Document, starts: list[int], keys: list[int]) -> set[int]:
        """The keys of the words starting at `starts` that the language's tagger reads as content
        words in their sentence; none without a tagger (the word lists' frequency caps and the slots
        then decide alone)."""
        if not starts:
            return set()
        text, sents = doc.text, doc.sentences
        sent_starts = [s[0] for s in sents]
        spans: list[Span] = []
        for a in starts:
            j = bisect_right(sent_starts, a) - 1
            spans.append(sents[j] if j >= 0 else (0, len(text)))
        parsed = run_components(doc.base_language, [text[sa:sb] for sa, sb in spans], keep=_TAGGER)
        if parsed is None:
            return set()
        out: set[int] = set()
        for k, a, (sa, _), sent in zip(keys, starts, spans, parsed, strict=True):
            tok = next((t for t in sent if t.idx == a - sa), None)
            if tok is not None and tok.pos_ in _CONTENT_POS:
                out.add(k)
        return out

    def _common_doc_word(self, word: str, lang: str) -> bool:
        """A word of three letters or more that is common in the document language: one that can have
        a reading there, not only as another language's function word."""
        return len(word) >= 3 and zipf(word, lang) >= self._doc_form_zipf

    def _neighbours(self, doc: Document, i: int, step: int, n: int) -> list[str]:
        """Up to `n` words next to word `i` (in direction `step`) separated by spaces only."""
        text, words = doc.text, doc.words
        out: list[str] = []
        j = i
        while len(out) < n:
            k = j + step
            if not (0 <= k < len(words)):
                break
            gap = (words[k][1], words[j][0]) if step < 0 else (words[j][1], words[k][0])
            if not _only_space(text, *gap):
                break
            out.append(text[words[k][0] : words[k][1]])
            j = k
        return out

    def _in_context(self, doc: Document, i: int, lw: str, src: str, lang: str, initial: bool) -> bool:
        before = [] if initial else self._neighbours(doc, i, -1, 2)
        after = self._neighbours(doc, i, 1, 2)
        if not after or (not before and not initial):
            return False  # a word alone between punctuation is a label, a list item or a title
        near = ([before[0]] if before else []) + [after[0]]
        if any(any(ch.isdigit() for ch in w) for w in near):
            return False  # "2 e 3", "page 5 of 7"
        if len(lw) == 1:
            # One-letter words: only between two real words, never after a word that introduces a letter.
            if (
                not before
                or len(_core(before[0])) < 2
                or len(after[0]) < 2
                or _core(before[0]).lower() in self._letter_ctx.get(lang, ())
            ):
                return False
        doc_dom = [self._dominant(w, lang, src) for w in near]
        if initial and after[0][0].isupper():
            return False  # a capitalised pair at a sentence start is a name or a title ("Mein Kampf")
        if after[0][0].isupper() and not self._dominant(after[0], lang, src):
            return False  # a name goes on after the particle ("di Pompeo", "of America")
        if lw in self._particles or any(w[0].isupper() for w in near):
            # A particle or a word next to capitalised words is part of a name unless a capitalised
            # neighbour is a common word of the document language ("Iran e Corée").
            caps = [w for w in near if w[0].isupper()]
            if caps and not any(self._dominant(w, lang, src) for w in caps):
                return False
        # A run of source-language words is a quotation or a title, not a leak.
        leaning = sum(1 for w in before + after if self._leans(w, lang, src))
        if leaning >= 2:
            return False
        far = [w for w in before[1:] + after[1:]]
        return any(doc_dom) or (initial and any(self._dominant(w, lang, src) for w in far))

    def _dominant(self, word: str, lang: str, src: str) -> bool:
        """A common word of the document language that is clearly not a word of the source language."""
        core = _core(word).lower()
        zd = zipf(core, lang)
        return zd >= self._doc_word_zipf and zd >= zipf(core, src) + 0.5

    def _leans(self, word: str, lang: str, src: str) -> bool:
        core = _core(word).lower()
        zs = zipf(core, src)
        return zs >= 3.0 and zs >= zipf(core, lang) + 1.0

    def extract(self, doc: Document) -> list[Signal]:
        found = self.find(doc)
        if not found:
            return []
        langs = Counter(lang for _, lang in found)
        top = langs.most_common(1)[0][0]
        return [
            self.flag(
                doc,
                "translation.leaked_foreign_word",
                f"Untranslated function word(s) of another language inside sentences (most likely {top}).",
                [sp for sp, _ in found],
                languages=dict(langs),
                source_language=top,
            )
        ]


@lru_cache(maxsize=8)
def _foreign_words(
    doc_lang: str,
    langs: tuple[str, ...],
    top_n: int,
    min_src: float,
    gap: float,
    max_doc: float,
    max_len: int,
) -> dict[str, list[tuple[str, float]]]:
    """Frequent words of other languages that are much rarer in `doc_lang`: word -> [(language, gap)].

    Derived from wordfreq's lists and this lexicon's thresholds only, so it is kept in the user cache
    (`features.cache`) under a name hashing every input, the lists' files included: reading it costs a
    few milliseconds, building it ~1 s (streaming the top lists and a frequency lookup per word)."""
    args = (doc_lang, langs, top_n, min_src, gap, max_doc, max_len)
    stamps = [cache.source_stamp(p) if (p := list_path(lang)) else None for lang in (doc_lang, *langs)]
    name = cache.entry_name("foreign", _FOREIGN_FORMAT, args, stamps)
    mapped = cache.open_entry(name)
    if mapped is not None:
        with mapped:
            try:
                stored = json.loads(mapped[:].decode("utf-8"))
                return {w: [(lang, float(g)) for lang, g in pairs] for w, pairs in stored.items()}
            except (ValueError, TypeError) as e:  # a damaged entry: build again
                logger.debug("foreign word list %s unreadable (%s)", name, e)
    out = _build_foreign_words(*args)
    cache.write_entry(name, (json.dumps(out, ensure_ascii=False).encode("utf-8"),))
    return out


def _build_foreign_words(
    doc_lang: str,
    langs: tuple[str, ...],
    top_n: int,
    min_src: float,
    gap: float,
    max_doc: float,
    max_len: int,
) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for lang in langs:
        if lang == doc_lang:
            continue
        for w in top_words(lang, top_n):
            if not w.isalpha() or len(w) > max_len:
                continue
            zs, zd = zipf(w, lang), zipf(w, doc_lang)
            if zs >= min_src and zs - zd >= gap and zd < max_doc:
                out.setdefault(w, []).append((lang, zs - zd))
    return out


class Calque(Feature):
    """Literal translations of idioms that change or lose the meaning ("canonniers" for "chair à canon",
    "sur l'autre main" for "on the other hand"), from a per-language lexicon with the idiom's source
    languages.

    Known false positives: an article that discusses the idiom or the literal sense itself
    ("les canonniers du régiment" in military history; context words reduce this).
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.calque": "A literal translation of a foreign idiom that changes or loses its meaning; detail gives the idiom meant and its source languages.",
    }

    def __init__(self) -> None:
        lex = load_lexicon("translation/calques")
        self._entries: dict[
            str, list[tuple[re.Pattern[str], dict[str, Any], frozenset[str], tuple[str, ...]]]
        ] = {}
        for lang in ("fr", "en"):
            rows = []
            for e in lex.get(lang, []):
                pat = re.compile(whole_words(e["pattern"]), re.IGNORECASE)
                anchor = e["anchor"]
                anchors = (anchor,) if isinstance(anchor, str) else tuple(anchor)
                rows.append((pat, e, frozenset(e.get("context", ())), anchors))
            self._entries[lang] = rows

    def find(self, doc: Document) -> list[tuple[Span, dict[str, Any]]]:
        """Calques as (span, lexicon entry), memoised on the document."""
        return doc.memo(CALQUES, lambda: self._find(doc))

    def _find(self, doc: Document) -> list[tuple[Span, dict[str, Any]]]:
        rows = self._entries.get(doc.base_language)
        if not rows:
            return []
        out: list[tuple[Span, dict[str, Any]]] = []
        text = doc.text
        sent_starts = [s[0] for s in doc.sentences]
        lower = doc.lower_text
        for pat, entry, ctx, anchors in rows:
            if not any(a in lower for a in anchors):
                continue  # cheap substring tests before the regex
            for m in pat.finditer(text):
                if ctx:
                    k = bisect_right(sent_starts, m.start()) - 1
                    sa, sb = doc.sentences[k] if k >= 0 else (0, len(text))
                    sentence = text[sa:sb].lower()
                    if not any(has_word(sentence, c) for c in ctx):
                        continue
                out.append(((m.start(), m.end()), entry))
        return out

    def extract(self, doc: Document) -> list[Signal]:
        found = self.find(doc)
        if not found:
            return []
        sources = Counter(src for _, e in found for src in e["from"])
        means = sorted({e["means"] for _, e in found})
        return [
            self.flag(
                doc,
                "translation.calque",
                "Literal translation of a foreign idiom: " + "; ".join(means) + ".",
                [sp for sp, _ in found],
                means=means,
                source_languages=dict(sources),
            )
        ]

"""Translation family: artefacts that machine translation and translation plugins leave in the text.

Every detector here is built from general knowledge kept in data files under
`features/data/translation/` (placeholder shapes, word-frequency gaps between languages, idiom calques,
French grammar lexicons, switcher labels, typography rules), never from strings of particular articles.
French first, English second; other languages get only the language-independent placeholder and
plugin-residue checks.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from features.base import Feature, Kind, Signal, load_lexicon
from features.document import Document, Span
from features.frequencies import top_words
from features.nlp import run_components, zipf

# Bound on the text a single quotation/parenthesis may span; keeps the quote finder linear.
_QUOTE_RE = re.compile(
    r"«[^«»\n]{0,400}»|“[^“”\n]{0,400}”|\"[^\"\n]{0,400}\"|„[^„“\n]{0,400}“|\([^()\n]{0,300}\)"
)
_APOS = "'’"


def _core(word: str) -> str:
    """The word after an elided prefix ("l'Iran" -> "Iran"); frequency checks look at this part."""
    for ch in _APOS:
        i = word.rfind(ch)
        if i >= 0:
            word = word[i + 1 :]
    return word


def _quoted_spans(doc: Document) -> list[Span]:
    """Spans of quotations and parentheses (shared by the features of this module)."""

    def make() -> list[Span]:
        return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(doc.text)]

    return doc.memo("translation.quoted", make)  # type: ignore[no-any-return]


def _inside(spans: list[Span], starts: list[int], pos: int) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


# A space before an upper-case letter: where a capitalised word follows another word.
_SPACE_CAPITAL_RE = re.compile(r" (?=[A-ZÀ-Ý])")
_WORD_RUN_RE = re.compile(r"\w+")


def _next_apostrophe(text: str, start: int) -> int:
    """The offset of the next ' or ’ at or after `start`, or len(text)."""
    a, b = text.find("'", start), text.find("’", start)
    if a < 0:
        return len(text) if b < 0 else b
    return a if b < 0 else min(a, b)


def _sentence_initial(text: str, pos: int) -> bool:
    """True when only space separates `pos` from a sentence end, a line start or the text start."""
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in '.!?:\n…«"“'


def _only_space(text: str, a: int, b: int) -> bool:
    return b - a <= 3 and text[a:b].strip(" \t") == ""


# --------------------------------------------------------------------------------------------------
# Number placeholders
# --------------------------------------------------------------------------------------------------


class NumberPlaceholder(Feature):
    """Placeholder tokens that auto-translation plugins put in place of numbers ("2000 XNUMX dollars").

    Matches the general shape (an upper-case NUM-like stem wrapped in X's, braces, brackets, double
    underscores, hashes or percent signs, with an optional index and ordinal/unit suffix), not one string.
    Known false positives: an article *about* such placeholders, quoting one; code samples with
    template variables such as `{NUMBER}`.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.number_placeholder": "A number placeholder left by an auto-translation plugin (e.g. 'XNUMX', '__NUM__', '{NUMBER}').",
    }

    def __init__(self) -> None:
        lex = load_lexicon("translation/placeholders")
        stems = "|".join(sorted((re.escape(s) for s in lex["stems"]), key=len, reverse=True))
        suffix = (
            "(?:" + "|".join(sorted((re.escape(s) for s in lex["suffixes"]), key=len, reverse=True)) + ")?"
        )
        idx = r"(?:_?\d{1,3})?"
        shapes = [
            rf"X{{1,2}}(?:{stems}){idx}X{{1,2}}{suffix}",  # XNUMX, XXNUMXX, XNUMXth
            rf"X(?:{stems}){idx}{suffix}",  # XNUM, XNUMBER
            rf"(?:{stems}){idx}X{suffix}",  # NUMX
            rf"__(?:{stems}){idx}__",
            rf"\{{(?:{stems}){idx}\}}",
            rf"\[(?:{stems}){idx}\]",
            rf"<(?:{stems}){idx}>",
            rf"##?(?:{stems}){idx}##?",
            rf"%(?:{stems}){idx}%",
            rf"@@(?:{stems}){idx}@@",
        ]
        # Whole tokens only: no letter or digit glued on either side (so "XNUMXL" in a model name is not
        # split, and "NUMBER" in an English sentence never matches the bare stem).
        self._re = re.compile(r"(?<![\w])(?:" + "|".join(shapes) + r")(?![\w])")
        # Every shape contains a stem verbatim (the pattern is case-sensitive): a text without any
        # stem cannot match, and a substring test is far cheaper than the scan.
        self._stems = tuple(lex["stems"])

    def extract(self, doc: Document) -> list[Signal]:
        text = doc.text
        if not any(stem in text for stem in self._stems):
            return []
        spans = [(m.start(), m.end()) for m in self._re.finditer(text)]
        if not spans:
            return []
        return [
            self.flag(
                doc,
                "translation.number_placeholder",
                "A number was replaced by a translation plugin's placeholder token.",
                spans,
            )
        ]


# --------------------------------------------------------------------------------------------------
# Leaked words of another language
# --------------------------------------------------------------------------------------------------


class LeakedForeignWords(Feature):
    """Function words of another language left untranslated inside a sentence ("l'Iran e Corée du Nord",
    "At a rencontre"), with the language they most likely come from.

    Candidates are the most frequent words of other languages (wordfreq top lists) that are much rarer
    in the document's language; a candidate counts only in running text: not quoted or in parentheses,
    not capitalised mid-sentence, not part of a name (particles next to capitalised words that are not
    common words of the document language), not in a run of foreign words (a title or a quotation),
    and next to a word that clearly belongs to the document language.
    Known false positives: a foreign conjunction between two French-looking names; one-letter list
    markers written without punctuation; unquoted song or film titles mixing languages.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.leaked_foreign_word": "A function word of another language left inside a sentence of the document language; detail gives the language.",
    }

    def __init__(self, min_zipf_gap: float | None = None, doc_word_zipf: float = 3.0) -> None:
        lex = load_lexicon("translation/leaked_words")
        self._lex = lex
        self._gap = float(lex["min_zipf_gap"] if min_zipf_gap is None else min_zipf_gap)
        self._doc_word_zipf = doc_word_zipf
        self._prior: dict[str, float] = {
            k: float(v) for k, v in lex["language_prior"].items() if not k.startswith("_")
        }
        self._allow = {k: frozenset(v) for k, v in lex["allow"].items()}
        self._particles = frozenset(lex["name_particles"])
        self._letter_ctx = {k: frozenset(v) for k, v in lex["letter_contexts"].items()}
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
        return doc.memo("translation.leaked", lambda: self._find(doc))  # type: ignore[no-any-return]

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
        quoted = _quoted_spans(doc)
        qstarts = [s[0] for s in quoted]
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
                out.append(((a, b), src))
        return out

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
    """Frequent words of other languages that are much rarer in `doc_lang`: word -> [(language, gap)]."""
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


# --------------------------------------------------------------------------------------------------
# Calques and meaning-changing literal translations of idioms
# --------------------------------------------------------------------------------------------------


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
                pat = re.compile(r"(?<!\w)(?:" + e["pattern"] + r")(?!\w)", re.IGNORECASE)
                anchor = e["anchor"]
                anchors = (anchor,) if isinstance(anchor, str) else tuple(anchor)
                rows.append((pat, e, frozenset(e.get("context", ())), anchors))
            self._entries[lang] = rows

    def find(self, doc: Document) -> list[tuple[Span, dict[str, Any]]]:
        """Calques as (span, lexicon entry), memoised on the document."""
        return doc.memo("translation.calques", lambda: self._find(doc))  # type: ignore[no-any-return]

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
                    if not any(re.search(r"(?<!\w)" + re.escape(c) + r"(?!\w)", sentence) for c in ctx):
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


# --------------------------------------------------------------------------------------------------
# Grammar artefacts: elision, gender agreement, capitalised verbs, orphaned reporting verbs
# --------------------------------------------------------------------------------------------------

# spaCy components the gender check needs: the tagger's morphology and the rules that refine it.
_TAGGER = ("tok2vec", "morphologizer", "attribute_ruler")
_CONSONANTS = frozenset("bcdfgjklmnpqrstvwxzç")
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")


class GrammarArtefacts(Feature):
    """Grammar breakage typical of machine translation and of plugins that translate segment by segment.

    - broken elision: an elided French article or pronoun before a consonant ("d'munitions");
    - gender disagreement: a gendered determiner or pre-nominal adjective before a noun of the other
      gender ("une nouvelle ordre"); candidates come from noun endings and unelided vowels, and only
      those are checked with the tagger's gender of the noun in a neutral frame (fr_core_news_sm);
    - capitalised verb: a verb form capitalised mid-sentence right after a subject pronoun or an
      auxiliary, the trace of a link or a capitalised segment;
    - orphaned reporting verb: a reporting verb alone, lower-case, after a sentence end
      ("... responsables occidentaux. dire.").
    Known false positives: quoted dialect or slang with elisions ("p'tit" is not listed, "d'jà" would
    be); nouns whose gender the tagger gets wrong in the frame; brand names written as verbs
    ("il a Uber"); poems or headlines with capitals on every word.
    """

    family: ClassVar[str] = "translation"
    needs_spacy: ClassVar[bool] = True  # the tagger on neutral frames for the few suspicious determiner-noun pairs
    codes: ClassVar[dict[str, str]] = {
        "translation.broken_elision": 'An elided article or pronoun before a consonant ("d\'munitions").',
        "translation.gender_disagreement": 'A gendered determiner or adjective before a noun of the other gender ("une nouvelle ordre").',
        "translation.capitalised_verb": "A verb capitalised mid-sentence after a pronoun or auxiliary, left from a link or a capitalised segment.",
        "translation.orphan_reporting_verb": 'A reporting verb left alone after a sentence end ("... occidentaux. dire.").',
    }

    def __init__(self, max_gender_candidates: int = 8, min_doc_zipf: float | None = None) -> None:
        lex = load_lexicon("translation/grammar")
        el = lex["elision"]
        self._elision_re = re.compile(
            r"(?<![\w'’])(" + "|".join(sorted(el["fr"], key=len, reverse=True)) + r")['’]([^\W\d_]{2,})",
            re.IGNORECASE,
        )
        self._elision_exempt = frozenset(el["exempt_next"])
        g = lex["gender"]["fr"]
        self._fem = frozenset(g["fem_determiners"])
        self._masc = frozenset(g["masc_determiners"])
        self._vowel_fem = frozenset(g["vowel_revealing_fem"])
        self._exceptions = frozenset(g["exceptions"])
        self._fem_looking = tuple(g["fem_looking_endings"])
        self._clitics = frozenset(g["clitic_determiners"])
        self._verb_like = tuple(g["verb_endings_after_clitic"])
        endings = [(e, "Fem") for e in g["fem_endings"]] + [(e, "Masc") for e in g["masc_endings"]]
        self._endings = sorted(endings, key=lambda x: len(x[0]), reverse=True)
        self._frames = tuple(g["frames"])
        self._max_gender = max_gender_candidates
        # Tagger genders per noun, filled lazily: a cache, not state that changes any result.
        self._gender_cache: dict[str, str | None] = {}
        # Candidate pairs come from one C-level scan: a determiner, one space, then (in a lookahead, so
        # "une nouvelle ordre" yields both pairs) a lower-case word followed by no word character. The
        # endings are then tested with str.endswith, which is much cheaper than regex alternations
        # tried at every backtracking step.
        word = "[a-zàâäéèêëîïôöùûüç]"

        def alt(items: Iterable[str]) -> str:
            return "|".join(sorted((re.escape(x) for x in items), key=len, reverse=True))

        self._fem_end = tuple(e for e, gd in self._endings if gd == "Fem")
        self._masc_end = tuple(e for e, gd in self._endings if gd == "Masc")
        self._all_dets = frozenset(d.lower() for d in self._fem | self._masc | self._vowel_fem)
        self._det_re = re.compile(
            r"(?<![\w'’])(" + alt(self._fem | self._masc | self._vowel_fem) + r") (?=(" + word + r"+)(?![\w'’-]))",
            re.IGNORECASE,
        )
        rv = lex["reporting_verbs"]
        # The verb is tried only where a sentence end (or a line start) is followed by one of the verbs'
        # first letters: a C-level scan that finds a handful of places, instead of the alternation of
        # every verb tried at every position of the text.
        self._orphan_re = {
            lang: (
                re.compile(
                    r"(?:[.!?…»\"”][ \t]+|\n)(?=["
                    + "".join(sorted({re.escape(v[0]) for v in verbs}))
                    + "])"
                ),
                re.compile(
                    "("
                    + "|".join(sorted((re.escape(v) for v in verbs), key=len, reverse=True))
                    + r")[ \t]*[.!?](?=\s|$)"
                ),
            )
            for lang, verbs in rv.items()
            if not lang.startswith("_")
        }
        cv = lex["capitalised_verb"]
        # The previous word must be a lower-case pronoun or auxiliary, then one space and a capitalised word.
        self._cap_re = {
            lang: (
                re.compile(
                    r"(?<![\w'’])(?:"
                    + "|".join(sorted((re.escape(b) for b in cv[lang]["before"]), key=len, reverse=True))
                    + r") ([A-ZÀ-Ý][a-zà-ÿ]{2,})(?![\w'’-])"
                ),
                tuple(cv[lang]["endings"]),
            )
            for lang in ("fr", "en")
        }
        # The words that may precede a capitalised verb, by length (longest first), for `_cap_matches`.
        self._cap_before = {
            lang: (frozenset(cv[lang]["before"]), sorted({len(b) for b in cv[lang]["before"]}, reverse=True))
            for lang in ("fr", "en")
        }
        self._cap_gap = float(cv["min_gap_other_languages"])
        self._cap_min = float(cv["min_doc_zipf"] if min_doc_zipf is None else min_doc_zipf)

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in ("fr", "en"):
            return []
        out: list[Signal] = []
        if lang == "fr":
            spans = self._broken_elision(doc)
            if spans:
                out.append(
                    self.flag(
                        doc,
                        "translation.broken_elision",
                        "Elided article or pronoun before a consonant.",
                        spans,
                    )
                )
            spans = self._gender(doc)
            if spans:
                out.append(
                    self.flag(
                        doc,
                        "translation.gender_disagreement",
                        "Determiner and noun of different genders.",
                        spans,
                    )
                )
        spans = self._capitalised_verbs(doc, lang)
        if spans:
            out.append(
                self.flag(
                    doc,
                    "translation.capitalised_verb",
                    "Verb capitalised in the middle of a sentence.",
                    spans,
                )
            )
        spans = self._orphans(doc.text, lang)
        if spans:
            out.append(
                self.flag(
                    doc,
                    "translation.orphan_reporting_verb",
                    "Reporting verb left alone after the end of a sentence.",
                    spans,
                )
            )
        return out

    def _orphans(self, text: str, lang: str) -> list[Span]:
        starts, verb = self._orphan_re[lang]
        spans: list[Span] = []
        last_end = 0
        for gap in starts.finditer(text):
            if gap.end() < last_end:
                continue  # inside the previous match
            m = verb.match(text, gap.end())
            if m is not None:
                spans.append(m.span(1))
                last_end = m.end()
        return spans

    def _broken_elision(self, doc: Document) -> list[Span]:
        spans: list[Span] = []
        for m in self._elisions(doc.text):
            nxt = m.group(2)
            low = nxt.lower()
            if low[0] not in _CONSONANTS or low in self._elision_exempt or not nxt[0].islower():
                continue  # capitalised or acronym: a foreign name ("d'Brien") is not a French word
            if zipf(low, "fr") < 3.0 or zipf(low, "fr") < zipf(low, "en"):
                continue  # only real French words: slang and foreign names keep their own spelling
            spans.append((m.start(), m.end()))
        return spans

    def _ending_gender(self, noun: str) -> str | None:
        for end, gender in self._endings:
            if noun.endswith(end) and len(noun) > len(end) + 1:
                return gender
        return None

    def _gender(self, doc: Document) -> list[Span]:
        cands: list[tuple[Span, str, str]] = []  # (span of det+noun, noun, determiner gender)
        for m in self._pairs(doc):
            det, noun = m.group(1).lower(), m.group(2)
            if not noun[0].islower():
                continue  # a capitalised word after a determiner is a name or a title
            det_gender = "Fem" if det in self._fem else "Masc"
            if noun.endswith("ième") or noun in self._exceptions:
                continue  # ordinals ("la huitième saison") agree with the noun that follows
            if det in self._clitics and noun.endswith(self._verb_like):
                continue  # "la revoir", "le ferment": an object pronoun before a verb
            by_end = self._ending_gender(noun)
            suspicious = (by_end is not None and by_end != det_gender) or (
                det in self._vowel_fem and noun[0] in _VOWELS and not noun.endswith(self._fem_looking)
            )
            if suspicious and zipf(noun, "fr") >= 3.0:
                cands.append(((m.start(), m.end(2)), noun, det_gender))
                if len(cands) >= self._max_gender:
                    break
        if not cands:
            return []
        self._tag_genders({n for _, n, _ in cands})
        return [sp for sp, noun, g in cands if self._gender_cache.get(noun) not in (None, g)]

    def _cap_matches(self, text: str, lang: str) -> Iterator[re.Match[str]]:
        """What `_cap_re[lang]` finds with finditer, trying it only where a listed word ends just before
        a space and a capital (the words hold no space, so each match ends its first part there)."""
        pat, _ = self._cap_re[lang]
        befores, lengths = self._cap_before[lang]
        last_end = 0
        for gap in _SPACE_CAPITAL_RE.finditer(text):
            i = gap.start()
            for n in lengths:
                p = i - n
                if p >= last_end and text[p:i] in befores:
                    m = pat.match(text, p)
                    if m is not None:
                        yield m
                        last_end = m.end()
                        break

    def _elisions(self, text: str) -> Iterator[re.Match[str]]:
        """What `_elision_re.finditer(text)` finds, trying the pattern only where it can match: at the
        start of the run of word characters before each apostrophe (a scan from every position costs
        ~0.5 ms per article; there are a few dozen apostrophes)."""
        n = len(text)
        i = _next_apostrophe(text, 0)
        while i < n:
            s = i
            while s > 0 and (text[s - 1].isalnum() or text[s - 1] == "_"):
                s -= 1
            m = self._elision_re.match(text, s) if s < i else None
            if m is not None:
                yield m
                i = _next_apostrophe(text, m.end())
            else:
                i = _next_apostrophe(text, i + 1)

    def _det_matches(self, doc: Document) -> Iterator[re.Match[str]]:
        """What `_det_re.finditer(doc.text)` finds, trying the pattern only at words that are a
        determiner followed by a space: the last hyphen-joined part of a word (as `doc.words` cuts
        them), since a match starts a run of word characters not preceded by one or by an apostrophe."""
        text = doc.text
        n = len(text)
        dets = self._all_dets
        words = doc.words
        lows = doc.lower_words
        # The candidates first, in one comprehension: most words are neither.
        for i in [i for i, low in enumerate(lows) if low in dets or "-" in low]:
            low = lows[i]
            if low not in dets:  # a hyphen-joined word: its last part
                low = low.rsplit("-", 1)[-1]
                if low not in dets:
                    continue
            b = words[i][1]
            if b < n and text[b] == " ":
                m = self._det_re.match(text, b - len(low))
                if m is not None:
                    yield m

    def _pairs(self, doc: Document) -> Iterator[re.Match[str]]:
        """Determiner-noun pairs worth a look, once per kind of mismatch they may show: a feminine
        determiner before a masculine ending, a masculine one before a feminine ending, a form that has a
        masculine variant before vowels (nouvelle, belle, la) before a vowel-initial word."""
        for m in self._det_matches(doc):
            det, noun = m.group(1).lower(), m.group(2).lower()
            body = len(noun)
            # The tuple form of endswith is a cheap pre-test; the loop then requires a non-empty stem.
            if (
                det in self._fem
                and noun.endswith(self._masc_end)
                and any(noun.endswith(e) and body > len(e) for e in self._masc_end)
            ):
                yield m
            if (
                det in self._masc
                and noun.endswith(self._fem_end)
                and any(noun.endswith(e) and body > len(e) for e in self._fem_end)
            ):
                yield m
            if det in self._vowel_fem and noun[0] in _VOWELS and body >= 3:
                yield m

    def _tag_genders(self, nouns: Iterable[str]) -> None:
        """Fill the gender cache for `nouns` with one tagger call over neutral frames ("Leur NOUN est là.")."""
        todo = sorted(n for n in nouns if n not in self._gender_cache)
        if not todo:
            return
        frames = [(noun, fr.format(noun)) for noun in todo for fr in self._frames]
        docs = run_components("fr", [" ".join(f for _, f in frames)], keep=_TAGGER)
        if docs is None:
            for n in todo:
                self._gender_cache[n] = None
            return
        parsed = docs[0]
        by_start: dict[int, Any] = {t.idx: t for t in parsed}
        votes: dict[str, set[str | None]] = {}
        pos = 0
        for noun, frame in frames:
            tok = by_start.get(pos + frame.index(noun))
            gender = None
            if tok is not None and tok.text.lower() == noun and tok.pos_ == "NOUN":
                g = tok.morph.get("Gender")
                gender = g[0] if len(g) == 1 else None
            votes.setdefault(noun, set()).add(gender)
            pos += len(frame) + 1
        for noun, vs in votes.items():
            # Only a gender every frame agrees on counts: the tagger guesses from the ending otherwise.
            self._gender_cache[noun] = vs.pop() if len(vs) == 1 else None
        if len(self._gender_cache) > 50_000:  # bounded memory in long runs
            self._gender_cache.clear()

    def _capitalised_verbs(self, doc: Document, lang: str) -> list[Span]:
        _, endings = self._cap_re[lang]
        others = [x for x in ("en", "fr", "de", "it", "es") if x != lang]
        spans: list[Span] = []
        for m in self._cap_matches(doc.text, lang):
            low = m.group(1).lower()
            if not low.endswith(endings):
                continue
            zd = zipf(low, lang)
            # A verb form is frequent in its own language only; names are frequent in every language.
            if zd >= self._cap_min and zd - max(zipf(low, o) for o in others) >= self._cap_gap:
                spans.append((m.start(1), m.end(1)))
        return spans


# --------------------------------------------------------------------------------------------------
# Plugin residue and language switchers
# --------------------------------------------------------------------------------------------------


# Characters that switcher widgets put around a label ("Langue ▼", "» Language:").
_LABEL_DECORATION = ":»›▼▾|-–—•·"


class PluginResidue(Feature):
    """Labels of translation plugins and language switchers left in the text: the word for "language"
    in another language alone on a line ("Langaj", "Sprache"), switcher phrases ("Select Language"),
    and lines that are lists of language names ("English Français Deutsch Español").

    Known false positives: a one-word line that is a heading in another language ("Lingua" as the
    title of a section about Latin); a glossary listing language names.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.plugin_residue": "A translation plugin's or language switcher's label or language list left in the body text.",
    }

    def __init__(self) -> None:
        lex = load_lexicon("translation/plugin_residue")
        self._labels: dict[str, set[str]] = {}
        for lang, labels in lex["labels"].items():
            for lab in labels:
                self._labels.setdefault(lab, set()).add(lang)
        names = sorted(lex["endonyms"], key=len, reverse=True)
        self._names_re = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
        )
        self._min_names = int(lex["min_list_names"])
        # The first run of word characters of each name: a line with fewer such words than a list needs
        # cannot be one, and a set lookup per word is ~10x cheaper than the names' alternation per line.
        self._name_heads = frozenset(
            runs[0] for runs in (_WORD_RUN_RE.findall(n.lower()) for n in lex["endonyms"]) if runs
        )

    def extract(self, doc: Document) -> list[Signal]:
        text = doc.text
        lang = doc.base_language
        spans: list[Span] = []
        heads = self._name_heads
        for a, b in doc.paragraphs:
            line = text[a:b]
            if len(line) > 200:
                continue
            key = line.strip().strip(_LABEL_DECORATION).strip().lower()
            langs = self._labels.get(key)
            # A one-word label in the document's own language may be a heading; a multi-word switcher
            # phrase or a label in another language is residue.
            if langs and (lang not in langs or " " in key):
                off = line.lower().find(key)
                spans.append((a + off, a + off + len(key)))
                continue
            if sum(1 for w in _WORD_RUN_RE.findall(line.lower()) if w in heads) < self._min_names:
                continue
            names = list(self._names_re.finditer(line))
            if len(names) >= self._min_names:
                covered = sum(m.end() - m.start() for m in names)
                if covered >= 0.6 * len(line.replace(" ", "").replace("|", "")):
                    spans.append((a + names[0].start(), a + names[-1].end()))
        if not spans:
            return []
        return [
            self.flag(
                doc,
                "translation.plugin_residue",
                "Label or language list of a translation plugin left in the text.",
                spans,
            )
        ]


# --------------------------------------------------------------------------------------------------
# Foreign typography
# --------------------------------------------------------------------------------------------------


class ForeignTypography(Feature):
    """Typography of another language in French text (English curly quotes, 1,000 thousands commas,
    decimal points before units, no space before ; : ! ?, « closed by «) or in English text
    (guillemets, decimal commas, a space before ? ! ; :). A weak signal: many human sites do the same.

    Known false positives: sites whose CMS straightens or strips French spacing; English quotations
    inside French articles; tables of figures.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.foreign_typography": "Typography of another language (quotes, number format, spacing before punctuation); weak alone.",
    }

    def __init__(self, min_missing_space: int | None = None) -> None:
        lex = load_lexicon("translation/typography")
        fr, en = lex["fr"], lex["en"]
        units_fr = "|".join(sorted((re.escape(u) for u in fr["decimal_point_units"]), key=len, reverse=True))
        units_en = "|".join(sorted((re.escape(u) for u in en["decimal_comma_units"]), key=len, reverse=True))
        q_fr = "".join(fr["foreign_quotes"])
        q_en = "".join(en["foreign_quotes"])
        # (kind, pattern, a pattern every match contains or None). A pattern that starts with a
        # lookbehind is tried at every character, so the number patterns start with a digit and check
        # the character before it in a lookbehind after it (the same matches; the engine skips to digits
        # in C); the necessary pattern spares most documents even that scan.
        self._res: dict[str, list[tuple[str, re.Pattern[str], re.Pattern[str] | None]]] = {
            "fr": [
                ("quotes", re.compile(f"[{q_fr}]"), None),
                ("number", re.compile(r"\d(?<![\d.,]\d)\d{0,2}(?:,\d{3})+(?![\d,])"), re.compile(r"\d,\d{3}")),
                (
                    "number",
                    re.compile(r"\d(?<![\d.,]\d)\d{0,3}\.\d{1,2}\s?(?:" + units_fr + r")(?!\w)"),
                    re.compile(r"\d\.\d"),
                ),
                ("guillemets", re.compile(r"«[^«»\n]{1,400}«"), None),
            ],
            "en": [
                ("quotes", re.compile(f"[{q_en}]"), None),
                (
                    "number",
                    re.compile(r"\d(?<![\d.,]\d)\d{0,3},\d{1,2}\s?(?:" + units_en + r")(?!\w)"),
                    re.compile(r"\d,\d"),
                ),
            ],
        }
        # French wants a space before ; : ! ? (times, URLs and ratios excluded); English wants none.
        # The letter before is checked by a lookbehind after the punctuation (same matches as a leading
        # lookbehind, but the scan jumps from one punctuation mark to the next).
        self._space = {
            "fr": re.compile(r"(?:[;!?](?=\s|$)|:(?=\s))(?<=[^\W\d_][;!?:])"),
            "en": re.compile(r" [;!?:](?=\s|$)(?<=\w [;!?:])"),
        }
        self._min_space = {
            "fr": int(fr["min_missing_space"] if min_missing_space is None else min_missing_space),
            "en": int(en["min_missing_space"] if min_missing_space is None else min_missing_space),
        }

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in self._res:
            return []
        kinds: Counter[str] = Counter()
        spans: list[Span] = []
        for kind, pat, need in self._res[lang]:
            if need is not None and need.search(doc.text) is None:
                continue
            for m in pat.finditer(doc.text):
                spans.append((m.start(), m.end()))
                kinds[kind] += 1
        sp = [(m.start(), m.end()) for m in self._space[lang].finditer(doc.text)]
        if len(sp) >= self._min_space[lang]:
            spans.extend(sp)
            kinds["spacing"] += len(sp)
        if not spans:
            return []
        return [
            self.flag(
                doc,
                "translation.foreign_typography",
                "Typography of another language (" + ", ".join(sorted(kinds)) + ").",
                spans,
                kinds=dict(kinds),
            )
        ]


# --------------------------------------------------------------------------------------------------
# Document-level estimate
# --------------------------------------------------------------------------------------------------

# Typography folded the way the evaluation data's `text_norm` folds it, so that the estimate never
# learns or scores quote and dash styles (a property of the publisher, not of the translation).
_MT_FOLD = {"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "’": "'", "‘": "'", "–": "-", "—": "-", "…": "..."}
# Views of the token stream and the longest n-gram counted in each: "a" content words as their shape,
# "s" content words as their three-letter ending, "z" content words as their frequency band.
MT_VIEWS: dict[str, int] = {"a": 3, "s": 2, "z": 2}
# The character view "c": the token stream with every word the language's word frequencies know well
# enough (Zipf >= MT_CHAR_ZIPF) kept as it is, lower-cased, and rarer words (names, rare terms) as
# their "s" token; its character n-grams of orders MT_CHAR_ORDERS, hashed into 2**MT_CHAR_BITS buckets.
MT_CHAR_ZIPF = 2.0
MT_CHAR_ORDERS = (2, 5)
MT_CHAR_BITS = 18
# Odd 64-bit multipliers of the character n-gram hash (any fixed odd constants would do).
_HASH_A = np.uint64(0x9E3779B97F4A7C15)
_HASH_B = np.uint64(0xC2B2AE3D27D4EB4F)


class _TokenViews(dict):  # type: ignore[type-arg]
    """Cache: raw token -> its token in each view, computed on first sight by `make`."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, tok: str) -> tuple[str, str, str, str]:
        v = self[tok] = self._make(tok)
        return v  # type: ignore[no-any-return]


class MtTokenizer:
    """Turns a text into topic-neutral token streams, one per view of `MT_VIEWS`: frequent (style) words,
    elided prefixes ("l'") and punctuation are kept; every other word becomes its shape ("Xx", "x", "9",
    "XX", "x-" for a compound), its ending ("~ion") or its frequency band ("z4"; "zo" when unknown to the
    language's word frequencies). The extra view "c" keeps the words the language knows well, lower-cased,
    and hides only rare ones (names, rare terms) behind their ending or shape: the character view's input.
    Spacing and typography (quote and dash styles) are ignored."""

    def __init__(self, lang: str, style_words: Iterable[str], elisions: Iterable[str]) -> None:
        self.lang = lang
        self._style = frozenset(style_words)
        # An elided prefix followed by a word is a token of its own ("l'armée" -> "l'", "armée"); then
        # words as in Document.words; then a run of dots (an ellipsis, folded with "…"); then any other
        # visible character alone. The lookahead (a prefix's first letter, up to a prefix's length of
        # word characters, an apostrophe, a word character) lets nearly every word skip the prefix
        # alternation, which tried at every word would cost more than the whole scan.
        elisions = sorted(set(elisions))
        alts = "|".join(sorted((re.escape(e) for e in elisions), key=lambda e: (-len(e), e)))
        firsts = re.escape("".join(sorted({c for e in elisions for c in (e[0].lower(), e[0].upper())})))
        longest = max(map(len, elisions))
        self._re = re.compile(
            rf"(?=[{firsts}]\w{{0,{longest - 1}}}['’]\w)(?i:{alts})['’]|\w+(?:['’\-]\w+)*|\.{{2,}}|[^\w\s]"
        )
        self._cache = _TokenViews(self._views)

    def _views(self, tok: str) -> tuple[str, str, str, str]:
        low = tok.lower().replace("’", "'")
        if low in self._style or low[-1] == "'":
            return low, low, low, low
        first = tok[0]
        if not first.isalnum() and first != "_":
            p = "..." if tok[:2] == ".." else _MT_FOLD.get(tok, tok)
            return p, p, p, p
        if first.isdigit():
            return "9", "9", "9", "9"
        upper = first.isupper()
        shape = ("XX" if len(tok) > 1 and tok.isupper() else "Xx") if upper else "x"
        if "-" in low:
            shape += "-"
        end = shape if upper or not low.isalpha() else "~" + low[-3:]
        z = zipf(low, self.lang)
        band = ("Z" if upper else "z") + (str(min(int(z), 7)) if z > 0 else "o")
        return shape, end, band, low if z >= MT_CHAR_ZIPF else end

    def __call__(self, text: str) -> dict[str, list[str]]:
        if len(self._cache) > 20_000:  # bound the memory of a long-running process
            self._cache.clear()
        return _Streams(list(map(self._cache.__getitem__, self._re.findall(text))))


# Position of each view in the tuples MtTokenizer caches per token.
_VIEW_INDEX = {"a": 0, "s": 1, "z": 2, "c": 3}


class _Streams(dict):  # type: ignore[type-arg]
    """A document's token stream per view, each list built from the per-token views when first read:
    the shipped model reads only the views it has coefficients for."""

    def __init__(self, views: list[tuple[str, str, str, str]]) -> None:
        super().__init__()
        self._views = views

    def __missing__(self, view: str) -> list[str]:
        i = _VIEW_INDEX[view]  # KeyError for an unknown view, as a plain dict
        out = self[view] = [v[i] for v in self._views]
        return out


def mt_tokens(doc: Document, tokenizer: MtTokenizer) -> dict[str, list[str]]:
    """`tokenizer`'s token streams of `doc`, memoised on the document."""
    return doc.memo("translation.mt_tokens", lambda: tokenizer(doc.text))  # type: ignore[no-any-return]


def mt_profile(doc: Document, tokenizer: MtTokenizer) -> dict[str, float]:
    """Topic-neutral style profile of `doc` that the document-level machine-translation estimate is a
    linear model over: per view, the sublinear frequency (1 + log count) of every n-gram of orders 1 to
    `MT_VIEWS[view]`, divided by the L2 norm of all of the view's values, named `view:token token`.
    Shared with the training and evaluation scripts so that a model is always trained on exactly what it
    scores (MachineTranslationEstimate computes the same values with arrays)."""
    out: dict[str, float] = {}
    streams = mt_tokens(doc, tokenizer)
    for view in MT_VIEWS:
        toks = streams[view]
        counts: Counter[tuple[str, ...]] = Counter()
        for n in range(1, MT_VIEWS[view] + 1):
            counts.update(zip(*(toks[k:] for k in range(n)), strict=False))  # shifted copies: shortest wins
        vals = {g: 1.0 + math.log(c) for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vals.values())) or 1.0
        for g, v in vals.items():
            out[f"{view}:{' '.join(g)}"] = v / norm
    return out


def mt_char_counts(forms: list[str]) -> tuple[Any, Any]:
    """The character view of a token stream ("c" of MtTokenizer): the hashed buckets (sorted int64) of
    every character n-gram of orders MT_CHAR_ORDERS in the tokens joined by single spaces, and their
    counts. Shared with the training and evaluation scripts."""
    text = " ".join(forms)
    c = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64) * _HASH_A
    lo, hi = MT_CHAR_ORDERS
    shift = np.uint64(64 - MT_CHAR_BITS)
    # Every n-gram's bucket in one preallocated uint32 array (sorting 32-bit keys is the main cost).
    out = np.empty(sum(max(len(c) - n + 1, 0) for n in range(lo, hi + 1)), dtype=np.uint32)
    pos = 0
    if lo == 1:
        out[: len(c)] = c >> shift
        pos = len(c)
    h = c
    for n in range(2, hi + 1):
        m = len(c) - n + 1
        if m <= 0:
            break
        # The hash of an n-gram from the hash of its first n-1 characters (wrapping uint64 arithmetic).
        h = (h[:m] * _HASH_B) ^ c[n - 1 :]
        if n >= lo:
            out[pos : pos + m] = h >> shift
            pos += m
    out.sort()
    first = np.empty(len(out), dtype=bool)
    first[:1] = True
    np.not_equal(out[1:], out[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return out[starts].astype(np.int64), np.diff(starts, append=len(out))


def mt_char_idf(df: Any, n_docs: int) -> Any:
    """Smoothed inverse document frequency of each bucket (as scikit-learn's TfidfTransformer)."""
    return np.log((1.0 + n_docs) / (1.0 + np.asarray(df, dtype=float))) + 1.0


def mt_char_values(keys: Any, counts: Any, idf: Any) -> Any:
    """The character view's feature values for `mt_char_counts`'s buckets: sublinear frequency times the
    bucket's idf, L2-normalised (a TF-IDF vector)."""
    v = (1.0 + np.log(counts)) * idf[keys]
    return v / (float(np.sqrt((v * v).sum())) or 1.0)


class _TokenIds(dict):  # type: ignore[type-arg]
    """Token -> small integer id, for packing n-grams into int64 keys. The model's tokens are fixed
    first; other tokens get the next free ids (they never match a model n-gram, only their counts
    matter). `trim` drops those again between documents, long before ids could overflow 20 bits (a
    document capped at 200k characters has fewer than 2**18 tokens)."""

    _fixed = 0

    def fix(self, tokens: Iterable[str]) -> None:
        for t in tokens:
            if t not in self:
                dict.__setitem__(self, t, len(self))
        self._fixed = len(self)

    def trim(self) -> None:
        if len(self) > 1 << 19:
            for k in list(self)[self._fixed :]:
                del self[k]

    def __missing__(self, tok: str) -> int:
        i = len(self)
        dict.__setitem__(self, tok, i)
        return i


def _gram_key(ids: list[int]) -> int:
    """The int64 key of one n-gram of token ids (its order in the top bits)."""
    k = len(ids) << 60
    for j, i in enumerate(ids):
        k |= i << (20 * (len(ids) - 1 - j))
    return k


def _ngram_keys(ids: Any, order: int) -> Any:
    """The keys of every n-gram of orders 1 to `order` in the id array (as `_gram_key`)."""
    parts = []
    for n in range(1, order + 1):
        m = len(ids) - n + 1
        if m <= 0:
            break
        k = np.full(m, n << 60, dtype=np.int64)
        for j in range(n):
            k |= ids[j : j + m] << (20 * (n - 1 - j))
        parts.append(k)
    return np.concatenate(parts)


def mt_char_pack(values: Any, dtype: str) -> str:
    """An array as base64 of its zlib-compressed little-endian bytes (compact JSON for the model file)."""
    import base64
    import zlib

    return base64.b64encode(zlib.compress(np.asarray(values, dtype=dtype).tobytes(), 9)).decode("ascii")


def mt_char_arrays(m: dict[str, Any]) -> tuple[Any, Any]:
    """The character view's idf and coefficient per bucket from its model entry (`mt_char_pack`ed
    document frequencies as uint16 and coefficients as float32)."""
    import base64
    import zlib

    if m["bits"] != MT_CHAR_BITS or tuple(m["orders"]) != MT_CHAR_ORDERS or m["zipf"] != MT_CHAR_ZIPF:
        raise ValueError("the character model was trained with other settings than MT_CHAR_*")
    df = np.frombuffer(zlib.decompress(base64.b64decode(m["df"])), dtype="<u2")
    coef = np.frombuffer(zlib.decompress(base64.b64decode(m["coef"])), dtype="<f4").astype(float)
    if len(df) != len(coef) or len(df) != 1 << MT_CHAR_BITS:
        raise ValueError("character model arrays of the wrong size")
    return mt_char_idf(df, int(m["n_docs"])), coef


class MachineTranslationEstimate(Feature):
    """Document-level probability that the text is machine-translated, even when it reads fluently, and
    the most likely source language when the artefact detectors found evidence for one.

    A logistic model (shipped as JSON coefficients, trained by `scripts/train_translation_mt.py`) over
    two views of the text. The word view (`mt_profile`): frequent words and punctuation kept, every other
    word replaced by its shape, its ending or its frequency band, then n-grams of those tokens (the
    literal syntax and connectors of machine translation without the subject matter). The character view
    (`mt_char_counts`): TF-IDF of hashed character n-grams of the token stream with only rare words
    (names, rare terms) hidden, spacing and typography folded (word choice and morphology). Common
    words are kept there, so the subject matter moves the estimate somewhat; names do not. The shipped
    model has only the character view (the word view added nothing to it on WMT and costs more time);
    a model file with word n-grams is scored with both.
    French only for now (the model is per language; English documents get the artefact-based source
    language only).
    Known false positives: plain, formulaic human copy (agency wires, press releases, documentation)
    and human translations, which share much of machine translation's literal style.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.mt_likelihood": "Document-level probability that the text is machine-translated (style model); detail names the likely source language when artefacts show one.",
    }

    def __init__(self) -> None:
        words = load_lexicon("translation/mt_style_words")
        self._tokenizers = {"fr": MtTokenizer("fr", words["fr"], words["fr_elisions"])}
        model = load_lexicon("translation/mt_model")
        # Per language: intercept and, per view, the model's n-gram keys (sorted) and coefficients.
        self._models: dict[str, tuple[float, dict[str, tuple[Any, Any]]]] = {}
        # Per language: the character view's idf and coefficient per hash bucket.
        self._char: dict[str, tuple[Any, Any]] = {
            lang: mt_char_arrays(m["char"])
            for lang, m in model.items()
            if not lang.startswith("_") and "char" in m
        }
        self._ids = _TokenIds()
        grams: dict[str, list[tuple[str, list[str], float]]] = {}
        for lang, m in model.items():
            if not lang.startswith("_"):
                grams[lang] = [
                    (n.split(":", 1)[0], n.split(":", 1)[1].split(" "), float(w))
                    for n, w in zip(m["features"], m["coef"], strict=True)
                ]
        # The model's tokens take the first ids, in file order, so that its keys never change.
        self._ids.fix([t for items in grams.values() for _, toks, _ in items for t in toks])
        for lang, items in grams.items():
            per_view: dict[str, tuple[Any, Any]] = {}
            for view in MT_VIEWS:
                ks = [_gram_key([self._ids[t] for t in toks]) for v, toks, _ in items if v == view]
                ws = [w for v, _, w in items if v == view]
                order = np.argsort(np.array(ks, dtype=np.int64), kind="stable")
                per_view[view] = (np.array(ks, dtype=np.int64)[order], np.array(ws, dtype=float)[order])
            self._models[lang] = (float(model[lang]["intercept"]), per_view)
        self._leaked = LeakedForeignWords()
        self._calque = Calque()

    def source_language(self, doc: Document) -> tuple[str | None, dict[str, float]]:
        """The most likely source language from leaked words and calques, with the vote per language."""
        votes: dict[str, float] = {}
        for _, lang in self._leaked.find(doc):
            votes[lang] = votes.get(lang, 0.0) + 1.0
        for _, entry in self._calque.find(doc):
            for lang in entry["from"]:
                votes[lang] = votes.get(lang, 0.0) + 1.0 / len(entry["from"])
        votes.pop(doc.base_language, None)
        if not votes:
            return None, {}
        prior = self._leaked.prior
        best = max(votes, key=lambda k: (votes[k], prior.get(k, 0.0)))
        return best, dict(votes)

    def probability(self, doc: Document) -> float | None:
        """The model's probability for `doc`, or None when there is no model for its language."""
        lang = doc.base_language
        m = self._models.get(lang)
        if m is None or not doc.words:
            return None
        z, per_view = m
        self._ids.trim()
        # mt_profile's values with arrays: n-gram keys packed in int64 (20 bits per token id).
        streams = mt_tokens(doc, self._tokenizers[lang])
        for view in MT_VIEWS:
            if not len(per_view[view][0]):  # a model without the view: its stream is never built
                continue
            toks = streams[view]
            if not toks:
                continue
            ids = np.fromiter(map(self._ids.__getitem__, toks), dtype=np.int64, count=len(toks))
            keys, counts = np.unique(_ngram_keys(ids, MT_VIEWS[view]), return_counts=True)
            vals = 1.0 + np.log(counts)
            norm = float(np.sqrt((vals * vals).sum())) or 1.0
            mkeys, mcoef = per_view[view]
            pos = np.minimum(np.searchsorted(mkeys, keys), len(mkeys) - 1)
            hit = mkeys[pos] == keys
            z += float((mcoef[pos[hit]] * vals[hit]).sum()) / norm
        char = self._char.get(lang)
        if char is not None:
            idf, coef = char
            keys, counts = mt_char_counts(mt_tokens(doc, self._tokenizers[lang])["c"])
            if len(keys):
                z += float(coef[keys] @ mt_char_values(keys, counts, idf))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def extract(self, doc: Document) -> list[Signal]:
        if doc.base_language not in ("fr", "en"):
            return []
        p = self.probability(doc)
        src, votes = self.source_language(doc)
        if p is None and src is None:
            return []
        detail: dict[str, Any] = {"source_language": src, "source_votes": votes} if src else {}
        msg = "Estimated probability that the text is machine-translated" + (
            f" (likely from {src})." if src else "."
        )
        return [
            Signal(
                "translation.mt_likelihood", msg, (), float(p if p is not None else 0.0), Kind.MEASURE, detail
            )
        ]


FEATURES: list[type[Feature]] = [
    NumberPlaceholder,
    LeakedForeignWords,
    Calque,
    GrammarArtefacts,
    PluginResidue,
    ForeignTypography,
    MachineTranslationEstimate,
]

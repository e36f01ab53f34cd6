"""Grammar of translation: breakage typical of machine translation and of plugins that translate
segment by segment (broken elision, gender disagreement, an orphaned reporting verb), reported with the
capitalised verbs that `surface` finds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from features.base import Feature, Signal, load_lexicon
from features.document import Document, Span
from features.nlp import run_components, zipf
from features.text import alternation, char_class, inside_any, quoted_speech_spans
from features.translation.surface import CapitalisedVerbs

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
    Elision and gender checks skip quoted speech (`features.text.quoted_speech_spans`): speech is
    written as it was said ("J'te jure", "n'bois pas"), not as edited prose. A reporting verb right
    after a closing quote is the attribution of that quotation ("..." a-t-il dit.), not an orphan.
    Known false positives: dialect or slang with elisions outside quotation marks; nouns whose gender
    the tagger gets wrong in the frame; brand names written as verbs
    ("il a Uber"); poems or headlines with capitals on every word.
    """

    family: ClassVar[str] = "translation"
    needs_spacy: ClassVar[bool] = (
        True  # the tagger on neutral frames for the few suspicious determiner-noun pairs
    )
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
            r"(?<![\w'’])(" + alternation(el["fr"]) + r")['’]([^\W\d_]{2,})", re.IGNORECASE
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
        # Candidate pairs: a determiner, one space, then (in a lookahead, so "une nouvelle ordre" yields
        # both pairs) a lower-case word followed by no word character. The endings are then tested with
        # str.endswith, which is much cheaper than regex alternations tried at every backtracking step.
        word = "[a-zàâäéèêëîïôöùûüç]"
        self._fem_end = tuple(e for e, gd in self._endings if gd == "Fem")
        self._masc_end = tuple(e for e, gd in self._endings if gd == "Masc")
        self._det_re = re.compile(
            r"(?<![\w'’])("
            + alternation(self._fem | self._masc | self._vowel_fem)
            + r") (?=("
            + word
            + r"+)(?![\w'’-]))",
            re.IGNORECASE,
        )
        # The verb is tried only where a sentence end (or a line start) is followed by one of the verbs'
        # first letters: a scan that finds a handful of places, instead of the alternation of every verb
        # tried at every position of the text.
        self._orphan_re = {
            lang: (
                re.compile(r"(?:[.!?…][ \t]+|\n)(?=" + char_class(v[0] for v in verbs) + ")"),
                re.compile("(" + alternation(verbs) + r")[ \t]*[.!?](?=\s|$)"),
            )
            for lang, verbs in lex["reporting_verbs"].items()
            if not lang.startswith("_")
        }
        self._capitalised = CapitalisedVerbs(min_doc_zipf)

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in ("fr", "en"):
            return []
        out: list[Signal] = []
        if lang == "fr":
            speech = quoted_speech_spans(doc.text)
            spans = [sp for sp in self._broken_elision(doc) if not inside_any(speech, sp[0])]
            if spans:
                out.append(
                    self.flag(
                        doc,
                        "translation.broken_elision",
                        "Elided article or pronoun before a consonant.",
                        spans,
                    )
                )
            spans = self._gender(doc, speech)
            if spans:
                out.append(
                    self.flag(
                        doc,
                        "translation.gender_disagreement",
                        "Determiner and noun of different genders.",
                        spans,
                    )
                )
        spans = self._capitalised.spans(doc, lang)
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
        for m in self._elision_re.finditer(doc.text):
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

    def _gender(self, doc: Document, speech: list[Span]) -> list[Span]:
        cands: list[tuple[Span, str, str]] = []  # (span of det+noun, noun, determiner gender)
        for m in self._pairs(doc):
            if inside_any(speech, m.start()):
                continue  # quoted speech keeps the speaker's slips
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

    def _pairs(self, doc: Document) -> Iterator[re.Match[str]]:
        """Determiner-noun pairs worth a look, once per kind of mismatch they may show: a feminine
        determiner before a masculine ending, a masculine one before a feminine ending, a form that has a
        masculine variant before vowels (nouvelle, belle, la) before a vowel-initial word."""
        for m in self._det_re.finditer(doc.text):
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

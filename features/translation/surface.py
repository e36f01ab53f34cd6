"""Surface artefacts of translation: what shows in the characters before any word is read. Number
placeholders, plugin labels and language lists, another language's typography, and verbs capitalised
mid-sentence."""

from __future__ import annotations

import re
from collections import Counter
from typing import ClassVar

from features.base import Feature, Signal, load_lexicon
from features.document import Document, Span
from features.nlp import zipf
from features.text import WORD_RUN_RE, alternation, whole_words


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
        stems = alternation(lex["stems"])
        suffix = "(?:" + alternation(lex["suffixes"]) + ")?"
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
        self._re = re.compile(whole_words("|".join(shapes)))
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


class CapitalisedVerbs:
    """Verb forms capitalised mid-sentence right after a lower-case subject pronoun or auxiliary ("il a
    Annoncé"), the trace of a link or a capitalised segment. A detector that `GrammarArtefacts` reports
    with its other checks; `min_doc_zipf` is how common in the document language the form must be."""

    def __init__(self, min_doc_zipf: float | None = None) -> None:
        cv = load_lexicon("translation/grammar")["capitalised_verb"]
        # The previous word must be a lower-case pronoun or auxiliary, then one space and a capitalised word.
        self._re = {
            lang: (
                re.compile(
                    r"(?<![\w'’])(?:"
                    + alternation(cv[lang]["before"])
                    + r") ([A-ZÀ-Ý][a-zà-ÿ]{2,})(?![\w'’-])"
                ),
                tuple(cv[lang]["endings"]),
            )
            for lang in ("fr", "en")
        }
        self._gap = float(cv["min_gap_other_languages"])
        self._min = float(cv["min_doc_zipf"] if min_doc_zipf is None else min_doc_zipf)

    def spans(self, doc: Document, lang: str) -> list[Span]:
        """Spans of the capitalised verbs of `doc` ("fr" or "en")."""
        pat, endings = self._re[lang]
        others = [x for x in ("en", "fr", "de", "it", "es") if x != lang]
        spans: list[Span] = []
        for m in pat.finditer(doc.text):
            low = m.group(1).lower()
            if not low.endswith(endings):
                continue
            zd = zipf(low, lang)
            # A verb form is frequent in its own language only; names are frequent in every language.
            if zd >= self._min and zd - max(zipf(low, o) for o in others) >= self._gap:
                spans.append((m.start(1), m.end(1)))
        return spans


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
        self._names_re = re.compile(whole_words(alternation(lex["endonyms"])), re.IGNORECASE)
        self._min_names = int(lex["min_list_names"])
        # The first run of word characters of each name: a line with fewer such words than a list needs
        # cannot be one, and a set lookup per word is ~10x cheaper than the names' alternation per line.
        self._name_heads = frozenset(
            runs[0] for runs in (WORD_RUN_RE.findall(n.lower()) for n in lex["endonyms"]) if runs
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
            if sum(1 for w in WORD_RUN_RE.findall(line.lower()) if w in heads) < self._min_names:
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
        units_fr = alternation(fr["decimal_point_units"])
        units_en = alternation(en["decimal_comma_units"])
        q_fr = "".join(fr["foreign_quotes"])
        q_en = "".join(en["foreign_quotes"])
        # (kind, pattern, a pattern every match contains or None). A pattern that starts with a
        # lookbehind is tried at every character, so the number patterns start with a digit and check
        # the character before it in a lookbehind after it (the same matches; the engine skips to digits
        # in C); the necessary pattern spares most documents even that scan.
        self._res: dict[str, list[tuple[str, re.Pattern[str], re.Pattern[str] | None]]] = {
            "fr": [
                ("quotes", re.compile(f"[{q_fr}]"), None),
                (
                    "number",
                    re.compile(r"\d(?<![\d.,]\d)\d{0,2}(?:,\d{3})+(?![\d,])"),
                    re.compile(r"\d,\d{3}"),
                ),
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

"""Sourcing family: who says so. Attributed statements against vague or absent ones, quotes without a
speaker, source lines that point nowhere, bylines, and credit lines that show copy taken from elsewhere.

Attribution is found with patterns over a reporting-verb lexicon ("a déclaré", "précise", "said") and
"selon"/"according to"; the words that name the source are then judged with lexicons (determiner and head
noun: "des responsables" is vague, "le New York Times" is named). French phrases the lexicons cannot settle
(an anonymous head followed by a capitalised name: "des experts de l'ONU" against "un responsable, Jean
Dupont") go to spaCy's named-entity recogniser, only those few short phrases and only that component.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from features.base import Evidence, Feature, Kind, Signal, load_lexicon
from features.document import _WORD_RE, Document, Span
from features.nlp import run_components, zipf

logger = logging.getLogger(__name__)

LANGS = ("fr", "en")
# spaCy components the source check needs: the recogniser alone (it has its own embedding layer).
_TOKEN_RE = re.compile(r"(?:[Qq]u|[DdLlJjMmNnTtSsCc])['’]|\w+(?:[-.]\w+)*|[,()]")
# Where a source phrase ends: punctuation, a quote, or a subordinate clause.
_PHRASE_STOP_RE = re.compile(r"[.;:!?«»\"“”(\n]|,|\s(?:que|qu['’]|qui|dont|that|who|which|on|in|at|to)\s")
_QUOTE_RE = re.compile(r"«[^«»\n]{1,800}[»«]|\"[^\"\n]{1,800}\"|“[^“”\n]{1,800}”")
# ", Anne Le Goff." closing a sentence: two to four capitalised words (particles allowed) in apposition.
_APPOSED_NAME_RE = re.compile(
    r",\s+(?P<name>[A-ZÀ-Ý][\w'’-]+(?:\s+(?:[A-ZÀ-Ý][\w'’-]+|de|du|van|von|le|la|da|di)){1,3})\s*(?:[.;!?]|$)"
)
_PREV_WORD_RE = re.compile(r"([\w'’-]+)\s+$")
_VERB_LEFT_WORD_RE = re.compile(r"[\w'’-]+")
_INVERTED_AUX_RE = re.compile(r"-t-(?:il|elle|on)$|-(?:ils|elles)$")
_URL_RE = re.compile(r"https?://|www\.|\w\.(?:com|fr|org|net)\b")
# Phrase length bound (tokens): a source is named within a few words of its cue.
MAX_PHRASE_TOKENS = 12


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class PhraseIndex:
    """Whole-word phrase lookup over a document's word spans: one dict lookup per word instead of a regex
    alternation tried at every character (the lexicons have hundreds of entries)."""

    def __init__(self, phrases: Iterable[str], case_sensitive: bool = False) -> None:
        self.case_sensitive = case_sensitive
        self.index: dict[str, list[str]] = {}
        for p in sorted(set(phrases), key=len, reverse=True):
            key = p if case_sensitive else p.lower()
            first = _WORD_RE.match(key)
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
                        and _starts_word(search, a, a + k)
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


def _starts_word(text: str, a: int, b: int) -> bool:
    """Whether the word `text[a:b]` stands whole at `a`, with the tests of `word_starts`: no letter,
    digit or joined apostrophe/hyphen on either side."""
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
    key = f"sourcing.word_set.{case_sensitive}"

    def make() -> set[str]:
        if case_sensitive or _searchable(doc, False) is doc.text:
            return set(doc.word_texts)
        return set(doc.lower_words)

    return doc.memo(key, make)  # type: ignore[no-any-return]


def word_starts(doc: Document, word: str, case_sensitive: bool = False) -> list[int]:
    """Offsets where `word` (lower case unless `case_sensitive`) stands as a whole word in `doc.text`,
    as `_WORD_RE` cuts words: no letter, digit or joined apostrophe/hyphen on either side."""
    text = _searchable(doc, case_sensitive)
    # str.find in C, then the boundary tests in Python at the few places found: no regex to compile
    # per word (a corpus brings new verb forms for a long time).
    out = []
    n = len(word)
    a = text.find(word)
    while a >= 0:
        if _starts_word(text, a, a + n):
            out.append(a)
        a = text.find(word, a + 1)
    return out


@dataclass(frozen=True, slots=True)
class _VerbHit:
    """A reporting-verb form in the text; `inv` is an inverted pronoun suffix ("-t-il")."""

    start: int
    end: int
    form: str
    strong: bool
    inv: str


Reading = tuple[list["Attribution"], list[tuple[Span, int]], list[Span], list[int]]


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution cue with the words naming its source and the verdict on them."""

    span: Span  # cue and source words together, for evidence
    source: Span  # the source words alone
    verdict: str  # "named" | "anaphoric" | "vague" | "rumour" | "ner/<fallback>" (settled by the recogniser)
    sentence: int


class SourceJudge:
    """Judges the words that name a source, per language, from the lexicons in `features/data/sourcing/`."""

    def __init__(self) -> None:
        lex = load_lexicon("sourcing/sources")
        self.sets: dict[str, dict[str, frozenset[str]]] = {
            key: {lang: frozenset(w.lower() for w in lex[key][lang]) for lang in LANGS}
            for key in (
                "anonymous",
                "documents",
                "rumour",
                "indefinite",
                "definite",
                "pronouns",
                "generic",
                "complement_starts",
            )
        }

    def is_(self, key: str, lang: str, word: str) -> bool:
        """Whether `word` (any case) is in lexicon `key` for `lang`."""
        return word.lower() in self.sets[key][lang]

    def verdict(self, text: str, lang: str, sentence_initial: bool) -> str | None:
        """'named', 'anaphoric', 'vague', 'rumour', 'ner/<fallback>' (named if the recogniser finds a person,
        else the fallback) or None (not a source)."""
        toks = [t for t in _TOKEN_RE.findall(text) if t not in "(),"]
        if not toks:
            return None
        low = [t.lower() for t in toks]
        phrase = " ".join(low)
        if phrase in self.sets["pronouns"][lang] or (low[0] in self.sets["pronouns"][lang] and len(low) <= 2):
            return "anaphoric"
        if phrase in self.sets["generic"][lang] or low[0] == "on":
            return "vague"
        i = 0
        det: str | None = None
        while (
            i < len(low)
            and i < 3
            and (self.is_("indefinite", lang, low[i]) or self.is_("definite", lang, low[i]))
        ):
            det = "indefinite" if self.is_("indefinite", lang, low[i]) else "definite"
            i += 1
        head = next(
            (
                (k, j)
                for j in range(i, min(i + 3, len(low)))
                for k in ("rumour", "anonymous", "documents")
                if low[j] in self.sets[k][lang]
            ),
            None,
        )
        capitals = [
            j
            for j, t in enumerate(toks)
            if t[0].isupper() and (j > 0 or not sentence_initial or self._name_like(t, lang))
        ]
        if head is not None:
            kind, j = head
            later_caps = [c for c in capitals if c > j]
            plural = low[j].endswith(("s", "x"))
            if kind == "rumour":
                return "rumour"
            if kind == "anonymous":
                # "le responsable a ajouté": the one named before; "des responsables": nobody in particular.
                unnamed = (
                    "anaphoric"
                    if det == "definite" and not plural and low[j] not in ("source", "sources")
                    else "vague"
                )
                # Unnamed people stay unnamed unless a person's name follows ("l'analyste Jean Dupont", not
                # "des experts de l'ONU"): the recogniser tells a person from an organisation in French.
                if later_caps:
                    if lang == "fr":
                        # A first and last name right after the head ("l'analyste américain Michael
                        # Kugelman") is a person without asking the recogniser.
                        return "named" if self._name_after_head(toks, low, j, lang) else f"ner/{unnamed}"
                    return "named" if self._apposed_name(toks, j) else unnamed
                return unnamed
            # A document: vague when indefinite and plural ("des rapports") or unnamed ("selon une étude").
            if (det == "indefinite" or det is None and lang == "en") and plural:
                return "vague"
            if later_caps:
                return "named"
            return "anaphoric" if det == "definite" else "vague"
        if capitals:
            return "named"
        if det == "definite":
            return "anaphoric"  # "le groupe", "la police": an identified body or one named before
        # "un collectif dénonce", "un drapeau indique": an indefinite subject that is no kind of source.
        return None

    def has_source_head(self, text: str, lang: str) -> bool:
        """Whether `text` is headed by a word for a source ("une source", "des experts", "some officials")."""
        low = [t.lower() for t in _TOKEN_RE.findall(text)[:4]]
        return any(
            w in self.sets[k][lang] for w in low for k in ("anonymous", "documents", "rumour", "generic")
        )

    @staticmethod
    def _name_like(token: str, lang: str) -> bool:
        # A capitalised first word of a sentence is a name when it is rare as a common word ("Zelensky").
        return zipf(token.lower(), lang) < 4.0

    def _name_after_head(self, toks: Sequence[str], low: Sequence[str], head: int, lang: str) -> bool:
        """Whether two capitalised words (not acronyms, not articles) follow the head word, with at most
        two lower-case modifiers between ("l'analyste Zoran Radulovic", "le chercheur américain Anthony
        Fardet") and no determiner, preposition or elided word ("des experts de l'ONU", "une source au
        Parisien" are not)."""
        k = head + 1
        while (
            k < len(toks)
            and k <= head + 2
            and toks[k].isalpha()
            and toks[k].islower()
            and not any(self.is_(key, lang, low[k]) for key in ("complement_starts", "definite", "indefinite"))
        ):
            k += 1
        return k + 1 < len(toks) and all(
            toks[i][0].isupper()
            and toks[i].isalpha()
            and not toks[i].isupper()
            and not self.is_("definite", lang, low[i])
            for i in (k, k + 1)
        )

    @staticmethod
    def _apposed_name(toks: Sequence[str], head: int) -> bool:
        # English has no model here: a person's name is two capitalised words in a row after the head.
        return any(toks[k][0].isupper() and toks[k + 1][0].isupper() for k in range(head + 1, len(toks) - 1))


class AttributionReader:
    """Finds attribution cues (reporting verbs, 'selon'/'according to', hedges, quotes) in one pass per cue type."""

    def __init__(self) -> None:
        rep = load_lexicon("sourcing/reporting")
        hedges = load_lexicon("sourcing/hedges")
        self.judge = SourceJudge()
        self.strong: dict[str, frozenset[str]] = {}
        self.weak: dict[str, frozenset[str]] = {}
        self.inversions: dict[str, frozenset[str]] = {}
        self.selon: dict[str, PhraseIndex] = {}
        self.hedges: dict[str, PhraseIndex] = {}
        self.aux: dict[str, frozenset[str]] = {}
        self.passive: dict[str, frozenset[str]] = {}
        self.forms: dict[str, frozenset[str]] = {}  # strong and weak forms together
        for lang in LANGS:
            self.strong[lang] = frozenset(f.lower() for fs in rep["verbs"][lang].values() for f in fs)
            self.weak[lang] = (
                frozenset(f.lower() for fs in rep["weak"][lang].values() for f in fs) - self.strong[lang]
            )
            self.inversions[lang] = frozenset(rep["inversion_pronouns"][lang])
            self.selon[lang] = PhraseIndex(rep["selon"][lang])
            self.hedges[lang] = PhraseIndex(hedges[lang])
            self.aux[lang] = frozenset(rep["auxiliaries"][lang])
            self.passive[lang] = frozenset(rep["passive"][lang])
            self.forms[lang] = self.strong[lang] | self.weak[lang]
        self.adverb_ok = re.compile(
            r"\w+ment|aussi|encore|déjà|ainsi|également|toujours|bien|pas|alors|also|already|again|then|later|previously",
            re.IGNORECASE,
        )

    def read(self, doc: Document, lang: str) -> Reading:
        """Attributions, hedges (span, sentence index), quotes and the offsets of every cue of `doc`."""
        text = doc.text
        starts = [s[0] for s in doc.sentences]

        def sentence_of(pos: int) -> int:
            return bisect.bisect_right(starts, pos) - 1

        out: list[Attribution] = []
        cues: list[int] = []
        quotes = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]
        qstarts = [q[0] for q in quotes]

        def quoted(pos: int) -> bool:
            # A cue inside a quotation is the speaker's wording ("on nous a dit"), not the article's sourcing.
            i = bisect.bisect_right(qstarts, pos) - 1
            return i >= 0 and quotes[i][0] < pos < quotes[i][1] - 1

        for a, b in self.selon[lang].spans(doc):
            cues.append(a)
            si = sentence_of(a)
            if si < 0 or quoted(a):
                continue
            src = _phrase_after(text, b, doc.sentences[si][1])
            if src is None:
                continue
            verdict = self.judge.verdict(text[src[0] : src[1]], lang, sentence_initial=False)
            if verdict is not None:
                out.append(Attribution((a, src[1]), src, verdict, si))
        for hit in self._verbs(doc, lang):
            cues.append(hit.start)
            si = sentence_of(hit.start)
            if si < 0 or quoted(hit.start):
                continue
            att = self._verb_attribution(doc, lang, hit, si)
            # A weak verb ("évoque", "qualifiant") reports speech only with a named speaker next to it.
            if att is not None and (
                hit.strong
                or (att.verdict == "named" or att.verdict.startswith("ner/"))
                and len(_TOKEN_RE.findall(doc.span(att.source))) <= 6
            ):
                out.append(att)
        hedges = [(sp, sentence_of(sp[0])) for sp in self.hedges[lang].spans(doc) if not quoted(sp[0])]
        return out, hedges, quotes, sorted(cues)

    def _verbs(self, doc: Document, lang: str) -> list[_VerbHit]:
        """Reporting-verb forms among the document's words, with an inverted pronoun split off."""
        out: list[_VerbHit] = []
        strong, weak, inversions = self.strong[lang], self.weak[lang], self.inversions[lang]
        words = word_set(doc)
        present = [(w, w, "") for w in words & self.forms[lang]]
        for w in [w for w in words if "-" in w]:  # an inverted pronoun is hyphen-joined
            cut = w.find("-")
            if cut > 0 and w[cut:] in inversions and (w[:cut] in strong or w[:cut] in weak):
                present.append((w, w[:cut], w[cut:]))
        for w, form, inv in present:
            out.extend(_VerbHit(a, a + len(w), form, form in strong, inv) for a in word_starts(doc, w))
        return sorted(out, key=lambda h: h.start)

    def _verb_attribution(self, doc: Document, lang: str, m: _VerbHit, si: int) -> Attribution | None:
        text = doc.text
        s0, s1 = doc.sentences[si]
        if m.inv:  # "déclare-t-il", "ajoute-t-elle": the speaker was named before
            return Attribution((m.start, m.end), (m.start, m.end), "anaphoric", si)
        prev_word = _PREV_WORD_RE.search(text, max(s0, m.start - 30), m.start)
        if prev_word is not None and prev_word.group(1).lower() in self.passive[lang]:
            return None  # "il est écrit", "un discours critiqué par": passive or adjectival, no speaker here
        # Walk back over an auxiliary and an adverb: "a déclaré", "a également indiqué", "has said".
        v0 = m.start
        before = text[s0:v0]
        words = list(_VERB_LEFT_WORD_RE.finditer(before[-40:]))
        offset = v0 - len(before[-40:])
        k = len(words) - 1
        if (
            k >= 0
            and self.adverb_ok.fullmatch(words[k].group())
            and k >= 1
            and words[k - 1].group().lower() in self.aux[lang]
        ):
            k -= 1
        if k >= 0 and words[k].group().lower() in self.aux[lang]:
            aux = words[k]
            if _INVERTED_AUX_RE.search(aux.group()):
                return Attribution(
                    (offset + aux.start(), m.end), (offset + aux.start(), m.end), "anaphoric", si
                )
            v0 = offset + aux.start()
        elif lang == "fr" and m.form.endswith(("é", "ée", "és", "ées")):
            return None  # a participle with no auxiliary is an adjective: "un plan annoncé"
        prev = text[s0:v0].rstrip()
        if prev.endswith(",") and lang == "fr" and m.form.endswith("ant"):
            # ", affirmant que": a participle whose speaker is the subject of the main clause.
            return Attribution((m.start, m.end), (m.start, m.end), "anaphoric", si)
        # Inverted after a quote: '"...", ajoute le texte' / '"...," said John Smith'.
        if (
            prev.endswith(("»", '"', "”"))
            or prev.endswith(",")
            and prev[-3:-1].strip()[-1:] in ("»", '"', "”")
            or not prev
        ):
            src = _phrase_after(text, m.end, s1)
            if src is not None:
                verdict = self.judge.verdict(text[src[0] : src[1]], lang, sentence_initial=False)
                if verdict is not None:
                    return Attribution((v0, src[1]), src, verdict, si)
        elif prev.endswith(","):
            # Reported speech inverted after a comma ("..., indique le parquet.") or a subject in apposition
            # ("X, porte-parole, a déclaré que"): inverted when a source phrase closes the clause.
            src = _phrase_after(text, m.end, s1)
            rest = text[src[1] : s1].lstrip() if src is not None else ""
            if src is not None and (not rest or rest[0] in ".,;!?)"):
                verdict = self.judge.verdict(text[src[0] : src[1]], lang, sentence_initial=False)
                if (
                    verdict in ("named", "anaphoric", "rumour")
                    or verdict is not None
                    and verdict.startswith("ner/")
                    or verdict == "vague"
                    and self.judge.has_source_head(doc.span(src), lang)
                ):
                    return Attribution((v0, src[1]), src, verdict, si)
                return None  # an object ("..., a dénoncé une mesure."), not a speaker
        src = self._phrase_before(doc, lang, s0, v0)
        if src is None:
            return None
        verdict = self.judge.verdict(text[src[0] : src[1]], lang, sentence_initial=src[0] == s0)
        if verdict is None:
            return None
        return Attribution((src[0], m.end), src, verdict, si)

    def _phrase_before(self, doc: Document, lang: str, s0: int, v0: int) -> Span | None:
        """The subject words before a verb: the last comma-separated chunk of its clause, joined to the one
        before when it is a complement ("Des rapports, notamment de X, révèlent")."""
        text = doc.text
        seg_start = max(s0, v0 - 160)
        seg = text[seg_start:v0]
        cut = max((seg.rfind(c) for c in (";", ":", "«", "»", '"', "“", "”", "(", ")")), default=-1)
        for w in (" que ", " qu'", " qu’", " that ", " mais ", " but ", " et ", " and "):
            at = seg.rfind(w)
            nxt = _TOKEN_RE.match(seg, at + len(w)) if at >= 0 else None
            # "X et du journal Y" continues a complement; "X a réagi et a averti" starts a new clause.
            if at >= 0 and not (
                w in (" et ", " and ")
                and nxt is not None
                and self.judge.is_("complement_starts", lang, nxt.group())
            ):
                cut = max(cut, at + len(w) - 1)
        seg_start += cut + 1
        chunks = [c for c in _comma_chunks(text, seg_start, v0) if text[c[0] : c[1]].strip()]
        if not chunks:
            return None
        a, b = chunks[-1]
        i = len(chunks) - 1
        while i > 0:
            first = _TOKEN_RE.match(text, a)
            if first is None or not self.judge.is_("complement_starts", lang, first.group()):
                break
            i -= 1
            a = chunks[i][0]
        tokens = list(_TOKEN_RE.finditer(text, a, b))
        if not tokens or len(tokens) > 2 * MAX_PHRASE_TOKENS:
            return None
        return tokens[0].start(), tokens[-1].end()


def _comma_chunks(text: str, a: int, b: int) -> list[Span]:
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


def _phrase_after(text: str, a: int, limit: int) -> Span | None:
    """The source words after a cue: up to punctuation or a clause, at most MAX_PHRASE_TOKENS tokens, plus
    a name in apposition that closes the sentence ("a déclaré la maire, Anne Le Goff.")."""
    end = min(limit, a + 120)
    m = _PHRASE_STOP_RE.search(text, a, end)
    b = m.start() if m else end
    tokens = [t for t in _TOKEN_RE.finditer(text, a, b)]
    if not tokens:
        return None
    tokens = tokens[:MAX_PHRASE_TOKENS]
    apposed = _APPOSED_NAME_RE.match(text, tokens[-1].end(), limit)
    if apposed is not None:
        return tokens[0].start(), apposed.end("name")
    return tokens[0].start(), tokens[-1].end()


def _ner(texts: list[str], lang: str) -> list[set[str]]:
    """The entity labels spaCy finds in each short text (empty sets when the model is unavailable)."""
    docs = run_components(lang, texts, keep=("ner",))
    if docs is None:
        return [set() for _ in texts]
    return [{e.label_ for e in d.ents} for d in docs]


def read_attributions(doc: Document, reader: AttributionReader, max_ner: int) -> Reading:
    """Attributions with every verdict settled, hedges, quotes and cue offsets; computed once per document."""

    def make() -> Reading:
        lang = doc.base_language
        atts, hedges, quotes, cues = reader.read(doc, lang)
        pending = [i for i, a in enumerate(atts) if a.verdict.startswith("ner/")]
        labels = (
            _ner([doc.span(atts[i].source) for i in pending[:max_ner]], lang)
            if pending and max_ner > 0
            else []
        )
        for n, i in enumerate(pending):
            # Beyond the parsing budget a phrase keeps its lexicon reading (unnamed).
            person = n < len(labels) and "PER" in labels[n]
            a = atts[i]
            atts[i] = Attribution(
                a.span, a.source, "named" if person else a.verdict.split("/", 1)[1], a.sentence
            )
        return atts, hedges, quotes, cues

    return doc.memo(f"sourcing.attributions.{max_ner}", make)  # type: ignore[no-any-return]


class AttributedStatements(Feature):
    """Statements attributed to a named source, vague or anonymous attributions, hedged claims with no
    source, quotes with no speaker, and the ratio of attributed to unattributed claims.

    Known false positives: "selon" in its non-reporting sense ("selon les règles") counts as an
    attribution; an anonymous source that good reporting protects ("une source proche du dossier") is
    still vague; a quote whose speaker is named two paragraphs earlier counts as without speaker.
    """

    family: ClassVar[str] = "sourcing"
    needs_spacy: ClassVar[bool] = True  # NER on the few sources or name lines a cheap test leaves undecided
    codes: ClassVar[dict[str, str]] = {
        "sourcing.attributed_statement": "Statements attributed to a named source (person, organisation, outlet); evidence names it.",
        "sourcing.vague_attribution": "Claims attributed to unnamed or vague sources ('selon des responsables', 'experts say'), a quarter or more of the sourced claims.",
        "sourcing.unattributed_claim": "Claims presented as hearsay with no source ('des rumeurs suggèrent', 'reportedly').",
        "sourcing.quote_without_speaker": "A quoted statement with no reporting cue in its paragraph or the ones around it.",
        "sourcing.attribution_ratio": "Attributed claims / all claims with a source cue, hedge or quote (measure).",
        "sourcing.no_attribution": "A text of some length with no attributed statement at all.",
    }

    def __init__(
        self,
        max_ner: int = 4,
        min_quote_words: int = 6,
        min_words_for_absence: int = 120,
        vague_share: float = 0.25,
    ) -> None:
        self.reader = AttributionReader()
        self.vague_share = vague_share
        self.max_ner = max_ner
        self.min_quote_words = min_quote_words
        self.min_words_for_absence = min_words_for_absence

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in LANGS:
            return []
        atts, hedges, quotes, cues = read_attributions(doc, self.reader, self.max_ner)
        by_sentence: dict[int, list[Attribution]] = {}
        for a in atts:
            by_sentence.setdefault(a.sentence, []).append(a)
        named_sents = {
            s for s, xs in by_sentence.items() if any(a.verdict in ("named", "anaphoric") for a in xs)
        }
        named = [a for a in atts if a.verdict == "named"]
        vague = [a for a in atts if a.verdict == "vague" and a.sentence not in named_sents]
        rumour = [a.span for a in atts if a.verdict == "rumour" and a.sentence not in named_sents]
        rumour += [sp for sp, si in hedges if si not in named_sents]
        out: list[Signal] = []
        if named:
            sources = sorted({doc.span(a.source) for a in named})
            out.append(
                Signal(
                    "sourcing.attributed_statement",
                    f"{len(named)} statements attributed to named sources: {', '.join(sources[:5])}.",
                    tuple(Evidence.of(doc, a.span) for a in sorted(named, key=lambda a: a.span)),
                    float(len(named)),
                    Kind.MEASURE,
                    {"sources": sources},
                )
            )
        # One anonymous source among named ones is ordinary reporting; vagueness matters when it is a
        # real share of the sourcing.
        if vague and len(vague) >= self.vague_share * (len(vague) + len(named_sents)):
            out.append(
                self.flag(
                    doc,
                    "sourcing.vague_attribution",
                    "Claims attributed to unnamed or vague sources.",
                    [a.span for a in vague],
                )
            )
        if rumour:
            out.append(
                self.flag(
                    doc, "sourcing.unattributed_claim", "Claims presented as hearsay with no source.", rumour
                )
            )
        cue_paras = self._paragraphs_with_cue(doc, cues)
        bare = [q for q in quotes if self._is_bare_quote(doc, q, cue_paras)]
        if bare:
            out.append(
                self.flag(
                    doc,
                    "sourcing.quote_without_speaker",
                    "Quotation with no speaker named in its paragraph.",
                    bare,
                )
            )
        unattributed_sents = {a.sentence for a in vague} | {si for _, si in hedges if si not in named_sents}
        unattributed_sents |= {
            a.sentence for a in atts if a.verdict == "rumour" and a.sentence not in named_sents
        }
        n_attr, n_un = len(named_sents), len(unattributed_sents) + len(bare)
        if n_attr + n_un:
            out.append(
                self.measure(
                    "sourcing.attribution_ratio",
                    f"{n_attr} attributed of {n_attr + n_un} claims with a source cue.",
                    n_attr / (n_attr + n_un),
                )
            )
        if not named_sents and len(doc.words) >= self.min_words_for_absence:
            out.append(
                self.absence(
                    "sourcing.no_attribution",
                    "No attributed statement: looked for a reporting verb with its speaker, 'selon'/'according to' with a source, and quotes with a speaker.",
                )
            )
        return out

    @staticmethod
    def _paragraphs_with_cue(doc: Document, cues: list[int]) -> set[int]:
        starts = [p[0] for p in doc.paragraphs]
        return {bisect.bisect_right(starts, c) - 1 for c in cues}

    def _is_bare_quote(self, doc: Document, q: Span, cue_paras: set[int]) -> bool:
        inner = doc.text[q[0] + 1 : q[1] - 1]
        if len(inner.split()) < self.min_quote_words or not inner.lstrip()[:1].isupper():
            return False  # a word, a title or a fragment woven into a sentence, not a statement
        starts = [p[0] for p in doc.paragraphs]
        pi = bisect.bisect_right(starts, q[0]) - 1
        # The speaker may be named in the paragraph before or after ("X a déclaré :" / "a-t-il ajouté").
        if cue_paras & {pi - 1, pi, pi + 1}:
            return False
        # "Il a déclaré :" then the quote; or a speaker label "Pat Ryder :" right before it.
        if ":" in doc.text[max(0, q[0] - 3) : q[0]]:
            return False
        if pi > 0 and doc.text[doc.paragraphs[pi - 1][1] - 1] == ":":
            return False
        return True


class HollowSource(Feature):
    """Source references that point nowhere: "Source : internet", "Source link", "La source de cet article
    se trouve sur ce site".

    Known false positives: a "Source : ici" line whose link the scraper dropped (the link may have been
    real; the text still names nothing).
    """

    family: ClassVar[str] = "sourcing"
    codes: ClassVar[dict[str, str]] = {
        "sourcing.hollow_source": "A source line that names no outlet, author or link ('Source : internet', 'Source link').",
    }

    def __init__(self, max_line_chars: int = 120) -> None:
        lex = load_lexicon("sourcing/hollow")
        self.max_line_chars = max_line_chars
        self.lead = {
            lang: re.compile(
                rf"[\s\-–—*•]*(?:{_alternation(lex['phrases'][lang] + lex['labels'][lang])})\b", re.IGNORECASE
            )
            for lang in LANGS
        }
        self.targets = {
            lang: re.compile(rf"\b(?:{_alternation(lex['targets'][lang])})\b", re.IGNORECASE)
            for lang in LANGS
        }

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in LANGS:
            return []
        spans = []
        for a, b in doc.paragraphs:
            if b - a > self.max_line_chars:
                continue
            m = self.lead[lang].match(doc.text, a, b)
            if m is None:
                continue
            rest = doc.text[m.end() : b]
            if _URL_RE.search(rest):
                continue
            words = _TOKEN_RE.findall(rest)
            named = [w for w in words if w[0].isupper()]
            hollow = not rest.strip(" :.-–—") or (self.targets[lang].search(rest) is not None and not named)
            if hollow:
                spans.append((a, b))
        if not spans:
            return []
        return [
            self.flag(
                doc, "sourcing.hollow_source", "Source line that names no outlet, author or link.", spans
            )
        ]


class BylineCredit(Feature):
    """Byline present or missing (the input's author field, a "Par X"/"By X" line, a name line near the
    top, the author before a dateline), and credit lines showing copy from another outlet ("avec AFP",
    "(Reuters)", "X contributed to this report").

    Known false positives: a short capitalised line near the top that is a section name taken for a person
    in English (French name lines are checked by the named-entity recogniser); an agency named in the
    body in brackets as a source ("a indiqué l'institut (AFP)") counts as a credit.
    """

    family: ClassVar[str] = "sourcing"
    needs_spacy: ClassVar[bool] = True  # NER on the few sources or name lines a cheap test leaves undecided
    codes: ClassVar[dict[str, str]] = {
        "sourcing.byline": "An author is named: the input's author field or a byline line in the text (measure; detail has it).",
        "sourcing.no_byline": "No author: not in the metadata, nor as a byline line in the text.",
        "sourcing.credit_line": "A credit line showing the text comes from another outlet ('avec AFP', '(Reuters)', 'contributed to this report').",
    }

    def __init__(self, head_paragraphs: int = 5, max_byline_chars: int = 60) -> None:
        lex = load_lexicon("sourcing/bylines")
        self.head_paragraphs = head_paragraphs
        self.max_byline_chars = max_byline_chars
        self.byline = {
            lang: re.compile(
                rf"^(?:{_alternation(lex['byline'][lang])})(?:\s*+:\s++|\s++)(?P<name>[A-ZÀ-Ý][^\n]{{1,60}})$",
                re.IGNORECASE,
            )
            for lang in LANGS
        }
        self.credit = {lang: PhraseIndex(lex["credit"][lang]) for lang in LANGS}
        # Agency names as written ("AFP", not "afp"); a credit when bracketed or after "avec"/"via"/"©".
        self.agencies = PhraseIndex(lex["agencies"], case_sensitive=True)
        self.credit_before = re.compile(
            rf"(?:\(|©\s*|\b(?:{_alternation(lex['credit_before'])})\s*:?\s*(?:l['’]|the\s)?)$", re.IGNORECASE
        )
        # A dateline's author part: "Orange avec AFP , publié le ..." / "By Jane Doe | Published ...".
        self.dateline_author = re.compile(
            r"^(?P<who>[^\n,|]{2,60}?)\s*+[,|]\s*+(?:publié|publiée|mis à jour|published|posted|updated)\b",
            re.IGNORECASE,
        )
        self.name_line = re.compile(
            r"^(?:[A-ZÀ-Ý][\w'’.-]+|de|du|van|von|der|le|la|da|di|bin|al|ibn)(?:\s+(?:[A-ZÀ-Ý][\w'’.-]+|de|du|van|von|der|le|la|da|di|bin|al|ibn)){1,3}$"
        )

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        out: list[Signal] = []
        if lang in LANGS:
            credits = self.credit[lang].spans(doc)
            for a, b in self.agencies.spans(doc):
                lead = self.credit_before.search(doc.text, max(0, a - 16), a)
                if lead is not None and (doc.text[lead.start()] != "(" or doc.text[b : b + 1] == ")"):
                    credits.append((lead.start(), b + (doc.text[lead.start()] == "(")))
            if credits:
                out.append(
                    self.flag(
                        doc,
                        "sourcing.credit_line",
                        "Credit line: the text comes from another outlet.",
                        credits,
                    )
                )
        if doc.author:
            out.append(
                Signal(
                    "sourcing.byline",
                    f"Author from the metadata: {doc.author}.",
                    (),
                    1.0,
                    Kind.MEASURE,
                    {"author": doc.author, "source": "metadata"},
                )
            )
            return out
        found = self._text_byline(doc, lang) if lang in LANGS else None
        if found is not None:
            span, source = found
            out.append(
                Signal(
                    "sourcing.byline",
                    f"Byline in the text: {doc.span(span)}.",
                    (Evidence.of(doc, span),),
                    1.0,
                    Kind.MEASURE,
                    {"author": doc.span(span), "source": source},
                )
            )
            return out
        out.append(
            self.absence(
                "sourcing.no_byline",
                f"No author: checked the author metadata, a 'Par'/'By' line and a name line in the first {self.head_paragraphs} paragraphs, and the author part of a dateline.",
            )
        )
        return out

    def _text_byline(self, doc: Document, lang: str) -> tuple[Span, str] | None:
        head = doc.paragraphs[: self.head_paragraphs]
        name_lines: list[Span] = []
        for a, b in head:
            line = doc.text[a:b]
            m = self.byline[lang].match(line)
            if m is not None and len(line) <= self.max_byline_chars + 10:
                return (a + m.start("name"), b), "byline"
            m = self.dateline_author.match(line)
            if m is not None:
                return (a + m.start("who"), a + m.end("who")), "dateline"
            if (
                b - a <= self.max_byline_chars
                and self.name_line.match(line)
                and (a, b) != (doc.paragraphs[0] if doc.title is None else (-1, -1))
            ):
                name_lines.append((a, b))
        if not name_lines:
            return None
        if lang == "fr":
            labels = _ner([doc.span(s) for s in name_lines[:2]], lang)
            for span, found in zip(name_lines, labels, strict=False):
                if "PER" in found:
                    return span, "name line"
            return None
        # English: no model; a name line is rare words only ("Jane Doe", not "Latest News").
        for span in name_lines:
            words = doc.span(span).split()
            if all(zipf(w.lower(), "en") < 4.5 for w in words if w[0].isupper()):
                return span, "name line"
        return None


FEATURES: list[type[Feature]] = [AttributedStatements, HollowSource, BylineCredit]

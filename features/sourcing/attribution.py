"""Attribution for the sourcing family: reporting verbs, "selon"/"according to", hedges and quotes, the
words naming each source and the verdict on them, and the feature that weighs named sources against
vague, hearsay or missing ones."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import ClassVar

from features.base import Evidence, Feature, Kind, Signal, load_lexicon
from features.document import Document, MemoKey, Span
from features.sourcing.judge import SourceJudge, Verdict, entity_labels
from features.sourcing.phrases import (
    LANGS,
    MAX_PHRASE_TOKENS,
    PhraseIndex,
    comma_chunks,
    phrase_after,
    word_set,
    word_starts,
)
from features.text import PHRASE_TOKEN_RE, QUOTE_PAIRS, quotation_pattern

# Quotations of up to 800 characters on one line; a « may close with a second «.
_QUOTE_RE = quotation_pattern(800, min_chars=1, pairs=QUOTE_PAIRS[:3], reopened_guillemets=True)
_PREV_WORD_RE = re.compile(r"([\w'’-]+)\s+$")
_VERB_LEFT_WORD_RE = re.compile(r"[\w'’-]+")
_INVERTED_AUX_RE = re.compile(r"-t-(?:il|elle|on)$|-(?:ils|elles)$")


@dataclass(frozen=True, slots=True)
class _VerbHit:
    """A reporting-verb form in the text; `inv` is an inverted pronoun suffix ("-t-il")."""

    start: int
    end: int
    form: str
    strong: bool
    inv: str


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution cue with the words naming its source and the verdict on them."""

    span: Span  # cue and source words together, for evidence
    source: Span  # the source words alone
    verdict: Verdict
    sentence: int


Reading = tuple[list[Attribution], list[tuple[Span, int]], list[Span], list[int]]
ATTRIBUTIONS: MemoKey[Reading] = MemoKey("sourcing.attributions")


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
        quotes = [m.span() for m in _QUOTE_RE.finditer(text)]
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
            src = phrase_after(text, b, doc.sentences[si][1])
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
                or (att.verdict is Verdict.NAMED or att.verdict.unsettled)
                and len(PHRASE_TOKEN_RE.findall(doc.span(att.source))) <= 6
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
            return Attribution((m.start, m.end), (m.start, m.end), Verdict.ANAPHORIC, si)
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
                    (offset + aux.start(), m.end), (offset + aux.start(), m.end), Verdict.ANAPHORIC, si
                )
            v0 = offset + aux.start()
        elif lang == "fr" and m.form.endswith(("é", "ée", "és", "ées")):
            return None  # a participle with no auxiliary is an adjective: "un plan annoncé"
        prev = text[s0:v0].rstrip()
        if prev.endswith(",") and lang == "fr" and m.form.endswith("ant"):
            # ", affirmant que": a participle whose speaker is the subject of the main clause.
            return Attribution((m.start, m.end), (m.start, m.end), Verdict.ANAPHORIC, si)
        # Inverted after a quote: '"...", ajoute le texte' / '"...," said John Smith'.
        if (
            prev.endswith(("»", '"', "”"))
            or prev.endswith(",")
            and prev[-3:-1].strip()[-1:] in ("»", '"', "”")
            or not prev
        ):
            src = phrase_after(text, m.end, s1)
            if src is not None:
                verdict = self.judge.verdict(text[src[0] : src[1]], lang, sentence_initial=False)
                if verdict is not None:
                    return Attribution((v0, src[1]), src, verdict, si)
        elif prev.endswith(","):
            # Reported speech inverted after a comma ("..., indique le parquet.") or a subject in apposition
            # ("X, porte-parole, a déclaré que"): inverted when a source phrase closes the clause.
            src = phrase_after(text, m.end, s1)
            rest = text[src[1] : s1].lstrip() if src is not None else ""
            if src is not None and (not rest or rest[0] in ".,;!?)"):
                verdict = self.judge.verdict(text[src[0] : src[1]], lang, sentence_initial=False)
                if (
                    verdict in (Verdict.NAMED, Verdict.ANAPHORIC, Verdict.RUMOUR)
                    or verdict is not None
                    and verdict.unsettled
                    or verdict is Verdict.VAGUE
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
            nxt = PHRASE_TOKEN_RE.match(seg, at + len(w)) if at >= 0 else None
            # "X et du journal Y" continues a complement; "X a réagi et a averti" starts a new clause.
            if at >= 0 and not (
                w in (" et ", " and ")
                and nxt is not None
                and self.judge.is_("complement_starts", lang, nxt.group())
            ):
                cut = max(cut, at + len(w) - 1)
        seg_start += cut + 1
        chunks = [c for c in comma_chunks(text, seg_start, v0) if text[c[0] : c[1]].strip()]
        if not chunks:
            return None
        a, b = chunks[-1]
        i = len(chunks) - 1
        while i > 0:
            first = PHRASE_TOKEN_RE.match(text, a)
            if first is None or not self.judge.is_("complement_starts", lang, first.group()):
                break
            i -= 1
            a = chunks[i][0]
        tokens = list(PHRASE_TOKEN_RE.finditer(text, a, b))
        if not tokens or len(tokens) > 2 * MAX_PHRASE_TOKENS:
            return None
        return tokens[0].start(), tokens[-1].end()


def read_attributions(doc: Document, reader: AttributionReader, max_ner: int) -> Reading:
    """Attributions with every verdict settled, hedges, quotes and cue offsets; computed once per document."""

    def make() -> Reading:
        lang = doc.base_language
        atts, hedges, quotes, cues = reader.read(doc, lang)
        pending = [i for i, a in enumerate(atts) if a.verdict.unsettled]
        labels = (
            entity_labels([doc.span(atts[i].source) for i in pending[:max_ner]], lang)
            if pending and max_ner > 0
            else []
        )
        for n, i in enumerate(pending):
            # Beyond the parsing budget a phrase keeps its lexicon reading (unnamed).
            person = n < len(labels) and "PER" in labels[n]
            a = atts[i]
            atts[i] = Attribution(a.span, a.source, a.verdict.settle(person), a.sentence)
        return atts, hedges, quotes, cues

    return doc.memo(ATTRIBUTIONS.of(max_ner), make)


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
            s
            for s, xs in by_sentence.items()
            if any(a.verdict in (Verdict.NAMED, Verdict.ANAPHORIC) for a in xs)
        }
        named = [a for a in atts if a.verdict is Verdict.NAMED]
        vague = [a for a in atts if a.verdict is Verdict.VAGUE and a.sentence not in named_sents]
        rumour = [a.span for a in atts if a.verdict is Verdict.RUMOUR and a.sentence not in named_sents]
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
            a.sentence for a in atts if a.verdict is Verdict.RUMOUR and a.sentence not in named_sents
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

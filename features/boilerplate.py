"""Boilerplate family: page furniture left in the text, repeated and off-topic blocks, lines in another
language than the body, and (HTML input) how much of the page the extractor kept.

Every family member works on lines (`doc.paragraphs`: scraped text has one block per line). The line
measures (tokens, stop words per language, lexicon hits, shape) are computed once per document and
shared through `doc.memo`. Codes listed in a feature's `removable` are page furniture: `Scorer.clean`
removes their evidence to produce the clean text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from features.base import MAX_EVIDENCE, Feature, Signal, load_lexicon
from features.document import Document, Span
from features.nlp import zipf

# Tokens: letters/digits with inner hyphens; apostrophes split ("l'armée" -> "l", "armée") so that
# elided articles count as the stop words they are.
_TOKEN_RE = re.compile(r"\w+(?:-\w+)*")
# A lower-case letter directly followed by an upper-case one inside a token: "uneGuerre".
_GLUE_RE = re.compile(r"[a-zà-öø-ÿ][A-ZÀ-ÖØ-Þ]")
# The same test anchored on the capital, for "is there any": capitals are rarer than lower-case letters,
# so the regex engine stops at far fewer places.
_GLUE_ANY_RE = re.compile(r"[A-ZÀ-ÖØ-Þ](?<=[a-zà-öø-ÿ][A-ZÀ-ÖØ-Þ])")
_GLUE_SPLIT_RE = re.compile(r"([a-zà-öø-ÿ])([A-ZÀ-ÖØ-Þ])")
# Template and CMS artefacts: snake_case identifiers, shortcodes, unrendered template variables.
_ARTEFACT_RE = re.compile(
    r"\b[a-z]{2,20}_[a-z_]{2,30}\b|\[/?[a-z_]{3,30}(?: [^\]\n]{0,200})?\]|\{\{[^}\n]{0,100}\}\}|%%[a-z_]{2,30}%%"
)
_TIME_RE = re.compile(r"\s*(?:\d{1,2}[:h]\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\s*$")
_COUNT_RE = re.compile(r"\((?:[1-9]\d{0,5}|0)\)\s*$")
_TERMINAL = frozenset('.!?»"”…)')
_SEPARATORS = "|›»>•·/"
_SEPARATOR_ANY_RE = re.compile("[" + re.escape(_SEPARATORS) + "]")
_ELLIPSIS = ("...", "…")


def _norm(text: str) -> str:
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
        return frozenset(tuple(_TOKEN_RE.findall(p.lower())) for la in langs for p in data[la][key])

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
        labels=frozenset(_norm(w) for la in langs for w in data[la]["labels"]),
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
        tokens = _TOKEN_RE.findall(text.lower())
    else:
        # Split glued breadcrumbs ("uneGuerreRussie") so that their words are looked up too. Handles
        # and hashtags ("@realDonaldTrump") are names, not breadcrumbs.
        tokens = []
        for m in _TOKEN_RE.finditer(text):
            t = m.group()
            g = len(_GLUE_RE.findall(t)) if len(t) >= 8 else 0
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
        ellipsis=stripped.endswith(_ELLIPSIS),
        n=len(tokens),
    )


def lines_of(doc: Document, lexset: LexiconSet) -> list[Line]:
    """The measured lines of `doc`, computed once per document."""

    def make() -> list[Line]:
        lex = lexset(doc.base_language)
        return [analyse_line(i, sp, doc.text[sp[0] : sp[1]], lex) for i, sp in enumerate(doc.paragraphs)]

    return doc.memo("boilerplate.lines", make)  # type: ignore[no-any-return]


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


def _is_unknown_word(token: str, lang: str) -> bool:
    """A word that neither the body language nor English knows (a plugin label, a code name)."""
    if len(token) < 4 or not token.isalpha():
        return False
    langs = (lang, "en") if lang in ("fr", "en") else ("en",)
    return all(zipf(token, la) < 1.0 for la in langs)


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """The furniture score of one line and the reasons that made it."""

    score: float
    reasons: tuple[str, ...]


def _runs(flags: Sequence[bool]) -> list[int]:
    """For each position, the length of the run of True values it belongs to (0 where False)."""
    out = [0] * len(flags)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        out[i:j] = [j - i] * (j - i)
        i = j
    return out


def _distances(flags: Sequence[bool]) -> list[int]:
    """For each position, the distance in lines to the nearest True value (len(flags) if none)."""
    n = len(flags)
    out = [n] * n
    last = -n
    for i in range(n):
        if flags[i]:
            last = i
        out[i] = i - last
    last = 2 * n
    for i in range(n - 1, -1, -1):
        if flags[i]:
            last = i
        out[i] = min(out[i], last - i)
    return out


def score_lines(
    lines: Sequence[Line],
    lang: str,
    *,
    short_words: int = 6,
    title_words: int = 15,
    run_length: int = 3,
    long_run: int = 6,
    far: int = 5,
    threshold: float = 3.0,
) -> list[LineVerdict]:
    """Furniture score of each line from its shape, its lexicon hits, its language and its neighbours.

    Positive points: furniture phrases and words, glued breadcrumbs, separators, CMS artefacts, a short
    unpunctuated line, a run of unpunctuated lines (menus, lists of related headlines), position outside
    or far from the prose, another language than the body, a line repeated verbatim, an unknown single
    word. Negative points: sentence-like prose.
    """
    prose = [is_prose(ln, lang) for ln in lines]
    first_prose = next((i for i, p in enumerate(prose) if p), len(lines))
    last_prose = max((i for i, p in enumerate(prose) if p), default=-1)
    distance = _distances(prose)
    short = [0 < ln.n <= short_words and not ln.terminal for ln in lines]
    # Menus and related-links lists are runs of lines that are not sentences.
    runs = _runs([0 < ln.n <= title_words and not ln.terminal for ln in lines])
    counts: dict[str, int] = {}
    norms: dict[int, str] = {}  # line position -> normalised text, for the short lines
    for i, ln in enumerate(lines):
        if ln.n <= 8:
            key = norms[i] = _norm(ln.text)
            counts[key] = counts.get(key, 0) + 1
    out: list[LineVerdict] = []
    for i, ln in enumerate(lines):
        pts = 0.0
        why: list[str] = []
        if ln.phrase_hits:
            # A furniture phrase on a short line is a widget; inside a long sentence it is prose.
            pts += 3.0 if (ln.n <= 12 or ln.starts_with_marker) else 1.0
            why.append("furniture phrase")
        if ln.n and ln.n <= 8 and ln.word_share > 0.5:
            pts += 2.0
            why.append("furniture words")
        # Brand names glue two capitals too ("NextRadioTV"); a breadcrumb is a short line or opens one.
        if ln.glue and (ln.n <= 12 or ln.glue_at < 6):
            pts += 3.0
            why.append("glued breadcrumb")
        if ln.separators >= 2 and ln.n <= 20 and not ln.terminal:
            pts += 2.0
            why.append("separators")
        if ln.artefact:
            pts += 3.0
            why.append("CMS artefact")
        if ln.n <= 3 and _TIME_RE.match(ln.text):
            pts += 1.5  # a bare time or date stamp ("14:10", "12/03/2024") of a live feed or a list
            why.append("bare timestamp")
        if ln.text.rstrip().endswith("*") and ln.n <= 6:
            pts += 2.0  # a form field marked as required ("Votre nom : *")
            why.append("required form field")
        if ln.n <= 3 and _COUNT_RE.search(ln.text):
            pts += 2.0  # "Archives (129)", "Politique (12)": a category or archive link with its count
            why.append("link with a count")
        if short[i]:
            pts += 1.0
            why.append("short line")
            if ln.n <= 3:
                pts += 0.5
            # Only a bare word: a quoted or dashed one ('- "Covidiots" -') is a subheading.
            if (
                ln.n == 1
                and ln.text.strip().isalpha()
                and not ln.text.isupper()
                and _is_unknown_word(ln.tokens[0], lang)
            ):
                pts += 1.5
                why.append("unknown word")
            if counts.get(norms[i] if i in norms else _norm(ln.text), 0) >= 2:
                pts += 1.0
                why.append("repeated short line")
        if runs[i] >= run_length:
            pts += 2.0 if runs[i] >= long_run else 1.0
            why.append("run of unpunctuated lines")
        if (i < first_prose or i > last_prose) and not prose[i]:
            pts += 0.5
            why.append("outside the prose")
        if distance[i] >= far:
            pts += 1.0
            why.append("far from the prose")
        if ln.ellipsis and not prose[i]:
            pts += 0.5
            why.append("cut with an ellipsis")
        if foreign_language(ln, lang):
            pts += 1.5
            why.append("another language")
        # A sentence that carries a long furniture phrase ("en poursuivant votre navigation", "your email
        # address will not be published") is a notice written as prose: no prose discount.
        if prose[i] and ln.phrase_len < 3:
            pts -= 3.0
        elif ln.n >= 8 and ln.stop_hits.get(lang, 0) >= 0.3 * ln.n and not ln.phrase_hits:
            pts -= 1.5
        out.append(LineVerdict(pts, tuple(why)))
    # A short line between two furniture lines belongs to the same widget ("Partager sur X" between
    # two share buttons whose names the lexicon knows).
    for i in range(1, len(out) - 1):
        if short[i] and out[i].score < threshold <= min(out[i - 1].score, out[i + 1].score):
            out[i] = LineVerdict(threshold, (*out[i].reasons, "between furniture lines"))
    return out


def verdicts_of(doc: Document, lexset: LexiconSet) -> list[LineVerdict]:
    """`score_lines` of the document, computed once."""
    return doc.memo("boilerplate.verdicts", lambda: score_lines(lines_of(doc, lexset), doc.base_language))  # type: ignore[no-any-return]


def _glue_span(doc: Document, ln: Line) -> Span:
    """The part of a prose line to remove for a breadcrumb glued to its start: up to the last
    lower->upper transition of the first glued token ("À la uneGuerreRussieUkraineLe ..." -> "...Ukraine")."""
    a = ln.span[0]
    for m in _TOKEN_RE.finditer(ln.text):
        glued = list(_GLUE_RE.finditer(m.group()))
        if len(glued) >= 2 and len(m.group()) >= 8:
            return (a, a + m.start() + glued[-1].start() + 1)
    return ln.span


def merge_lines(doc: Document, spans: Iterable[Span]) -> list[Span]:
    """Line spans merged into blocks where they are consecutive lines (a menu is one piece of evidence)."""
    index = {sp: i for i, sp in enumerate(doc.paragraphs)}
    out: list[Span] = []
    last = -2
    for sp in sorted(spans):
        i = index.get(sp, -2)
        if out and i >= 0 and i == last + 1:
            out[-1] = (out[-1][0], sp[1])
        else:
            out.append(sp)
        last = i
    return out


def chunked_flags(
    feature: Feature, doc: Document, code: str, message: str, spans: Sequence[Span]
) -> list[Signal]:
    """Flags for `code` citing `spans`, split so that no signal exceeds the evidence bound: the clean
    text must remove every span, not only the first ones. The values add up to the number of spans."""
    return [
        feature.flag(doc, code, message, spans[k : k + MAX_EVIDENCE])
        for k in range(0, len(spans), MAX_EVIDENCE)
    ]


class FurnitureLines(Feature):
    """Lines that are page furniture rather than article: navigation and skip links, breadcrumbs
    (also glued to the text), share/comment/newsletter/ad-block/cookie widgets, related-links labels,
    author boxes, comment forms, CMS artefacts.

    Each line gets a score from its shape (length, final punctuation, capitalisation glue, separators,
    position outside the prose, neighbours), furniture lexicons (data/boilerplate/furniture.json) and
    its language; lines at or above `threshold` are flagged.

    Known false positives: a short list of menu-like items inside an article (e.g. a bulleted list of
    services with no punctuation), a one-word line that is a rare proper noun, an article about cookies
    or newsletters with short headings made of those words.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.furniture_line": "A line that is page furniture (navigation, share/comment/newsletter/ad-block/cookie widget, related-links label, author box).",
        "boilerplate.glued_breadcrumb": "A breadcrumb or menu whose items are glued together or to the text ('À la uneGuerreRussie').",
        "boilerplate.cms_artefact": "A template or CMS artefact in the text (snake_case identifier, shortcode, unknown widget label).",
        "boilerplate.furniture_share": "Share of the text's characters in lines flagged as furniture (0-1).",
    }
    removable: ClassVar[frozenset[str]] = frozenset(
        {"boilerplate.furniture_line", "boilerplate.glued_breadcrumb", "boilerplate.cms_artefact"}
    )

    def __init__(self, threshold: float = 3.0) -> None:
        self.threshold = threshold
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        lines = lines_of(doc, self._lex)
        verdicts = verdicts_of(doc, self._lex)
        furniture: list[Span] = []
        glued: list[Span] = []
        artefacts: list[Span] = []
        for ln, v in zip(lines, verdicts, strict=True):
            if ln.glue and (v.score < self.threshold or is_prose(ln, doc.base_language)):
                # A breadcrumb glued to the first words of a prose line: cite (and remove) only the crumb.
                if ln.index < 3 and 0 <= ln.glue_at < 6:
                    glued.append(_glue_span(doc, ln))
                continue
            if v.score < self.threshold:
                continue
            if "glued breadcrumb" in v.reasons:
                glued.append(ln.span)
            elif "CMS artefact" in v.reasons or "unknown word" in v.reasons:
                artefacts.append(ln.span)
            else:
                furniture.append(ln.span)
        total = sum(b - a for a, b in doc.paragraphs)
        flagged = sum(b - a for a, b in furniture + glued + artefacts)
        out: list[Signal] = []
        out += chunked_flags(
            self,
            doc,
            "boilerplate.furniture_line",
            "Lines that are page furniture, not article text.",
            merge_lines(doc, furniture),
        )
        out += chunked_flags(
            self,
            doc,
            "boilerplate.glued_breadcrumb",
            "A breadcrumb or menu glued together or to the text.",
            glued,
        )
        out += chunked_flags(
            self, doc, "boilerplate.cms_artefact", "Template or CMS artefacts left in the text.", artefacts
        )
        out.append(
            self.measure(
                "boilerplate.furniture_share",
                "Share of the text in furniture lines.",
                flagged / total if total else 0.0,
            )
        )
        return out


class EmptyMetadataLabel(Feature):
    """Metadata labels a template printed with nothing after them ("Date:", "Vues :", "Auteur : |").

    Known false positives: a heading that is a label word followed by a colon and then a list on the
    next lines ("Sources :" before a list of references).
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.empty_label": "A metadata label (date, views, author...) with no value after it.",
    }
    removable: ClassVar[frozenset[str]] = frozenset({"boilerplate.empty_label"})

    _SPLIT = re.compile(r"[|•·]")

    def __init__(self, max_words: int = 12) -> None:
        self.max_words = max_words
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        labels = self._lex(doc.base_language).labels
        spans: list[Span] = []
        for ln in lines_of(doc, self._lex):
            if ln.n > self.max_words or ":" not in ln.text:
                continue
            pos = 0
            for piece in [*self._SPLIT.split(ln.text)]:
                a = ln.span[0] + pos
                pos += len(piece) + 1
                body = piece.strip()
                if not body:
                    continue
                label, colon, value = body.partition(":")
                if not colon and "：" in body:
                    label, colon, value = body.partition("：")
                if colon and _norm(label) in labels and not value.strip(" -–—_.\t"):
                    off = piece.index(body)
                    spans.append((a + off, a + off + len(body)))
        if not spans:
            return []
        return [self.flag(doc, "boilerplate.empty_label", "Metadata labels printed with no value.", spans)]


class Repetition(Feature):
    """The headline repeated in the body or at the end, a teaser paragraph cut with an ellipsis and then
    given in full, and paragraphs that occur twice. Evidence is the later copy (or the teaser), so that
    the clean text keeps one full copy.

    The headline is `doc.title`, else the first line that is not furniture and reads like a title.
    Known false positives: a short refrain or slogan that an article deliberately repeats.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.repeated_headline": "The headline occurs again in the body or at the end.",
        "boilerplate.teaser_repeated": "A teaser paragraph cut with '...' whose full text follows or precedes it.",
        "boilerplate.duplicate_paragraph": "A paragraph that occurs twice in the text.",
    }
    removable: ClassVar[frozenset[str]] = frozenset(
        {"boilerplate.repeated_headline", "boilerplate.teaser_repeated", "boilerplate.duplicate_paragraph"}
    )

    def __init__(self, min_dup_words: int = 8, min_teaser_words: int = 6, threshold: float = 3.0) -> None:
        self.min_dup_words = min_dup_words
        self.min_teaser_words = min_teaser_words
        self.threshold = threshold
        self._lex = LexiconSet()

    def _headline(
        self, doc: Document, lines: Sequence[Line], verdicts: Sequence[LineVerdict]
    ) -> tuple[str | None, int]:
        if doc.title and _norm(doc.title):
            # The title line heads the text when it comes before the first long (prose) line.
            title = _norm(doc.title)
            for ln in lines[:5]:
                if _norm(ln.text) == title:
                    return title, ln.index
                if ln.n >= 12:
                    break
            return title, -1
        for ln, v in zip(lines[:5], verdicts[:5], strict=True):
            if v.score >= self.threshold:
                continue
            # A title: a few words, one sentence at most, not a label or a teaser.
            text = ln.text.rstrip()
            body = text.rstrip(".")
            if (
                3 <= ln.n <= (20 if body != text else 30)
                and not body.endswith((":", *_ELLIPSIS))
                and ". " not in body
            ):
                return _norm(ln.text), ln.index
            break
        return None, -1

    def extract(self, doc: Document) -> list[Signal]:
        lines = lines_of(doc, self._lex)
        verdicts = verdicts_of(doc, self._lex)
        headline, head_idx = self._headline(doc, lines, verdicts)
        norms = [_norm(ln.text) for ln in lines]
        repeated = [
            ln.span
            for ln, t in zip(lines, norms, strict=True)
            if headline and t == headline and ln.index != head_idx
        ]
        seen: set[str] = set()
        dups: list[Span] = []
        for ln, t in zip(lines, norms, strict=True):
            if ln.n < self.min_dup_words or t == headline:
                continue
            if t in seen:
                dups.append(ln.span)
            seen.add(t)
        teasers: list[Span] = []
        # The teaser without its ellipsis must start another, longer line; lines sharing a prefix are
        # neighbours in sorted order, so one binary search per teaser bounds the work.
        ordered = sorted(set(norms))
        for ln, t in zip(lines, norms, strict=True):
            if not ln.ellipsis or ln.n < self.min_teaser_words:
                continue
            k = bisect.bisect_left(ordered, t)
            while k < len(ordered) and ordered[k].startswith(t):
                if len(ordered[k]) > len(t):
                    teasers.append(ln.span)
                    break
                k += 1
        out: list[Signal] = []
        if repeated:
            out.append(
                self.flag(
                    doc, "boilerplate.repeated_headline", "The headline is repeated in the text.", repeated
                )
            )
        if teasers:
            out.append(
                self.flag(
                    doc,
                    "boilerplate.teaser_repeated",
                    "A teaser cut with '...' is followed or preceded by its full text.",
                    teasers,
                )
            )
        if dups:
            out.append(
                self.flag(doc, "boilerplate.duplicate_paragraph", "Paragraphs that occur twice.", dups)
            )
        return out


def _stems(line: Line, stop: frozenset[str], min_len: int = 4, prefix: int = 5) -> list[str]:
    """Content-word stems of a line: tokens of `min_len`+ characters that are not stop words or
    numbers, cut to `prefix` characters (a cheap stemmer: "inquiétude" and "inquiétante" meet)."""
    return [t[:prefix] for t in line.tokens if len(t) >= min_len and not t[0].isdigit() and t not in stop]


class OffTopicTail(Feature):
    """Trailing paragraphs whose vocabulary has little to do with the article: the "related articles",
    "latest" or comment blocks that a scraper keeps after the end of the story.

    A tail starts at a related-links marker line ("Lire aussi", "Related") in the second half of the
    text when the paragraphs after it share few content words with the body; without a marker, at least
    `min_paragraphs` trailing paragraphs must each share fewer than `max_overlap` of their content words
    with everything before them. Known false positives: an article whose last paragraphs turn to a new
    subject (a round-up of unrelated news items).
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.offtopic_tail": "Trailing paragraphs (related articles, comments) whose vocabulary is unrelated to the article.",
    }
    removable: ClassVar[frozenset[str]] = frozenset({"boilerplate.offtopic_tail"})

    def __init__(
        self,
        max_overlap: float = 0.1,
        marker_overlap: float = 0.3,
        min_paragraphs: int = 2,
        min_content_words: int = 6,
        min_body_words: int = 60,
        max_tail_share: float = 0.5,
        max_candidates: int = 12,
    ) -> None:
        self.max_overlap = max_overlap
        self.marker_overlap = marker_overlap
        self.min_paragraphs = min_paragraphs
        self.min_content_words = min_content_words
        self.min_body_words = min_body_words
        self.max_tail_share = max_tail_share
        self.max_candidates = max_candidates
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        lines = lines_of(doc, self._lex)
        if len(lines) < 4:
            return []
        lang = doc.base_language
        stop = self._lex(lang).stopwords.get(lang, frozenset())
        stems = [_stems(ln, stop) for ln in lines]
        n_chars = len(doc.text)
        start = self._marker_tail(lines, stems, n_chars) or self._plain_tail(lines, stems, n_chars)
        if start is None:
            return []
        tail = (lines[start].span[0], lines[-1].span[1])
        return [
            self.flag(
                doc,
                "boilerplate.offtopic_tail",
                "Trailing paragraphs unrelated to the article.",
                [tail],
                value=len(lines) - start,
            )
        ]

    def _overlap(self, body: set[str], para: list[str]) -> float:
        return sum(1 for s in para if s in body) / len(para)

    def _marker_tail(self, lines: Sequence[Line], stems: Sequence[list[str]], n_chars: int) -> int | None:
        for ln in lines:
            if not (
                ln.starts_with_marker and ln.n <= 6 and ln.span[0] >= n_chars * (1 - self.max_tail_share)
            ):
                continue
            i = ln.index
            body = {s for st in stems[:i] for s in st}
            if sum(len(st) for st in stems[:i]) < self.min_body_words:
                return None
            content = [st for st in stems[i + 1 :] if len(st) >= self.min_content_words]
            if not content:
                # Nothing but short lines after the marker: they are links, the marker opens a tail.
                return i if all(not ln2.terminal or ln2.n <= 6 for ln2 in lines[i + 1 :]) else None
            words = sum(len(c) for c in content)
            shared = sum(1 for c in content for s in c if s in body)
            if shared / words < self.marker_overlap:
                return i
            return None
        return None

    def _plain_tail(self, lines: Sequence[Line], stems: Sequence[list[str]], n_chars: int) -> int | None:
        content_idx = [i for i, st in enumerate(stems) if len(st) >= self.min_content_words]
        if len(content_idx) < self.min_paragraphs + 3:
            return None
        best: int | None = None
        count = 0
        for k in range(len(content_idx) - 1, max(-1, len(content_idx) - 1 - self.max_candidates), -1):
            i = content_idx[k]
            if lines[i].span[0] < n_chars * (1 - self.max_tail_share):
                break
            body_idx = content_idx[:k]
            body = {s for j in body_idx for s in stems[j]}
            if sum(len(stems[j]) for j in body_idx) < self.min_body_words:
                break
            if self._overlap(body, stems[i]) >= self.max_overlap:
                break
            count += 1
            best = i
        if best is None or count < self.min_paragraphs:
            return None
        # Short lines just before the first off-topic paragraph (its title, a label) belong to the tail.
        j = best
        while (
            j > 0
            and len(stems[j - 1]) < self.min_content_words
            and not lines[j - 1].terminal
            and j - 1 > content_idx[0]
        ):
            j -= 1
        return j


class ForeignLanguageLines(Feature):
    """Lines in another language than the body (an English comment form or ad-block notice under a
    French article), from cheap stop-word counts per language.

    Not removable: a quotation in another language is article text. Known false positives: a quoted
    sentence or a title of a work in another language.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.foreign_language_line": "A line in another language than the body of the text.",
    }

    def __init__(self, min_hits: int = 3) -> None:
        self.min_hits = min_hits
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        lang = doc.base_language
        if lang not in ("fr", "en"):
            return []
        spans: list[Span] = []
        found: dict[str, int] = {}
        for ln in lines_of(doc, self._lex):
            other = foreign_language(ln, lang, min_hits=self.min_hits)
            if other:
                spans.append(ln.span)
                found[other] = found.get(other, 0) + 1
        if not spans:
            return []
        return [
            self.flag(
                doc,
                "boilerplate.foreign_language_line",
                f"Lines in another language than the body ({lang}).",
                spans,
                languages=found,
            )
        ]


class HtmlExtraction(Feature):
    """For HTML input: how much of the page's visible text the extractor kept, and what the removed
    text was (furniture lines, or prose the extractor may have dropped). Measures for the classifier.

    Known limits: pages whose visible text is mostly comments or a long menu make the kept share low
    for a good article; it is a measure, not a flag.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.html_kept_share": "HTML input: share of the page's visible text kept as article text (0-1).",
        "boilerplate.html_removed_furniture": "HTML input: share of the removed lines that look like page furniture (0-1).",
        "boilerplate.html_removed_prose": "HTML input: share of the removed text in prose-like lines (0-1): article text the extractor may have dropped.",
    }

    def __init__(self, threshold: float = 3.0, max_lines: int = 2000) -> None:
        self.threshold = threshold
        self.max_lines = max_lines
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        if doc.page_text_chars is None:
            return []
        out = [
            self.measure(
                "boilerplate.html_kept_share",
                "Share of the page's visible text kept by the extractor.",
                min(1.0, len(doc.text) / doc.page_text_chars) if doc.page_text_chars else 0.0,
            )
        ]
        removed = [t for t in (doc.removed_text or "").split("\n") if t.strip()][: self.max_lines]
        if removed:
            lang = doc.base_language
            lex = self._lex(lang)
            # Menus and share bars repeat the same lines: each distinct line is measured once, and its
            # measures stand for every copy (nothing below reads a line's index).
            seen: dict[str, Line] = {}
            lines = []
            for i, t in enumerate(removed):
                first = seen.get(t)
                if first is None:
                    first = seen[t] = analyse_line(i, (0, len(t)), t, lex)
                lines.append(first)
            verdicts = score_lines(lines, lang)
            chars = sum(len(t) for t in removed)
            out.append(
                self.measure(
                    "boilerplate.html_removed_furniture",
                    "Share of removed lines that look like furniture.",
                    sum(1 for v in verdicts if v.score >= self.threshold) / len(lines),
                )
            )
            out.append(
                self.measure(
                    "boilerplate.html_removed_prose",
                    "Share of removed text in prose-like lines.",
                    sum(len(ln.text) for ln in lines if is_prose(ln, lang)) / chars if chars else 0.0,
                )
            )
        return out


def flagged_line_indices(doc: Document, features: Iterable[Feature] | None = None) -> set[int]:
    """Indices of `doc.paragraphs` that the removable boilerplate codes cover (for evaluation): a line
    counts when evidence covers at least half of it."""
    feats = list(features) if features is not None else [cls() for cls in FEATURES]
    starts = [a for a, _ in doc.paragraphs]
    out: set[int] = set()
    for f in feats:
        for s in f.run(doc):
            if s.code not in f.removable:
                continue
            for e in s.evidence:
                i = max(0, bisect.bisect_right(starts, e.start) - 1)
                while i < len(starts) and starts[i] < e.end:
                    a, b = doc.paragraphs[i]
                    if min(b, e.end) - max(a, e.start) >= 0.5 * (b - a):
                        out.add(i)
                    i += 1
    return out


FEATURES: list[type[Feature]] = [
    FurnitureLines,
    EmptyMetadataLabel,
    Repetition,
    OffTopicTail,
    ForeignLanguageLines,
    HtmlExtraction,
]

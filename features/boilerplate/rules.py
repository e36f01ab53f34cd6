"""Line scoring of the boilerplate family: each line's furniture score is the sum of the weights of
the named rules it meets (its shape, its lexicon hits, its language, its neighbours)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from features.boilerplate.lines import (
    LexiconSet,
    Line,
    foreign_language,
    is_prose,
    is_unknown_word,
    lines_of,
    norm,
)
from features.document import Document, MemoKey

_TIME_RE = re.compile(r"\s*(?:\d{1,2}[:h]\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\s*$")
_COUNT_RE = re.compile(r"\((?:[1-9]\d{0,5}|0)\)\s*$")


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules read besides the line itself: document-level views of every line, and the
    thresholds of `score_lines`."""

    lang: str
    prose: list[bool]  # the line reads like article prose
    first_prose: int
    last_prose: int
    distance: list[int]  # lines to the nearest prose line
    short: list[bool]  # a few words and no final punctuation
    runs: list[int]  # length of the run of unpunctuated lines the line belongs to
    counts: dict[str, int]  # normalised text -> copies, for short lines
    norms: dict[int, str]  # line position -> normalised text, for short lines
    run_length: int
    long_run: int
    far: int


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """A named reason for a line to be furniture (positive weight) or article text (negative weight)."""

    name: str
    weight: float
    test: Callable[[Line, int, Context], bool]


def _phrase_on_short_line(ln: Line, i: int, c: Context) -> bool:
    # A furniture phrase on a short line is a widget; inside a long sentence it is prose.
    return bool(ln.phrase_hits) and (ln.n <= 12 or ln.starts_with_marker)


def _glued(ln: Line, i: int, c: Context) -> bool:
    # Brand names glue two capitals too ("NextRadioTV"); a breadcrumb is a short line or opens one.
    return bool(ln.glue) and (ln.n <= 12 or ln.glue_at < 6)


def _unknown_word(ln: Line, i: int, c: Context) -> bool:
    # Only a bare word: a quoted or dashed one ('- "Covidiots" -') is a subheading.
    return (
        c.short[i]
        and ln.n == 1
        and ln.text.strip().isalpha()
        and not ln.text.isupper()
        and is_unknown_word(ln.tokens[0], c.lang)
    )


def _repeated_short(ln: Line, i: int, c: Context) -> bool:
    return c.short[i] and c.counts.get(c.norms[i] if i in c.norms else norm(ln.text), 0) >= 2


def _prose(ln: Line, i: int, c: Context) -> bool:
    # A sentence that carries a long furniture phrase ("en poursuivant votre navigation", "your email
    # address will not be published") is a notice written as prose: no prose discount.
    return c.prose[i] and ln.phrase_len < 3


def _sentence_like(ln: Line, i: int, c: Context) -> bool:
    return (
        not _prose(ln, i, c)
        and ln.n >= 8
        and ln.stop_hits.get(c.lang, 0) >= 0.3 * ln.n
        and not ln.phrase_hits
    )


FURNITURE_PHRASE = Rule("furniture phrase", 3.0, _phrase_on_short_line)
GLUED_BREADCRUMB = Rule("glued breadcrumb", 3.0, _glued)
CMS_ARTEFACT = Rule("CMS artefact", 3.0, lambda ln, i, c: ln.artefact)
UNKNOWN_WORD = Rule("unknown word", 1.5, _unknown_word)

# The table, in the order reasons are listed. Every weight is a multiple of 0.5, so a line's score is
# the same whatever the order of the sum.
RULES: tuple[Rule, ...] = (
    FURNITURE_PHRASE,
    Rule(
        "furniture phrase in a sentence",
        1.0,
        lambda ln, i, c: bool(ln.phrase_hits) and not _phrase_on_short_line(ln, i, c),
    ),
    Rule("furniture words", 2.0, lambda ln, i, c: 0 < ln.n <= 8 and ln.word_share > 0.5),
    GLUED_BREADCRUMB,
    Rule("separators", 2.0, lambda ln, i, c: ln.separators >= 2 and ln.n <= 20 and not ln.terminal),
    CMS_ARTEFACT,
    # A bare time or date stamp ("14:10", "12/03/2024") of a live feed or a list.
    Rule("bare timestamp", 1.5, lambda ln, i, c: ln.n <= 3 and _TIME_RE.match(ln.text) is not None),
    # A form field marked as required ("Votre nom : *").
    Rule("required form field", 2.0, lambda ln, i, c: ln.text.rstrip().endswith("*") and ln.n <= 6),
    # "Archives (129)", "Politique (12)": a category or archive link with its count.
    Rule("link with a count", 2.0, lambda ln, i, c: ln.n <= 3 and _COUNT_RE.search(ln.text) is not None),
    Rule("short line", 1.0, lambda ln, i, c: c.short[i]),
    Rule("very short line", 0.5, lambda ln, i, c: c.short[i] and ln.n <= 3),
    UNKNOWN_WORD,
    Rule("repeated short line", 1.0, _repeated_short),
    # Menus and related-links lists are runs of lines that are not sentences.
    Rule("run of unpunctuated lines", 1.0, lambda ln, i, c: c.run_length <= c.runs[i] < c.long_run),
    Rule(
        "long run of unpunctuated lines",
        2.0,
        lambda ln, i, c: c.runs[i] >= c.run_length and c.runs[i] >= c.long_run,
    ),
    Rule(
        "outside the prose",
        0.5,
        lambda ln, i, c: (i < c.first_prose or i > c.last_prose) and not c.prose[i],
    ),
    Rule("far from the prose", 1.0, lambda ln, i, c: c.distance[i] >= c.far),
    Rule("cut with an ellipsis", 0.5, lambda ln, i, c: ln.ellipsis and not c.prose[i]),
    Rule("another language", 1.5, lambda ln, i, c: foreign_language(ln, c.lang) is not None),
    Rule("prose", -3.0, _prose),
    Rule("sentence-like", -1.5, _sentence_like),
)
# Applied after the table: a short line between two furniture lines belongs to the same widget
# ("Partager sur X" between two share buttons whose names the lexicon knows) and is raised to the
# threshold.
BETWEEN_FURNITURE = Rule("between furniture lines", 0.0, lambda ln, i, c: False)


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """The furniture score of one line and the rules that made it."""

    score: float
    rules: tuple[Rule, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The names of the rules that made the score."""
        return tuple(r.name for r in self.rules)


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
    """Furniture score of each line: the sum of the weights of the `RULES` it meets.

    Positive points: furniture phrases and words, glued breadcrumbs, separators, CMS artefacts, a short
    unpunctuated line, a run of unpunctuated lines (menus, lists of related headlines), position outside
    or far from the prose, another language than the body, a line repeated verbatim, an unknown single
    word. Negative points: sentence-like prose.
    """
    prose = [is_prose(ln, lang) for ln in lines]
    counts: dict[str, int] = {}
    norms: dict[int, str] = {}
    for i, ln in enumerate(lines):
        if ln.n <= 8:
            key = norms[i] = norm(ln.text)
            counts[key] = counts.get(key, 0) + 1
    ctx = Context(
        lang=lang,
        prose=prose,
        first_prose=next((i for i, p in enumerate(prose) if p), len(lines)),
        last_prose=max((i for i, p in enumerate(prose) if p), default=-1),
        distance=_distances(prose),
        short=[0 < ln.n <= short_words and not ln.terminal for ln in lines],
        runs=_runs([0 < ln.n <= title_words and not ln.terminal for ln in lines]),
        counts=counts,
        norms=norms,
        run_length=run_length,
        long_run=long_run,
        far=far,
    )
    out: list[LineVerdict] = []
    for i, ln in enumerate(lines):
        met = tuple([r for r in RULES if r.test(ln, i, ctx)])
        out.append(LineVerdict(sum([r.weight for r in met], 0.0), met))
    for i in range(1, len(out) - 1):
        if ctx.short[i] and out[i].score < threshold <= min(out[i - 1].score, out[i + 1].score):
            out[i] = LineVerdict(threshold, (*out[i].rules, BETWEEN_FURNITURE))
    return out


VERDICTS: MemoKey[list[LineVerdict]] = MemoKey("boilerplate.verdicts")


def verdicts_of(doc: Document, lexset: LexiconSet) -> list[LineVerdict]:
    """`score_lines` of the document, computed once."""
    return doc.memo(VERDICTS, lambda: score_lines(lines_of(doc, lexset), doc.base_language))

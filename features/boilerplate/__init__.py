"""Boilerplate family: page furniture left in the text, repeated and off-topic blocks, lines in another
language than the body, and (HTML input) how much of the page the extractor kept.

Every family member works on lines (`doc.paragraphs`: scraped text has one block per line). The line
measures (tokens, stop words per language, lexicon hits, shape) are computed once per document and
shared through `doc.memo`. Codes listed in a feature's `removable` are page furniture: `Scorer.clean`
removes their evidence to produce the clean text.

- `lines`: the measures of one line, and the lexicons they use;
- `rules`: the named rules that score each line as furniture;
- `furniture`: furniture lines, empty metadata labels, lines in another language;
- `repetition`: repeated headline, teasers and paragraphs, off-topic tail;
- `extraction`: what the HTML extractor kept and removed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from features.base import Feature
from features.boilerplate.extraction import HtmlExtraction
from features.boilerplate.furniture import (
    EmptyMetadataLabel,
    ForeignLanguageLines,
    FurnitureLines,
    chunked_flags,
    merge_lines,
)
from features.boilerplate.lines import (
    LINES,
    Lexicons,
    LexiconSet,
    Line,
    analyse_line,
    build_lexicons,
    foreign_language,
    is_prose,
    lines_of,
)
from features.boilerplate.repetition import OffTopicTail, Repetition
from features.boilerplate.rules import RULES, VERDICTS, LineVerdict, Rule, score_lines, verdicts_of
from features.document import Document

__all__ = [
    "FEATURES",
    "LINES",
    "RULES",
    "VERDICTS",
    "EmptyMetadataLabel",
    "ForeignLanguageLines",
    "FurnitureLines",
    "HtmlExtraction",
    "LexiconSet",
    "Lexicons",
    "Line",
    "LineVerdict",
    "OffTopicTail",
    "Repetition",
    "Rule",
    "analyse_line",
    "build_lexicons",
    "chunked_flags",
    "flagged_line_indices",
    "foreign_language",
    "is_prose",
    "lines_of",
    "merge_lines",
    "score_lines",
    "verdicts_of",
]

FEATURES: list[type[Feature]] = [
    FurnitureLines,
    EmptyMetadataLabel,
    Repetition,
    OffTopicTail,
    ForeignLanguageLines,
    HtmlExtraction,
]


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

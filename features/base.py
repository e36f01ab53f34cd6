"""Shared types of the feature layer: evidence spans, signals, and the `Feature` base class."""

from __future__ import annotations

import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from features.document import Document, Span

logger = logging.getLogger(__name__)

FAMILIES = ("translation", "boilerplate", "dating", "sourcing", "readability", "quality", "generation")
# Bound on the evidence spans one signal carries: a document with 5,000 placeholders needs a count,
# not 5,000 snippets in every response.
MAX_EVIDENCE = 50
# Bound on the characters each feature analyses (`Feature.run`), so that the work per document is bounded
# whatever its length: 100,000 characters is about 15,000 words, longer than nearly any article, and what
# a feature measures (ratios, counts per sentence, a dateline, a byline) is settled well before. Past it
# the features see the document cut there (`Document.head`) and `truncation_signal` says what was left out.
MAX_CHARS = 100_000
TRUNCATED = "document.truncated"


class Kind(StrEnum):
    """What a signal says: a flag points at text; an absence says what was looked for and not found;
    a measure is a number about the whole document (a ratio, an index) for the classifier."""

    FLAG = "flag"
    ABSENCE = "absence"
    MEASURE = "measure"


class Direction(StrEnum):
    """Which way a code may move the score. The model is trained under these signs and checked against
    them when it loads, so that no explanation points the wrong way.

    - `LOWERS`: a problem (a flag, an absence): its contribution is <= 0, and exactly 0 when it did not fire;
    - `RAISES`: positive evidence (a named source, a byline, a date): its contribution is >= 0, and 0 when
      it was not found;
    - `EITHER`: a neutral measure (a readability index, a ratio): either way, relative to the training mean.
    """

    LOWERS = "lowers"
    RAISES = "raises"
    EITHER = "either"


@dataclass(frozen=True, slots=True)
class Rule:
    """How one code takes part in the score.

    `requires` names the metadata field ("published", "author") that the input must have had a place for
    (`Document.metadata_fields`) for the code to count: "no date" says something about an HTML page or a
    record with a date field, nothing about a bare text. The signal is still reported either way.
    `weak_single` marks codes for which one isolated hit (a single word, a single quote) is weak evidence:
    the model bounds what one such hit can cost (`scorer.model.WEAK_HIT_CAP`).
    `floor` is, for a measure that can only lower the score, the value up to which it says nothing: the
    classifier reads `max(0, value - floor)`. A calibrated probability of a defect at or under even odds
    (0.5) says the defect is not the likelier reading, so it costs nothing; only the part above does.
    """

    direction: Direction
    requires: str | None = None
    weak_single: bool = False
    floor: float = 0.0


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of `Document.text`, end-exclusive: `doc.text[start:end] == text`."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, doc: Document, span: Span) -> Evidence:
        """Evidence for `span` of `doc`."""
        return cls(span[0], span[1], doc.text[span[0] : span[1]])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Signal:
    """One finding of a feature: a stable namespaced code, a value, a sentence, and its evidence."""

    code: str
    message: str
    evidence: tuple[Evidence, ...] = ()
    value: float = 1.0
    kind: Kind = Kind.FLAG
    # Optional structured detail (e.g. {"source_language": "it"}), serialised as-is.
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        """The family, the code's first component (`translation` for `translation.number_placeholder`)."""
        return self.code.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "code": self.code,
            "family": self.family,
            "kind": self.kind.value,
            "value": round(float(self.value), 4),
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.detail:
            out["detail"] = dict(self.detail)
        return out


class EvidenceError(ValueError):
    """A feature produced evidence that does not match the document text (a bug in the feature)."""


class Feature(ABC):
    """A small measuring class: `extract(doc)` returns the signals of one concern.

    Subclasses set `family`, declare every code they may emit in `codes` (code -> meaning, used for
    the catalogue, the README and the API's /signals), take thresholds as keyword arguments, and
    implement `extract`. `extract` does no I/O; lexicons are loaded in `__init__`.
    """

    family: ClassVar[str]
    codes: ClassVar[Mapping[str, str]]
    # Codes whose evidence is page furniture that `clean_text` removes.
    removable: ClassVar[frozenset[str]] = frozenset()
    # True when the feature may run a spaCy pipeline (`features.nlp.run_components`): a parent process
    # loads the pipelines before forking workers only if some feature needs them.
    needs_spacy: ClassVar[bool] = False
    # Constructor arguments that are other registered features (argument name -> class): the registry
    # passes the instances it built, so a feature reuses what another one found instead of a copy.
    requires: ClassVar[Mapping[str, type[Feature]]] = {}
    # Characters of the document this feature analyses; `build_features` sets it from the settings.
    max_chars: int = MAX_CHARS

    @abstractmethod
    def extract(self, doc: Document) -> list[Signal]:
        """The signals this feature finds in `doc`."""

    @property
    def name(self) -> str:
        """The class name, for timings and logs."""
        return type(self).__name__

    def run(self, doc: Document) -> list[Signal]:
        """`extract` with checks: known codes, evidence that matches the text, bounded evidence; on at
        most the first `max_chars` characters of `doc` (`Document.head`, whose offsets are offsets
        into `doc.text`)."""
        doc = doc.head(self.max_chars)
        if not logger.isEnabledFor(logging.DEBUG):  # the common case: no timing, no log record
            return [self._check(doc, s) for s in self.extract(doc)]
        t0 = time.perf_counter()
        checked = [self._check(doc, s) for s in self.extract(doc)]
        logger.debug("%s: %d signals in %.2f ms", self.name, len(checked), 1000 * (time.perf_counter() - t0))
        return checked

    def _check(self, doc: Document, s: Signal) -> Signal:
        if s.code not in self.codes:
            raise EvidenceError(f"{self.name} emitted undeclared code {s.code!r}")
        if s.kind is Kind.FLAG and not s.evidence:
            raise EvidenceError(f"{s.code}: a flag must cite evidence")
        for e in s.evidence:
            if not (0 <= e.start < e.end <= len(doc.text)) or doc.text[e.start : e.end] != e.text:
                raise EvidenceError(f"{s.code}: evidence {e.start}:{e.end} does not match the text")
        if len(s.evidence) > MAX_EVIDENCE:
            s = Signal(s.code, s.message, s.evidence[:MAX_EVIDENCE], s.value, s.kind, s.detail)
        return s

    def flag(
        self,
        doc: Document,
        code: str,
        message: str,
        spans: Iterable[Span],
        value: float | None = None,
        **detail: Any,
    ) -> Signal:
        """A flag citing `spans` of `doc`; its value defaults to the number of spans."""
        evidence = tuple(Evidence.of(doc, sp) for sp in sorted(set(spans)))
        return Signal(
            code, message, evidence, float(len(evidence) if value is None else value), Kind.FLAG, detail
        )

    def absence(self, code: str, message: str, value: float = 1.0, **detail: Any) -> Signal:
        """An absence signal: nothing to cite, so the message names what was looked for."""
        return Signal(code, message, (), value, Kind.ABSENCE, detail)

    def measure(
        self, code: str, message: str, value: float, spans: Iterable[Span] = (), doc: Document | None = None
    ) -> Signal:
        """A document-level number for the classifier, with optional evidence."""
        evidence = tuple(Evidence.of(doc, sp) for sp in spans) if doc is not None else ()
        return Signal(code, message, evidence, float(value), Kind.MEASURE)


def truncation_signal(doc: Document, features: Iterable[Feature]) -> Signal | None:
    """`document.truncated` when some of `features` analyse only the start of `doc`: a measure whose
    value is the number of characters left out, with the first characters past the cut as evidence and
    the counts in its message and detail. None when every feature sees the whole text."""
    limit = min((f.max_chars for f in features), default=len(doc.text))
    total = len(doc.text)
    cut = len(doc.head(limit).text)
    if cut >= total:
        return None
    end = min(total, cut + 60)
    message = (
        f"Only the first {cut:,} of {total:,} characters were analysed (the bound is {limit:,} per feature); "
        f"the {total - cut:,} characters from offset {cut:,} on were not."
    )
    detail = {"analysed_chars": cut, "total_chars": total, "max_chars": limit}
    evidence = (Evidence(cut, end, doc.text[cut:end]),)
    return Signal(TRUNCATED, message, evidence, float(total - cut), Kind.MEASURE, detail)


@cache
def load_lexicon(name: str) -> Any:
    """Load a JSON lexicon shipped in `features/data/` (e.g. "translation/placeholders")."""
    path = resources.files("features").joinpath("data", f"{name}.json")
    with path.open(encoding="utf-8") as f:
        return json.load(f)

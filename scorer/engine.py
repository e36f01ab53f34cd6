"""The one scoring function: Document in, Result out. The CLI, the API and the CI gate all call it."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from features import FAMILIES, Document, Feature, Kind, Signal, build_features, nlp
from features.base import truncation_signal
from features.quality import InputQuality
from scorer.model import LinearModel, applies, signal_values

logger = logging.getLogger(__name__)

# Label bands of the score, highest first: (lower bound, label).
BANDS: tuple[tuple[float, str], ...] = ((75.0, "high"), (50.0, "medium"), (25.0, "low"), (0.0, "very_low"))
MAX_REASONS = 5
# A reason must have lowered the logit by at least this much: smaller pulls (a measure a hair below the
# training mean) change the score by well under a point and would only distract.
MIN_REASON_LOGIT = 0.1
# Input that cannot be judged is capped whatever the model says: too short to read (`quality.too_short`,
# fewer than `features.quality.MIN_WORDS` words) is at most "medium"; text that is not language
# (`quality.degenerate`) is "very_low". The cap enters the contributions as that code's own term, so the
# contributions still add up to the score and the code is named among the reasons.
SCORE_CAPS: dict[str, float] = {"quality.too_short": 60.0, "quality.degenerate": 5.0}


def label_for(score: float) -> str:
    """The band a score falls in."""
    for bound, name in BANDS:
        if score >= bound:
            return name
    return BANDS[-1][1]


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Explanation:
    """What a score is made of: the one derivation of score, label, families and reasons."""

    score: float
    label: str
    probability: float
    families: dict[str, float]
    reasons: list[str]
    contributions: dict[str, float]


def explain(
    model: LinearModel, values: Mapping[str, float], kinds: Mapping[str, Kind] | None = None
) -> Explanation:
    """Score, label, per-family sub-scores and reasons from a document's signal values.

    The contributions are the model's, plus the cost of a score cap (`SCORE_CAPS`) when the input
    triggered one. `families[f] = 100 * exp(sum of family f's negative contributions)`; `reasons` are the
    codes that lowered the logit by at least `MIN_REASON_LOGIT`, most first, ties by code. `Scorer.score`
    and `scorer evaluate` both call this, so evaluation tables show what users see.
    """
    contrib = model.contributions(values, kinds)
    logit = model.logit(contrib)
    for code, cap in SCORE_CAPS.items():
        ceiling = _logit(cap / 100.0)
        if values.get(code, 0.0) > 0.0 and logit > ceiling:
            contrib[code] = contrib.get(code, 0.0) + ceiling - logit
            logit = ceiling
    return describe(contrib, model.probability(contrib))


def describe(contrib: Mapping[str, float], p: float, families: Sequence[str] = FAMILIES) -> Explanation:
    """The explanation of a probability `p` and the contributions that gave it: the one place where a
    score, its label, the family sub-scores and the reasons are derived (`explain`, and the corpus pass
    that adds a provenance penalty)."""
    score = round(100.0 * p, 1)
    subs = {}
    for fam in families:
        neg = sum(v for c, v in contrib.items() if v < 0 and c.split(".", 1)[0] == fam)
        subs[fam] = round(100.0 * math.exp(neg), 1)
    ranked = sorted(contrib.items(), key=lambda kv: (kv[1], kv[0]))
    reasons = [c for c, v in ranked if v <= -MIN_REASON_LOGIT][:MAX_REASONS]
    return Explanation(score, label_for(score), p, subs, reasons, dict(contrib))


@dataclass(frozen=True)
class Result:
    """The outcome of scoring one document, identical from every entry point."""

    source: str
    score: float
    label: str
    probability: float
    language: str
    families: dict[str, float]
    signals: list[Signal]
    contributions: dict[str, float]
    reasons: list[str]
    model_version: str
    provisional: bool
    clean_text: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Codes reported but left out of the score: absences of metadata the input had no place for.
    not_counted: frozenset[str] = frozenset()
    # Set by a corpus pass only (scorer.corpus.provenance): the near-copy or template cluster.
    cluster: dict[str, Any] | None = None

    @property
    def flags(self) -> list[Signal]:
        """Signals that say something is wrong or missing (not measures)."""
        return [s for s in self.signals if s.kind is not Kind.MEASURE]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "source": self.source,
            "score": self.score,
            "label": self.label,
            "probability": round(self.probability, 4),
            "language": self.language,
            "families": self.families,
            "reasons": self.reasons,
            "signals": [
                {**s.to_dict(), "counts": False} if s.code in self.not_counted else s.to_dict()
                for s in self.flags
            ],
            "measures": {s.code: round(float(s.value), 4) for s in self.signals if s.kind is Kind.MEASURE},
            "contributions": {
                k: round(v, 4) for k, v in sorted(self.contributions.items(), key=lambda kv: kv[1])
            },
            "model_version": self.model_version,
            "provisional": self.provisional,
        }
        if self.meta:
            out["document"] = self.meta
        if self.clean_text is not None:
            out["clean_text"] = self.clean_text
        if self.cluster is not None:
            out["cluster"] = self.cluster
        return out


_BLANK_RUN = re.compile(r"\n{3,}")


def remove_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` without the given spans; a line emptied by the removal disappears with its break."""
    out: list[str] = []
    pos = 0
    for a, b in sorted(spans):
        if b <= pos:
            continue
        a = max(a, pos)
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    lines = [ln.rstrip() for ln in "".join(out).split("\n")]
    joined = "\n".join(ln for i, ln in enumerate(lines) if ln.strip() or (0 < i < len(lines) - 1))
    return _BLANK_RUN.sub("\n\n", joined).strip() + "\n"


class Scorer:
    """Features plus a model. Build one per process (the CLI, each API worker) and reuse it."""

    def __init__(self, model: LinearModel | None = None, features: Sequence[Feature] | None = None) -> None:
        self.model = model if model is not None else LinearModel.load()
        self.features = list(features) if features is not None else build_features()
        # Whatever families are chosen, too short or degenerate input is said to be so (and capped).
        if not any(f.family == InputQuality.family for f in self.features):
            self.features.append(InputQuality())
        self.removable = (
            frozenset().union(*(f.removable for f in self.features)) if self.features else frozenset()
        )

    def preload(self) -> None:
        """Load now the models its features load lazily (the spaCy pipeline), so that processes forked
        afterwards share them and no first document pays for loading them."""
        if any(f.needs_spacy for f in self.features):
            nlp.preload()

    def signals(self, doc: Document) -> list[Signal]:
        """Every feature's signals for `doc`, in registry order (after `document.truncated` when the
        features analyse only the start of a long text)."""
        out = [s for s in (truncation_signal(doc, self.features),) if s is not None]
        for feature in self.features:
            out.extend(feature.run(doc))
        return out

    def timed_signals(self, doc: Document) -> tuple[list[Signal], dict[str, float]]:
        """`signals` plus seconds spent per family (for the benchmark)."""
        out = [s for s in (truncation_signal(doc, self.features),) if s is not None]
        times: dict[str, float] = {}
        for feature in self.features:
            t0 = time.perf_counter()
            out.extend(feature.run(doc))
            times[feature.family] = times.get(feature.family, 0.0) + time.perf_counter() - t0
        return out, times

    def clean(self, doc: Document, signals: Sequence[Signal] | None = None) -> str:
        """The document text with flagged page furniture removed."""
        sigs = self.signals(doc) if signals is None else signals
        spans = [(e.start, e.end) for s in sigs if s.code in self.removable for e in s.evidence]
        return remove_spans(doc.text, spans)

    def score(self, doc: Document, *, clean: bool = False, signals: Sequence[Signal] | None = None) -> Result:
        """Score one document."""
        sigs = list(self.signals(doc) if signals is None else signals)
        kinds = {s.code: s.kind for s in sigs}
        ex = explain(self.model, signal_values(sigs, doc), kinds)
        meta = {
            "id": doc.id,
            "title": doc.title,
            "url": doc.url,
            "author": doc.author,
            "published": doc.published.isoformat() if doc.published else None,
            "origin": doc.origin,
            "metadata_places": sorted(doc.metadata_places),
            "chars": len(doc.text),
        }
        return Result(
            source=doc.id,
            score=ex.score,
            label=ex.label,
            probability=ex.probability,
            language=doc.language,
            families=ex.families,
            signals=sigs,
            contributions=ex.contributions,
            reasons=ex.reasons,
            model_version=self.model.version,
            provisional=self.model.provisional,
            clean_text=self.clean(doc, sigs) if clean else None,
            meta=meta,
            not_counted=frozenset(c for c, k in kinds.items() if not applies(c, k, doc)),
        )


_DEFAULT: Scorer | None = None


def default_scorer() -> Scorer:
    """The process-wide scorer with the bundled model and every feature, built on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Scorer()
    return _DEFAULT


def score(doc: Document, *, clean: bool = False) -> Result:
    """Score `doc` with the default scorer: the function every entry point calls."""
    return default_scorer().score(doc, clean=clean)

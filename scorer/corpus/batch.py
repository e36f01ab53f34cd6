"""The one batch core every runner calls: `score_batch(records) -> results` over one `Scorer`.

A record is `(seq, item)`: the item's position in the input and what the readers of `scorer.ingest.inputs`
made of it (an `Item`, or the `InputFailure` that reading it gave). A result is a `Scored` or an
`InputFailure`, one per record, in the same order. The process pool (`scorer.corpus.parallel`), the Ray
engine (`scorer.corpus.ray_engine`) and the datatrove steps (`scorer.integrations.datatrove`) all
score through here, so a document scores the same whichever runs it.

The scorer is built once per process (`process_scorer`) and kept: its model, lexicons and
word-frequency tables are loaded on the first batch a worker receives, never per batch. A process
that forks after `install` or `process_scorer` ran shares that scorer copy-on-write.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from features import build_features
from scorer.config import Settings
from scorer.corpus.fingerprint import Fingerprint, fingerprints
from scorer.engine import Result, Scorer
from scorer.ingest.inputs import DEFAULT_OPTIONS, InputFailure, Item, ReadOptions, load_item
from scorer.model import LinearModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scored:
    """One scored document: its position in the input, where it came from, its result, and its text
    when the caller asked for it (the HTML report highlights the evidence in it)."""

    seq: int
    location: str
    result: Result
    text: str | None = None
    # The MinHash signatures of the text, when a corpus pass asked for them (scorer.corpus.provenance).
    fingerprint: Fingerprint | None = None


Outcome = Scored | InputFailure
Record = tuple[int, Item | InputFailure]


def build_scorer(settings: Settings) -> Scorer:
    """A Scorer with the model and families the settings name."""
    features = build_features(settings.families, max_chars=settings.max_chars)
    return Scorer(model=LinearModel.load(settings.model_path), features=features)


# This process's scorers by the settings they were built for (a process normally holds one).
_SCORERS: dict[Settings, Scorer] = {}


def process_scorer(settings: Settings) -> Scorer:
    """This process's scorer for `settings`, built and preloaded (spaCy too) on first use."""
    scorer = _SCORERS.get(settings)
    if scorer is None:
        scorer = build_scorer(settings)
        scorer.preload()
        _SCORERS[settings] = scorer
    return scorer


def install(settings: Settings, scorer: Scorer) -> None:
    """Make `scorer` this process's scorer for `settings` (one built in a parent before it forked)."""
    _SCORERS[settings] = scorer


def score_record(
    scorer: Scorer, options: ReadOptions, want_text: bool, seq: int, item: Item | InputFailure
) -> Outcome:
    """Turn one item into a document and score it; any problem becomes an `InputFailure` at its location."""
    if isinstance(item, InputFailure):
        return item
    doc = load_item(item, options)
    if isinstance(doc, InputFailure):
        return doc
    try:
        result = scorer.score(doc)
    except Exception as e:  # noqa: BLE001 - one bad document must not stop a corpus run
        logger.debug("scoring failed on %s", item.location, exc_info=True)
        return item.failure(f"scoring failed ({type(e).__name__}: {e})")
    return Scored(seq, item.location, result, doc.text if want_text else None)


def score_batch(
    records: Iterable[Record],
    *,
    settings: Settings | None = None,
    options: ReadOptions = DEFAULT_OPTIONS,
    want_text: bool = False,
    scorer: Scorer | None = None,
) -> list[Outcome]:
    """Score a batch of records with `scorer`, else this process's scorer for `settings`; one outcome
    per record, in order."""
    own = scorer if scorer is not None else process_scorer(settings or Settings())
    out = [score_record(own, options, want_text, seq, item) for seq, item in records]
    release_free_memory()
    return out


def with_fingerprints(out: list[Outcome]) -> list[Outcome]:
    """The batch with the MinHash signatures of each scored text, computed for the batch at once
    (`scorer.corpus.fingerprint.BATCH` texts per call is where the per-call costs stop mattering)."""
    fps = fingerprints([(o.text or "") if isinstance(o, Scored) else "" for o in out])
    return [
        replace(o, fingerprint=fp) if isinstance(o, Scored) else o for o, fp in zip(out, fps, strict=True)
    ]


def _libc_malloc_trim() -> Any:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc only
    except (OSError, AttributeError):  # pragma: no cover - another C library
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_MALLOC_TRIM = _libc_malloc_trim()


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim, ~0.2 ms; nothing elsewhere).

    A worker forked from a loaded parent shares the parent's heap; parsing a large page leaves free
    chunks that glibc keeps, and the next allocations spread over them, copying shared pages. Trimming
    after each batch keeps a worker of a long audit 15 MB smaller."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)

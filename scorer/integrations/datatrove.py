"""The scorer as datatrove pipeline steps: an annotator and a filter, on any datatrove executor.

- `ScoreAnnotator` writes each document's score, label, family scores and reasons into its
  `metadata` (keys prefixed `scorer_`) and passes every document on.
- `ScoreFilter` does the same, then drops the documents scoring under `min_score`. The drop reason
  names the threshold and the signal that lowered the score most (`score_below_50:translation.
  number_placeholder`), so datatrove's `exclusion_writer` keeps each dropped document with its score,
  its reasons (`metadata`) and `filter_reason`; its stats count the drops per reason.

Both score through `scorer.corpus.batch.score_batch`, in batches of `batch_size` documents, with the
scorer of the worker process: the step holds only its settings, so it pickles small for Slurm or Ray
executors, and each worker process loads the model once (on its first batch), whatever number of tasks
it runs. A datatrove `Document` becomes a record: its metadata fields, its `text` and its `id`, read as
`scorer audit` reads a JSONL record (a `url` or `published` in the metadata is used).

Needs datatrove: `pip install 'article-scorer[peers]'`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from scorer.config import Settings
from scorer.corpus.batch import Outcome, Scored, score_batch
from scorer.ingest.inputs import DEFAULT_OPTIONS, InputFailure, Item, ReadOptions

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.filters.base_filter import BaseFilter
    from datatrove.pipeline.writers.disk_base import DiskWriter
    from datatrove.utils.batching import batched
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "scorer.integrations.datatrove needs datatrove: pip install 'article-scorer[peers]'"
    ) from e

PREFIX = "scorer_"
BATCH = 8


def to_record(doc: DatatroveDocument) -> Item:
    """The scorer's input item for a datatrove document (its metadata, text and id as one record)."""
    fields: dict[str, Any] = {k: v for k, v in doc.metadata.items() if not k.startswith(PREFIX)}
    fields["text"] = doc.text
    fields["id"] = doc.id
    return Item(str(doc.id), "record", fields)


def annotate(
    docs: Sequence[DatatroveDocument], settings: Settings, options: ReadOptions = DEFAULT_OPTIONS
) -> list[Outcome]:
    """Score `docs` and write the results into their metadata; one outcome per document."""
    outcomes = score_batch(
        [(i, to_record(doc)) for i, doc in enumerate(docs)], settings=settings, options=options
    )
    for doc, outcome in zip(docs, outcomes, strict=True):
        if isinstance(outcome, InputFailure):
            doc.metadata[PREFIX + "error"] = outcome.error
            continue
        r = outcome.result
        doc.metadata.update(
            {
                PREFIX + "score": r.score,
                PREFIX + "label": r.label,
                PREFIX + "families": dict(r.families),
                PREFIX + "reasons": list(r.reasons),
                PREFIX + "model_version": r.model_version,
            }
        )
    return outcomes


class ScoreAnnotator(PipelineStep):
    """Add the article score, label, families and reasons to each document's metadata."""

    name = "📰 article scorer"
    type = "📊 - STATS"

    def __init__(self, settings: Settings | None = None, batch_size: int = BATCH) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Annotate the documents batch by batch and pass every one on."""
        for batch in _batches(data, self.batch_size):
            with self.track_time("batch"):
                outcomes = annotate(batch, self.settings)
            for doc, outcome in zip(batch, outcomes, strict=True):
                self.stat_update("scored" if isinstance(outcome, Scored) else "unscorable")
                if isinstance(outcome, Scored):
                    self.stat_update(f"label_{outcome.result.label}")
                    self.stat_update("score", value=round(outcome.result.score))
                self.update_doc_stats(doc)
                yield doc


class ScoreFilter(BaseFilter):
    """Keep the documents scoring at least `min_score`; drop the others with the reason.

    A document that cannot be scored (no text) is dropped as `unscorable` unless `keep_unscorable`.
    Every document, kept or dropped, carries the annotations of `ScoreAnnotator`."""

    name = "📰 article score filter"

    def __init__(
        self,
        min_score: float = 50.0,
        exclusion_writer: DiskWriter | None = None,
        batch_size: int = BATCH,
        settings: Settings | None = None,
        keep_unscorable: bool = False,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        self.min_score = min_score
        self.settings = settings or Settings()
        self.keep_unscorable = keep_unscorable

    def filter(self, doc: DatatroveDocument) -> bool | tuple[bool, str]:
        """The decision for one document."""
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[DatatroveDocument]) -> list[bool | tuple[bool, str]]:
        """The decisions for one batch, scored together."""
        return [self._decide(o) for o in annotate(batch, self.settings)]

    def _decide(self, outcome: Outcome) -> bool | tuple[bool, str]:
        if isinstance(outcome, InputFailure):
            return True if self.keep_unscorable else (False, "unscorable")
        r = outcome.result
        if r.score >= self.min_score:
            return True
        top = r.reasons[0] if r.reasons else "no_single_signal"
        return False, f"score_below_{self.min_score:g}:{top}"


def _batches(data: Iterable[DatatroveDocument], size: int) -> Iterator[list[DatatroveDocument]]:
    for batch in batched(data, max(1, size)):
        yield list(batch)

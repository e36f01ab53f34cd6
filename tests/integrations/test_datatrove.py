"""The datatrove steps: annotation, the score filter with its drop reasons, on LocalPipelineExecutor."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scorer.config import Settings
from scorer.corpus.batch import score_batch
from scorer.ingest.inputs import iter_items
from tests.conftest import FIXTURES

pytest.importorskip("datatrove", reason="datatrove is not installed: pip install -e '.[peers]'")

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from scorer.integrations.datatrove import ScoreAnnotator, ScoreFilter  # noqa: E402

ARTICLES = FIXTURES / "scale" / "articles.jsonl"
MIN_SCORE = 50.0


def expected_scores() -> dict[str, float]:
    """Each fixture article's score as `scorer audit` computes it, by id."""
    items = list(iter_items([str(ARTICLES)]))
    out = {}
    for outcome in score_batch(list(enumerate(items)), settings=Settings()):
        assert not hasattr(outcome, "error"), outcome
        out[outcome.result.meta["id"]] = outcome.result.score
    return out


def read_jsonl_gz(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f)
    return rows


def test_reader_filter_writer_pipeline_keeps_the_drop_reasons(tmp_path: Path) -> None:
    expected = expected_scores()
    low = {i for i, s in expected.items() if s < MIN_SCORE}
    assert low and len(low) < len(expected), "the fixture must have articles on both sides of the threshold"
    pipeline = [
        JsonlReader(str(ARTICLES.parent), glob_pattern=ARTICLES.name),
        ScoreFilter(min_score=MIN_SCORE, exclusion_writer=JsonlWriter(str(tmp_path / "dropped"))),
        JsonlWriter(str(tmp_path / "kept")),
    ]
    LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=str(tmp_path / "logs")).run()

    kept, dropped = read_jsonl_gz(tmp_path / "kept"), read_jsonl_gz(tmp_path / "dropped")
    assert {r["id"] for r in kept} == set(expected) - low
    assert {r["id"] for r in dropped} == low
    for row in kept + dropped:
        meta = row["metadata"]
        # The same score as the CLI gives the same record.
        assert meta["scorer_score"] == expected[row["id"]]
        assert meta["scorer_label"] in ("high", "medium", "low", "very_low")
        assert set(meta["scorer_families"]) >= {"translation", "boilerplate", "dating", "sourcing"}
        assert isinstance(meta["scorer_reasons"], list)
    for row in dropped:
        meta = row["metadata"]
        top = meta["scorer_reasons"][0] if meta["scorer_reasons"] else "no_single_signal"
        assert meta["filter_reason"] == f"score_below_50:{top}"
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text(encoding="utf-8"))
    filter_stats = next(s for s in stats if "score filter" in s["name"])["stats"]
    assert filter_stats["dropped"] == len(low) and filter_stats["forwarded"] == len(expected) - len(low)


def test_annotator_passes_every_document_on_with_its_score() -> None:
    expected = expected_scores()
    rows = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    docs = [Document(text=r.pop("text"), id=r.pop("id"), metadata=r) for r in rows]
    out = list(ScoreAnnotator(batch_size=2).run(iter(docs)))
    assert [d.id for d in out] == [d.id for d in docs]
    assert {d.id: d.metadata["scorer_score"] for d in out} == expected
    # The record's own metadata is kept and used (its url and date reach the scorer).
    assert out[-1].metadata["url"] == "https://example.org/sncf-travaux"


def test_filter_drops_an_unscorable_document_unless_told_to_keep_it() -> None:
    empty = Document(text="   ", id="blank")
    verdict = ScoreFilter().filter(empty)
    assert verdict == (False, "unscorable")
    assert empty.metadata["scorer_error"]
    assert ScoreFilter(keep_unscorable=True).filter(Document(text="", id="blank2")) is True


def test_the_step_pickles_without_the_model() -> None:
    # Slurm and Ray executors ship the pipeline pickled: it must hold settings only, not a loaded scorer.
    import pickle

    step = ScoreFilter(min_score=40)
    list(ScoreAnnotator().run(iter([Document(text="Un court texte.", id="x")])))
    assert len(pickle.dumps(step)) < 20_000

"""`--engine ray`: the same summary, reports and exit code as the default engine, on a local
2-worker Ray cluster started once for the module."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scorer.cli import main
from scorer.corpus import ray_engine
from tests.conftest import FIXTURES

INPUTS = FIXTURES / "inputs"
ARTICLES = FIXTURES / "scale" / "articles.jsonl"


def test_without_ray_the_engine_exits_2_with_the_install_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    assert main(["check", "--engine", "ray", str(ARTICLES)]) == 2
    assert "pip install 'article-scorer[ray]'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    if not ray_engine.available():
        pytest.skip("Ray is not installed (pip install -e '.[ray]'): the Ray engine tests are skipped")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RAY_ADDRESS", raising=False)
        with ray_engine.RayCluster(None, 2):
            yield


@pytest.fixture()
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fixture inputs copied under the test's folder and named by relative paths (the workers must
    report them as given): a JSONL file with malformed lines, a folder of files (some unreadable)
    and a JSONL of articles on both sides of the threshold."""
    monkeypatch.chdir(tmp_path)
    for var in ("SCORER_MIN_SCORE", "SCORER_MAX_FLAGGED", "SCORER_FAIL_ON", "SCORER_JOBS", "RAY_ADDRESS"):
        monkeypatch.delenv(var, raising=False)
    shutil.copytree(INPUTS / "folder", tmp_path / "folder")
    shutil.copy(INPUTS / "records.jsonl", tmp_path / "records.jsonl")
    shutil.copy(ARTICLES, tmp_path / "articles.jsonl")
    return ["records.jsonl", "folder", "articles.jsonl"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.mark.usefixtures("cluster")
def test_check_gives_the_same_scores_reports_and_exit_code(
    corpus: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One document per block, so that the order across blocks and both actors is exercised: the
    # JUnit file lists the documents in input order, and the locations are the relative paths given.
    monkeypatch.setattr(ray_engine, "BATCH", 1)
    gate = ["--min-score", "50", "--max-errors", "10"]
    code_pool, out_pool = run(
        capsys, "check", *gate, "--jobs", "1", "--report", "pool.json", "--junit", "pool.xml", *corpus
    )
    code_ray, out_ray = run(
        capsys,
        "check",
        *gate,
        "--engine",
        "ray",
        "--jobs",
        "2",
        "--report",
        "ray.json",
        "--junit",
        "ray.xml",
        *corpus,
    )
    pool = json.loads(Path("pool.json").read_text(encoding="utf-8"))
    ray = json.loads(Path("ray.json").read_text(encoding="utf-8"))
    assert pool["summary"]["documents"] >= 10 and pool["summary"]["errors"] >= 3
    assert code_pool == 1 and pool["gate"]["passed"] is False  # the fixture's copies fail the gate
    assert code_ray == code_pool
    assert ray == pool
    assert Path("ray.xml").read_text(encoding="utf-8") == Path("pool.xml").read_text(encoding="utf-8")
    assert out_ray == out_pool


@pytest.mark.usefixtures("cluster")
def test_audit_gives_the_same_ranked_report(corpus: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code_pool, out_pool = run(capsys, "audit", "--format", "json", "--jobs", "1", *corpus)
    code_ray, out_ray = run(capsys, "audit", "--format", "json", "--engine", "ray", "--jobs", "2", *corpus)
    assert code_ray == code_pool == 1  # the corpus has unreadable inputs
    assert json.loads(out_ray) == json.loads(out_pool)


@pytest.mark.usefixtures("cluster")
def test_one_file_is_spread_over_both_actors_and_comes_back_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from scorer.config import Settings
    from scorer.corpus.batch import Scored

    monkeypatch.chdir(tmp_path)
    lines = ARTICLES.read_text(encoding="utf-8").splitlines()
    records = [{**json.loads(lines[i % len(lines)]), "id": f"doc-{i}"} for i in range(128)]
    Path("many.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    # Blocks of 4: 32 blocks, more than the driver holds at once, so that the bounded window slides.
    monkeypatch.setattr(ray_engine, "BATCH", 4)
    caplog.set_level("INFO", logger="scorer.corpus.ray_engine")
    outcomes = list(ray_engine.score_items(["many.jsonl"], settings=Settings(), jobs=2))
    assert all(isinstance(o, Scored) for o in outcomes)
    assert [o.location for o in outcomes] == [f"many.jsonl:{n}" for n in range(1, 129)]
    assert [o.seq for o in outcomes] == list(range(128))
    assert "128 outcomes from 2 scoring actors" in caplog.text


@pytest.mark.usefixtures("cluster")
def test_an_actor_that_cannot_load_its_scorer_ends_the_run_with_the_reason(tmp_path: Path) -> None:
    from scorer.config import Settings
    from scorer.errors import ScorerError

    settings = dataclasses.replace(Settings(), model_path=str(tmp_path / "missing.json"))
    with pytest.raises(
        ScorerError, match=r"failed after 0 documents: .*ModelNotLoadedError: cannot read model file"
    ):
        list(ray_engine.score_items([str(ARTICLES)], settings=settings, jobs=1))


@pytest.mark.usefixtures("cluster")
def test_the_driver_reads_ahead_a_bounded_number_of_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorer.config import Settings
    from scorer.ingest import inputs

    lines = ARTICLES.read_text(encoding="utf-8").splitlines()
    records = [{**json.loads(lines[i % len(lines)]), "id": f"doc-{i}"} for i in range(160)]
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    read = 0

    def counted(paths: list[str], options: inputs.ReadOptions) -> Iterator[inputs.Item | inputs.InputFailure]:
        nonlocal read
        for item in inputs.iter_items(paths, options):
            read += 1
            yield item

    monkeypatch.setattr(ray_engine, "iter_items", counted)
    monkeypatch.setattr(ray_engine, "BATCH", 2)
    outcomes = ray_engine.score_items([str(path)], settings=Settings(), jobs=2)
    next(outcomes)
    # At most BUFFERED blocks per actor are out or waiting when the first outcome comes back.
    assert read <= 2 * ray_engine.BUFFERED * 2 + 2 < len(records)
    assert len(list(outcomes)) == len(records) - 1

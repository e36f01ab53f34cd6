"""Shared NLP resources: the features that run spaCy say so, and a parent can preload the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import features.sourcing.judge
import features.translation.grammar
from features import Feature, build_features, nlp
from scorer.ingest.documents import from_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_features_that_run_spacy_declare_needs_spacy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every feature that calls the spaCy pipeline on a fixture has `needs_spacy`, so that audits load
    the models before forking their workers (shared once instead of loaded per worker)."""
    current: list[Feature] = []
    callers: set[str] = set()
    real = nlp.run_components

    def spy(lang: str, texts: Any, keep: Any) -> Any:
        callers.add(type(current[-1]).__name__)
        assert current[-1].needs_spacy, f"{type(current[-1]).__name__} runs spaCy without needs_spacy"
        return real(lang, texts, keep)

    for module in (features.translation.grammar, features.sourcing.judge):
        monkeypatch.setattr(module, "run_components", spy)
    feats = build_features()
    for path in sorted(FIXTURES.glob("*/*.txt")):
        if path.parent.name not in ("translation", "sourcing"):
            continue
        doc = from_text(path.read_text(encoding="utf-8"))
        for f in feats:
            current.append(f)
            f.run(doc)
            current.pop()
    if nlp.spacy_pipeline("fr") is not None:
        assert callers, "no fixture reached the spaCy pipeline: the check above checked nothing"


def test_preload_loads_the_installed_pipelines() -> None:
    nlp.spacy_pipeline.cache_clear()
    nlp.preload()
    loaded = nlp.spacy_pipeline.cache_info().currsize
    assert loaded == sum(1 for lang in nlp.SPACY_MODELS if nlp.spacy_pipeline(lang) is not None)


def test_scorer_preloads_spacy_only_when_a_feature_needs_it() -> None:
    from scorer.engine import Scorer

    nlp.spacy_pipeline.cache_clear()
    Scorer(features=build_features(["dating"])).preload()
    assert nlp.spacy_pipeline.cache_info().currsize == 0
    Scorer(features=build_features(["translation"])).preload()
    assert nlp.spacy_pipeline.cache_info().currsize == len(nlp.SPACY_MODELS)

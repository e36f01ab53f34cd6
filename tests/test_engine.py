"""The scoring function, the model file format and settings layering."""

from __future__ import annotations

import json

import pytest

import features
from features import Kind, Signal
from scorer.config import Settings, load_settings
from scorer.engine import BANDS, Scorer, label_for, remove_spans
from scorer.errors import ModelNotLoadedError, ScorerError
from scorer.ingest import documents
from scorer.model import LinearModel, signal_values


@pytest.mark.parametrize(
    "score, label",
    [
        (100, "high"),
        (75, "high"),
        (74.9, "medium"),
        (50, "medium"),
        (49.9, "low"),
        (25, "low"),
        (0, "very_low"),
    ],
)
def test_label_bands(score: float, label: str) -> None:
    assert label_for(score) == label
    assert {name for _, name in BANDS} == {"high", "medium", "low", "very_low"}


def test_remove_spans_drops_emptied_lines() -> None:
    text = "Skip to content\n\nReal paragraph one.\n\nShare this\nReal paragraph two.\n"
    a = text.index("Skip")
    b = text.index("Share")
    out = remove_spans(text, [(a, a + len("Skip to content")), (b, b + len("Share this"))])
    assert out == "Real paragraph one.\n\nReal paragraph two.\n"


def test_signal_values_damp_counts_and_keep_measures() -> None:
    sigs = [
        Signal("translation.number_placeholder", "m", (), 3.0, Kind.ABSENCE),
        Signal("readability.x", "m", (), 0.42, Kind.MEASURE),
    ]
    values = signal_values(sigs)
    assert values["readability.x"] == pytest.approx(0.42)
    assert values["translation.number_placeholder"] == pytest.approx(1.3862943611)


def test_score_is_in_range_and_explained() -> None:
    doc = documents.from_text("Un texte avec 2000 XNUMX euros et rien d'autre.", language="fr")
    result = Scorer().score(doc)
    assert 0 <= result.score <= 100
    assert result.label == label_for(result.score)
    assert set(result.families) == set(features.FAMILIES)
    assert all(0 <= v <= 100 for v in result.families.values())
    if result.reasons:
        worst = result.reasons[0]
        assert result.contributions[worst] == min(result.contributions.values())


def test_model_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = LinearModel(
        version="t1",
        coef={"a.b": -1.0},
        intercept=0.5,
        mean={"a.b": 0.1},
        scale={"a.b": 2.0},
        calibration=(1.2, -0.1),
    )
    path = tmp_path / "m.json"
    model.save(path)
    again = LinearModel.load(path)
    assert again == model
    # A code that lowers the score is taken relative to "not there"; a measure relative to its mean.
    c = again.contributions({"a.b": 1.0}, {"a.b": Kind.FLAG})
    assert c["a.b"] == pytest.approx(1.2 * -1.0 * 1.0 / 2.0)
    c = again.contributions({"a.b": 1.0}, {"a.b": Kind.MEASURE})
    assert c["a.b"] == pytest.approx(1.2 * -1.0 * (1.0 - 0.1) / 2.0)


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not JSON"),
        ('{"format": "pickle"}', "not a valid model"),
        ('{"format": "article-scorer/linear-v2", "version": "x"}', "not a valid model"),
    ],
    ids=["not-json", "wrong-format", "missing-fields"],
)
def test_bad_model_files_are_refused(tmp_path, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(ModelNotLoadedError, match=message):
        LinearModel.load(path)


def test_missing_model_file() -> None:
    with pytest.raises(ModelNotLoadedError, match="cannot read"):
        LinearModel.load("/nonexistent/model.json")


def test_settings_layering(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scorer]\nmin_score = 60\nfail_on = ["translation.number_placeholder"]\n'
    )
    settings = load_settings(tmp_path, environ={"SCORER_MAX_FLAGGED": "0.1", "UNRELATED": "x"})
    assert settings.min_score == 60.0
    assert settings.fail_on == ("translation.number_placeholder",)
    assert settings.max_flagged == pytest.approx(0.1)
    assert settings.jobs == Settings().jobs


def test_scorer_toml_wins_over_pyproject(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text("[tool.scorer]\nmin_score = 60\n")
    (tmp_path / "scorer.toml").write_text("min_score = 70\n")
    assert load_settings(tmp_path, environ={}).min_score == 70.0


def test_unknown_setting_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "scorer.toml").write_text("min_scroe = 70\n")
    with pytest.raises(ScorerError, match="unknown setting"):
        load_settings(tmp_path, environ={})


def test_result_json_is_serialisable() -> None:
    doc = documents.from_text("The council said on Monday that the plan was approved.", language="en")
    json.dumps(Scorer().score(doc, clean=True).to_dict())


def test_small_pulls_are_not_reasons() -> None:
    model = LinearModel(
        version="t", coef={"translation.number_placeholder": -2.0, "readability.flesch": -0.05}, intercept=2.0
    )
    scorer = Scorer(model=model, features=[])
    sigs = [
        Signal("translation.number_placeholder", "m", (), 1.0, Kind.ABSENCE),
        Signal("readability.flesch", "m", (), 1.0, Kind.MEASURE),
    ]
    doc = documents.from_text("x y z", language="fr")
    result = scorer.score(doc, signals=sigs)
    assert result.reasons == ["translation.number_placeholder"]
    assert result.contributions["readability.flesch"] == pytest.approx(-0.05)

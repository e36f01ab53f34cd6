"""The bundled model: plain data that loads without running code, trained on the registered signal codes,
and scores that its contributions explain. With ../shared present, the seed articles score below 50."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import pytest

from features import Kind, catalogue
from scorer.engine import Scorer
from scorer.errors import ModelNotLoadedError
from scorer.model import FORMAT, LinearModel
from tests.conftest import FIXTURES
from tests.helpers import make_doc

BUNDLED = LinearModel.load()


def test_bundled_model_is_trained_and_documented() -> None:
    assert not BUNDLED.provisional, "the package ships a trained model"
    info = BUNDLED.info
    for key in ("sklearn_version", "feature_names", "training_set_sha256", "training_counts", "trained"):
        assert info.get(key), f"model info lacks {key}"
    never = {c for c, why in info["zero_weight"].items() if why.startswith("never")}
    assert sorted({*info["feature_names"], *never}) == sorted(BUNDLED.coef)
    assert len(info["training_set_sha256"]) == 64
    assert BUNDLED.calibration[0] > 0, "calibration keeps the score increasing with the classifier's logit"
    assert all(v == 0.0 for v in BUNDLED.default_coef.values()), "an unseen code moves nothing"


def test_bundled_model_uses_registered_codes_only() -> None:
    registered = set(catalogue())
    unknown = set(BUNDLED.coef) - registered
    assert not unknown, f"model trained on codes no feature emits any more (retrain): {sorted(unknown)}"


def test_bundled_model_file_is_plain_json() -> None:
    from importlib import resources

    data = json.loads(resources.files("scorer").joinpath("data", "model.json").read_text(encoding="utf-8"))
    assert data["format"] == FORMAT
    assert all(isinstance(v, float | int) for v in data["coef"].values())


@pytest.mark.parametrize(
    "payload",
    [
        {
            "format": FORMAT,
            "version": "x",
            "intercept": 0,
            "coef": {"a.b": "__import__('os').system('true')"},
        },
        {"format": FORMAT, "version": "x", "intercept": "nan()", "coef": {}},
        {"format": "sklearn-pickle", "version": "x", "intercept": 0, "coef": {}},
    ],
)
def test_a_model_file_cannot_carry_code(tmp_path: Path, payload: dict[str, object]) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ModelNotLoadedError):
        LinearModel.load(path)


def test_a_pickle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"coef": {}}))
    with pytest.raises(ModelNotLoadedError):
        LinearModel.load(path)


def _bundled_json() -> dict[str, object]:
    return json.loads(json.dumps(BUNDLED.to_json()))


@pytest.mark.parametrize(
    "where, value, message",
    [
        ("coef.*", "NaN", "must be a finite number, not nan"),
        ("coef.*", "Infinity", "must be a finite number, not inf"),
        ("coef.*", "-Infinity", "must be a finite number, not -inf"),
        ("intercept", "NaN", "intercept must be a finite number"),
        ("scale.*", "Infinity", "must be a finite number, not inf"),
        ("calibration.a", "NaN", "calibration.a must be a finite number"),
        ("coef.*", '"0.5"', "must be a number, not str"),
        ("intercept", "true", "intercept must be a number, not bool"),
        ("coef", "[1, 2]", "'coef' must be an object of numbers, not list"),
    ],
)
def test_a_model_file_of_non_numbers_is_refused(tmp_path: Path, where: str, value: str, message: str) -> None:
    # json.loads accepts NaN and Infinity (not standard JSON): they would make every score NaN or 100.
    data = _bundled_json()
    parent: dict[str, object] = data
    *path, last = where.split(".")
    for key in path:
        parent = parent[key]  # type: ignore[assignment]
    parent[sorted(parent)[0] if last == "*" else last] = "__V__"
    model = tmp_path / "model.json"
    model.write_text(json.dumps(data).replace('"__V__"', value), encoding="utf-8")
    with pytest.raises(ModelNotLoadedError, match="not a valid model file") as e:
        LinearModel.load(model)
    assert message in str(e.value) and str(model) in str(e.value)


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"info": ' * 100_000 + "1" + "}" * 100_000])
def test_a_deeply_nested_model_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelNotLoadedError, match="nested too deeply"):
        LinearModel.load(path)


@pytest.mark.parametrize("data", [[], "model", None, {"format": FORMAT, "version": "v", "intercept": 0.0}])
def test_a_model_file_of_the_wrong_shape_is_refused(data: object) -> None:
    with pytest.raises(ModelNotLoadedError, match="not a valid model file"):
        LinearModel.from_json(data)


def test_the_bundled_model_round_trips() -> None:
    assert LinearModel.from_json(_bundled_json()) == BUNDLED


FR_COPY = (
    "Accueil > Monde > Europe\n\n"
    "Le port de la ville a fermé ses quais après une tempête\n\n"
    "Le port a fermé ses quais pour 2000 XNUMX bateaux, selon des sources concordantes. "
    "Des rumeurs laissent entendre que les dégâts seraient importants e la reprise lente.\n\n"
    "Partager sur Facebook\nPartager sur X\n\n"
    "Inscrivez-vous à notre lettre d'information.\n\n"
    "Le port de la ville a fermé ses quais après une tempête"
)


def test_contributions_explain_the_score(scorer_engine: Scorer) -> None:
    result = scorer_engine.score(make_doc(FR_COPY, language="fr"))
    a, b = BUNDLED.calibration
    logit = a * BUNDLED.intercept + b + sum(result.contributions.values())
    assert result.probability == pytest.approx(1 / (1 + math.exp(-max(-50, min(50, logit)))))
    assert result.score == round(100 * result.probability, 1)
    negative = sorted((v, c) for c, v in result.contributions.items() if v < 0)
    assert result.reasons == [c for _, c in negative][: len(result.reasons)]


def test_example_fixtures_fall_on_each_side(scorer_engine: Scorer) -> None:
    from scorer.ingest import documents

    examples = FIXTURES / "examples"
    original = scorer_engine.score(documents.from_path(examples / "fr_original.txt"))
    copy = scorer_engine.score(documents.from_path(examples / "fr_copy.txt"))
    assert copy.score < original.score
    assert copy.score < 50, copy.reasons


def test_seed_articles_score_below_50_with_reasons(shared_dir: Path, scorer_engine: Scorer) -> None:
    from scorer.ingest import documents

    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert seeds
    for path in seeds:
        result = scorer_engine.score(documents.from_path(path))
        assert result.score < 50, f"{path.name}: {result.score} {result.reasons}"
        cited = {s.code for s in result.signals if s.kind is not Kind.MEASURE}
        assert cited & set(result.reasons), (
            f"{path.name}: no reason names a flagged problem: {result.reasons}"
        )

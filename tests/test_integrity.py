"""Score integrity: every code moves the score only in its declared direction, absences depend on what
the input could carry, one weak hit is bounded, and input too short or degenerate is said to be so."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import features
from features import RULES, Direction, Kind, Signal, catalogue, rule_for
from scorer.engine import SCORE_CAPS, Scorer, explain
from scorer.errors import ModelNotLoadedError
from scorer.ingest import documents
from scorer.model import FIXED_COEF, WEAK_HIT_CAP, LinearModel, signal_values

CODES = sorted(catalogue())


@pytest.fixture(scope="module")
def model() -> LinearModel:
    return LinearModel.load()


def test_every_registered_code_declares_its_direction() -> None:
    assert set(CODES) == set(RULES), "features/directions.py must list exactly the registered codes"
    for code, info in catalogue().items():
        assert info["direction"] == RULES[code].direction.value


def test_shipped_model_keeps_every_sign(model: LinearModel) -> None:
    assert model.calibration[0] > 0
    for code, w in model.coef.items():
        d = rule_for(code).direction
        assert model.direction_of(code) is d, code
        if d is Direction.LOWERS:
            assert w <= 0.0, f"{code}: {w:+.3f} would raise the score"
        elif d is Direction.RAISES:
            assert w >= 0.0, f"{code}: {w:+.3f} would lower the score"


def test_shipped_model_lists_every_code_and_its_zero_weights(model: LinearModel) -> None:
    # Every registered code is in the model (weight 0 or not), or has a documented fixed weight until a
    # model learns one (scorer.model.FIXED_COEF), in its declared direction.
    assert set(CODES) <= set(model.coef) | set(FIXED_COEF)
    for code, w in FIXED_COEF.items():
        assert code in CODES and rule_for(code).direction is Direction.LOWERS and w < 0.0, code
    zero = model.info["zero_weight"]
    assert {c for c, w in model.coef.items() if w == 0.0} == set(zero)
    assert all(isinstance(why, str) and why for why in zero.values())


def test_absent_flags_and_evidence_contribute_nothing(model: LinearModel) -> None:
    assert model.contributions({}, {}) == {
        c: v for c, v in model.contributions({}, {}).items() if model.direction_of(c) is Direction.EITHER
    }
    for code in CODES:
        if rule_for(code).direction is not Direction.EITHER:
            assert code not in model.contributions({code: 0.0}, {})


def _kind(code: str) -> Kind:
    return Kind.MEASURE if rule_for(code).direction is Direction.EITHER else Kind.FLAG


signal_sets = st.dictionaries(
    st.sampled_from(CODES), st.floats(min_value=0.0, max_value=30.0, allow_nan=False), max_size=25
)


@settings(max_examples=300, deadline=None)
@given(values=signal_sets, extra=st.sampled_from(CODES), amount=st.floats(min_value=0.01, max_value=30.0))
def test_directions_hold_on_any_signal_set(
    model: LinearModel, values: dict[str, float], extra: str, amount: float
) -> None:
    kinds = {c: _kind(c) for c in CODES}
    contrib = model.contributions(values, kinds)
    for code, c in contrib.items():
        d = model.direction_of(code)
        if d is Direction.LOWERS:
            assert c <= 0.0, code
        elif d is Direction.RAISES:
            assert c >= 0.0, code
    before = explain(model, values, kinds)
    more = dict(values)
    more[extra] = values.get(extra, 0.0) + amount
    after = explain(model, more, kinds)
    d = model.direction_of(extra)
    if d is Direction.LOWERS:
        assert after.probability <= before.probability + 1e-12, f"adding {extra} raised the score"
    elif d is Direction.RAISES:
        assert after.probability >= before.probability - 1e-12, f"adding {extra} lowered the score"


def test_a_model_file_with_a_wrong_sign_is_refused(model: LinearModel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = model.to_json()
    data["coef"]["translation.number_placeholder"] = 1.5
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelNotLoadedError, match="breaks its direction"):
        LinearModel.load(path)


def test_an_old_format_model_is_refused_with_a_sentence(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps({"format": "article-scorer/linear-v1", "version": "x", "intercept": 0, "coef": {}})
    )
    with pytest.raises(ModelNotLoadedError, match="retrain"):
        LinearModel.load(path)


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_a_model_file_with_non_finite_numbers_is_refused(model: LinearModel, tmp_path, value: str) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(model.to_json()).replace('"intercept": ', f'"intercept": {value}, "x": ', 1)
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelNotLoadedError, match="finite"):
        LinearModel.load(path)


# -- one explanation ------------------------------------------------------------------------------


def test_evaluate_explains_like_the_engine(scorer_engine: Scorer) -> None:
    from scorer.learn.evaluate import score_items
    from scorer.learn.training import Labelled, SignalCache

    texts = [
        ("fr", "Un texte avec 2000 XNUMX euros.\n\nSelon des experts, la situation est grave. " * 6),
        ("en", "Ferry service resumes\n\nThe ferry runs again from Monday."),
    ]
    docs = [documents.from_text(t, language=lang, id=str(i)) for i, (lang, t) in enumerate(texts)]
    items = [Labelled(d, 1, d.id, "t") for d in docs]
    scored = score_items(items, scorer_engine.model, SignalCache(), jobs=1)
    for doc, (score, reasons) in zip(docs, scored, strict=True):
        result = scorer_engine.score(doc)
        assert (score, list(reasons)) == (result.score, result.reasons)


def test_contributions_add_up_to_the_score(scorer_engine: Scorer) -> None:
    doc = documents.from_text("ok", language="en")
    result = scorer_engine.score(doc)
    logit = scorer_engine.model.logit(result.contributions)
    assert result.probability == pytest.approx(1 / (1 + math.exp(-logit)))
    assert "quality.too_short" in result.reasons


# -- absences depend on what the input could carry ------------------------------------------------

FR_NO_DATE = (
    "Le port de Lorient accueille un chantier\n\nUn chantier naval s'installera sur le port l'an prochain, "
    "a annoncé mardi le président de la région, Loïg Chesnais-Girard. Le projet doit créer une centaine "
    "d'emplois, selon la région. Les travaux commenceront en septembre prochain, a précisé le directeur du "
    "port, Yann Cadoret, lors d'une réunion publique organisée à la mairie."
)


@pytest.mark.parametrize(
    "make, counts",
    [
        (lambda: documents.from_record({"id": "a", "text": FR_NO_DATE}), False),
        (lambda: documents.from_text(FR_NO_DATE), False),
        (lambda: documents.from_record({"id": "a", "text": FR_NO_DATE, "title": "Lorient"}), True),
        (
            lambda: documents.from_record({"id": "a", "text": FR_NO_DATE, "published": "", "author": None}),
            True,
        ),
        (
            lambda: documents.from_html(f"<html><body><article><p>{FR_NO_DATE}</p></article></body></html>"),
            True,
        ),
    ],
    ids=["bare-record", "text", "record-with-title", "record-with-empty-fields", "html"],
)
def test_missing_date_and_byline_count_only_where_the_input_had_a_place(
    make, counts: bool, scorer_engine: Scorer
) -> None:  # type: ignore[no-untyped-def]
    doc = make()
    result = scorer_engine.score(doc)
    codes = {s.code for s in result.signals}
    for code in ("dating.no_published_date", "sourcing.no_byline"):
        assert code in codes, f"{code} must stay visible in the output"
        assert (code in result.not_counted) is (not counts)
        if not counts:
            assert code not in result.contributions
    out = result.to_dict()
    flags = {s["code"]: s for s in out["signals"]}
    assert flags["dating.no_published_date"].get("counts", True) is counts


def test_bare_text_values_leave_out_the_absences() -> None:
    doc = documents.from_text(FR_NO_DATE, language="fr")
    sigs = [
        Signal("dating.no_published_date", "m", (), 1.0, Kind.ABSENCE),
        Signal("sourcing.no_byline", "m", (), 1.0, Kind.ABSENCE),
        Signal("sourcing.no_attribution", "m", (), 1.0, Kind.ABSENCE),
    ]
    assert set(signal_values(sigs, doc)) == {"sourcing.no_attribution"}
    assert set(signal_values(sigs)) == {s.code for s in sigs}


def test_a_floored_measure_counts_only_above_its_floor() -> None:
    code = "translation.mt_likelihood"
    floor = RULES[code].floor
    assert floor == 0.5 and RULES[code].direction is Direction.LOWERS
    model = LinearModel(version="t", coef={code: -4.0}, intercept=2.0)

    def cost(p: float) -> float:
        values = signal_values([Signal(code, "m", (), p, Kind.MEASURE)])
        assert values[code] == pytest.approx(max(p - floor, 0.0))
        return model.contributions(values, {code: Kind.MEASURE}).get(code, 0.0)

    assert cost(0.0) == cost(0.3) == cost(0.5) == 0.0
    assert cost(0.75) == pytest.approx(-1.0)
    assert cost(0.9) < cost(0.75) < 0.0
    # The signal itself keeps the estimate as it is: only the classifier's input is floored.
    assert catalogue()[code]["direction_text"] == "lowers (above 0.5 only)"


# -- one weak hit is bounded ------------------------------------------------------------------------


def test_one_weak_hit_costs_at_most_the_cap() -> None:
    weak = [c for c in CODES if RULES[c].weak_single]
    strong = "translation.number_placeholder"
    assert "translation.leaked_foreign_word" in weak and strong not in weak
    model = LinearModel(version="t", coef={c: -3.0 for c in [*weak, strong]}, intercept=2.0)
    one = math.log1p(1.0)
    for code in weak:
        assert model.contributions({code: one})[code] == pytest.approx(-WEAK_HIT_CAP)
        assert model.contributions({code: math.log1p(2.0)})[code] == pytest.approx(-3.0 * math.log1p(2.0))
    assert model.contributions({strong: one})[strong] == pytest.approx(-3.0 * one)


# -- too short, degenerate ---------------------------------------------------------------------------

NAV_ONLY = "<html><body><nav><a href='/'>Accueil</a> <a href='/menu'>menu</a></nav><p>menu</p></body></html>"


@pytest.mark.parametrize(
    "text",
    ["", "ok", "mot mot", "Le maire a démissionné.", "The mayor resigned on Monday."],
    ids=["empty", "ok", "mot-mot", "fr-sentence", "en-sentence"],
)
def test_short_input_is_said_to_be_short_and_never_high(text: str, scorer_engine: Scorer) -> None:
    result = scorer_engine.score(documents.from_text(text))
    assert "quality.too_short" in {s.code for s in result.signals}
    assert result.score <= SCORE_CAPS["quality.too_short"] and result.label != "high"
    assert "quality.too_short" in result.reasons


def test_navigation_only_page_is_too_short(scorer_engine: Scorer) -> None:
    try:
        doc = documents.from_html(NAV_ONLY)
    except Exception as e:  # noqa: BLE001 - an extraction refusal is also an honest answer
        assert "no article text" in str(e)
        return
    result = scorer_engine.score(doc)
    assert "quality.too_short" in {s.code for s in result.signals} and result.label != "high"


@pytest.mark.parametrize(
    "text",
    ["A" * 5000, "1111 " * 200, "mot " * 1000, "\u200b" * 3000 + "x", "?!" * 2000, "... ;;; !!! " * 300],
    ids=["AAAA", "1111", "mot-mot", "zero-width", "punctuation", "punctuation-runs"],
)
def test_degenerate_text_sinks(text: str, scorer_engine: Scorer) -> None:
    result = scorer_engine.score(documents.from_text(text))
    assert "quality.degenerate" in {s.code for s in result.signals}, result.reasons
    assert result.score <= SCORE_CAPS["quality.degenerate"] and result.label == "very_low"


def test_the_input_checks_run_whatever_the_families(scorer_engine: Scorer) -> None:
    only = Scorer(model=scorer_engine.model, features=features.build_features(["translation"]))
    result = only.score(documents.from_text("ok"))
    assert "quality.too_short" in {s.code for s in result.signals} and result.label != "high"


def test_cli_says_short_input_is_short(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from scorer.cli import main

    path = tmp_path / "short.txt"
    path.write_text("ok\n", encoding="utf-8")
    assert main(["score", "--format", "json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    result = out[0] if isinstance(out, list) else out
    assert result["label"] != "high" and "quality.too_short" in result["reasons"]


def test_api_says_short_input_is_short(scorer_engine: Scorer) -> None:
    from fastapi.testclient import TestClient

    from api import ApiSettings, create_app

    app = create_app(ApiSettings(), load_scorer=lambda: scorer_engine, warm_up=False)
    with TestClient(app) as client:
        r = client.post("/score", json={"text": "ok"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["label"] != "high" and "quality.too_short" in body["reasons"]
        r = client.post("/score", json={"html": NAV_ONLY})
        assert r.status_code in (200, 422), r.text
        if r.status_code == 200:
            assert r.json()["label"] != "high"

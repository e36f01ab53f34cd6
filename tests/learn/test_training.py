"""Training: the corruption generator, labelled-data reading, grouped splits, the pipeline and its export
to the JSON model, the evaluation report and the peer filter chain. Texts are written for these tests."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest

from scorer.learn.corrupt import Article, Corruptor, default_catalogue, render, restyle
from scorer.learn.evaluate import Row, metrics, report
from scorer.learn.training import (
    Labelled,
    SignalCache,
    dataset_hash,
    doc_key,
    export,
    fit,
    group_splits,
    load_labelled,
)
from scorer.model import LinearModel
from tests.helpers import make_doc

BODY = (
    "Le conseil municipal de Villeneuve a voté mardi 14 mars 2023 un budget de 12.500 euros pour rénover la bibliothèque et le gymnase.",
    "Selon Claire Dubois, adjointe chargée de la culture, les travaux commenceront en septembre avec une entreprise locale.",
    '"Nous voulions un lieu ouvert à tous et accessible aux familles", a déclaré le maire Paul Girard lors de la séance.',
    "L'opposition a dénoncé un calendrier trop serré, mais elle a voté le texte pour ne pas retarder les travaux de la ville.",
    "Le chantier doit durer huit mois et la bibliothèque restera ouverte dans une salle de la mairie pendant cette période.",
)
ARTICLE = Article(
    title="Villeneuve rénove sa bibliothèque",
    body=BODY,
    dateline="Rédaction locale, publié le mardi 14 mars 2023 à 18h10",
    author="Jeanne Martin",
    published="2023-03-14",
    url="https://example.org/villeneuve-bibliotheque",
)
DONOR = Article(
    title="Un festival de jazz annoncé au bord du lac",
    body=(
        "Les organisateurs prévoient trois soirées de concerts gratuits au mois de juillet, avec des groupes venus de toute la région.",
    ),
)


def _apply(op: str, seed: int = 1) -> Article:
    result = getattr(Corruptor(), f"op_{op}")(ARTICLE, random.Random(seed), DONOR)
    assert result is not None, f"{op} did not apply to the test article"
    return result


def _text(a: Article) -> str:
    return "\n\n".join((*a.head, a.title, *(a.dateline or "",), *a.body, *a.tail))


# -- corruption generator --------------------------------------------------------------------------


def test_catalogue_loads_every_kind() -> None:
    cat = default_catalogue()
    assert {"boilerplate", "tails", "sources", "attribution", "language", "dates"} <= set(cat)
    assert cat["boilerplate"]["share"]["fr"] and cat["boilerplate"]["share"]["en"]


def test_corruption_is_deterministic_per_seed() -> None:
    c = Corruptor()
    a1, ops1 = c.corrupt(ARTICLE, random.Random(7), DONOR)
    a2, ops2 = c.corrupt(ARTICLE, random.Random(7), DONOR)
    assert (a1, ops1) == (a2, ops2)
    variants = {tuple(c.corrupt(ARTICLE, random.Random(s), DONOR)[1]) for s in range(30)}
    assert len(variants) > 10, "different seeds give different combinations"


@pytest.mark.parametrize("seed", range(25))
def test_every_copy_gets_real_damage(seed: int) -> None:
    copy, ops = Corruptor().corrupt(ARTICLE, random.Random(seed), DONOR)
    assert 2 <= len(ops) <= 5
    assert set(ops) & Corruptor.DAMAGE, "stripping metadata alone is not a content-farm copy"
    assert copy != ARTICLE


@pytest.mark.parametrize(
    "op, check",
    [
        ("number_placeholder", lambda a: "XNUMX" in _text(a)),
        (
            "strip_byline_date",
            lambda a: a.dateline is None and a.published is None and "14 mars 2023" not in _text(a),
        ),
        ("vague_attribution", lambda a: "Claire Dubois" not in _text(a) or "Paul Girard" not in _text(a)),
        ("repeat_headline", lambda a: _text(a).count(ARTICLE.title) == 2),
        ("teaser_repeat", lambda a: a.body[0].endswith(("...", "…", "[...]")) and a.body[1] == BODY[0]),
        ("repeat_paragraph", lambda a: len(a.body) == len(BODY) + 1),
        ("offtopic_tail", lambda a: DONOR.title in a.tail),
        ("hollow_source", lambda a: len(a.tail) == 1),
        ("glued_breadcrumb", lambda a: len(a.head) == 1),
        ("language_switcher", lambda a: len(a.body) > len(BODY)),
        ("boilerplate", lambda a: len(a.body) + len(a.head) + len(a.tail) > len(BODY)),
        ("broken_elision", lambda a: a.body != BODY),
        ("quote_mixup", lambda a: '"Nous voulions' not in _text(a)),
    ],
)
def test_each_operation_damages_the_article(op: str, check: object) -> None:
    damaged = _apply(op)
    assert check(damaged)  # type: ignore[operator]


def test_foreign_words_leak_another_language() -> None:
    seen = set()
    for seed in range(20):
        a = Corruptor().op_foreign_words(ARTICLE, random.Random(seed), None)
        assert a is not None
        seen.add(a.body != BODY)
    assert seen == {True}


def test_an_operation_that_cannot_apply_returns_none() -> None:
    plain = Article(
        title="Titre", body=("Aucun chiffre ici, et personne n'est cité nommément dans ce texte court.",)
    )
    assert Corruptor().op_number_placeholder(plain, random.Random(0), None) is None
    assert Corruptor().op_offtopic_tail(plain, random.Random(0), None) is None


def test_render_has_the_same_shapes_for_any_article() -> None:
    shapes = set()
    for seed in range(40):
        rec = render(ARTICLE, random.Random(seed))
        shapes.add(tuple(sorted(k for k in rec if k not in ("text", "shape"))))
        assert "Villeneuve a voté" in rec["text"]
    assert () in shapes, "plain-text rendering: no metadata"
    assert any("published" in s for s in shapes), "record rendering: metadata fields"


def test_restyle_keeps_quotes_balanced() -> None:
    out = {restyle('Il a dit "oui" puis "non" à l\'assemblée.', random.Random(s)) for s in range(20)}
    assert "Il a dit « oui » puis « non » à l’assemblée." in out
    assert all(o.count("«") == o.count("»") for o in out)


# -- reading labelled data -------------------------------------------------------------------------


def test_load_labelled_jsonl_and_folders(tmp_path: Path) -> None:
    recs = [
        {
            "id": "a",
            "text": " ".join(BODY),
            "label": "good",
            "group": "g1",
            "source": "news",
            "published": "2023-03-14",
        },
        {
            "id": "b",
            "text": " ".join(BODY[:3]) + " XNUMX",
            "label": "bad",
            "group": "g1",
            "source": "farm",
            "weight": 2,
        },
    ]
    (tmp_path / "set.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8"
    )
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "one.txt").write_text("\n\n".join(BODY), encoding="utf-8")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "two.txt").write_text("Partager\n\n" + BODY[0], encoding="utf-8")
    items = load_labelled([tmp_path])
    assert [(it.y, it.source) for it in items] == [
        (1, "news"),
        (0, "farm"),
        (1, f"{tmp_path.name}/good"),
        (0, f"{tmp_path.name}/bad"),
    ]
    assert items[0].doc.published is not None and items[1].weight == 2.0
    assert items[0].group == items[1].group == "g1"


def test_load_labelled_rejects_unlabelled(tmp_path: Path) -> None:
    from scorer.errors import InputError

    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"text": "Un texte."}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'label'"):
        load_labelled([p])
    p.write_text(json.dumps({"text": "Un texte.", "label": "maybe"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="not one of good/bad"):
        load_labelled([p])


# -- pipeline, grouped splits, export --------------------------------------------------------------


def _synthetic(n_groups: int = 40) -> tuple[list[Labelled], SignalCache]:
    """Documents whose signal values are set in the cache: the pipeline's own steps, no feature run."""
    rng = random.Random(3)
    cache = SignalCache()
    # The kinds the engine records with each value: they set each code's sign bound in training.
    cache.kinds.update({"translation.x": "flag", "boilerplate.y": "absence", "readability.m": "measure"})
    items = []
    for g in range(n_groups):
        for y in (1, 0):
            doc = make_doc(f"Document {g} version {y}. " + BODY[g % len(BODY)], language="fr")
            vals = {
                "translation.x": float(rng.random() < (0.1 if y else 0.7)),
                "readability.m": rng.gauss(1.0 if y else 0.0, 1.0),
            }
            if rng.random() < 0.5:
                vals["boilerplate.y"] = float(y == 0)
            cache.values[doc_key(doc)] = vals
            items.append(Labelled(doc, y, group=f"g{g}", source="synthetic"))
    return items, cache


def test_group_splits_keep_groups_apart() -> None:
    items, _ = _synthetic()
    for train, test in group_splits(items):
        assert not {items[i].group for i in train} & {items[i].group for i in test}


def test_exported_model_matches_the_pipeline() -> None:
    items, cache = _synthetic()
    pipe = fit(items, cache, C=1.0)
    kinds = {"translation.x": "flag", "boilerplate.y": "absence", "readability.m": "measure"}
    model = export(pipe, version="t", info={"training_set_sha256": dataset_hash(items)}, kinds=kinds)
    # Flags and absences are centred on "did not fire", so an unfired one is never a reason.
    assert model.mean["translation.x"] == model.mean["boilerplate.y"] == 0.0 != model.mean["readability.m"]
    p_pipe = pipe.predict_proba([it.doc for it in items])[:, 1]
    for it, expected in zip(items, p_pipe, strict=True):
        values = cache.values[doc_key(it.doc)]
        got = model.probability(model.contributions(values, {}))
        assert got == pytest.approx(expected, abs=1e-9)
    assert set(model.info["feature_names"]) == {"translation.x", "readability.m", "boilerplate.y"}
    assert model.coef["translation.x"] < 0 < model.coef["readability.m"]
    again = LinearModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again.coef == model.coef and again.calibration == model.calibration


def test_dataset_hash_ignores_order_and_sees_labels() -> None:
    items, _ = _synthetic(5)
    assert dataset_hash(items) == dataset_hash(list(reversed(items)))
    flipped = [Labelled(items[0].doc, 1 - items[0].y, items[0].group, items[0].source), *items[1:]]
    assert dataset_hash(flipped) != dataset_hash(items)


# -- evaluation report -----------------------------------------------------------------------------


def test_metrics_and_report() -> None:
    rows = [
        Row("a", "news", 1, 90.0, (), False, None),
        Row("b", "news", 1, 40.0, ("x.y",), True, "gopher_short_doc"),
        Row("c", "farm", 0, 10.0, ("boilerplate.z",), False, None),
        Row("d", "farm", 0, 30.0, ("boilerplate.z",), True, "c4_quality"),
    ]
    m = metrics(rows)
    assert m["confusion"] == {
        "good_scored_good": 1,
        "good_scored_bad": 1,
        "bad_scored_good": 0,
        "bad_scored_bad": 2,
    }
    assert m["roc_auc"] == pytest.approx(1.0)
    assert m["peers"] == {"flag_rate_good": 0.5, "flag_rate_bad": 0.5}
    out = io.StringIO()
    report(rows, LinearModel(version="t", coef={}, intercept=0.0), out)
    text = out.getvalue()
    for needle in (
        "ROC AUC",
        "PR AUC",
        "Brier",
        "confusion at score 50",
        "news",
        "farm",
        "peers: flagged",
        "boilerplate.z 2",
    ):
        assert needle in text


# -- peer filter chain -----------------------------------------------------------------------------


@pytest.mark.slow  # importing datatrove and its French tokenizer takes tens of seconds
def test_peer_chain_flags_repetition_and_keeps_prose() -> None:
    pytest.importorskip("datatrove")
    from scorer.learn.peers import PeerChain

    chain = PeerChain("fr")
    prose = (
        "\n".join(BODY * 1)
        + "\n"
        + "La décision sera réexaminée au printemps prochain par le conseil, qui publiera un bilan détaillé."
    )
    assert chain.check(prose).flagged is False
    spam = "\n".join(["Cliquez ici pour gagner un cadeau."] * 30)
    verdict = chain.check(spam)
    assert verdict.flagged and verdict.filter == "gopher_repetition"


def test_train_and_evaluate_are_commands(capsys: pytest.CaptureFixture[str]) -> None:
    from scorer.cli import build_parser, main

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert {"train", "evaluate"} <= set(sub.choices)  # type: ignore[arg-type]
    assert main(["train"]) == 2, "DATA and --out are required"
    assert main(["evaluate", "--help"]) == 0
    assert "--model" in capsys.readouterr().out


def test_evaluate_command_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scorer.cli import main

    model = LinearModel(
        version="t", coef={"translation.number_placeholder": -3.0}, intercept=2.0, default_coef={"flag": 0.0}
    )
    model.save(tmp_path / "m.json")
    recs = [
        {"id": "g", "text": "\n\n".join(BODY), "label": "good"},
        {"id": "b", "text": "\n\n".join(BODY).replace("12.500", "12 XNUMX"), "label": "bad"},
    ]
    (tmp_path / "d.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8"
    )
    code = main(
        [
            "evaluate",
            str(tmp_path / "d.jsonl"),
            "--model",
            str(tmp_path / "m.json"),
            "--no-peers",
            "--jobs",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "ROC AUC              1.0000" in out and "2 documents: 1 good, 1 bad" in out


def test_operating_point_shift_keeps_the_requested_share() -> None:
    from scorer.learn.training import operating_point

    items, _ = _synthetic(50)
    # Out-of-fold probabilities where a third of the good documents fall below 0.5.
    oof = [(0.3 if i % 3 == 0 else 0.8) if it.y else 0.1 for i, it in enumerate(items)]
    op = operating_point(items, oof, 0.97, ["synthetic"])
    assert op["good_kept_at_50_before"] < 0.97 <= op["good_kept_at_50_after"]
    assert op["logit_shift"] > 0 and op["prior_odds_factor"] > 1
    assert operating_point(items, [0.9 if it.y else 0.1 for it in items], 0.97, None)["logit_shift"] == 0.0


def test_sparse_codes() -> None:
    from scorer.learn.training import sparse_codes

    values = [{"a.x": 1.0, "b.y": 2.0}, {"a.x": 0.0, "b.y": 1.0}, {"b.y": 3.0}, {"c.z": 1.0, "b.y": 0.5}]
    assert sparse_codes(values) == {"a.x", "c.z"}


def test_a_code_against_its_direction_gets_weight_zero() -> None:
    import numpy as np

    from scorer.learn.constrained import SignConstrainedLogisticRegression

    rng = np.random.default_rng(0)
    y = np.array([1, 0] * 200)
    a = y + rng.normal(0, 1, len(y))
    # `b` goes with the label on its own, but the joint fit gives it a negative weight (a suppressor): held
    # to its declared sign (evidence, >= 0), it gets exactly 0 instead of pointing the wrong way.
    b = a - 0.8 * y + rng.normal(0, 0.1, len(y))
    X = np.column_stack([a, b])
    free = SignConstrainedLogisticRegression(C=10.0).fit(X, y)
    assert free.coef_[0, 1] < 0
    held = SignConstrainedLogisticRegression(C=10.0, signs=[1, 1]).fit(X, y)
    assert held.coef_[0, 0] > 0 and held.coef_[0, 1] == 0.0


def test_evaluate_with_a_pool_ends_without_a_worker_traceback(tmp_path: Path) -> None:
    # More than 20 documents and 2 jobs: the signals are computed by a forked pool, which the command
    # terminates at its end; its workers must just end, not print an interrupted worker's traceback.
    import subprocess
    import sys

    recs = [
        {
            "id": f"d{i}",
            "text": "\n\n".join(BODY) + f"\n\nDossier numéro {i}.",
            "label": "good" if i % 2 else "bad",
        }
        for i in range(24)
    ]
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "scorer", "evaluate", str(data), "--no-peers", "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    assert "24 documents" in run.stdout
    assert "Traceback" not in run.stderr and "Terminated" not in run.stderr

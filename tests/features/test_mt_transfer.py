"""The transfer machine-translation estimate: French fixtures written for these tests (a literal,
machine-like text and an idiomatic human one), English (not computed), markdown and typography
invariance, linear-time preparation, and the shipped model's form.

The held-out figures (leave one system out, cross-genre, news false positives) are printed by
`scripts/eval_translation.py`; the one here that reads ../shared skips when it is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from features.base import Kind, load_lexicon
from features.mt_transfer import MIN_WORDS, MODEL_NAME, MtTransferEstimate, prepare
from tests.helpers import make_doc

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "fixtures" / "translation"
NEWS = ROOT.parent / "shared" / "data" / "fr_news" / "orangesum_sample.jsonl"


@pytest.fixture(scope="module")
def est() -> MtTransferEstimate:
    return MtTransferEstimate()


def fixture(name: str) -> str:
    return (FIX / f"{name}.txt").read_text(encoding="utf-8")


def test_machine_like_french_scores_above_human_french(est: MtTransferEstimate) -> None:
    mt = est.estimate(fixture("mt_transfer_fr_mt"))
    human = est.estimate(fixture("mt_transfer_fr_human"))
    assert mt["reason"] == human["reason"] == "computed"
    assert mt["probability"] > 0.5 > human["probability"]
    # The literal text repeats common words: its frequency measures are the ones pushing it up.
    assert mt["contributions"]["top_words_share"] > 0 > human["contributions"]["top_words_share"]


def test_english_is_not_computed(est: MtTransferEstimate) -> None:
    doc = make_doc(fixture("mt_transfer_en"), language="en")
    out = est.estimate(doc)
    assert out["probability"] is None
    assert "not computed" in out["reason"] and "'en'" in out["reason"]
    assert est.extract(doc) == []


def test_too_short_is_not_computed(est: MtTransferEstimate) -> None:
    out = est.estimate("Le conseil a voté le budget mardi soir.")
    assert out["probability"] is None
    assert f"fewer than {MIN_WORDS} words" in out["reason"]


def test_extract_is_a_measure_in_unit_range(est: MtTransferEstimate) -> None:
    doc = make_doc(fixture("mt_transfer_fr_mt"), language="fr")
    (sig,) = est.run(doc)
    assert sig.code == "translation.mt_likelihood"
    assert sig.kind is Kind.MEASURE
    assert 0.0 <= sig.value <= 1.0
    assert sig.value == pytest.approx(est.probability(doc))
    assert len(sig.detail["top_measures"]) == 5


def test_typography_does_not_move_the_estimate(est: MtTransferEstimate) -> None:
    text = fixture("mt_transfer_fr_human")
    plain = text.replace("«\u00a0", '"').replace("\u00a0»", '"').replace("« ", '"').replace(" »", '"')
    plain = plain.replace("’", "'").replace(" :", ":")
    assert est.measures(text) == est.measures(plain)


def test_markdown_syntax_is_stripped(est: MtTransferEstimate) -> None:
    text = fixture("mt_transfer_fr_mt")
    lines = text.split("\n\n")
    md = "# " + lines[0] + "\n\n" + "\n\n".join(f"- **{p}**" if i % 2 else p for i, p in enumerate(lines[1:]))
    md += "\n\n```\nGet-Host | Select-Object Version\n```\n\nVoir [la page](https://example.org/a_b) <br>"
    prepared = prepare(md)
    assert (
        "**" not in prepared and "```" not in prepared and "https" not in prepared and "<br>" not in prepared
    )
    assert "Get-Host" not in prepared
    a, b = est.measures(text), est.measures(md)
    assert a is not None and b is not None
    # Only the appended sentence ("Voir la page") differs; the measures stay close.
    assert abs(a["top_words_share"] - b["top_words_share"]) < 0.02


def test_preparation_is_linear_on_hostile_input(est: MtTransferEstimate) -> None:
    est.estimate(fixture("mt_transfer_fr_mt"))  # frequency tables load once, outside the timing
    for hostile in (
        "[" * 50_000,
        "`" * 50_000,
        "<a" * 50_000,
        "](" * 50_000,
        "**_" * 30_000,
        "```\n" * 20_000,
    ):
        t0 = time.perf_counter()
        prepare(hostile)
        est.estimate(hostile + " mot" * 100)
        # ~100 KB each: linear work takes well under a second; a quadratic pattern would take minutes.
        # The bound is loose because the machine may be shared.
        assert time.perf_counter() - t0 < 10.0


def test_deterministic(est: MtTransferEstimate) -> None:
    text = fixture("mt_transfer_fr_mt")
    assert est.estimate(text) == MtTransferEstimate().estimate(text)


def test_shipped_model_reads_known_measures_only() -> None:
    m = load_lexicon(MODEL_NAME)["fr"]
    est = MtTransferEstimate()
    measures = est.measures(fixture("mt_transfer_fr_mt"))
    assert measures is not None
    assert set(m["features"]) <= set(measures)
    assert len(m["features"]) == len(m["mean"]) == len(m["scale"]) == len(m["coef"])
    assert all(s > 0 for s in m["scale"])
    assert set(m["dropped"]).isdisjoint(m["features"])


def test_runtime_does_not_import_sklearn() -> None:
    code = (
        "import sys; from features.mt_transfer import MtTransferEstimate; "
        "MtTransferEstimate().probability(open(sys.argv[1], encoding='utf-8').read()); "
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(FIX / "mt_transfer_fr_mt.txt")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(not NEWS.is_file(), reason="../shared/data/fr_news is absent: no real news to measure")
def test_false_positives_on_held_out_french_news() -> None:
    from scripts.build_corpus import split_of
    from scripts.train_mt_transfer import bare_text

    est = MtTransferEstimate()
    with NEWS.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    held = [r for r in rows if split_of(f"fr_news:{r['id']}", 13) == "heldout"]
    p = [est.probability(bare_text(r)) or 0.0 for r in held]
    assert len(held) > 300
    assert sum(v > 0.5 for v in p) / len(p) <= 0.02

"""Corpus provenance: near-copy and template clusters in `scorer audit` / `scorer check`, the likely
original, the provenance.* signals and their penalty, identical results for any --jobs, and the
fingerprints behind them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from features import Kind, Signal
from scorer.cli import main
from scorer.corpus.fingerprint import (
    BATCH,
    BATCH_CHARS,
    BATCH_MAX,
    MIN_WORDS,
    NUM_PERM,
    batches,
    fingerprint,
    fingerprints,
    words,
)
from scorer.corpus.provenance import NEAR_COPY_LOGIT, penalise, shared_passages
from scorer.engine import Scorer, label_for
from tests.conftest import FIXTURES
from tests.helpers import make_doc

CORPUS = FIXTURES / "provenance" / "corpus"
FR_ORIGINAL = "fr_port_original.txt"
FR_COPIES = ("fr_port_copy_furniture.txt", "fr_port_copy_dropped.txt", "fr_port_copy_swapped.txt")
EN_ORIGINAL, EN_COPY = "en_library_original.txt", "en_library_copy.txt"
TEMPLATED = (
    "en_template_cedar_falls.txt",
    "en_template_maple_grove.txt",
    "en_template_oak_ridge.txt",
    "en_template_pine_bluff.txt",
)
UNRELATED = ("fr_unrelated_vote.txt", "en_unrelated_storm.txt")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("SCORER_MIN_SCORE", "SCORER_MAX_FLAGGED", "SCORER_FAIL_ON", "SCORER_JOBS"):
        monkeypatch.delenv(var, raising=False)


def audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, dict]:
    code = main(["audit", "--format", "json", *args, str(CORPUS)])
    out = capsys.readouterr().out
    assert code == 0
    return out, json.loads(out)


def by_name(results: list[dict]) -> dict[str, dict]:
    return {Path(r["location"]).name: r for r in results}


@pytest.fixture(scope="module")
def audited() -> dict[str, dict]:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["audit", "--format", "json", "--jobs", "1", str(CORPUS)]) == 0
    return json.loads(buf.getvalue())


def test_copies_cluster_with_their_original(audited: dict) -> None:
    rows = by_name(audited["results"])
    fr = rows[FR_ORIGINAL]["cluster"]
    assert fr["kind"] == "near_copy" and fr["size"] == 4 and fr["is_original"]
    assert fr["original"].endswith(FR_ORIGINAL)
    for name in FR_COPIES:
        c = rows[name]["cluster"]
        assert (c["id"], c["kind"], c["size"]) == (fr["id"], "near_copy", 4), name
        assert c["original"].endswith(FR_ORIGINAL) and not c["is_original"]
        assert 0.4 <= c["similarity"] <= 1.0
    en = rows[EN_COPY]["cluster"]
    assert en["original"].endswith(EN_ORIGINAL) and en["size"] == 2 and en["id"] != fr["id"]
    for name in UNRELATED:
        assert "cluster" not in rows[name], name
    assert audited["summary"]["provenance"] == {
        "near_copy_clusters": 2,
        "near_copies": 4,
        "template_clusters": 1,
        "templated_documents": 4,
    }


def test_copies_carry_the_signal_with_shared_passages(audited: dict) -> None:
    rows = by_name(audited["results"])
    for name in (*FR_COPIES, EN_COPY):
        sig = [s for s in rows[name]["signals"] if s["code"] == "provenance.near_copy"]
        assert len(sig) == 1, name
        text = (CORPUS / name).read_text(encoding="utf-8")
        assert sig[0]["evidence"], name
        for e in sig[0]["evidence"]:
            assert e["text"] in text and len(e["text"].split()) >= 5
        assert "provenance.near_copy" in rows[name]["reasons"]
        assert rows[name]["families"]["provenance"] < 100
    # The dropped paragraphs break the shared passages: the copy shares several, not one.
    dropped = next(
        s for s in rows["fr_port_copy_dropped.txt"]["signals"] if s["code"] == "provenance.near_copy"
    )
    assert len(dropped["evidence"]) >= 3
    # The original is in the cluster but is not flagged, and keeps its score.
    for name in (FR_ORIGINAL, EN_ORIGINAL):
        assert not [s for s in rows[name]["signals"] if s["code"].startswith("provenance.")]
        assert rows[name]["families"]["provenance"] == 100.0  # in a cluster, not penalised


def test_templated_documents_form_a_template_cluster(audited: dict) -> None:
    rows = by_name(audited["results"])
    ids = {rows[n]["cluster"]["id"] for n in TEMPLATED}
    assert len(ids) == 1
    for n in TEMPLATED:
        c = rows[n]["cluster"]
        assert c["kind"] == "template" and c["size"] == 4
        sig = [s for s in rows[n]["signals"] if s["code"] == "provenance.template"]
        assert len(sig) == 1 and sig[0]["evidence"]
        assert not [s for s in rows[n]["signals"] if s["code"] == "provenance.near_copy"]


def test_identical_results_for_one_and_two_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    one, _ = audit(capsys, "--jobs", "1")
    two, _ = audit(capsys, "--jobs", "2")
    assert one == two


def test_no_clusters_option(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = audit(capsys, "--jobs", "1", "--no-clusters")
    assert all("cluster" not in r for r in out["results"])
    assert not [s for r in out["results"] for s in r["signals"] if s["code"].startswith("provenance.")]
    assert "provenance" not in out["summary"]


def test_score_command_stays_corpus_independent(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--format", "json", str(CORPUS)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert all("cluster" not in r for r in out)
    assert not [s for r in out for s in r["signals"] if s["code"].startswith("provenance.")]


def test_check_fails_on_near_copies(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["check", "--jobs", "1", "--min-score", "0", "--max-flagged", "1"]
    assert main([*base, str(CORPUS)]) == 0
    assert "clusters: 2 near-copy (4 copies), 1 template (4 documents)" in capsys.readouterr().out
    assert main([*base, "--fail-on", "provenance.near_copy", str(CORPUS)]) == 1
    assert "--fail-on provenance.near_copy: 4 documents" in capsys.readouterr().out
    # 4 near-copies of 12 documents: 33 %.
    assert main([*base, "--max-copies", "0.5", str(CORPUS)]) == 0
    capsys.readouterr()
    assert main([*base, "--max-copies", "0.3", str(CORPUS)]) == 1
    assert "4 of 12 documents (33.3%) are near-copies" in capsys.readouterr().out
    assert main([*base, "--max-copies", "1.5", str(CORPUS)]) == 2
    assert "--max-copies must be a fraction" in capsys.readouterr().err


def test_html_report_shows_copies_beside_originals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert main(["audit", "--format", "html", "--jobs", "1", "-o", str(out), str(CORPUS)]) == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="clusters"' in html
    assert html.count('<div class="pair">') == 4 + 3  # 4 near-copies, 3 template copies beside the original
    assert 'class="f-provenance"' in html


def test_penalty_lowers_the_score_and_keeps_the_result_consistent() -> None:
    doc = make_doc(
        "Le conseil municipal a voté mardi un budget de 12 millions d'euros pour les écoles.", "fr"
    )
    result = Scorer().score(doc)
    sig = Signal("provenance.near_copy", "copy", (), 1.0, Kind.FLAG)
    after = penalise(result, sig)
    assert after.score < result.score
    assert after.label == label_for(after.score)
    assert after.contributions["provenance.near_copy"] == NEAR_COPY_LOGIT
    assert "provenance.near_copy" in after.reasons
    assert penalise(result, None) is result


def test_fingerprint_is_deterministic_and_needs_enough_words() -> None:
    text = (CORPUS / FR_ORIGINAL).read_text(encoding="utf-8")
    a, b = fingerprint(text), fingerprint(text)
    assert a is not None and a == b
    assert len(a.near) == len(a.template) == 4 * NUM_PERM
    assert fingerprint(" ".join(["mot"] * (MIN_WORDS - 1))) is None
    # A copy with one more sentence is close; an unrelated article is not.
    near = np.frombuffer(a.near, np.uint32)
    copy = fingerprint(text + "\nPartager sur Facebook.")
    other = fingerprint((CORPUS / UNRELATED[0]).read_text(encoding="utf-8"))
    assert copy is not None and other is not None
    assert (near == np.frombuffer(copy.near, np.uint32)).mean() > 0.8
    assert (near == np.frombuffer(other.near, np.uint32)).mean() < 0.1


# Texts that exercise the code-point tables: letters with a two-code-point lower case (İ), letters
# and digits past the BMP, title-case digraphs, digits of other scripts and non-decimal numerals.
EDGE_TEXTS = (
    "İstanbul İzmir " * 20,
    "emoji 😀 𝐀𝐁𝐂 text " * 10,
    "Le 12 mai 2024, 3,5 M€ pour l'École Jean-Jaurès à Saint-Étienne. " * 8,
    "ǅemal ǈubljana title-case ǲ " * 10,
    "日本語のテキスト 中文 ١٢٣ ½ ² Ⅻ " * 15,
)
# SHA-256 of the fixtures' and EDGE_TEXTS' signatures as first released. Every cluster, similarity
# and original follows from them: a faster implementation must reproduce them bit for bit, and a
# deliberate change of the hashing changes this value (and the clusters) knowingly.
SIGNATURES_SHA256 = "3c4e92a24ab1eff29bedaa8bd00d3654544e3cb223fd8aa509545baf1a1b156b"


def _corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))] + list(EDGE_TEXTS)


def test_signatures_are_the_released_ones() -> None:
    digest = hashlib.sha256()
    for text in _corpus_texts():
        fp = fingerprint(text)
        assert fp is not None
        digest.update(fp.near + fp.template + f"{fp.near_shingles},{fp.template_shingles};".encode())
    assert digest.hexdigest() == SIGNATURES_SHA256


@pytest.mark.parametrize("size", [1, 3, 8, BATCH_MAX, BATCH_MAX + 1])
def test_signatures_do_not_depend_on_the_batch(size: int) -> None:
    texts = _corpus_texts() + ["", "mot", " ".join(["mot"] * MIN_WORDS)]
    texts = (texts * (1 + (BATCH_MAX + 2) // len(texts)))[: BATCH_MAX + 2]
    alone = [fingerprint(t) for t in texts]
    batched = [fp for i in range(0, len(texts), size) for fp in fingerprints(texts[i : i + size])]
    assert batched == alone
    assert alone[-1] is not None and all(fp is None for fp in alone[len(_corpus_texts()) :][:2])


def test_corpus_batches_keep_the_order_and_bound_documents_and_characters() -> None:
    lengths = [10] * (BATCH + 5) + [BATCH_CHARS // 3] * 7 + [5 * BATCH_CHARS, 1]
    groups = list(batches(lengths, lambda n: n))
    assert [n for g in groups for n in g] == lengths
    assert all(len(g) <= BATCH for g in groups)
    # A group closes as soon as it reaches BATCH_CHARS: only its last text can take it past.
    assert all(sum(g[:-1]) < BATCH_CHARS for g in groups)
    assert len(groups[0]) == BATCH and [5 * BATCH_CHARS] in groups


@pytest.mark.parametrize("text", [*EDGE_TEXTS[:1], *EDGE_TEXTS[2:], "", "a", "_x_ y__z 9", "\n\ta b\n"])
def test_words_are_the_runs_of_letters_and_digits(text: str) -> None:
    starts, ends, near, template = words(text)
    # `[^\W_]` is a letter or a digit (str.isalnum), as the code-point table says (BMP texts only:
    # past the BMP every character counts as a letter).
    expected = [m.span() for m in re.finditer(r"[^\W_]+", text)]
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == expected
    assert near.size == template.size == len(expected)
    same = {w.lower() for w in re.findall(r"[^\W_]+", text)}
    assert len(set(near.tolist())) == len(same)


def test_shared_passages_are_spans_of_the_text() -> None:
    original = (CORPUS / FR_ORIGINAL).read_text(encoding="utf-8")
    copy = (CORPUS / "fr_port_copy_swapped.txt").read_text(encoding="utf-8")
    spans, share = shared_passages(copy, original)
    assert spans and 0.5 < share <= 1.0
    assert [b - a for a, b in spans] == sorted((b - a for a, b in spans), reverse=True)
    for a, b in spans:
        assert copy[a:b] in original
    assert shared_passages(copy, (CORPUS / UNRELATED[0]).read_text(encoding="utf-8"))[0] == []

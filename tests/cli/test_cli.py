"""The `scorer` CLI: output formats, stdin, errors and exit codes."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

import pytest

import features
from scorer.cli import main
from scorer.model import LinearModel
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "examples"
RESULT_FIELDS = {"source", "score", "label", "language", "families", "signals", "reasons", "model_version"}


def test_json_output_has_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["score", "--format", "json", str(EXAMPLES / "fr_copy.txt"), str(EXAMPLES / "en_copy.txt")]) == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert [r["language"] for r in results] == ["fr", "en"]
    for r in results:
        assert RESULT_FIELDS <= set(r)
        assert 0 <= r["score"] <= 100
        assert set(r["families"]) == set(features.FAMILIES)
        assert r["signals"], "the copies carry artefacts"
        text = open(r["source"], encoding="utf-8").read()
        for s in r["signals"]:
            for e in s["evidence"]:
                assert text[e["start"] : e["end"]] == e["text"]


def test_jsonl_output_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--format", "jsonl", str(EXAMPLES)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len([p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html", ".json", ".md"}])
    assert all("score" in json.loads(line) for line in lines)


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES / "fr_original.txt")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["score", "label", "source"]
    assert "fr_original.txt" in out


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = (EXAMPLES / "en_original.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["score", "--format", "json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["source"] == "<stdin>"


def test_missing_file_is_reported_and_the_rest_scored(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["score", "--format", "json", "does-not-exist.txt", str(EXAMPLES / "fr_original.txt")])
    captured = capsys.readouterr()
    assert code == 1
    assert "does-not-exist.txt" in captured.err
    assert len(json.loads(captured.out)) == 1


def test_usage_error_exit_code() -> None:
    assert main(["score", "--format", "xml", "x"]) == 2
    assert main([]) == 2


def test_scores_are_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    outs = []
    for _ in range(2):
        main(["score", "--format", "json", str(EXAMPLES)])
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1]


# --- exit codes of errors ---------------------------------------------------------------------------

ARTICLE = str(EXAMPLES / "fr_original.txt")


def test_bad_families_setting_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was a ValueError traceback with exit 1, the code of a failed gate.
    monkeypatch.setenv("SCORER_FAMILIES", "bogus")
    assert main(["check", ARTICLE]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: unknown signal family 'bogus' in the families setting; known: boilerplate,")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    monkeypatch.setenv("SCORER_FAMILIES", "translatoin")
    assert main(["audit", ARTICLE]) == 2
    assert "(did you mean 'translation'?)" in capsys.readouterr().err


def _break_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    from scorer.cli import check

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "run_gate", broken)


def test_internal_error_has_its_own_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_the_gate(monkeypatch)
    assert main(["check", "--jobs", "1", ARTICLE]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("Internal error (RuntimeError: boom): this is a bug in scorer")
    assert "please report it" in err and "scorer -v" in err


def test_internal_error_traceback_with_verbose(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_the_gate(monkeypatch)
    assert main(["-v", "check", "--jobs", "1", ARTICLE]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err
    assert err.rstrip().splitlines()[-1].startswith("Internal error (RuntimeError: boom)")


def test_help_documents_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["score", "--help"], ["audit", "--help"], ["check", "--help"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "exit codes:" in out
        assert "3  internal error" in out and "130, 143  interrupted" in out


def test_no_option_prefix_matching(capsys: pytest.CaptureFixture[str]) -> None:
    from scorer.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert not parser.allow_abbrev
    assert {name: p.allow_abbrev for name, p in subparsers.choices.items()} == dict.fromkeys(
        subparsers.choices, False
    )
    assert main(["check", "--min-scor", "0", ARTICLE]) == 2
    assert "unrecognized arguments: --min-scor" in capsys.readouterr().err
    assert main(["audit", "--form", "json", ARTICLE]) == 2


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_model_file_with_non_finite_numbers_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    data = LinearModel.load().to_json()
    data["intercept"] = "__V__"
    model = tmp_path / "model.json"
    model.write_text(json.dumps(data).replace('"__V__"', value), encoding="utf-8")
    monkeypatch.setenv("SCORER_MODEL_PATH", str(model))
    for command in ("audit", "check"):
        assert main([command, "--jobs", "1", ARTICLE]) == 2
        err = capsys.readouterr().err
        assert (
            err
            == f"Error: {model}: not a valid model file (intercept must be a finite number, not {float(value)})\n"
        )
    assert main(["evaluate", "--model", str(model), str(tmp_path)]) == 2


def test_deeply_nested_model_file_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.json"
    model.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    monkeypatch.setenv("SCORER_MODEL_PATH", str(model))
    assert main(["audit", ARTICLE]) == 2
    assert (
        capsys.readouterr().err
        == f"Error: model file {model} is not a model: its JSON is nested too deeply to read\n"
    )


def test_unreadable_folder_is_an_error_not_zero_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(
        (EXAMPLES / "fr_original.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    real = os.scandir

    def scandir(path: object) -> object:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["audit", "--jobs", "1", "--format", "json", str(locked), ARTICLE]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["documents"] == 1
    assert report["errors"] == [
        {"source": str(locked), "error": "cannot read the folder: Permission denied; skipped"}
    ]
    assert main(["check", "--jobs", "1", str(locked)]) == 2
    assert "INPUT ERROR" in capsys.readouterr().out


def test_signals_lists_every_code_with_family_effect_and_meaning(capsys: pytest.CaptureFixture[str]) -> None:
    from features import catalogue

    assert main(["signals", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == list(catalogue())
    assert all(
        r["family"]
        and r["meaning"]
        and r["effect"] in ("lowers", "raises", "none", "kind default", "lowers (fixed)")
        and r["direction"].split(" ")[0] == catalogue()[r["code"]]["direction"]
        for r in rows
    )
    assert any(r["effect"] == "lowers" for r in rows)
    # A model never weighs a code against its declared direction.
    assert not any(r["effect"] == "raises" and r["direction"].startswith("lowers") for r in rows)
    assert not any(r["effect"].startswith("lowers") and r["direction"].startswith("raises") for r in rows)
    assert main(["signals", "--family", "dating"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("code") and "dating.no_published_date" in out and "translation." not in out


def test_score_help_names_every_input_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--help"]) == 0
    out = capsys.readouterr().out
    for fmt in (
        ".txt",
        ".md",
        ".html",
        ".htm",
        ".json",
        ".jsonl",
        ".ndjson",
        ".gz",
        ".zst",
        ".parquet",
        ".warc",
    ):
        assert fmt in out, fmt


def test_scorer_toml_with_a_tool_table_gets_a_hint(tmp_path: Path) -> None:
    from scorer.config import load_settings
    from scorer.errors import ScorerError

    (tmp_path / "scorer.toml").write_text("[tool.scorer]\nmin_score = 40\n", encoding="utf-8")
    with pytest.raises(
        ScorerError, match=r"takes the keys at top level.*\[tool\.scorer\] belongs in pyproject\.toml"
    ):
        load_settings(tmp_path, environ={})
    (tmp_path / "scorer.toml").write_text("min_score = 40\n", encoding="utf-8")
    settings = load_settings(tmp_path, environ={})
    assert settings.min_score == 40 and settings.max_flagged == 0.05  # the documented default


def test_locations_count_from_one_and_name_the_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = "Le ministre a annoncé mardi une réforme des retraites. " * 8
    lines = [
        json.dumps({"id": "r1", "text": good}),
        json.dumps({"id": "r2", "text": 3}),
        json.dumps({"text": good}),
    ]
    monkeypatch.chdir(tmp_path)
    path = Path("c.jsonl")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["audit", "-j", "1", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1 (id r1)" in out  # line 1 is the first line, as in an editor
    assert f"{path}:3 " in out and f"{path}:3 (id" not in out  # no id: the location alone
    assert "line 2 (id r2): " in out

"""The `scorer` CLI: output formats, stdin, errors and exit codes."""

from __future__ import annotations

import io
import json
import sys

import pytest

from scorer.cli import main
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "examples"
RESULT_FIELDS = {"source", "score", "label", "language", "families", "signals", "reasons", "model_version"}


def test_json_output_has_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--format", "json", str(EXAMPLES / "fr_copy.txt"), str(EXAMPLES / "en_copy.txt")]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["language"] for r in results] == ["fr", "en"]
    for r in results:
        assert RESULT_FIELDS <= set(r)
        assert 0 <= r["score"] <= 100
        assert set(r["families"]) == {"translation", "boilerplate", "dating", "sourcing", "readability", "generation"}
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

"""`scorer check`: the CI gate's options, settings files, exit codes, summary, JUnit and JSON reports."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scorer.cli import main
from tests.conftest import FIXTURES
from tests.ingest.test_inputs import ARTICLES, jsonl_bytes

INPUTS = FIXTURES / "inputs"
FOLDER = INPUTS / "folder"
RECORDS = INPUTS / "records.jsonl"
GOOD = [str(FOLDER / "fr_article.txt"), str(FOLDER / "sub")]
COPY = str(FOLDER / "fr_copy.txt")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder, so neither the repository's pyproject.toml nor SCORER_* variables
    change the defaults."""
    monkeypatch.chdir(tmp_path)
    for var in ("SCORER_MIN_SCORE", "SCORER_MAX_FLAGGED", "SCORER_FAIL_ON", "SCORER_JOBS"):
        monkeypatch.delenv(var, raising=False)


def check(
    capsys: pytest.CaptureFixture[str], *args: str, report: Path | None = None
) -> tuple[int, str, dict]:
    """Run `scorer check` with one job and a JSON report; the exit code, stdout and the report."""
    report = report or Path("report.json")
    code = main(["check", "--jobs", "1", "--report", str(report), *args])
    out = capsys.readouterr().out
    return code, out, json.loads(report.read_text(encoding="utf-8"))


def test_passes_with_a_low_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, report = check(capsys, "--min-score", "0", *GOOD)
    assert code == 0
    assert out.strip().endswith("PASSED")
    assert report["gate"]["passed"] is True
    assert report["summary"]["documents"] == 3 and report["summary"]["flagged_fraction"] == 0.0


def test_exit_code_follows_the_scores(capsys: pytest.CaptureFixture[str]) -> None:
    # The scores come from features that evolve; the gate's decision must follow them exactly.
    code, out, report = check(capsys, "--min-score", "99.9", *GOOD, COPY)
    scores = [r["score"] for r in report["results"]]
    below = sum(s < 99.9 for s in scores)
    assert report["summary"]["below_threshold"] == below
    assert code == (1 if below else 0)
    assert f"flagged (score < 99.9): {below} ({below / 4:.1%}; allowed 5.0%)" in out  # the default 0.05


def test_max_flagged_allows_a_fraction(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, report = check(capsys, "--min-score", "100", "--max-flagged", "1", *GOOD, COPY)
    below = sum(r["score"] < 100 for r in report["results"])
    assert below >= 1  # at least the copy is flagged, and a share of 1 allows every flagged document
    assert code == 0 and report["gate"]["max_flagged"] == 1.0
    assert report["summary"]["below_threshold"] == below


def test_fail_on_a_signal(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--min-score", "0", "--fail-on", "translation.number_placeholder"]
    code, out, report = check(capsys, *args, COPY, *GOOD)
    assert code == 1
    assert report["gate"]["fail_on_hits"] == {"translation.number_placeholder": 1}
    assert "FAILED: 1 documents have translation.number_placeholder" in out
    assert "fr_copy.txt" in out
    code, _, _ = check(capsys, *args, *GOOD)
    assert code == 0


def test_fail_on_is_repeatable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    undated = tmp_path / "undated.txt"
    undated.write_text(
        "The council said the park would reopen once the repairs to the fence were finished.\n",
        encoding="utf-8",
    )
    code, _, report = check(
        capsys,
        "--min-score",
        "0",
        "--fail-on",
        "translation.number_placeholder",
        "--fail-on",
        "dating.no_published_date",
        str(undated),
    )
    assert code == 1
    assert report["gate"]["fail_on_hits"] == {
        "translation.number_placeholder": 0,
        "dating.no_published_date": 1,
    }


def test_summary_lists_counts_and_worst_documents(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, report = check(capsys, "--min-score", "100", *GOOD, COPY)
    assert out.startswith("scorer check: 4 documents scored, 0 input errors")
    assert "worst documents:" in out and "labels: high" in out
    worst = report["summary"]["worst"][0]
    assert f"{worst['score']:5.1f}  {worst['location']}" in out
    below = sum(r["score"] < 100 for r in report["results"])
    assert below >= 1
    assert (
        out.strip()
        .splitlines()[-1]
        .startswith(f"FAILED: {below} of 4 documents ({below / 4:.1%}) score under 100")
    )


def test_broken_inputs_are_listed_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, report = check(capsys, "--min-score", "0", str(FOLDER), str(RECORDS))
    assert code == 2
    assert report["summary"]["documents"] == 9 and report["summary"]["errors"] == 5
    assert "INPUT ERROR: 5 inputs could not be read (at most 0 allowed)" in out
    assert f"{RECORDS}: line 3: not JSON" in out
    assert "empty.txt: empty file" in out and "binary.txt: binary file" in out
    assert report["gate"]["input_error"] is True
    # Tolerated errors: the gate decides.
    code, out, _ = check(capsys, "--min-score", "0", "--max-errors", "5", str(FOLDER), str(RECORDS))
    assert code == 0 and "PASSED" in out


def test_truncated_gz_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = gzip.compress(jsonl_bytes(ARTICLES * 40))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    code, out, report = check(capsys, "--min-score", "0", str(path))
    assert code == 2
    assert report["summary"]["documents"] > 0
    assert any("truncated or corrupt" in e["error"] and "line" in e for e in report["errors"])


def test_no_documents_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "none"
    empty.mkdir()
    code, out, _ = check(capsys, str(empty))
    assert code == 2 and "no document could be scored" in out


def test_junit_has_one_case_per_document(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    code = main(
        [
            "check",
            "-j",
            "1",
            "--min-score",
            "0",
            "--fail-on",
            "translation.number_placeholder",
            "--max-errors",
            "9",
            "--junit",
            str(junit),
            str(FOLDER),
            str(RECORDS),
        ]
    )
    capsys.readouterr()
    assert code == 1
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests", "0")) == 14
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    errored = [c.get("name") for c in cases if c.find("error") is not None]
    assert sorted(failed) == sorted([COPY, f"{RECORDS}:6"])
    assert int(suite.get("failures", "0")) == 2 and int(suite.get("errors", "0")) == 5
    assert f"{RECORDS}:3" in errored
    message = next(c for c in cases if c.get("name") == COPY).find("failure").get("message")  # type: ignore[union-attr]
    assert message == "has translation.number_placeholder"


def test_defaults_from_pyproject(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scorer]\nmin_score = 0\nfail_on = ["translation.number_placeholder"]\n', encoding="utf-8"
    )
    code, _, report = check(capsys, COPY)
    assert (
        code == 1
        and report["gate"]["min_score"] == 0.0
        and report["gate"]["fail_on"] == ["translation.number_placeholder"]
    )
    # The command line wins over the file.
    code, _, report = check(capsys, "--fail-on", "dating.future_date", COPY)
    assert code == 0 and report["gate"]["fail_on"] == ["dating.future_date"]


def test_scorer_toml_and_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scorer.toml").write_text("min_score = 100\nmax_flagged = 1.0\n", encoding="utf-8")
    code, _, report = check(capsys, *GOOD, COPY)
    assert code == 0 and report["gate"]["min_score"] == 100.0 and report["gate"]["max_flagged"] == 1.0
    monkeypatch.setenv("SCORER_MAX_FLAGGED", "0")
    code, _, report = check(capsys, *GOOD, COPY)  # the copy scores under 100
    assert report["gate"]["max_flagged"] == 0.0 and code == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", "--max-flagged", "2", *GOOD]) == 2
    assert main(["check", "--min-score", "abc", *GOOD]) == 2
    assert main(["check", "--max-errors", "-1", *GOOD]) == 2
    assert main(["check"]) == 2
    (tmp_path / "scorer.toml").write_text("min_scor = 10\n", encoding="utf-8")
    assert main(["check", *GOOD]) == 2
    assert "unknown setting 'min_scor'" in capsys.readouterr().err


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out
    for line in ("0  the gate passed", "1  the gate failed", "2  usage or input error"):
        assert line in out
    assert "[tool.scorer]" in out and "scorer.toml" in out


def test_two_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    reports = []
    for jobs in ("1", "2"):
        path = Path(f"r{jobs}.json")
        main(
            [
                "check",
                "--jobs",
                jobs,
                "--min-score",
                "0",
                "--report",
                str(path),
                str(FOLDER / "sub"),
                str(INPUTS / "records.jsonl"),
                "--max-errors",
                "3",
            ]
        )
        reports.append(json.loads(path.read_text(encoding="utf-8")))
    capsys.readouterr()
    assert reports[0]["results"] == reports[1]["results"] and reports[0]["errors"] == reports[1]["errors"]


def test_unknown_fail_on_code_is_a_usage_error_with_the_closest_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # An unknown code never trips the gate: accepted, a typo would make --fail-on a silent no-op.
    assert main(["check", "--fail-on", "translation.number_placeholdr", *GOOD]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "Error: unknown signal code 'translation.number_placeholdr' in --fail-on (did you mean "
        "'translation.number_placeholder'"
    )
    assert main(["check", "--fail-on", "translation.nonexistent", *GOOD]) == 2
    assert "unknown signal code 'translation.nonexistent' in --fail-on (did you mean 'translation." in (
        capsys.readouterr().err
    )
    assert main(["check", "--fail-on", "zzz", *GOOD]) == 2
    assert capsys.readouterr().err == "Error: unknown signal code 'zzz' in --fail-on\n"


def test_unknown_fail_on_code_in_settings_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scorer.toml").write_text('fail_on = ["dating.no_publish_date"]\n', encoding="utf-8")
    assert main(["check", *GOOD]) == 2
    assert (
        "unknown signal code 'dating.no_publish_date' in the fail_on setting (did you mean 'dating.no_published_date'"
        in capsys.readouterr().err
    )
    (tmp_path / "scorer.toml").unlink()
    monkeypatch.setenv("SCORER_FAIL_ON", "sourcing.byline,sourcing.bylin")
    assert main(["check", *GOOD]) == 2
    assert "'sourcing.bylin' in the fail_on setting" in capsys.readouterr().err

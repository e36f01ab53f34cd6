"""`scorer audit`: ranking, output formats, parallel determinism, progress, the external sort and the
HTML report's escaping and highlighting."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from scorer.cli import main
from scorer.corpus.audit import RankedSpill, Summary
from scorer.corpus.report import highlight, histogram_svg
from tests.conftest import FIXTURES

INPUTS = FIXTURES / "inputs"
FOLDER = INPUTS / "folder"
RECORDS = INPUTS / "records.jsonl"


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    """Run `scorer audit --format json` and parse its output."""
    code = main(["audit", "--format", "json", "--jobs", "1", *args])
    return code, json.loads(capsys.readouterr().out)


def test_json_has_summary_results_errors_ranked_worst_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = audit_json(capsys, str(FOLDER), str(RECORDS))
    assert code == 1  # some inputs could not be read
    assert set(out) == {"summary", "results", "errors"}
    scores = [r["score"] for r in out["results"]]
    assert scores == sorted(scores)
    assert out["summary"]["documents"] == len(out["results"]) == 9
    assert out["summary"]["errors"] == len(out["errors"]) == 5
    assert sum(out["summary"]["labels"].values()) == 9
    assert sum(b["count"] for b in out["summary"]["histogram"]) == 9
    located = {(Path(e["source"]).name, e.get("line")) for e in out["errors"]}
    assert located == {
        ("binary.txt", None),
        ("empty.txt", None),
        ("records.jsonl", 3),
        ("records.jsonl", 4),
        ("records.jsonl", 5),
    }
    assert all(set(e) >= {"source", "error"} for e in out["errors"])
    by_location = {r["location"]: r for r in out["results"]}
    assert by_location[f"{RECORDS}:6"]["source"] == "fr-copy"
    assert "translation.number_placeholder" in {s["code"] for s in by_location[f"{RECORDS}:6"]["signals"]}


def test_clean_inputs_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = audit_json(capsys, str(FOLDER / "fr_article.txt"), str(FOLDER / "sub"))
    assert code == 0 and out["errors"] == [] and out["summary"]["documents"] == 3


def test_ties_keep_input_order(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = (FOLDER / "fr_article.txt").read_text(encoding="utf-8")
    for name in ("c.txt", "a.txt", "b.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    # Identical documents are near-copies for the corpus pass (tested in tests/corpus); here, the sort.
    _, out = audit_json(capsys, "--no-clusters", str(tmp_path))
    assert [Path(r["source"]).name for r in out["results"]] == ["a.txt", "b.txt", "c.txt"]


def test_two_jobs_give_the_same_output_as_one(capsys: pytest.CaptureFixture[str]) -> None:
    outs = []
    for jobs in ("1", "2"):
        assert main(["audit", "--format", "jsonl", "--jobs", jobs, str(FOLDER), str(RECORDS)]) == 1
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1]
    assert len(outs[0].splitlines()) == 9


def test_jsonl_and_errors_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--format", "jsonl", "-j", "1", str(RECORDS)]) == 1
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["score"] for r in rows] == sorted(r["score"] for r in rows)
    assert f"Error: {RECORDS}: line 3: not JSON" in captured.err


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "-j", "1", str(FOLDER)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["rank", "score", "label", "source"]
    assert lines[1].split()[0] == "1"
    assert "errors (2):" in out and "empty.txt: empty file" in out
    assert re.search(r"6 documents scored, 2 errors, mean score [\d.]+", out)


def test_csv_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    assert main(["audit", "--format", "csv", "--output", str(target), "-j", "1", str(FOLDER)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "report written to" in captured.err
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert [int(r["rank"]) for r in rows] == list(range(1, 7))
    assert [float(r["score"]) for r in rows] == sorted(float(r["score"]) for r in rows)
    assert {"translation", "dating", "reasons", "location"} <= set(rows[0])


def test_field_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = audit_json(
        capsys,
        "--text-field",
        "body",
        "--html-field",
        "page",
        "--id-field",
        "doc_id",
        "--url-field",
        "link",
        str(INPUTS / "fields.jsonl"),
    )
    assert code == 0
    assert sorted(r["source"] for r in out["results"]) == ["custom-1", "custom-2"]
    assert {r["document"]["url"] for r in out["results"]} == {
        "https://example.org/c/1",
        "https://example.org/c/2",
    }


def test_usage_errors() -> None:
    assert main(["audit", "--format", "xml", str(FOLDER)]) == 2
    assert main(["audit", "--jobs", "-1", str(FOLDER)]) == 2
    assert main(["audit"]) == 2


def test_help_documents_formats_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "table,json,jsonl,csv,html" in out.replace(" ", "")


def test_external_sort_merges_runs(tmp_path: Path) -> None:
    spill = RankedSpill(str(tmp_path), run_size=7)
    scores = [(i * 37) % 101 / 1.0 for i in range(60)]
    for seq, s in enumerate(scores):
        spill.add({"score": s, "seq": seq})
    assert len(list(tmp_path.glob("run*.jsonl"))) == 8
    got = [(r["score"], r["seq"]) for r in spill]
    assert got == sorted((s, i) for i, s in enumerate(scores))


def test_summary_keeps_only_the_worst() -> None:
    summary = Summary(min_score=50.0, worst=3)
    for seq, score in enumerate([90.0, 10.0, 70.0, 10.0, 40.0, 99.0]):
        summary.add(
            {
                "score": score,
                "seq": seq,
                "label": "x",
                "language": "fr",
                "signals": [],
                "families": {},
                "source": str(seq),
                "location": str(seq),
                "reasons": [],
            }
        )
    out = summary.to_dict()
    assert [w["source"] for w in out["worst"]] == ["1", "3", "4"]
    assert out["below_threshold"] == 3 and out["flagged_fraction"] == 0.5


# --- HTML -------------------------------------------------------------------------------------------


def test_html_report_is_self_contained_and_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    evil = tmp_path / "<b>evil<b>.jsonl"
    text = 'Le ministre a promis XNUMX postes. <script>alert("x")</script> & "quotes"\n\nAbonnez-vous à notre newsletter.'
    evil.write_text(
        json.dumps(
            {
                "id": '"><img src=x onerror=alert(1)>',
                "title": "<i>T</i>",
                "url": "javascript:alert(1)",
                "text": text,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    target = tmp_path / "report.html"
    assert main(["audit", "--format", "html", "-o", str(target), "-j", "1", str(evil), str(FOLDER)]) == 1
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<svg" in html and "<table>" in html and "<script>" in html
    # Nothing is fetched at view time, and the page forbids it.
    assert not re.search(r"""<[^>]*\bsrc=|<link\b|@import|url\(""", html)
    assert "default-src 'none'" in html
    # Inputs are escaped: no element or attribute comes from the data.
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img" not in html and "<i>T</i>" not in html and "&lt;b&gt;evil&lt;b&gt;.jsonl" in html
    assert 'href="javascript:' not in html
    # The evidence is highlighted with its family and message on hover.
    assert re.search(
        r'<mark class="f-translation[^"]*" data-families="translation[^"]*" title="translation\.number_placeholder: [^"]+">XNUMX</mark>',
        html,
    )
    # Filters by label and family.
    assert 'id="f-label"' in html and 'id="f-family"' in html
    assert html.count("<article ") == 7
    assert "binary file (NUL bytes)" in html


def test_html_max_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.html"
    assert (
        main(["audit", "--format", "html", "--max-articles", "2", "-o", str(target), "-j", "1", str(FOLDER)])
        == 1
    )
    html = target.read_text(encoding="utf-8")
    assert html.count("<article ") == 2
    assert html.count('<tr data-label="') == 6


def test_highlight_overlapping_spans() -> None:
    text = "abc <def> ghi"
    signals = [
        {
            "code": "translation.x",
            "family": "translation",
            "message": "one",
            "evidence": [{"start": 0, "end": 9, "text": text[0:9]}],
        },
        {
            "code": "sourcing.y",
            "family": "sourcing",
            "message": 'two "q"',
            "evidence": [{"start": 4, "end": 13, "text": text[4:13]}],
        },
    ]
    html = highlight(text, signals)
    assert html == (
        '<mark class="f-translation" data-families="translation" title="translation.x: one">abc </mark>'
        '<mark class="f-translation f-sourcing" style="background:repeating-linear-gradient(135deg,'
        '#ffd84d 0px 4px,#ffb380 4px 8px)" data-families="translation sourcing" '
        'title="translation.x: one\nsourcing.y: two &quot;q&quot;">&lt;def&gt;</mark>'
        '<mark class="f-sourcing" data-families="sourcing" title="sourcing.y: two &quot;q&quot;"> ghi</mark>'
    )
    assert highlight("a<b", []) == "a&lt;b"


def test_histogram_svg_has_a_bar_per_bin() -> None:
    bins = [{"from": i * 10, "to": i * 10 + 10, "count": i % 3} for i in range(10)]
    svg = histogram_svg(bins)
    assert svg.startswith("<svg") and svg.count("<rect") == 10


def test_html_warm_up_scores_only_the_first_few_html_items(tmp_path: Path) -> None:
    # Before the workers fork, a few HTML items of the first batches are scored in the parent to load
    # the extractor's data once; text items and unreadable pages are passed over.
    from scorer.corpus import parallel
    from scorer.ingest.inputs import Item

    page = (FIXTURES / "examples" / "en_page.html").read_bytes()
    items: list = [(0, Item(str(tmp_path / "a.txt"), "file", b"Some text.", suffix=".txt"))]
    items += [(0, Item(str(tmp_path / "broken.html"), "file", b"<html></html>", suffix=".html"))]
    items += [(i, Item(str(tmp_path / f"p{i}.html"), "file", page, suffix=".html")) for i in range(1, 6)]

    class Recorder:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def score(self, doc):  # type: ignore[no-untyped-def]
            self.seen.append(doc.origin)

    rec = Recorder()
    parallel._warm_html(rec, items, parallel.DEFAULT_OPTIONS)  # type: ignore[arg-type]
    assert rec.seen == ["html"] * parallel._HTML_WARM_UP_PAGES


def test_family_filter_follows_reasons_as_well_as_evidence(tmp_path: Path) -> None:
    # A document lowered by a measure (no evidence span) belongs to that family in the filter.
    from scorer.corpus.report import write_html

    row = {
        "seq": 0, "location": "a.txt", "source": "a", "score": 20.0, "label": "very_low",
        "language": "it", "families": {"translation": 20.0}, "reasons": ["translation.mt_likelihood"],
        "signals": [{"code": "dating.no_published_date", "message": "No date.", "evidence": []}],
    }  # fmt: skip
    out = io.StringIO()
    write_html(
        out, summary={"documents": 1, "errors": 2, "languages": {"it": 1}}, rows=[row],
        articles={0: {"seq": 0, "text": "Testo.", "row": row}}, errors=[{"source": "b", "error": "bad"}],
    )  # fmt: skip
    html = out.getvalue()
    assert html.count('data-families="dating translation"') == 2  # the table row and the article
    assert '<a href="#errors">2 errors</a>' in html and 'id="errors"' in html
    assert "<code>it</code>" in html and "language <code>it</code>" in html
    assert '<ol class="flags"' in html and "dating.no_published_date</span>: No date." in html

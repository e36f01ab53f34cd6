"""`scorer check INPUT...`: the corpus gate for CI.

Scores every document (streamed, in parallel) and fails when more than `max_flagged` of them (a
fraction) score under `min_score`, or when any document carries a `fail_on` signal. Defaults come
from the settings (`[tool.scorer]` in `pyproject.toml` or a `scorer.toml`, then `SCORER_*`
variables); the options override them. Memory stays constant: counters, the worst few documents, and
the JUnit and JSON reports written through temporary files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from scorer.audit import (
    Collected,
    Summary,
    add_input_arguments,
    check_jobs,
    open_output,
    result_row,
    scored_stream,
    write_json,
)
from scorer.config import Settings, load_settings
from scorer.corpus.provenance import provenance_pass
from scorer.errors import ScorerError
from scorer.inputs import InputFailure
from scorer.parallel import Outcome, Scored

EXIT_PASSED, EXIT_GATE_FAILED, EXIT_INPUT_ERROR = 0, 1, 2
WORST_SHOWN = 5

CHECK_EPILOG = """gate:
  A document is flagged when its score is under --min-score. The gate fails when the flagged
  fraction exceeds --max-flagged, or when any document has a signal named by --fail-on.
  Defaults come from [tool.scorer] in pyproject.toml or from scorer.toml (min_score, max_flagged,
  fail_on, jobs), then from SCORER_MIN_SCORE, SCORER_MAX_FLAGGED, SCORER_FAIL_ON, SCORER_JOBS; the
  options override them. --max-copies F fails the gate when more than a fraction F of the documents
  are near-copies of another document of the corpus (provenance.near_copy; docs/provenance.md).

exit codes:
  0  the gate passed
  1  the gate failed (too many flagged documents, or a --fail-on signal was found)
  2  usage or input error: bad options or settings, no document scored, or more unreadable
     files / malformed records than --max-errors (each is listed with its location)
"""


@dataclass
class GateState:
    """What the gate tracks while documents stream past."""

    min_score: float
    max_flagged: float
    fail_on: tuple[str, ...]
    hits: Counter[str] = field(default_factory=Counter)
    hit_examples: dict[str, list[str]] = field(default_factory=dict)
    max_copies: float | None = None
    copies: int = 0

    def failures_of(self, row: dict[str, Any]) -> list[str]:
        """Why this document fails (empty when it passes)."""
        reasons = []
        if float(row["score"]) < self.min_score:
            why = ", ".join(row["reasons"][:3]) or "no single signal"
            reasons.append(f"score {row['score']:.1f} < {self.min_score:g} ({why})")
        codes = {s["code"] for s in row["signals"]}
        self.copies += "provenance.near_copy" in codes
        for code in self.fail_on:
            if code in codes:
                reasons.append(f"has {code}")
                self.hits[code] += 1
                examples = self.hit_examples.setdefault(code, [])
                if len(examples) < WORST_SHOWN:
                    examples.append(row["location"])
        return reasons

    def verdict(self, summary: dict[str, Any]) -> dict[str, Any]:
        """The gate's decision with its reasons."""
        reasons = []
        fraction = summary.get("flagged_fraction", 0.0)
        if summary["documents"] and fraction > self.max_flagged:
            reasons.append(
                f"{summary['below_threshold']} of {summary['documents']} documents ({fraction:.1%}) score under "
                f"{self.min_score:g}; at most {self.max_flagged:.1%} allowed"
            )
        for code in self.fail_on:
            if self.hits[code]:
                reasons.append(
                    f"{self.hits[code]} documents have {code} (e.g. {', '.join(self.hit_examples[code][:3])})"
                )
        n = summary["documents"]
        if self.max_copies is not None and n and self.copies / n > self.max_copies:
            reasons.append(
                f"{self.copies} of {n} documents ({self.copies / n:.1%}) are near-copies of another; "
                f"at most {self.max_copies:.1%} allowed"
            )
        return {
            "passed": not reasons,
            "reasons": reasons,
            "min_score": self.min_score,
            "max_flagged": self.max_flagged,
            "fail_on": list(self.fail_on),
            "fail_on_hits": {c: self.hits[c] for c in self.fail_on},
            "max_copies": self.max_copies,
            "near_copies": self.copies,
        }


class JUnitWriter:
    """A JUnit XML file with one test case per document (and one per input error), written through a
    temporary file because the `<testsuite>` counts are known only at the end."""

    def __init__(self, path: str, folder: str) -> None:
        self.path = path
        self.body_path = os.path.join(folder, "junit-cases.xml")
        self._body = open(self.body_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finish()
        self.tests = self.failures = self.errors = 0

    def document(self, row: dict[str, Any], failures: list[str]) -> None:
        """One test case for one scored document."""
        self.tests += 1
        name = quoteattr(row["location"])
        self._body.write(f'  <testcase classname="scorer.check" name={name} time="0">\n')
        if failures:
            self.failures += 1
            detail = "\n".join([*failures, *(f"{s['code']}: {s['message']}" for s in row["signals"][:10])])
            self._body.write(
                f'    <failure message={quoteattr("; ".join(failures))} type="gate">{_xml_text(detail)}</failure>\n'
            )
        else:
            note = _xml_text(f"score {row['score']:.1f} ({row['label']})")
            self._body.write(f"    <system-out>{note}</system-out>\n")
        self._body.write("  </testcase>\n")

    def error(self, failure: InputFailure) -> None:
        """One test case in error for an input that could not be read."""
        self.tests += 1
        self.errors += 1
        self._body.write(
            f'  <testcase classname="scorer.check.inputs" name={quoteattr(failure.location)} time="0">\n'
            f'    <error message={quoteattr(failure.error)} type="input"/>\n  </testcase>\n'
        )

    def finish(self) -> None:
        """Write the complete file."""
        self._body.close()
        with open_output(self.path) as out, open(self.body_path, encoding="utf-8") as body:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            out.write(
                f'<testsuites tests="{self.tests}" failures="{self.failures}" errors="{self.errors}">\n'
            )
            out.write(
                f'<testsuite name="scorer check" tests="{self.tests}" failures="{self.failures}" errors="{self.errors}" skipped="0">\n'
            )
            shutil.copyfileobj(body, out)
            out.write("</testsuite>\n</testsuites>\n")


def _xml_text(s: str) -> str:
    # quoteattr escapes &, <, > and quotes; strip the quotes it adds. XML 1.0 forbids most control characters.
    cleaned = "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20)
    return quoteattr(cleaned)[1:-1]


def gate_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings with the command-line options applied on top."""
    overrides: dict[str, Any] = {}
    if args.min_score is not None:
        overrides["min_score"] = args.min_score
    if args.max_flagged is not None:
        overrides["max_flagged"] = args.max_flagged
    if args.fail_on:
        overrides["fail_on"] = tuple(args.fail_on)
    if args.jobs is not None:
        overrides["jobs"] = args.jobs
    s = settings.with_overrides(overrides)
    if not 0.0 <= s.max_flagged <= 1.0:
        raise ScorerError(f"max_flagged must be a fraction between 0 and 1, not {s.max_flagged}")
    if not 0.0 <= s.min_score <= 100.0:
        raise ScorerError(f"min_score must be between 0 and 100, not {s.min_score}")
    return s


def run_gate(
    outcomes: Iterable[Outcome], state: GateState, folder: str, junit: JUnitWriter | None, want_report: bool
) -> Collected:
    """Stream the outcomes through the counters, the JUnit writer and (for --report) the ranked spill."""
    c = Collected(folder, Summary(min_score=state.min_score, worst=WORST_SHOWN))
    for outcome in outcomes:
        if isinstance(outcome, InputFailure):
            c.summary.errors += 1
            c.errors.add(outcome)
            if junit:
                junit.error(outcome)
            continue
        assert isinstance(outcome, Scored)
        row = result_row(outcome)
        failures = state.failures_of(row)
        row["gate_failures"] = failures
        c.summary.add(row)
        if want_report:
            c.ranked.add(row)
        if junit:
            junit.document(row, failures)
    c.errors.close()
    return c


def print_summary(
    summary: dict[str, Any],
    verdict: dict[str, Any],
    errors: Iterable[dict[str, Any]],
    max_errors: int,
    out: TextIO,
) -> None:
    """The short summary CI logs show."""
    n = summary["documents"]
    out.write(f"scorer check: {n} documents scored, {summary['errors']} input errors\n")
    if n:
        out.write(
            f"  flagged (score < {verdict['min_score']:g}): {summary['below_threshold']} ({summary['flagged_fraction']:.1%}; "
            f"allowed {verdict['max_flagged']:.1%}); mean score {summary['mean_score']:.1f}\n"
        )
        out.write("  labels: " + ", ".join(f"{k} {v}" for k, v in summary["labels"].items()) + "\n")
    for code, count in verdict["fail_on_hits"].items():
        out.write(f"  --fail-on {code}: {count} documents\n")
    if "provenance" in summary:
        p = summary["provenance"]
        out.write(
            f"  clusters: {p['near_copy_clusters']} near-copy ({p['near_copies']} copies), "
            f"{p['template_clusters']} template ({p['templated_documents']} documents)\n"
        )
    worst = summary["worst"]
    if worst:
        out.write("  worst documents:\n")
        for w in worst:
            out.write(f"    {w['score']:5.1f}  {w['location']}  {', '.join(w['reasons'][:3]) or '-'}\n")
    shown = 0
    for e in errors:
        if shown == 0:
            out.write("  input errors:\n")
        if shown == 10:
            out.write(f"    … {summary['errors'] - 10} more (see --report)\n")
            break
        out.write(f"    {e['source']}: {e['error']}\n")
        shown += 1
    if summary["errors"] > max_errors:
        out.write(
            f"INPUT ERROR: {summary['errors']} inputs could not be read (at most {max_errors} allowed)\n"
        )
    elif not n:
        out.write("INPUT ERROR: no document could be scored\n")
    elif verdict["passed"]:
        out.write("PASSED\n")
    else:
        out.write("FAILED: " + "; ".join(verdict["reasons"]) + "\n")


def cmd_check(args: argparse.Namespace) -> int:
    """Run the gate; exit 0 passed, 1 failed, 2 usage or input error."""
    check_jobs(args.jobs)
    if args.max_errors < 0:
        raise ScorerError("--max-errors must be 0 or more")
    settings = gate_settings(args, load_settings())
    if args.max_copies is not None and not 0.0 <= args.max_copies <= 1.0:
        raise ScorerError(f"--max-copies must be a fraction between 0 and 1, not {args.max_copies}")
    state = GateState(settings.min_score, settings.max_flagged, settings.fail_on, max_copies=args.max_copies)
    args.jobs = settings.jobs
    with tempfile.TemporaryDirectory(prefix="scorer-check-") as folder:
        junit = JUnitWriter(args.junit, folder) if args.junit else None
        prov = provenance_pass(args, folder, keep_text=False)
        c = run_gate(
            scored_stream(args.inputs, args, settings, prov=prov), state, folder, junit, want_report=bool(args.report)
        )
        summary = c.summary.to_dict()
        if prov is not None:
            summary["provenance"] = prov.stats()
        verdict = state.verdict(summary)
        input_error = summary["errors"] > args.max_errors or not summary["documents"]
        verdict["input_error"] = input_error
        if junit:
            junit.finish()
        if args.report:
            with open_output(args.report) as out:
                write_json(c.ranked, c.errors, summary, out, extra={"gate": verdict})
        print_summary(summary, verdict, c.errors, args.max_errors, sys.stdout)
    if input_error:
        return EXIT_INPUT_ERROR
    return EXIT_PASSED if verdict["passed"] else EXIT_GATE_FAILED


def add_parser(sub: Any) -> None:
    """Register `scorer check`."""
    p = sub.add_parser(
        "check",
        help="CI gate: fail when too many documents score low or carry a given signal",
        description="Score a corpus (folders, .jsonl[.gz|.zst], .parquet, .warc[.gz], article files) and "
        "pass or fail it. Prints a short summary: counts, flagged fraction, the worst documents and why.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders to check")
    p.add_argument(
        "--min-score",
        type=float,
        default=None,
        metavar="S",
        help="a document under S is flagged (default: the min_score setting, 50)",
    )
    p.add_argument(
        "--max-flagged", type=float, default=None, metavar="F",
        help="fraction of documents allowed under --min-score, 0 to 1 (default: the max_flagged setting, 0)",
    )  # fmt: skip
    p.add_argument(
        "--fail-on", action="append", default=[], metavar="CODE",
        help="fail if any document has this signal code (repeatable), e.g. translation.number_placeholder",
    )  # fmt: skip
    p.add_argument(
        "--max-copies", type=float, default=None, metavar="F",
        help="fail when more than a fraction F (0 to 1) of the documents are near-copies (provenance.near_copy)",
    )  # fmt: skip
    p.add_argument(
        "--max-errors",
        type=int,
        default=0,
        metavar="N",
        help="unreadable inputs tolerated before exit 2 (default 0)",
    )
    p.add_argument(
        "--junit", metavar="FILE", help="write JUnit XML, one test case per document, for CI test reports"
    )
    p.add_argument(
        "--report",
        metavar="FILE",
        help='write a JSON report {"summary", "gate", "results" (worst first), "errors"}',
    )
    add_input_arguments(p)
    p.set_defaults(func=cmd_check)

"""The corpus gate for CI (`scorer check`).

Scores every document (streamed, in parallel) and fails when more than `max_flagged` of them (a
fraction) score under `min_score`, or when any document carries a `fail_on` signal. Defaults come
from the settings (`[tool.scorer]` in `pyproject.toml` or a `scorer.toml`, then `SCORER_*`
variables); the options override them. Memory stays constant: counters, the worst few documents, and
the JUnit and JSON reports written through temporary files.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from features import catalogue
from scorer.config import Settings, check_known
from scorer.corpus.audit import (
    Collected,
    Summary,
    described,
    open_output,
    result_row,
)
from scorer.corpus.parallel import Outcome, Scored
from scorer.corpus.provenance import CODES as PROVENANCE_CODES
from scorer.errors import ScorerError
from scorer.ingest.inputs import InputFailure

WORST_SHOWN = 5


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


def gate_settings(
    settings: Settings,
    *,
    min_score: float | None = None,
    max_flagged: float | None = None,
    fail_on: Iterable[str] = (),
    jobs: int | None = None,
) -> Settings:
    """The settings with the given options (None or empty: not given) applied on top, checked."""
    overrides: dict[str, Any] = {}
    if min_score is not None:
        overrides["min_score"] = min_score
    if max_flagged is not None:
        overrides["max_flagged"] = max_flagged
    fail_on = tuple(fail_on)
    if fail_on:
        overrides["fail_on"] = fail_on
    if jobs is not None:
        overrides["jobs"] = jobs
    s = settings.with_overrides(overrides)
    # An unknown code would never trip the gate: a typo must not pass silently.
    known = {**catalogue(), **PROVENANCE_CODES}
    check_known(s.fail_on, known, "signal code", "--fail-on" if fail_on else "the fail_on setting")
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
            out.write(f"    {w['score']:5.1f}  {described(w)}  {', '.join(w['reasons'][:3]) or '-'}\n")
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

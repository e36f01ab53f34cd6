"""`scorer check INPUT...`: the corpus gate for CI; prints a short summary and exits 0 (passed),
1 (failed) or 2 (usage or input error)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from typing import Any

from scorer.cli.common import EXIT_COMMON, add_input_arguments, check_jobs, read_options
from scorer.config import load_settings
from scorer.corpus.audit import open_output, scored_stream, write_json
from scorer.corpus.gate import GateState, JUnitWriter, gate_settings, print_summary, run_gate
from scorer.corpus.provenance import provenance_pass
from scorer.errors import ScorerError

EXIT_PASSED, EXIT_GATE_FAILED, EXIT_INPUT_ERROR = 0, 1, 2

CHECK_EPILOG = (
    """gate:
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
    + EXIT_COMMON
)


def cmd_check(args: argparse.Namespace) -> int:
    """Run the gate; exit 0 passed, 1 failed, 2 usage or input error."""
    check_jobs(args.jobs)
    if args.max_errors < 0:
        raise ScorerError("--max-errors must be 0 or more")
    settings = gate_settings(
        load_settings(),
        min_score=args.min_score,
        max_flagged=args.max_flagged,
        fail_on=args.fail_on,
        jobs=args.jobs,
    )
    if args.max_copies is not None and not 0.0 <= args.max_copies <= 1.0:
        raise ScorerError(f"--max-copies must be a fraction between 0 and 1, not {args.max_copies}")
    state = GateState(settings.min_score, settings.max_flagged, settings.fail_on, max_copies=args.max_copies)
    with tempfile.TemporaryDirectory(prefix="scorer-check-") as folder:
        junit = JUnitWriter(args.junit, folder) if args.junit else None
        prov = provenance_pass(folder, keep_text=False, enabled=not args.no_clusters)
        c = run_gate(
            scored_stream(
                args.inputs,
                read_options(args),
                settings.jobs,
                settings,
                prov=prov,
                engine=args.engine,
                ray_address=args.ray_address,
            ),
            state,
            folder,
            junit,
            want_report=bool(args.report),
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
        help="fraction of documents allowed under --min-score, 0 to 1 (default: the max_flagged setting, 0.05)",
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

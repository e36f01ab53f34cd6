"""`scorer score PATH...`: score articles and print the results (table, JSON or JSONL)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from scorer.cli.common import EPILOG, EXIT_FAILED, EXIT_OK, report_failure
from scorer.engine import Result, default_scorer
from scorer.ingest.inputs import InputFailure, iter_documents


def format_table(results: Sequence[Result], out: TextIO) -> None:
    """A human table: score, label, source and the top reasons."""
    out.write(f"{'score':>5}  {'label':<8}  {'source':<40}  reasons\n")
    for r in results:
        src = r.source if len(r.source) <= 40 else "…" + r.source[-39:]
        reasons = ", ".join(r.reasons[:3]) or "-"
        out.write(f"{r.score:5.1f}  {r.label:<8}  {src:<40}  {reasons}\n")


def cmd_score(args: argparse.Namespace) -> int:
    """Score each input and print the results."""
    scorer = default_scorer()
    results: list[Result] = []
    failed = 0
    for item in iter_documents(args.paths):
        if isinstance(item, InputFailure):
            failed += 1
            report_failure(item)
            continue
        result = scorer.score(item, clean=args.clean)
        if args.format == "jsonl":
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        else:
            results.append(result)
    if args.format == "json":
        json.dump([r.to_dict() for r in results], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif args.format == "table":
        format_table(results, sys.stdout)
    return EXIT_FAILED if failed else EXIT_OK


def add_parser(sub: Any) -> None:
    """Register `scorer score`."""
    p = sub.add_parser(
        "score",
        help="score articles and print the results",
        description="Score articles and corpora and print one result per document. Accepted inputs: "
        "article files (.txt .md plain text, .html .htm pages, .json records or arrays of records), "
        "JSONL (.jsonl .ndjson, .gz or .zst compressed), Parquet (.parquet .pq) and WARC (.warc "
        ".warc.gz) files, folders of any of these (recursively), and '-' for stdin.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files or folders: articles (.txt .md .html .htm .json), corpora (.jsonl .ndjson, "
        "optionally .gz or .zst; .parquet; .warc .warc.gz); '-' reads one article from stdin",
    )
    p.add_argument(
        "--format", choices=("table", "json", "jsonl"), default="table", help="output format (default: table)"
    )
    p.add_argument("--clean", action="store_true", help="include the cleaned text in JSON output")
    p.set_defaults(func=cmd_score)

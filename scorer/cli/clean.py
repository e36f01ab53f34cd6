"""`scorer clean PATH...`: print each article's text with the flagged boilerplate removed."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scorer.cli.common import EPILOG, EXIT_FAILED, EXIT_OK, report_failure
from scorer.engine import default_scorer
from scorer.ingest.inputs import InputFailure, iter_documents


def cmd_clean(args: argparse.Namespace) -> int:
    """Print each input's text with the flagged boilerplate removed."""
    scorer = default_scorer()
    failed = 0
    for item in iter_documents(args.paths):
        if isinstance(item, InputFailure):
            failed += 1
            report_failure(item)
            continue
        text = scorer.clean(item)
        if args.format == "jsonl":
            sys.stdout.write(json.dumps({"source": item.id, "clean_text": text}, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_FAILED if failed else EXIT_OK


def add_parser(sub: Any) -> None:
    """Register `scorer clean`."""
    p = sub.add_parser(
        "clean",
        help="print the text with flagged boilerplate removed",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders; '-' reads stdin")
    p.add_argument(
        "--format",
        choices=("text", "jsonl"),
        default="text",
        help="plain text (default) or one JSON object per document",
    )
    p.set_defaults(func=cmd_clean)

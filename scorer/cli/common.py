"""What several commands share: exit codes, the epilog, logging, the report of an unreadable input,
and the record and job options of `audit` and `check`."""

from __future__ import annotations

import argparse
import logging
import sys

from scorer.errors import ScorerError
from scorer.ingest.inputs import InputFailure, ReadOptions

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EPILOG = """exit codes:
  0  every input was scored (check: the gate passed)
  1  some inputs could not be read or scored (check: the gate failed)
  2  usage error (check: usage or input error)
"""


def configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def report_failure(f: InputFailure) -> None:
    """One line on stderr for an input that could not be read or scored."""
    print(
        f"Error: {f.source}: {f.error}" if not f.error.startswith(f.source) else f"Error: {f.error}",
        file=sys.stderr,
    )


def add_input_arguments(p: argparse.ArgumentParser) -> None:
    """Options that name record fields, and the number of jobs."""
    g = p.add_argument_group("records (JSON, JSONL, Parquet)")
    g.add_argument(
        "--text-field", default="text", metavar="NAME", help="field holding the article text (default: text)"
    )
    g.add_argument(
        "--html-field",
        default="html",
        metavar="NAME",
        help="field holding the page HTML, used when present (default: html)",
    )
    g.add_argument(
        "--id-field", default="id", metavar="NAME", help="field holding the document id (default: id)"
    )
    g.add_argument("--url-field", default="url", metavar="NAME", help="field holding the URL (default: url)")
    p.add_argument(
        "-j", "--jobs", type=int, default=None, metavar="N",
        help="worker processes (default: the 'jobs' setting, 0 = every core)",
    )  # fmt: skip


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The record field names from the parsed options."""
    return ReadOptions(
        text_field=args.text_field,
        html_field=args.html_field,
        id_field=args.id_field,
        url_field=args.url_field,
    )


def check_jobs(jobs: int | None) -> None:
    """Reject a negative job count (a usage error, exit 2)."""
    if jobs is not None and jobs < 0:
        raise ScorerError("--jobs must be 0 (every core) or more")

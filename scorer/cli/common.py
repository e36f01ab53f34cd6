"""What several commands share: exit codes, the epilog, logging, the report of an unreadable input,
and the record and job options of `audit` and `check`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scorer.errors import ScorerError
from scorer.ingest.inputs import InputFailure, ReadOptions

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as a shell reports them

# The codes every command shares, after its own 0, 1 and 2.
EXIT_COMMON = """  3  internal error (a bug: the message says how to report it; -v shows the traceback)
  130, 143  interrupted (Ctrl-C) or terminated (SIGTERM); workers and temporary files are cleaned up
"""

EPILOG = (
    """exit codes:
  0  every input was scored (check: the gate passed)
  1  some inputs could not be read or scored (check: the gate failed)
  2  usage error, bad settings or model file (check: usage or input error)
"""
    + EXIT_COMMON
)


class Parser(argparse.ArgumentParser):
    """argparse without prefix matching: `--min-scor` is an error, not `--min-score`, so that a typo or
    an option added later cannot change what an existing command line means."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl-C: worker pools shut down and
    temporary folders are removed on the way out."""


def _raise_terminated(signum: int, frame: Any) -> None:
    # A second SIGTERM must not interrupt the cleanup the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


@contextmanager
def terminate_like_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` (a KeyboardInterrupt) instead of ending the
    process on the spot; the previous handler is restored after."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread (a test runner's thread): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
    p.add_argument(
        "--engine", choices=("pool", "ray"), default="pool",
        help="pool: worker processes on this machine (default); ray: scoring actors on Ray, see docs/scale.md",
    )  # fmt: skip
    p.add_argument(
        "--ray-address", metavar="ADDR", default=None,
        help="--engine ray: the cluster to join (default: RAY_ADDRESS, else a new local cluster)",
    )  # fmt: skip
    p.add_argument(
        "--no-clusters", action="store_true",
        help="skip the near-copy and template clusters (and the provenance.* signals; docs/provenance.md)",
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

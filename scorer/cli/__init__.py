"""The `scorer` command line. `main(argv) -> int`; the library raises, this package reports. One
module per command (`score`, `clean`, `serve`, `audit`, `check`, `train`, `evaluate`, `signals`); the only
place that parses arguments or prints.

Exit codes: 0 every input scored (or the gate passed), 1 some inputs failed (or the gate failed),
2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from scorer import __version__
from scorer.cli import audit, check, clean, evaluate, score, serve, signals, train
from scorer.cli.common import EPILOG, EXIT_OK, EXIT_USAGE, configure_logging
from scorer.errors import ScorerError

# Each entry adds one subcommand to the parser, in the order `--help` lists them.
COMMANDS: list[Callable[[Any], None]] = [
    score.add_parser,
    clean.add_parser,
    serve.add_parser,
    audit.add_parser,
    check.add_parser,
    train.add_parser,
    evaluate.add_parser,
    signals.add_parser,
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="scorer",
        description="Article quality and provenance scorer: flags machine-translation artefacts, boilerplate, missing dates and vague sourcing, with evidence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scorer {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors, 0 on --help and --version
        return int(e.code or 0)
    configure_logging(args.verbose)
    try:
        return int(args.func(args))
    except ScorerError as e:
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head`
        return EXIT_OK
    except KeyboardInterrupt:
        return 130

"""The `scorer` command line. `main(argv) -> int`; the library raises, this package reports. One
module per command (`score`, `clean`, `serve`, `audit`, `check`, `train`, `evaluate`, `signals`); the only
place that parses arguments or prints.

Exit codes: 0 every input scored (or the gate passed), 1 some inputs failed (or the gate failed),
2 usage error (bad options, settings or model file), 3 internal error (a bug), 130/143 interrupted
or terminated.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from scorer import __version__
from scorer.cli import audit, check, clean, evaluate, score, serve, signals, train
from scorer.cli.common import (
    EPILOG,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Parser,
    Terminated,
    configure_logging,
    terminate_like_interrupt,
)
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
    parser = Parser(
        prog="scorer",
        description="Article quality and provenance scorer: flags machine-translation artefacts, boilerplate, missing dates and vague sourcing, with evidence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scorer {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)
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
        if args.command == "serve":  # uvicorn handles SIGTERM itself (a graceful shutdown)
            return int(args.func(args))
        with terminate_like_interrupt():
            return int(args.func(args))
    except ScorerError as e:
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head`
        return EXIT_OK
    except Terminated:
        print("Terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - a bug: exit 3, never the code of a failed gate
        if args.verbose:
            traceback.print_exc()
        print(
            f"Internal error ({type(e).__name__}: {e}): this is a bug in scorer {__version__}; please report "
            f"it with the command line{'' if args.verbose else ' and the traceback that `scorer -v` prints'}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL

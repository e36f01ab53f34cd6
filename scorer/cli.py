"""The `scorer` command line. `main(argv) -> int`; the library raises, this module reports.

Exit codes: 0 every input scored (or the gate passed), 1 some inputs failed (or the gate failed),
2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from scorer import audit, evaluate, gate, serve, training
from scorer.engine import Result, default_scorer
from scorer.errors import ScorerError
from scorer.inputs import InputFailure, iter_documents

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EPILOG = """exit codes:
  0  every input was scored (check: the gate passed)
  1  some inputs could not be read or scored (check: the gate failed)
  2  usage error (check: usage or input error)
"""


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def format_table(results: Sequence[Result], out: TextIO) -> None:
    """A human table: score, label, source and the top reasons."""
    out.write(f"{'score':>5}  {'label':<8}  {'source':<40}  reasons\n")
    for r in results:
        src = r.source if len(r.source) <= 40 else "…" + r.source[-39:]
        reasons = ", ".join(r.reasons[:3]) or "-"
        out.write(f"{r.score:5.1f}  {r.label:<8}  {src:<40}  {reasons}\n")


def _report_failure(f: InputFailure) -> None:
    print(f"Error: {f.source}: {f.error}" if not f.error.startswith(f.source) else f"Error: {f.error}", file=sys.stderr)


def cmd_score(args: argparse.Namespace) -> int:
    """Score each input and print the results."""
    scorer = default_scorer()
    results: list[Result] = []
    failed = 0
    for item in iter_documents(args.paths):
        if isinstance(item, InputFailure):
            failed += 1
            _report_failure(item)
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


def cmd_clean(args: argparse.Namespace) -> int:
    """Print each input's text with the flagged boilerplate removed."""
    scorer = default_scorer()
    failed = 0
    for item in iter_documents(args.paths):
        if isinstance(item, InputFailure):
            failed += 1
            _report_failure(item)
            continue
        text = scorer.clean(item)
        if args.format == "jsonl":
            sys.stdout.write(json.dumps({"source": item.id, "clean_text": text}, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_FAILED if failed else EXIT_OK


def _add_score(sub: Any) -> None:
    p = sub.add_parser("score", help="score articles and print the results", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.txt .md .html .htm .json); '-' reads stdin")
    p.add_argument("--format", choices=("table", "json", "jsonl"), default="table", help="output format (default: table)")
    p.add_argument("--clean", action="store_true", help="include the cleaned text in JSON output")
    p.set_defaults(func=cmd_score)


def _add_clean(sub: Any) -> None:
    p = sub.add_parser("clean", help="print the text with flagged boilerplate removed", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders; '-' reads stdin")
    p.add_argument("--format", choices=("text", "jsonl"), default="text", help="plain text (default) or one JSON object per document")
    p.set_defaults(func=cmd_clean)


# Each entry adds one subcommand to the parser. Commands that live in their own module register here.
COMMANDS: list[Callable[[Any], None]] = [_add_score, _add_clean, serve.add_parser, audit.add_parser, gate.add_parser, training.add_parser, evaluate.add_parser]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="scorer",
        description="Article quality and provenance scorer: flags machine-translation artefacts, boilerplate, missing dates and vague sourcing, with evidence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors, 0 on --help
        return int(e.code or 0)
    _configure_logging(args.verbose)
    try:
        return int(args.func(args))
    except ScorerError as e:
        print(f"Error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head`
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

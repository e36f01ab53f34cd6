"""`scorer audit PATH...`: score a folder or a corpus and write the documents ranked worst first
(table, JSON, JSONL, CSV or a self-contained HTML report)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from typing import Any

from scorer.cli.common import (
    EXIT_COMMON,
    EXIT_FAILED,
    EXIT_OK,
    add_input_arguments,
    check_jobs,
    read_options,
)
from scorer.config import load_settings
from scorer.corpus.audit import (
    FORMATS,
    Summary,
    collect,
    format_summary_line,
    open_output,
    scored_stream,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
)
from scorer.corpus.provenance import provenance_pass

AUDIT_EPILOG = (
    """output:
  Documents are ranked worst first (lowest score first; ties in input order). --format json prints
  one object {"summary": {...}, "results": [...], "errors": [{"source": ..., "error": ...}]};
  jsonl prints one result per line; html writes a self-contained report (chart, ranked table, the
  text of each article with its evidence highlighted). Unreadable files and malformed records are
  listed as errors with their location (file, line, row or byte offset); the rest is still scored.

exit codes:
  0  every input was scored
  1  some inputs could not be read or scored (they are listed as errors)
  2  usage error, bad settings or model file
"""
    + EXIT_COMMON
)


def cmd_audit(args: argparse.Namespace) -> int:
    """Score every input and write the ranked report."""
    check_jobs(args.jobs)
    settings = load_settings()
    want_html = args.format == "html"
    with tempfile.TemporaryDirectory(prefix="scorer-audit-") as folder:
        prov = provenance_pass(folder, keep_text=want_html, enabled=not args.no_clusters)
        c = collect(
            scored_stream(
                args.paths,
                read_options(args),
                args.jobs,
                settings,
                want_text=want_html,
                prov=prov,
                engine=args.engine,
                ray_address=args.ray_address,
            ),
            folder,
            Summary(),
            args.max_articles if want_html else 0,
        )
        summary = c.summary.to_dict()
        if prov is not None:
            summary["provenance"] = prov.stats()
        for e in c.errors:
            if args.format != "table" or args.output:
                sys.stderr.write(f"Error: {e['source']}: {e['error']}\n")
        with open_output(args.output, newline="" if args.format == "csv" else None) as out:
            if args.format == "table":
                write_table(c.ranked, c.errors, summary, out)
            elif args.format == "json":
                write_json(c.ranked, c.errors, summary, out)
            elif args.format == "jsonl":
                write_jsonl(c.ranked, out)
            elif args.format == "csv":
                write_csv(c.ranked, out)
            else:
                from scorer.corpus.report import write_html

                write_html(
                    out,
                    summary=summary,
                    rows=c.ranked,
                    articles=c.articles(),
                    errors=c.errors,
                    title="Article audit",
                    clusters=prov.report if prov is not None else (),
                )
        if args.output:
            sys.stderr.write(f"{format_summary_line(summary)}; report written to {args.output}\n")
    return EXIT_FAILED if summary["errors"] else EXIT_OK


def add_parser(sub: Any) -> None:
    """Register `scorer audit`."""
    p = sub.add_parser(
        "audit",
        help="score folders or corpora and report the documents ranked worst first",
        description="Score every article under PATH (folders recursively; .txt .md .html .htm .json, "
        ".jsonl[.gz|.zst], .parquet, .warc[.gz]) and report them ranked worst first.",
        epilog=AUDIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders; '-' reads one document from stdin"
    )
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument(
        "--max-articles", type=int, default=500, metavar="N",
        help="html: show the text and evidence of the N worst articles (default: 500); the table lists all",
    )  # fmt: skip
    add_input_arguments(p)
    p.set_defaults(func=cmd_audit)

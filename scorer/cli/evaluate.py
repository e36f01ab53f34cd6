"""`scorer evaluate DATA... [--model MODEL]`: score held-out labelled documents and print the
model's figures beside the heuristic filter chain's."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from scorer.learn.evaluate import evaluate, report, report_slices, transfer
from scorer.learn.training import SignalCache, load_labelled
from scorer.model import LinearModel


def cmd_evaluate(args: argparse.Namespace) -> int:
    """`scorer evaluate DATA... [--model MODEL]`."""
    model = LinearModel.load(args.model)
    items = load_labelled(args.data)
    jobs = args.jobs or (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    cache = SignalCache(args.cache) if args.cache else SignalCache()
    rows = evaluate(items, model, cache=cache, jobs=jobs, peers=not args.no_peers)
    figures = report(rows, model, sys.stdout)
    figures["slices"] = report_slices(rows, sys.stdout)
    if args.transfer:
        train_items = load_labelled(args.transfer)
        C = float(model.info.get("C", 0.3))
        figures["transfer"] = transfer(train_items, items, cache, C=C, jobs=jobs, out=sys.stdout)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(
                {"metrics": figures, "documents": [r.__dict__ for r in rows]}, f, ensure_ascii=False, indent=1
            )
    return 0


def add_parser(sub: Any) -> None:
    """Register `scorer evaluate`."""
    p = sub.add_parser(
        "evaluate",
        help="evaluate a model on labelled documents, beside the datatrove heuristic filters",
        description="Score labelled documents (same DATA formats as `scorer train`) and print ROC AUC, PR AUC, "
        "Brier score, the confusion at score 50, a per-source breakdown and the peer filter chain's flag rate.",
    )
    p.add_argument(
        "data", nargs="+", metavar="DATA", help="labelled JSONL files or folders (held out from training)"
    )
    p.add_argument("--model", metavar="MODEL", help="model JSON (default: the bundled model)")
    p.add_argument("--cache", metavar="DIR", help="signal-value cache folder (e.g. build/signal-cache)")
    p.add_argument(
        "--jobs", type=int, default=0, help="processes for signal extraction (default: every core)"
    )
    p.add_argument("--no-peers", action="store_true", help="skip the datatrove filter chain")
    p.add_argument("--json", metavar="FILE", help="also write the figures and per-document rows as JSON")
    p.add_argument(
        "--transfer",
        nargs="+",
        metavar="TRAIN_DATA",
        help="also retrain on this training data without each WMT system in turn, and across genres (Docs pairs)",
    )
    p.set_defaults(func=cmd_evaluate)

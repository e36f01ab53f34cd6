"""`scorer train DATA... --out MODEL`: train the calibrated classifier and write its JSON model."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from scorer.learn.training import N_SPLITS, train


def cmd_train(args: argparse.Namespace) -> int:
    """`scorer train DATA... --out MODEL`."""
    out = sys.stdout
    jobs = args.jobs or max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    model, figures = train(
        args.data,
        args.out,
        version=args.version,
        C=args.C,
        cache_dir=args.cache,
        jobs=jobs,
        cv=not args.no_cv,
        keep_good=args.keep_good,
        keep_good_sources=[x for x in (args.keep_good_sources or "").split(",") if x],
    )
    cv = figures.get("cross_validation")
    if cv:
        out.write(
            f"grouped {N_SPLITS}-fold cross-validation (C={cv['C']}): ROC AUC {cv['roc_auc']:.4f}  PR AUC (bad) {cv['pr_auc_bad']:.4f}  Brier {cv['brier']:.4f}\n"
        )
        out.write(
            f"  good kept at 50: {cv['good_kept_at_50']:.1%}   bad caught at 50: {cv['bad_caught_at_50']:.1%}\n"
        )
    op = figures.get("operating_point")
    if op:
        out.write(
            f"operating point: keep {op['keep_good']:.1%} of good ({', '.join(op['sources']) or 'all sources'}) at 50 out of fold: "
            f"logit shift {op['logit_shift']:+.3f} (prior odds x{op['prior_odds_factor']:.2f}); "
            f"good kept {op['good_kept_at_50_before']:.1%} -> {op['good_kept_at_50_after']:.1%}, "
            f"bad caught {op['bad_caught_at_50_before']:.1%} -> {op['bad_caught_at_50_after']:.1%}\n"
        )
    top = sorted(model.coef.items(), key=lambda kv: abs(kv[1]), reverse=True)[:12]
    out.write(
        f"model {model.version}: {len(model.coef)} signal codes, training set sha256 {model.info['training_set_sha256'][:16]}…\n"
    )
    for code, w in top:
        out.write(f"  {w:+.3f}  {code}\n")
    zero = model.info.get("zero_weight", {})
    if zero:
        out.write(f"weight 0 ({len(zero)} codes): {', '.join(sorted(zero))}\n")
    out.write(f"wrote {args.out}\n")
    return 0


def add_parser(sub: Any) -> None:
    """Register `scorer train`."""
    p = sub.add_parser(
        "train",
        help="train the classifier on labelled documents and write a JSON model",
        description="Train the calibrated classifier. DATA: JSONL files of records with text/html and label "
        "(good/bad), optional group/source/weight; or folders of such files, or with good/ and bad/ sub-folders.",
    )
    p.add_argument("data", nargs="+", metavar="DATA", help="labelled JSONL files or folders")
    p.add_argument("--out", required=True, metavar="MODEL", help="where to write the model JSON")
    p.add_argument(
        "--version",
        help="model version string (default: trained-<date>-<hash of the training set and its signal values>)",
    )
    p.add_argument("--C", type=float, help="inverse regularisation strength (default: chosen by grouped CV)")
    p.add_argument(
        "--cache",
        metavar="DIR",
        default=os.path.join("build", "signal-cache"),
        help="signal-value cache folder (default: build/signal-cache)",
    )
    p.add_argument(
        "--jobs", type=int, default=0, help="processes for signal extraction (default: every core)"
    )
    p.add_argument("--no-cv", action="store_true", help="skip cross-validation (fit once)")
    p.add_argument(
        "--keep-good",
        type=float,
        metavar="SHARE",
        help="operating point: shift the calibration so that this share of good documents scores >= 50 out of fold",
    )
    p.add_argument(
        "--keep-good-sources", metavar="SRC,...", help="sources the --keep-good share is measured on"
    )
    p.set_defaults(func=cmd_train)

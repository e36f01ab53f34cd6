"""`scorer signals`: every signal code the scorer can emit, with its family, its declared direction
(which way it may move the score), how the model in use weighs it, and what it means."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from features import catalogue
from scorer.cli.common import EXIT_OK
from scorer.config import load_settings
from scorer.model import FIXED_COEF, LinearModel


def effect(code: str, model: LinearModel) -> str:
    """How the model weighs `code`: `lowers` or `raises` the score (its coefficient's sign), `none`
    (reported as evidence only: the model gives it no weight), or `kind default` when the model weighs
    codes it does not list by their kind (a provisional model)."""
    w = model.coef.get(code)
    if (w is None or w == 0.0) and code in FIXED_COEF:
        return "lowers (fixed)"
    if w is None:
        return "kind default" if any(model.default_coef.values()) else "none"
    return "lowers" if w < 0 else "raises" if w > 0 else "none"


def cmd_signals(args: argparse.Namespace) -> int:
    """Print the catalogue of signal codes."""
    model = LinearModel.load(load_settings().model_path)
    rows = [
        {
            "code": code,
            "family": info["family"],
            "direction": info["direction_text"],
            "effect": effect(code, model),
            "meaning": info["meaning"],
        }
        for code, info in catalogue().items()
        if not args.family or info["family"] == args.family
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    width = max((len(r["code"]) for r in rows), default=4)
    sys.stdout.write(f"{'code':<{width}}  {'family':<11}  {'direction':<24}  {'effect':<14}  meaning\n")
    for r in rows:
        sys.stdout.write(
            f"{r['code']:<{width}}  {r['family']:<11}  {r['direction']:<24}  {r['effect']:<14}  {r['meaning']}\n"
        )
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Register `scorer signals`."""
    p = sub.add_parser(
        "signals",
        help="list the signal codes with their family, effect on the score and meaning",
        description="List every signal code. 'direction' is the way the code may move the score (lowers, "
        "raises, either; 'needs F' when it counts only where the input had a place for field F). 'effect' is "
        "how the model in use weighs the code: "
        "lowers or raises the score, none (evidence only, no weight in the model), or 'kind default' when "
        "the model weighs unlisted codes by their kind.",
    )
    p.add_argument(
        "--family", choices=sorted({i["family"] for i in catalogue().values()}), help="only this family"
    )
    p.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format (default: table)"
    )
    p.set_defaults(func=cmd_signals)

"""False flags of the weak single-token signals on human French news, before and after a change, in one
run; and what they must still catch.

For each tree (this checkout, and with `--before PATH` another checkout, e.g. one made with
`git worktree add /tmp/before <commit>`), in a subprocess that imports that tree's code:

1. the fraction of the 2,500 human French articles of `../shared/data/fr_news/` (title + blank line +
   text) on which each of `CODES` fires;
2. the evidence each code cites on the real seeds of `../shared/seeds/`;
3. the corruption generator's leaked words (`Corruptor.op_foreign_words`, seed = article index, on the
   first `--corrupt N` articles): share of copies flagged and of inserted words found.

Reads `../shared` relative to the repository root; says so and exits 0 when it is absent.

    python scripts/eval_false_positives.py [--before /tmp/fp_before] [--limit N] [--corrupt 400]
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FR_NEWS = SHARED / "data" / "fr_news" / "orangesum_sample.jsonl"
SEEDS = SHARED / "seeds"
CODES = (
    "translation.leaked_foreign_word",
    "translation.broken_elision",
    "translation.gender_disagreement",
    "translation.orphan_reporting_verb",
    "translation.capitalised_verb",
    "boilerplate.repeated_headline",
)


def measure(limit: int | None, corrupt: int) -> dict[str, Any]:
    """The three measures for the code on `sys.path`."""
    from features.boilerplate.repetition import Repetition
    from features.translation import GrammarArtefacts, LeakedForeignWords
    from scorer.ingest.documents import from_text
    from scorer.learn.corrupt import Article, Corruptor

    feats = [LeakedForeignWords(), GrammarArtefacts(), Repetition()]
    with FR_NEWS.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][:limit]
    fired = dict.fromkeys(CODES, 0)
    for r in rows:
        doc = from_text(r["title"] + "\n\n" + r["text"], language="fr", id=r["id"])
        for code in {s.code for feat in feats for s in feat.run(doc)} & set(CODES):
            fired[code] += 1
    seeds: dict[str, dict[str, list[str]]] = {}
    for p in sorted(SEEDS.glob("*.txt")):
        doc = from_text(p.read_text(encoding="utf-8"), language="fr", id=p.name)
        seeds[p.name] = {
            s.code: [e.text[:40] for e in s.evidence]
            for feat in feats
            for s in feat.run(doc)
            if s.code in CODES
        }
    leak, corruptor = feats[0], Corruptor()
    assert isinstance(leak, LeakedForeignWords)
    copies = flagged = inserted = found = 0
    for k, r in enumerate(rows[:corrupt]):
        a = Article(title=r["title"], body=tuple(p for p in r["text"].split("\n\n") if p.strip()))
        b = corruptor.op_foreign_words(a, random.Random(k), None)
        if b is None:
            continue
        doc = from_text("\n\n".join((b.title, *b.body)), language="fr")
        hits = leak.find(doc)
        old, new = " ".join(a.body).split(), " ".join(b.body).split()
        ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
        words = {
            w.strip(",.").lower()
            for tag, _, _, j1, j2 in ops
            if tag in ("replace", "insert")
            for w in new[j1:j2]
        }
        copies += 1
        flagged += bool(hits)
        inserted += len(words)
        found += len(words & {doc.text[x:y].lower() for (x, y), _ in hits})
    return {
        "n": len(rows),
        "fired": fired,
        "seeds": seeds,
        "corrupt": {"copies": copies, "flagged": flagged, "inserted": inserted, "found": found},
    }


def run_tree(tree: Path, limit: int | None, corrupt: int) -> dict[str, Any]:
    """`measure` in a subprocess that imports the code of `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", "--corrupt", str(corrupt)]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, help="another checkout to compare with")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--corrupt", type=int, default=400)
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not FR_NEWS.exists():
        print(f"{FR_NEWS} not found: nothing to evaluate")
        return 0
    if args.measure:
        print(json.dumps(measure(args.limit, args.corrupt)))
        return 0
    trees = ([("before", args.before.resolve())] if args.before else []) + [("after", ROOT)]
    res = {name: run_tree(tree, args.limit, args.corrupt) for name, tree in trees}
    n = res["after"]["n"]
    print(f"== False flags on {n} human French news articles (title + text), fraction of documents")
    print(f"  {'code':40s}" + "".join(f"{name:>16s}" for name, _ in trees))
    for code in CODES:
        cells = "".join(f"{r['fired'][code]:6d} {r['fired'][code] / n:8.2%} " for r in res.values())
        print(f"  {code:40s}{cells}")
    print("\n== Evidence on the seeds")
    for name, r in res.items():
        for seed, ev in r["seeds"].items():
            print(f"  {name:6s} {seed}: {ev}")
    print(f"\n== Corruption generator's leaked words (first {args.corrupt} articles, seed = index)")
    for name, r in res.items():
        c = r["corrupt"]
        print(
            f"  {name:6s} copies {c['copies']}, flagged {c['flagged']} ({c['flagged'] / max(c['copies'], 1):.1%}),"
            f" inserted words found {c['found']}/{c['inserted']} ({c['found'] / max(c['inserted'], 1):.1%})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

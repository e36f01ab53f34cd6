"""Do two engines give the same per-document scores? Build a corpus of real articles, then compare
the JSON reports `scorer check --report` wrote for it.

    python scripts/compare_engines.py corpus -n 500 -o corpus.jsonl   # the first 500 OrangeSum articles
    scorer check corpus.jsonl --report pool.json;                echo "exit $?"
    scorer check corpus.jsonl --engine ray --report ray.json;    echo "exit $?"
    python scripts/compare_engines.py compare pool.json ray.json

`corpus` writes JSONL records (id, url, title, author, published, text) from
../shared/data/fr_news/orangesum_sample.jsonl, in file order. `compare` matches documents by location
and prints how many have the same score, label, reasons and family scores, the input errors of each,
and whether the gate verdicts agree; it exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FR_NEWS = ROOT.parent / "shared" / "data" / "fr_news" / "orangesum_sample.jsonl"
FIELDS = ("id", "url", "title", "author", "published", "text")


def build(n: int, out: Path, source: Path) -> int:
    """Write the first `n` articles of `source` as scorer records; the number written."""
    written = 0
    with source.open(encoding="utf-8") as f, out.open("w", encoding="utf-8") as w:
        for line in f:
            if written >= n:
                break
            rec = json.loads(line)
            w.write(json.dumps({k: rec.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
            written += 1
    return written


def by_location(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["location"]: r for r in report["results"]}


def compare(a_path: Path, b_path: Path) -> int:
    """Print the comparison; 0 when every document and the verdict agree, else 1."""
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (a_path, b_path))
    ra, rb = by_location(a), by_location(b)
    common = sorted(set(ra) & set(rb))
    keys = ("score", "label", "reasons", "families", "signals", "probability")
    same = [loc for loc in common if all(ra[loc][k] == rb[loc][k] for k in keys)]
    differ = [loc for loc in common if loc not in same]
    only = sorted(set(ra) ^ set(rb))
    print(
        f"{a_path.name}: {len(ra)} documents, {len(a['errors'])} errors; {b_path.name}: {len(rb)} documents, {len(b['errors'])} errors"
    )
    print(
        f"identical score, label, reasons, families, signals: {len(same)} of {len(common)} documents in both"
    )
    for loc in differ[:10]:
        print(f"  differs: {loc}: {ra[loc]['score']} vs {rb[loc]['score']}")
    for loc in only[:10]:
        print(f"  in one report only: {loc}")
    same_order = [r["location"] for r in a["results"]] == [r["location"] for r in b["results"]]
    print(f"same ranking: {same_order}; same summary: {a['summary'] == b['summary']}")
    gate_a, gate_b = a.get("gate", {}), b.get("gate", {})
    print(
        f"gate passed: {gate_a.get('passed')} vs {gate_b.get('passed')}; same gate block: {gate_a == gate_b}"
    )
    ok = not differ and not only and same_order and a["summary"] == b["summary"] and gate_a == gate_b
    print("SAME" if ok else "DIFFERENT")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus", help="write a JSONL corpus of real articles")
    c.add_argument("-n", type=int, default=500)
    c.add_argument("-o", "--output", type=Path, default=Path("corpus.jsonl"))
    c.add_argument("--source", type=Path, default=FR_NEWS)
    m = sub.add_parser("compare", help="compare two `scorer check --report` files")
    m.add_argument("a", type=Path)
    m.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "corpus":
        if not args.source.is_file():
            print(f"{args.source} is absent: the comparison needs ../shared", file=sys.stderr)
            return 2
        print(f"wrote {build(args.n, args.output, args.source)} articles to {args.output}")
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())

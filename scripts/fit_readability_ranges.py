"""Fit the range of readability measures typical of edited news, per language, and store it in
`features/data/readability/ranges.json` (read by `features.readability.ReadabilityIndex`).

French: the human-written news of `../shared/data/fr_news/`. English: the manually annotated English
article bodies of `../shared/data/extraction/` (scrapinghub-aeb full texts, mostly news).

    /work/venv/bin/python scripts/fit_readability_ranges.py [--dry-run]

Prints the quantiles; exits 0 with a message when `../shared` is absent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "features" / "data" / "readability" / "ranges.json"
sys.path.insert(0, str(ROOT))

from features.readability import LexicalVariety, ReadabilityIndex, SentenceShape  # noqa: E402
from scorer.ingest.documents import from_text  # noqa: E402

QUANTILES = (1, 5, 25, 50, 75, 95, 99)


def _texts(lang: str) -> tuple[str, list[str]]:
    if lang == "fr":
        path = SHARED / "data" / "fr_news" / "orangesum_sample.jsonl"
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        return "fr_news/orangesum_sample.jsonl (all records)", [r["text"] for r in rows]
    path = SHARED / "data" / "extraction" / "gold.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    texts = [
        r["gold_article_body"]
        for r in rows
        if r.get("lang") == "en" and r.get("gold_type") == "full_text" and r.get("gold_article_body")
    ]
    return "extraction/gold.jsonl (lang en, gold_type full_text: scrapinghub-aeb article bodies)", texts


def _quantiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {f"p{q}": round(cuts[q - 1], 2) for q in QUANTILES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dry-run", action="store_true", help="print the ranges without writing the data file"
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"../shared is absent ({SHARED}): nothing to fit.")
        return 0
    features = [ReadabilityIndex(), SentenceShape(), LexicalVariety()]
    ranges: dict[str, object] = {}
    for lang in ("fr", "en"):
        source, texts = _texts(lang)
        values: dict[str, list[float]] = {}
        for text in texts:
            doc = from_text(text, language=lang)
            for f in features:
                for s in f.extract(doc):
                    if s.kind.value == "measure":
                        values.setdefault(s.code.split(".", 1)[1], []).append(s.value)
        entry: dict[str, object] = {"source": source, "documents": len(texts)}
        for name, vals in sorted(values.items()):
            entry[name] = {"n": len(vals), **_quantiles(vals)}
        ranges[lang] = entry
        print(f"{lang}: {source}, {len(texts)} documents")
        for name, vals in sorted(values.items()):
            q = entry[name]
            print(
                f"  {name:22s} n={len(vals):5d} " + " ".join(f"{k}={v:.2f}" for k, v in q.items() if k != "n")
            )  # type: ignore[union-attr]
    if not args.dry_run:
        OUT.write_text(json.dumps(ranges, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

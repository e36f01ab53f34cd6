"""Score-integrity figures of a model on real text it never saw, as a new user would meet them.

    python scripts/eval_integrity.py [--model MODEL] [--data ../shared/data] [--seeds ../shared/seeds] [--jobs 2]

Prints, for the scorer importable from PYTHONPATH (so an older checkout can be measured the same way):

- held-out OrangeSum articles (the build_corpus.py split, seed 13) as bare `{"id", "text"}` records
  (title, blank line, body): share scoring >= 50;
- the same articles as records with their metadata (title, author, published, url): share >= 50;
- each real seed (`../shared/seeds/*.txt`): score, label and reasons (all should score < 50);
- human translations of the held-out WMT groups (`text_norm` as a bare record): share >= 50.

Only the public library (`from_record`, `Scorer.score`) is used; no training code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = 13
HELDOUT_SHARE = 0.2

_SCORER: Any = None


def split_of(group: str, seed: int = SEED) -> str:
    """The split of scripts/build_corpus.py (copied, so that an older checkout is split the same way)."""
    h = int(hashlib.sha256(f"{seed}:{group}".encode()).hexdigest()[:8], 16)
    return "heldout" if h / 0xFFFFFFFF < HELDOUT_SHARE else "train"


def _init(model_path: str | None) -> None:
    global _SCORER
    from scorer.engine import Scorer
    from scorer.model import LinearModel

    _SCORER = Scorer(model=LinearModel.load(model_path))


def _score(rec: dict[str, Any]) -> tuple[str, float, str, list[str]]:
    # The older layout first: an editable install of a newer tree would lend its `scorer.ingest`
    # to the older package.
    try:
        from scorer.documents import from_record  # before the ingest room
    except ImportError:
        from scorer.ingest.documents import from_record

    r = _SCORER.score(from_record(rec))
    return rec["id"], r.score, r.label, list(r.reasons)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--model", help="model JSON (default: the bundled model of the imported scorer)")
    ap.add_argument("--data", type=Path, default=SHARED / "data")
    ap.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="score only the first N held-out articles")
    args = ap.parse_args(argv)
    news_path = args.data / "fr_news" / "orangesum_sample.jsonl"
    wmt_path = args.data / "wmt" / "wmt21_fr_dev.jsonl"
    if not news_path.is_file() or not wmt_path.is_file():
        print(f"shared data not found under {args.data}: nothing to measure")
        return 0
    import scorer

    news = [r for r in read_jsonl(news_path) if split_of(f"fr_news:{r['id']}") == "heldout"]
    if args.limit:
        news = news[: args.limit]
    bare = [{"id": f"bare:{r['id']}", "text": f"{r['title']}\n\n{r['text']}"} for r in news]
    full = [
        {
            "id": f"meta:{r['id']}",
            "text": f"{r['title']}\n\n{r['text']}",
            **{k: r[k] for k in ("title", "author", "published", "url") if r.get(k)},
        }
        for r in news
    ]
    wmt = [r for r in read_jsonl(wmt_path) if split_of(r["group"]) == "heldout"]
    ht = [{"id": f"ht:{r['id']}", "text": r["text_norm"]} for r in wmt if r["label"] == "human_translation"]
    seeds = [
        {"id": f"seed:{p.name}", "text": p.read_text(encoding="utf-8")}
        for p in sorted(args.seeds.glob("*.txt"))
    ]
    todo = bare + full + ht + seeds
    ctx = mp.get_context("fork")
    with ctx.Pool(args.jobs, initializer=_init, initargs=(args.model,)) as pool:
        results = {rid: (s, lab, rs) for rid, s, lab, rs in pool.map(_score, todo, chunksize=8)}
    _init(args.model)
    print(f"scorer {Path(scorer.__file__).parent}  model {_SCORER.model.version}")

    def share(recs: list[dict[str, Any]]) -> str:
        ok = sum(results[r["id"]][0] >= 50 for r in recs)
        return f"{ok}/{len(recs)} = {100 * ok / max(1, len(recs)):.1f}%"

    print(f"held-out OrangeSum, bare {{id, text}} records, score >= 50:  {share(bare)}")
    print(f"held-out OrangeSum, records with metadata, score >= 50:    {share(full)}")
    print(f"held-out WMT human translations (bare), score >= 50:      {share(ht)}")
    low = [r for r in bare if results[r["id"]][0] < 50]
    if low:
        from collections import Counter

        top = Counter(results[r["id"]][2][0] for r in low if results[r["id"]][2])
        print(
            "  top reason of bare articles under 50: " + ", ".join(f"{k} {v}" for k, v in top.most_common(6))
        )
    ok_seeds = sum(results[r["id"]][0] < 50 for r in seeds)
    print(f"real seeds under 50: {ok_seeds}/{len(seeds)}")
    for r in seeds:
        s, lab, rs = results[r["id"]]
        print(f"  {r['id'][5:]:<28} {s:5.1f} {lab:<9} {', '.join(rs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

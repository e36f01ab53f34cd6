"""Evaluate the near-copy clusters of `scorer audit` on real articles and seeded content-farm copies.

    python scripts/eval_provenance.py [--fr-news PATH] [--jobs 2] [--keep DIR]

Builds a corpus from 40 held-out human articles of OrangeSum (../shared/data/fr_news; held-out as in
scripts/build_corpus.py: split_of("fr_news:<id>", 13) == "heldout"). 20 of them also appear as
content-farm copies made by the seeded corruption generator (scorer/corrupt.py: furniture, stripped
byline and date, vague attributions, repeated headline and paragraphs, off-topic tails, placeholders);
every fourth of those has two copies. The off-topic tails are taken from held-out articles outside the
corpus. Runs `scorer audit --format json` on it and reports:

- pair precision, recall and F1 over the (document, document) pairs of the near-copy clusters, against
  the pairs of each article with its copies (target F1 >= 0.95);
- the share of copies whose cluster names the right original (target >= 90 %);
- the clusters that hold one of the 20 articles without copies (target: none).

Exits 0 when every target is met, 1 otherwise, 2 when the data is absent (with a message).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scorer.learn.corrupt import Corruptor, render  # noqa: E402

SEED = 13
N_ARTICLES, N_COPIED = 40, 20


def _build_corpus_module() -> Any:
    spec = importlib.util.spec_from_file_location("build_corpus", ROOT / "scripts" / "build_corpus.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build(fr_news: Path, out: Path) -> dict[str, Any]:
    """Write corpus.jsonl under `out`; return the truth: groups (original id -> copy ids) and singles."""
    bc = _build_corpus_module()
    arts = [a for a in bc.fr_news_articles(fr_news) if bc.split_of(f"fr_news:{a[0]}", SEED) == "heldout"]
    arts = [a for a in arts if len(a[1].body) >= 3]
    if len(arts) < N_ARTICLES + 10:
        raise SystemExit(f"only {len(arts)} held-out articles with 3+ paragraphs; need {N_ARTICLES + 10}")
    chosen, donors = arts[:N_ARTICLES], arts[N_ARTICLES:]
    corruptor = Corruptor()
    records: list[dict[str, Any]] = []
    groups: dict[str, list[str]] = {}
    for i, (aid, art, _) in enumerate(chosen):
        rng = random.Random(f"{SEED}:render:{aid}")
        # The original as its outlet published it: title, dateline or metadata (never the bare text).
        records.append({**render(art, rng, bare_share=0.0), "id": aid})
        if i >= N_COPIED:
            continue
        groups[aid] = []
        for k in range(2 if i % 4 == 0 else 1):
            crng = random.Random(f"{SEED}:copy:{aid}:{k}")
            donor = donors[crng.randrange(len(donors))][1]
            copy, ops = corruptor.corrupt(art, crng, donor)
            cid = f"{aid}.copy{k}"
            records.append({**render(copy, crng), "id": cid, "ops": ops})
            groups[aid].append(cid)
    # Copies are spread through the corpus, not next to their originals.
    random.Random(SEED).shuffle(records)
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            r.pop("shape", None)
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    singles = [aid for aid, _, _ in chosen[N_COPIED:]]
    return {"groups": groups, "singles": singles, "documents": len(records)}


def evaluate(results: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """Pair precision/recall/F1, originals named right, clusters on articles without copies."""
    clusters: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    original_of: dict[str, str] = {}
    for r in results:
        c = r.get("cluster")
        if not c:
            continue
        clusters.setdefault(c["id"], set()).add(r["source"])
        kinds[c["id"]] = c["kind"]
        original_of[r["source"]] = c["original"]
    predicted = {
        frozenset(p)
        for cid, members in clusters.items()
        if kinds[cid] == "near_copy"
        for p in itertools.combinations(sorted(members), 2)
    }
    expected = {
        frozenset(p)
        for orig, copies in truth["groups"].items()
        for p in itertools.combinations(sorted([orig, *copies]), 2)
    }
    tp = len(predicted & expected)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    copies = [(orig, c) for orig, cs in truth["groups"].items() for c in cs]
    right = sum(1 for orig, c in copies if original_of.get(c) == orig)
    singles_clustered = sorted(s for s in truth["singles"] if s in original_of)
    return {
        "documents": truth["documents"],
        "expected_pairs": len(expected),
        "predicted_pairs": len(predicted),
        "true_pairs": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "copies": len(copies),
        "original_right": right,
        "original_right_share": round(right / len(copies), 4) if copies else 0.0,
        "template_clusters": sorted(cid for cid, k in kinds.items() if k == "template"),
        "singles_clustered": singles_clustered,
        "missed_pairs": sorted(sorted(p) for p in expected - predicted),
        "wrong_pairs": sorted(sorted(p) for p in predicted - expected),
        "wrong_originals": sorted(
            (c, original_of.get(c)) for orig, c in copies if original_of.get(c) != orig
        ),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fr-news", type=Path, default=ROOT.parent / "shared" / "data" / "fr_news")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="write the corpus and the audit output here")
    args = ap.parse_args(argv)
    if not args.fr_news.exists():
        print(f"skipped: {args.fr_news} is absent (the OrangeSum sample of ../shared/data/fr_news)")
        return 2
    with tempfile.TemporaryDirectory(prefix="eval-provenance-") as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        truth = build(args.fr_news, out)
        cmd = [
            sys.executable,
            "-m",
            "scorer.cli",
            "audit",
            str(out / "corpus.jsonl"),
            "--format",
            "json",
            "-j",
            str(args.jobs),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        if proc.returncode not in (0, 1):
            print(proc.stderr, file=sys.stderr)
            return 1
        (out / "audit.json").write_text(proc.stdout, encoding="utf-8")
        report = evaluate(json.loads(proc.stdout)["results"], truth)
    print(json.dumps(report, indent=1, ensure_ascii=False))
    ok = (
        report["f1"] >= 0.95
        and report["original_right_share"] >= 0.90
        and not report["singles_clustered"]
        and not report["template_clusters"]
    )
    print(
        f"pair F1 {report['f1']:.3f} (P {report['precision']:.3f}, R {report['recall']:.3f}); original named right "
        f"{report['original_right']}/{report['copies']}; articles without copies in a cluster: "
        f"{len(report['singles_clustered'])}; template clusters: {len(report['template_clusters'])} -> "
        + ("PASS" if ok else "FAIL")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

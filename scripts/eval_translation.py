"""Evaluate the translation family and print its figures.

1. False-flag rate of every translation signal on the 2,500 human-written French articles of
   `../shared/data/fr_news/` (fraction of documents each code fires on), and the time per document;
   the same rates on the human English article bodies of `../shared/data/extraction/`.
2. ROC AUC of the document-level machine-translation estimate (`translation.mt_likelihood`'s style
   model) on `../shared/data/wmt/` (`text_norm`), cross-validated by `group` (GroupKFold), next to a
   TF-IDF character n-gram logistic regression trained on the same folds; both on all documents
   (machine vs human original + human translation) and on the topic-matched subset (machine vs
   human translation of the same source documents).
3. The same two models on `../shared/data/mt_labelled_fr/` (Microsoft documentation labelled MT/HT),
   cross-validated by document path, and the shipped model applied to it as is.
4. With `--baseline-grid`: the baseline on WMT at each C of a grid, the same C in every fold (its best
   row is an upper bound for the baseline: C chosen on the test folds).

Reads `../shared` relative to the repository root; says so and exits 0 when it is absent.

    python scripts/eval_translation.py [--limit N] [--folds 5] [--baseline-grid]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
FR_NEWS = SHARED / "data" / "fr_news" / "orangesum_sample.jsonl"
WMT = SHARED / "data" / "wmt" / "wmt21_fr_dev.jsonl"
MT_LABELLED = SHARED / "data" / "mt_labelled_fr" / "pairs.jsonl.gz"
EXTRACTION = SHARED / "data" / "extraction" / "gold.jsonl"


def english_false_flags() -> None:
    """Fraction of human English article bodies (extraction gold set, full-text gold) each code fires on."""
    from features import translation as T
    from features.base import Kind
    from scorer.ingest.documents import from_text

    feats = [cls() for cls in T.FEATURES]
    bodies = []
    with EXTRACTION.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("lang") == "en" and r.get("gold_article_body"):
                bodies.append(r["gold_article_body"])
    fired: Counter[str] = Counter()
    for body in bodies:
        doc = from_text(body, language="en")
        for code in {s.code for feat in feats for s in feat.run(doc) if s.kind is not Kind.MEASURE}:
            fired[code] += 1
    n = len(bodies)
    print(
        f"\n== False flags on {n} human-written English article bodies (extraction gold), fraction of documents"
    )
    for code in sorted(c for cls in T.FEATURES for c in cls.codes if c != "translation.mt_likelihood"):
        print(f"  {code:40s} {fired[code]:5d}  {fired[code] / n:6.2%}")


def false_flags(limit: int | None) -> None:
    """Fraction of human fr_news articles each code fires on, and the family's time per document."""
    from features import translation as T
    from features.base import Kind
    from scorer.ingest.documents import from_text

    feats = [cls() for cls in T.FEATURES]
    codes = sorted(c for cls in T.FEATURES for c in cls.codes)
    with FR_NEWS.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][:limit]
    fired: Counter[str] = Counter()
    per_feature: Counter[str] = Counter()
    total = 0.0
    cpu = 0.0
    chars = 0
    # Warm-up: lexicons, wordfreq tables and the tagger load once per process, not per document.
    from features.nlp import spacy_pipeline

    spacy_pipeline("fr")
    for feat in feats:
        feat.run(from_text(rows[0]["text"], language="fr"))
    for r in rows:
        doc = from_text(r["text"], language="fr")
        chars += len(doc.text)
        t0 = time.perf_counter()
        c0 = time.process_time()
        for feat in feats:
            t1 = time.perf_counter()
            for s in feat.run(doc):
                if s.kind is not Kind.MEASURE:
                    fired[s.code] += 1
            per_feature[feat.name] += time.perf_counter() - t1
        total += time.perf_counter() - t0
        cpu += time.process_time() - c0
    n = len(rows)
    print(f"\n== False flags on {n} human-written French articles (fr_news), fraction of documents")
    for code in codes:
        if code == "translation.mt_likelihood":
            continue
        print(f"  {code:40s} {fired[code]:5d}  {fired[code] / n:6.2%}")
    kb = chars / n / 1000
    ms = 1000 * total / n
    cms = 1000 * cpu / n
    print(
        f"\n== Time, all translation features: wall {ms:.2f} ms, CPU {cms:.2f} ms per document (mean {kb:.1f} KB); per 5 KB: wall {ms / kb * 5:.2f} ms, CPU {cms / kb * 5:.2f} ms"
    )
    for name, t in per_feature.items():
        print(f"  {name:28s} {1000 * t / n:6.2f} ms/doc (wall)")


def _cv_auc(texts: list[str], y: Any, groups: list[str], w: Any, folds: int) -> tuple[float, float]:
    """Out-of-fold ROC AUC of the style model (on `mt_profile`s and `mt_char_counts`) and of the TF-IDF
    char n-gram baseline (on texts). In each fold the style model's vocabularies, idf, C and character
    weight (by an inner GroupKFold over the training groups only) are chosen on the training part, and
    its probabilities calibrated on that inner CV's out-of-fold values (pooled out-of-fold AUC compares
    models of different folds: uncalibrated, a larger C in one fold alone shifts its scores); the
    baseline keeps its fixed settings."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    from scripts.train_translation_mt import char_counts, predict, profiles, train

    profs = profiles(texts)
    chars = char_counts(texts)
    ours = np.zeros(len(y))
    base = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=folds).split(texts, y, groups):
        ours[te] = predict(profs, chars, train(profs, chars, y, w, groups, tr)[0], te)
        vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=200_000
        )
        Xt = vec.fit_transform([texts[i] for i in tr])
        lr = LogisticRegression(C=10.0, max_iter=5000).fit(Xt, y[tr], sample_weight=w[tr])
        base[te] = lr.predict_proba(vec.transform([texts[i] for i in te]))[:, 1]
    return float(roc_auc_score(y, ours, sample_weight=w)), float(roc_auc_score(y, base, sample_weight=w))


# Spaces around straight quotes and apostrophes, and before ; : ! ? (French typography).
_SQUEEZE_RE = re.compile(r" ?([\"'’]) ?| ([;:!?])")


def _squeeze(text: str) -> str:
    """Text with no space around straight quotes and apostrophes nor before ; : ! ? (a typography
    control: in text_norm those spaces are what is left of the human references' « » and French
    spacing, which the WMT originals and the systems lack)."""
    return _SQUEEZE_RE.sub(lambda m: m.group(1) or m.group(2), text)


def wmt_auc(folds: int) -> None:
    """ROC AUC on WMT (text_norm), cross-validated by group, next to the TF-IDF baseline."""
    import numpy as np

    from scripts.train_translation_mt import weights

    with WMT.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    texts = [r["text_norm"] for r in rows]
    y = np.array([r["label"] == "machine_translation" for r in rows])
    w = weights(rows)
    groups = [r["group"] for r in rows]
    print(
        f"\n== WMT21 de->fr / fr (text_norm), {len(rows)} docs, {len(set(groups))} groups, GroupKFold({folds}), class- and group-weighted AUC"
    )
    a, b = _cv_auc(texts, y, groups, w, folds)
    print(
        f"  MT vs all human (original + translation): style model AUC {a:.3f} | TF-IDF char 2-5 LR baseline AUC {b:.3f}"
    )
    squeezed = [_squeeze(t) for t in texts]
    a, b = _cv_auc(squeezed, y, groups, w, folds)
    print(
        f"  same, quote/apostrophe/;:!? spacing squeezed: style model AUC {a:.3f} | TF-IDF baseline AUC {b:.3f}"
    )
    keep = [i for i, r in enumerate(rows) if r["label"] != "human_original"]
    sub = [rows[i] for i in keep]
    for label, tx in (("", texts), (", spacing squeezed", squeezed)):
        a, b = _cv_auc(
            [tx[i] for i in keep],
            y[keep],
            [groups[i] for i in keep],
            weights(sub),
            folds,
        )
        print(
            f"  MT vs human translation (same sources{label}): style model AUC {a:.3f} | TF-IDF baseline AUC {b:.3f}"
        )


def baseline_c_grid(folds: int, grid: tuple[float, ...] = (1, 3, 10, 30, 100, 1000)) -> None:
    """The baseline at each C of a grid, the same C in every fold: its best row is an upper bound (C
    chosen on the test folds) for the fixed C=10 of the main comparison."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    from scripts.train_translation_mt import weights

    with WMT.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    texts = [r["text_norm"] for r in rows]
    squeezed = [_squeeze(t) for t in texts]
    keep = [i for i, r in enumerate(rows) if r["label"] != "human_original"]
    setups = {
        "MT vs all human": (rows, texts),
        "spacing squeezed": (rows, squeezed),
        "same sources": ([rows[i] for i in keep], [texts[i] for i in keep]),
    }

    def auc(sub: list[dict[str, Any]], tx: list[str], c: float) -> float:
        y = np.array([r["label"] == "machine_translation" for r in sub])
        w = weights(sub)
        out = np.zeros(len(y))
        for tr, te in GroupKFold(n_splits=folds).split(tx, y, [r["group"] for r in sub]):
            vec = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=200_000
            )
            lr = LogisticRegression(C=c, max_iter=5000).fit(
                vec.fit_transform([tx[i] for i in tr]), y[tr], sample_weight=w[tr]
            )
            out[te] = lr.predict_proba(vec.transform([tx[i] for i in te]))[:, 1]
        return float(roc_auc_score(y, out, sample_weight=w))

    print(
        "\n== TF-IDF baseline on WMT at each C (same C in every fold; the best row is C chosen on the test folds)"
    )
    print("  " + f"{'C':>6}  " + "  ".join(f"{name:>16}" for name in setups))
    for c in grid:
        print("  " + f"{c:>6g}  " + "  ".join(f"{auc(sub, tx, c):16.3f}" for sub, tx in setups.values()))


def mt_labelled_auc(folds: int) -> None:
    """The same comparison on the Microsoft documentation MT/HT pairs, cross-validated by document path,
    plus the shipped (WMT-trained) model applied as is."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from features.translation import MachineTranslationEstimate
    from scorer.ingest.documents import from_text

    with gzip.open(MT_LABELLED, "rt", encoding="utf-8") as f:
        pairs = [json.loads(line) for line in f]
    rows = []
    for p in pairs:
        for side in ("mt", "ht"):
            rows.append(
                {
                    "text_norm": p[side]["text_fr"],
                    "label": "machine_translation" if side == "mt" else "human_translation",
                    "group": p["doc_path"],
                }
            )
    texts = [r["text_norm"] for r in rows]
    y = np.array([r["label"] == "machine_translation" for r in rows])
    w = np.ones(len(y))
    print(
        f"\n== mt_labelled_fr (Microsoft docs, MT vs HT of the same English source), {len(rows)} docs, GroupKFold({folds}) by path"
    )
    a, b = _cv_auc(texts, y, [r["group"] for r in rows], w, folds)
    print(f"  style model AUC {a:.3f} | TF-IDF char 2-5 LR baseline AUC {b:.3f}")
    est = MachineTranslationEstimate()
    probs = [est.probability(from_text(t, language="fr")) or 0.0 for t in texts]
    print(f"  shipped WMT-trained model applied as is: AUC {roc_auc_score(y, probs):.3f}")


def estimate_time(limit: int | None) -> None:
    """Time of the document-level estimate alone (`probability`) on fr_news, warm caches."""
    from features.translation import MachineTranslationEstimate
    from scorer.ingest.documents import from_text

    with FR_NEWS.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f][:limit]
    est = MachineTranslationEstimate()
    for t in texts:  # first pass: word-frequency and token caches
        est.probability(from_text(t, language="fr"))
    docs = [from_text(t, language="fr") for t in texts]
    for d in docs:
        _ = d.words  # shared by every feature, not the estimate's cost
    c0 = time.process_time()
    for d in docs:
        est.probability(d)
    cpu = time.process_time() - c0
    kb = sum(len(d.text) for d in docs) / len(docs) / 1000
    ms = 1000 * cpu / len(docs)
    print(
        f"\n== Time of the machine-translation estimate alone: CPU {ms:.2f} ms per document (mean {kb:.1f} KB), {ms / kb * 5:.2f} ms per 5 KB"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N fr_news articles")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--baseline-grid",
        action="store_true",
        help="also the baseline at each C of a grid on WMT (an upper bound for it; a few minutes)",
    )
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"../shared is absent ({SHARED}): no evaluation data, nothing to evaluate.")
        return 0
    if FR_NEWS.is_file():
        false_flags(args.limit)
        estimate_time(args.limit)
    if EXTRACTION.is_file():
        english_false_flags()
    if WMT.is_file():
        wmt_auc(args.folds)
        if args.baseline_grid:
            baseline_c_grid(args.folds)
    if MT_LABELLED.is_file():
        mt_labelled_auc(args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

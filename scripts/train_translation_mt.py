"""Train the document-level machine-translation estimate of the translation family and write its
coefficients to `features/data/translation/mt_model.json` (JSON data, no pickle, no text).

The model is a logistic regression over `features.translation.mt_profile` (n-grams of a topic-neutral
token stream: frequent words and punctuation kept, other words as their shape, ending or frequency
band), with the n-grams chosen by document frequency in the training documents and the regularisation
strength chosen by cross-validation grouped by source document.

Only the WMT groups that `scripts/build_corpus.py` puts in the classifier's training split
(`split_of(group, seed) == "train"`) are used, so the classifier's held-out documents stay unseen.

Reads `../shared/data/wmt/` (the `text_norm` field: typography made uniform, so the model cannot learn
the test set's quote style) relative to the repository root; says so and exits 0 when it is absent.

    python scripts/train_translation_mt.py [--seed 13] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
WMT = SHARED / "data" / "wmt" / "wmt21_fr_dev.jsonl"
MODEL_PATH = ROOT / "features" / "data" / "translation" / "mt_model.json"

# N-grams kept per view (the shipped model has at most this many coefficients per view), the fewest
# training documents an n-gram must occur in, and the inverse L2 strengths tried by grouped CV.
TOP_PER_VIEW = 1500
MIN_DF = 3
C_GRID = (1.0, 3.0, 10.0, 30.0)


def load_wmt() -> list[dict[str, Any]]:
    """The WMT French development records."""
    with WMT.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def profiles(texts: list[str]) -> list[dict[str, float]]:
    """`mt_profile` of each French text (the same function the feature scores with)."""
    from features.base import load_lexicon
    from features.translation import MtTokenizer, mt_profile
    from scorer.documents import from_text

    words = load_lexicon("translation/mt_style_words")
    tokenizer = MtTokenizer("fr", words["fr"], words["fr_elisions"])
    return [mt_profile(from_text(t, language="fr"), tokenizer) for t in texts]


def vocabulary(profs: list[dict[str, float]], idx: Any) -> list[str]:
    """Per view, the TOP_PER_VIEW n-grams found in the most documents of `idx` (at least MIN_DF),
    ties by name: deterministic."""
    df: Counter[str] = Counter()
    for i in idx:
        df.update(profs[i].keys())
    by_view: dict[str, list[str]] = {}
    for name in sorted((k for k, v in df.items() if v >= MIN_DF), key=lambda k: (-df[k], k)):
        by_view.setdefault(name.split(":", 1)[0], []).append(name)
    return sorted(n for names in by_view.values() for n in names[:TOP_PER_VIEW])


def matrix(profs: list[dict[str, float]], vocab: list[str]) -> Any:
    """Sparse matrix of `profs` restricted to `vocab` (other n-grams weigh nothing)."""
    from scipy.sparse import csr_matrix

    col = {n: j for j, n in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for i, p in enumerate(profs):
        for name, v in p.items():
            j = col.get(name)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(v)
    return csr_matrix((vals, (rows, cols)), shape=(len(profs), len(vocab)))


def weights(rows: list[dict[str, Any]]) -> Any:
    """Sample weights: each class weighs the same in total, and within machine translation each source
    document weighs the same whatever the number of systems that translated it."""
    import numpy as np

    y = np.array([r["label"] == "machine_translation" for r in rows])
    per_group = Counter(r["group"] for r in rows if r["label"] == "machine_translation")
    w = np.array([1.0 / per_group[r["group"]] if yy else 1.0 for r, yy in zip(rows, y, strict=True)])
    w[y] *= (~y).sum() / w[y].sum()
    return w


def fit(profs: list[dict[str, float]], y: Any, w: Any, idx: Any, C: float) -> tuple[list[str], Any]:
    """The vocabulary of the documents `idx` and an L2 logistic regression trained on them."""
    from sklearn.linear_model import LogisticRegression

    vocab = vocabulary(profs, idx)
    X = matrix([profs[i] for i in idx], vocab)
    return vocab, LogisticRegression(C=C, max_iter=10000).fit(X, y[idx], sample_weight=w[idx])


def predict(profs: list[dict[str, float]], vocab: list[str], model: Any, idx: Any) -> Any:
    return model.predict_proba(matrix([profs[i] for i in idx], vocab))[:, 1]


def choose_C(profs: list[dict[str, float]], y: Any, w: Any, groups: list[str], idx: Any, folds: int = 4) -> tuple[float, dict[float, float]]:
    """The C of C_GRID with the best weighted AUC in a GroupKFold over the documents `idx` only
    (vocabulary refit per fold); ties go to the stronger regularisation."""
    import numpy as np
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    idx = np.asarray(idx)
    g = [groups[i] for i in idx]
    scores: dict[float, float] = {}
    for C in C_GRID:
        p = np.zeros(len(idx))
        for tr, te in GroupKFold(n_splits=folds).split(idx, y[idx], g):
            vocab, model = fit(profs, y, w, idx[tr], C)
            p[te] = predict(profs, vocab, model, idx[te])
        scores[C] = float(roc_auc_score(y[idx], p, sample_weight=w[idx]))
    best = max(C_GRID, key=lambda c: (round(scores[c], 4), -c))
    return best, scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=13, help="split seed of scripts/build_corpus.py")
    ap.add_argument("--dry-run", action="store_true", help="train and print, do not write the model")
    args = ap.parse_args(argv)
    if not WMT.is_file():
        print(f"../shared is absent ({WMT}): nothing to train on; the shipped model is kept.")
        return 0
    import hashlib

    import numpy as np
    import sklearn

    from scripts.build_corpus import split_of

    rows = [r for r in load_wmt() if split_of(r["group"], args.seed) == "train"]
    profs = profiles([r["text_norm"] for r in rows])
    y = np.array([r["label"] == "machine_translation" for r in rows])
    w = weights(rows)
    groups = [r["group"] for r in rows]
    idx = np.arange(len(rows))
    C, scores = choose_C(profs, y, w, groups, idx)
    print("grouped CV AUC per C (training groups only):", ", ".join(f"{c:g}: {a:.3f}" for c, a in scores.items()))
    vocab, model = fit(profs, y, w, idx, C)
    coef = model.coef_[0]
    out = {
        "_about": (
            "Document-level machine-translation estimate: logistic regression over features.translation.mt_profile "
            "(sublinear n-gram frequencies of a topic-neutral token stream, L2-normalised per view; an n-gram absent "
            "from `features` weighs nothing). Trained by scripts/train_translation_mt.py only on the WMT groups that "
            f"scripts/build_corpus.py puts in the classifier's training split (split_of(group, {args.seed}) == 'train'), "
            "so the classifier's held-out documents are unseen. No text, only coefficients."
        ),
        "fr": {
            "features": vocab,
            "coef": [round(float(v), 5) for v in coef],
            "intercept": round(float(model.intercept_[0]), 6),
            "trained_on": "WMT21 newstest2021 de-fr/fr-de development split, text_norm; machine_translation vs human_original + human_translation",
            "split_seed": args.seed,
            "n_docs": len(rows),
            "n_groups": len(set(groups)),
            "C": C,
            "cv_auc_per_C": {f"{c:g}": round(a, 4) for c, a in scores.items()},
            "training_data_sha256": hashlib.sha256(WMT.read_bytes()).hexdigest(),
            "sklearn_version": sklearn.__version__,
        },
    }
    order = np.argsort(coef)
    print("most human-like:", ", ".join(f"{vocab[i]}={coef[i]:+.2f}" for i in order[:10]))
    print("most machine-like:", ", ".join(f"{vocab[i]}={coef[i]:+.2f}" for i in order[::-1][:10]))
    print(f"{len(rows)} documents, {len(set(groups))} groups, {len(vocab)} n-grams, C={C:g}")
    if not args.dry_run:
        MODEL_PATH.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

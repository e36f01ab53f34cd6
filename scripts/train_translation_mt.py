"""Train the document-level machine-translation estimate of the translation family and write its
coefficients to `features/data/translation/mt_model.json` (JSON data, no pickle, no text).

Reads `../shared/data/wmt/` (the `text_norm` field: typography made uniform, so the model cannot learn
the test set's quote style) relative to the repository root; says so and exits 0 when it is absent.

    python scripts/train_translation_mt.py [--C 0.01] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
WMT = SHARED / "data" / "wmt" / "wmt21_fr_dev.jsonl"
MODEL_PATH = ROOT / "features" / "data" / "translation" / "mt_model.json"


def load_wmt() -> list[dict[str, Any]]:
    """The WMT French development records."""
    with WMT.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def profiles(rows: list[dict[str, Any]]) -> tuple[list[str], Any]:
    """Feature names and the matrix of `mt_profile` values for `rows` (French, `text_norm`)."""
    import numpy as np

    from features.base import load_lexicon
    from features.translation import Calque, LeakedForeignWords, NumberPlaceholder, mt_profile
    from scorer.documents import from_text

    fw = load_lexicon("translation/function_words")["fr"]
    leaked, calque, ph = LeakedForeignWords(), Calque(), NumberPlaceholder()
    dicts = []
    for r in rows:
        doc = from_text(r["text_norm"], language="fr")
        n_art = len(leaked.find(doc)) + len(calque.find(doc)) + len(ph.extract(doc))
        dicts.append(mt_profile(doc, fw, n_art))
    names = sorted(dicts[0])
    return names, np.array([[d[k] for k in names] for d in dicts], dtype=float)


def weights(rows: list[dict[str, Any]]) -> Any:
    """Sample weights: each class weighs the same in total, and within machine translation each source
    document weighs the same whatever the number of systems that translated it."""
    from collections import Counter

    import numpy as np

    y = np.array([r["label"] == "machine_translation" for r in rows])
    per_group = Counter(r["group"] for r in rows if r["label"] == "machine_translation")
    w = np.array([1.0 / per_group[r["group"]] if yy else 1.0 for r, yy in zip(rows, y, strict=True)])
    w[y] *= (~y).sum() / w[y].sum()
    return w


def fit(X: Any, y: Any, w: Any, C: float) -> Any:
    """A standardised L2 logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))
    model.fit(X, y, logisticregression__sample_weight=w)
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--C", type=float, default=0.01, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--dry-run", action="store_true", help="train and print, do not write the model")
    args = ap.parse_args(argv)
    if not WMT.is_file():
        print(f"../shared is absent ({WMT}): nothing to train on; the shipped model is kept.")
        return 0
    import hashlib

    import numpy as np
    import sklearn

    rows = load_wmt()
    names, X = profiles(rows)
    y = np.array([r["label"] == "machine_translation" for r in rows])
    model = fit(X, y, weights(rows), args.C)
    scaler, lr = model[0], model[1]
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    out = {
        "_about": "Document-level machine-translation estimate: logistic regression over features.translation.mt_profile, standardised (value - mean) / scale. Written by scripts/train_translation_mt.py; no text, only coefficients.",
        "fr": {
            "features": names,
            "mean": [round(float(v), 6) for v in scaler.mean_],
            "scale": [round(float(v), 6) for v in scale],
            "coef": [round(float(v), 6) for v in lr.coef_[0]],
            "intercept": round(float(lr.intercept_[0]), 6),
            "trained_on": "WMT21 newstest2021 de-fr/fr-de development split, text_norm; machine_translation vs human_original + human_translation",
            "n_docs": len(rows),
            "training_data_sha256": hashlib.sha256(WMT.read_bytes()).hexdigest(),
            "sklearn_version": sklearn.__version__,
            "C": args.C,
        },
    }
    top = sorted(zip(lr.coef_[0], names, strict=True), key=lambda t: -abs(t[0]))[:12]
    print("top coefficients:", ", ".join(f"{n}={c:+.2f}" for c, n in top))
    if not args.dry_run:
        MODEL_PATH.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

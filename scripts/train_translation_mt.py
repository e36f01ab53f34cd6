"""Train the document-level machine-translation estimate of the translation family and write its
coefficients to `features/data/translation/mt_model.json` (JSON data, no pickle, no text).

The shipped model is one L2 logistic regression over the TF-IDF of
`features.translation.mt_char_counts` (hashed character n-grams of a token stream with only rare words,
names and numbers hidden; idf from the training documents).

Training data (`scripts.train_mt_transfer.load_records`, the scorer's training split of every group
only, so the classifier's held-out documents stay unseen): machine translation from every WMT21
de->fr system and the Microsoft Docs MT pages; human text from the WMT21 human translations and
French originals, the Docs HT pages and OrangeSum French news as bare text. Weighted by source
(`SOURCE_SHARE`): no system, genre or the 2,000 news articles dominate, and genre alone does not
predict the label. C is fixed from the transfer figures of `scripts/eval_translation.py`, never from
in-group CV. The decision values are calibrated (Platt) on grouped out-of-fold values, then shifted
so that at most FP_TARGET of the OrangeSum training articles are above 0.5 out of fold.

The functions for the word view (`mt_profile` n-grams) and the in-group CV of `choose`/`train` serve
the former in-group figures of `scripts/eval_translation.py --style-model`.

Reads `../shared/data/` relative to the repository root; says so and exits 0 when it is absent.

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
MT_LABELLED = SHARED / "data" / "mt_labelled_fr" / "pairs.jsonl.gz"
FR_NEWS = SHARED / "data" / "fr_news" / "orangesum_sample.jsonl"
MODEL_PATH = ROOT / "features" / "data" / "translation" / "mt_model.json"
# Inverse L2 strength of the shipped model, chosen on the transfer figures of
# scripts/eval_translation.py (leave one WMT system out, across genres), not on in-group CV; and the
# share of OrangeSum training articles allowed above 0.5 out of fold (half the 2% allowed on unseen news).
C_ALL = 10.0
FP_TARGET = 0.01

# N-grams kept per view (the shipped model has at most this many coefficients per view), the fewest
# training documents an n-gram must occur in, and the inverse L2 strengths tried by grouped CV.
TOP_PER_VIEW = 1500
MIN_DF = 3
C_GRID = (30.0, 100.0, 300.0, 1000.0)
# Weights of the character view against the word view tried by grouped CV (0: no character view).
ALPHA_GRID = (1.0,)
# Whether the model has the word view at all. Off: on WMT (nested grouped CV, 5 outer folds) the
# character view alone reached AUC 0.910 and both views 0.907, and the word view costs about 1.3 ms per
# 5 KB article to score.
WORD_VIEW = False


def load_wmt() -> list[dict[str, Any]]:
    """The WMT French development records."""
    with WMT.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _tokenizer() -> Any:
    from features.base import load_lexicon
    from features.translation import MtTokenizer

    words = load_lexicon("translation/mt_style_words")
    return MtTokenizer("fr", words["fr"], words["fr_elisions"])


def profiles(texts: list[str]) -> list[dict[str, float]]:
    """`mt_profile` of each French text (the same function the feature scores with)."""
    from features.translation import mt_profile
    from scorer.ingest.documents import from_text

    tokenizer = _tokenizer()
    return [mt_profile(from_text(t, language="fr"), tokenizer) for t in texts]


def char_counts(texts: list[str]) -> list[tuple[Any, Any]]:
    """`mt_char_counts` of each French text's character view (the same functions the feature uses)."""
    from features.translation import mt_char_counts, mt_tokens
    from scorer.ingest.documents import from_text

    tokenizer = _tokenizer()
    return [mt_char_counts(mt_tokens(from_text(t, language="fr"), tokenizer)["c"]) for t in texts]


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


def char_df(chars: list[tuple[Any, Any]], idx: Any) -> Any:
    """Document frequency of every character bucket in the documents `idx`."""
    import numpy as np

    from features.translation import MT_CHAR_BITS

    df = np.zeros(1 << MT_CHAR_BITS, dtype=np.int64)
    for i in idx:
        df[chars[i][0]] += 1
    return df


def char_matrix(chars: list[tuple[Any, Any]], idx: Any, df: Any, n_docs: int) -> Any:
    """TF-IDF rows (`mt_char_values`, normalised over all of a document's buckets as the feature does)
    of the documents `idx`, restricted to the buckets seen in training (df > 0): the others have no
    coefficient."""
    import numpy as np
    from scipy.sparse import csr_matrix

    from features.translation import mt_char_idf, mt_char_values

    idf = mt_char_idf(df, n_docs)
    seen = np.flatnonzero(df > 0)
    col = np.full(len(df), -1, dtype=np.int64)
    col[seen] = np.arange(len(seen))
    rows, cols, vals = [], [], []
    for r, i in enumerate(idx):
        keys, counts = chars[i]
        v = mt_char_values(keys, counts, idf)
        c = col[keys]
        rows.append(np.full(int((c >= 0).sum()), r))
        cols.append(c[c >= 0])
        vals.append(v[c >= 0])
    return csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(idx), len(seen))
    ), seen


class Fitted:
    """A trained model: word-view vocabulary, character-view document frequencies, the weight of the
    character view and the logistic regression over both."""

    def __init__(self, vocab: list[str], df: Any, n_docs: int, alpha: float, model: Any) -> None:
        self.vocab, self.df, self.n_docs, self.alpha, self.model = vocab, df, n_docs, alpha, model
        # Calibration of the decision value (probability = sigmoid(scale * z + shift)), see `train`.
        self.C, self.scale, self.shift = 0.0, 1.0, 0.0

    def design(self, profs: list[dict[str, float]], chars: list[tuple[Any, Any]], idx: Any) -> Any:
        from scipy.sparse import hstack

        X = matrix([profs[i] for i in idx], self.vocab)
        if not self.alpha:
            return X.tocsr()
        Xc, _ = char_matrix(chars, idx, self.df, self.n_docs)
        return hstack([X, Xc * self.alpha]).tocsr()


def fit(
    profs: list[dict[str, float]],
    chars: list[tuple[Any, Any]],
    y: Any,
    w: Any,
    idx: Any,
    C: float,
    alpha: float,
) -> Fitted:
    """Both views' vocabularies from the documents `idx` and an L2 logistic regression trained on them."""
    from sklearn.linear_model import LogisticRegression

    f = Fitted(vocabulary(profs, idx) if WORD_VIEW else [], char_df(chars, idx), len(idx), alpha, None)
    f.model = LogisticRegression(C=C, max_iter=10000).fit(
        f.design(profs, chars, idx), y[idx], sample_weight=w[idx]
    )
    return f


def decision(profs: list[dict[str, float]], chars: list[tuple[Any, Any]], fitted: Fitted, idx: Any) -> Any:
    return fitted.model.decision_function(fitted.design(profs, chars, idx))


def predict(profs: list[dict[str, float]], chars: list[tuple[Any, Any]], fitted: Fitted, idx: Any) -> Any:
    import numpy as np

    z = fitted.scale * decision(profs, chars, fitted, idx) + fitted.shift
    return 1.0 / (1.0 + np.exp(-z))


def choose(
    profs: list[dict[str, float]],
    chars: list[tuple[Any, Any]],
    y: Any,
    w: Any,
    groups: list[str],
    idx: Any,
    folds: int = 4,
) -> tuple[tuple[float, float], dict[tuple[float, float], float], tuple[float, float]]:
    """The (C, alpha) of C_GRID x ALPHA_GRID with the best weighted AUC in a GroupKFold over the
    documents `idx` only (vocabularies refit per fold), ties to the stronger regularisation, then to the
    lighter character view; the AUC per setting; and the (scale, shift) that calibrates the chosen
    setting's decision values, fitted on its out-of-fold decision values."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    idx = np.asarray(idx)
    g = [groups[i] for i in idx]
    scores: dict[tuple[float, float], float] = {}
    oof: dict[tuple[float, float], Any] = {}
    for C in C_GRID:
        for alpha in ALPHA_GRID:
            z = oof[(C, alpha)] = np.zeros(len(idx))
            for tr, te in GroupKFold(n_splits=folds).split(idx, y[idx], g):
                z[te] = decision(profs, chars, fit(profs, chars, y, w, idx[tr], C, alpha), idx[te])
            scores[(C, alpha)] = float(roc_auc_score(y[idx], z, sample_weight=w[idx]))
    best = max(scores, key=lambda k: (round(scores[k], 4), -k[0], -k[1]))
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(oof[best][:, None], y[idx], sample_weight=w[idx])
    return best, scores, (float(platt.coef_[0][0]), float(platt.intercept_[0]))


def train(
    profs: list[dict[str, float]], chars: list[tuple[Any, Any]], y: Any, w: Any, groups: list[str], idx: Any
) -> tuple[Fitted, dict[tuple[float, float], float]]:
    """The model trained on the documents `idx` only: (C, alpha) by grouped CV over them, fit on all of
    them, then its decision values calibrated (Platt) on the out-of-fold ones of that CV, so that models
    trained on different documents give comparable probabilities. Returns the model and the CV AUCs."""
    (C, alpha), scores, (scale, shift) = choose(profs, chars, y, w, groups, idx)
    fitted = fit(profs, chars, y, w, idx, C, alpha)
    fitted.C, fitted.scale, fitted.shift = C, scale, shift
    return fitted, scores


def weights(rows: list[dict[str, Any]]) -> Any:
    """Sample weights: each class weighs the same in total, and within machine translation each source
    document weighs the same whatever the number of systems that translated it."""
    import numpy as np

    y = np.array([r["label"] == "machine_translation" for r in rows])
    per_group = Counter(r["group"] for r in rows if r["label"] == "machine_translation")
    w = np.array([1.0 / per_group[r["group"]] if yy else 1.0 for r, yy in zip(rows, y, strict=True)])
    w[y] *= (~y).sum() / w[y].sum()
    return w


def fp_calibration(z: Any, y: Any, w: Any, news: Any, fp_target: float) -> tuple[float, float, float]:
    """Platt (scale, shift) fitted on out-of-fold decision values `z`, and the further shift (<= 0)
    that keeps at most `fp_target` of the human news rows (`news` mask) above 0.5."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e6, max_iter=1000).fit(z[:, None], y, sample_weight=w)
    scale, shift = float(platt.coef_[0][0]), float(platt.intercept_[0])
    top = float(np.quantile(scale * z[news] + shift, 1.0 - fp_target)) if news.any() else 0.0
    return scale, shift, min(0.0, -top)


def fit_char(chars: list[tuple[Any, Any]], y: Any, w: Any, tr: Any, C: float = C_ALL) -> Fitted:
    """The shipped model's form trained on the documents `tr`: character-view TF-IDF (document
    frequencies from `tr`) and an L2 logistic regression."""
    from sklearn.linear_model import LogisticRegression

    f = Fitted([], char_df(chars, tr), len(tr), 1.0, None)
    X, _ = char_matrix(chars, tr, f.df, f.n_docs)
    f.model = LogisticRegression(C=C, max_iter=10000).fit(X, y[tr], sample_weight=w[tr])
    return f


def char_decision(chars: list[tuple[Any, Any]], fitted: Fitted, te: Any) -> Any:
    """`fit_char` model's raw decision values on the documents `te`."""
    return fitted.model.decision_function(char_matrix(chars, te, fitted.df, fitted.n_docs)[0])


def train_shipped(
    chars: list[tuple[Any, Any]], y: Any, w: Any, groups: list[str], news: Any, folds: int = 5
) -> tuple[Fitted, tuple[float, float, float], Any]:
    """The shipped model trained on all the documents given: `fit_char` on all of them, calibrated by
    `fp_calibration` on the out-of-fold decision values of a GroupKFold by source document. Returns
    the model, (Platt scale, Platt shift, news shift) and the out-of-fold decision values."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    idx = np.arange(len(y))
    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=folds).split(idx, y, groups):
        oof[te] = char_decision(chars, fit_char(chars, y, w, tr), te)
    return fit_char(chars, y, w, idx), fp_calibration(oof, y, w, news, FP_TARGET), oof


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

    from features.translation import MT_CHAR_BITS, MT_CHAR_ORDERS, MT_CHAR_ZIPF, mt_char_pack
    from scripts.train_mt_transfer import load_records
    from scripts.train_mt_transfer import weights as source_weights

    rows = [r for r in load_records(args.seed) if r["split"] == "train"]
    texts = [r["text"] for r in rows]
    chars = char_counts(texts)
    y = np.array([r["y"] == 1 for r in rows])
    idx = np.arange(len(rows))
    w = source_weights(rows, idx)
    groups = [r["group"] for r in rows]
    news = np.array([r["source"] == "orangesum" for r in rows])

    fitted, (scale, shift, fp_shift), oof = train_shipped(chars, y, w, groups, news)
    model = fitted.model
    p_oof = 1.0 / (1.0 + np.exp(-(scale * oof + shift + fp_shift)))
    by_source = {
        s: float(np.mean(p_oof[[r["source"] == s for r in rows]] > 0.5))
        for s in sorted({r["source"] for r in rows})
    }
    print("out-of-fold share above 0.5 per source:", ", ".join(f"{k} {v:.1%}" for k, v in by_source.items()))
    # The character view's coefficients per bucket, the calibration folded in; unseen buckets weigh nothing.
    char_coef = np.zeros(1 << MT_CHAR_BITS)
    seen = np.flatnonzero(fitted.df > 0)
    char_coef[seen] = model.coef_[0] * scale
    out = {
        "_about": (
            "Document-level machine-translation estimate: logistic regression over the TF-IDF of "
            "features.translation.mt_char_counts (`char`: document frequency and coefficient per hash bucket, "
            "zlib-compressed little-endian uint16 and float32 in base64). Trained by "
            "scripts/train_translation_mt.py on every machine translation of the shared data (nine WMT21 systems, "
            "Microsoft Docs MT) against human text from WMT21 (translations and originals), Docs HT and "
            "OrangeSum news, weighted by source (scripts/train_mt_transfer.SOURCE_SHARE), only on the groups "
            f"scripts/build_corpus.py puts in the training split (split_of(group, {args.seed}) == 'train'). "
            "Calibrated (Platt) on grouped out-of-fold decision values, then shifted so that at most "
            f"{FP_TARGET:.0%} of the OrangeSum training articles are above 0.5 out of fold. No text, only coefficients."
        ),
        "fr": {
            "features": [],
            "coef": [],
            "intercept": round(float(model.intercept_[0]) * scale + shift + fp_shift, 6),
            "trained_on": "WMT21 de-fr/fr-de (text_norm), Microsoft Docs fr MT/HT pairs, OrangeSum French news (bare text)",
            "split_seed": args.seed,
            "n_docs": len(rows),
            "n_groups": len(set(groups)),
            "docs_per_source": dict(Counter(r["source"] for r in rows)),
            "C": C_ALL,
            "platt_scale_shift": [round(scale, 6), round(shift, 6)],
            "news_fp_shift": round(fp_shift, 6),
            "oof_share_above_half": {k: round(v, 4) for k, v in by_source.items()},
            "char": {
                "bits": MT_CHAR_BITS,
                "orders": list(MT_CHAR_ORDERS),
                "zipf": MT_CHAR_ZIPF,
                "n_docs": fitted.n_docs,
                "df": mt_char_pack(np.minimum(fitted.df, 65535), "<u2"),
                "coef": mt_char_pack(char_coef, "<f4"),
            },
            "training_data_sha256": {
                p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in (WMT, MT_LABELLED, FR_NEWS)
                if p.is_file()
            },
            "sklearn_version": sklearn.__version__,
        },
    }
    print(
        f"{len(rows)} documents, {len(set(groups))} groups, {int((char_coef != 0).sum())} character buckets, "
        f"C={C_ALL:g}, Platt {scale:.3f}/{shift:+.3f}, news shift {fp_shift:+.3f}"
    )
    if not args.dry_run:
        MODEL_PATH.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

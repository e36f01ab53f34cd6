"""Evaluate the machine-translation estimates and the translation family, and print their figures.

By default, the transfer validation (every figure beside a TF-IDF character 2-5 n-gram logistic
regression trained on the same documents with the same weights, in the same run): "char" is the
shipped estimate's recipe (`scripts/train_translation_mt.py`) and "distrib" the distributional
estimate `features/mt_transfer.py` (`scripts/train_mt_transfer.py`), both retrained per fold;
"shipped" is `translation.mt_likelihood` as shipped, read through the scorer's own feature (in-sample
wherever its training split was used):

1. Leave one WMT21 system out: for each of the 9 systems and each GroupKFold fold of the 31
   translated source documents, train without that system and without any version of the fold's
   documents, test the system's outputs against the human translations of the same documents; AUC per
   system and pooled.
2. Human translation vs MT inside WMT21 (grouped CV, all systems in training): in-group, for reference.
   Human originals vs MT is never a headline (the originals are French-press topics).
3. Cross-genre both ways: train on WMT (+ OrangeSum training split), test Microsoft Docs MT vs HT;
   train on Docs (+ OrangeSum), test WMT MT vs HT.
4. False positives on real French news: share of the scorer's held-out OrangeSum articles (bare text:
   title, blank line, body; `scripts/build_corpus.py` split_of) above 0.5, with the MT/HT shares above
   0.5 on the held-out split for context; then CPU per article of both estimates in one run.

With `--flags`: the false-flag rate of every translation signal on the 2,500 human French articles of
`../shared/data/fr_news/` and on the human English bodies of `../shared/data/extraction/`, and the time per
document. With `--style-model`: the former in-group figures of the shipped style model (grouped CV
inside WMT and inside Docs; `--baseline-grid` adds the baseline at each C).

Reads `../shared` relative to the repository root; says so and exits 0 when it is absent.

    python scripts/eval_translation.py [--folds 5] [--seed 13] [--flags] [--style-model [--baseline-grid]] [--limit N]
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


# --- Transfer validation of the machine-translation estimates ------------------------------------


class Transfer:
    """Everything the transfer validation needs, computed once: the records of the three sources, the
    transfer estimate's measures, the shipped estimate's values and the baseline's character counts."""

    def __init__(self, seed: int) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import CountVectorizer

        from features.mt_transfer import prepare
        from scripts.train_mt_transfer import featurize, load_records

        self.recs = load_records(seed)
        self.src = np.array([r["source"] for r in self.recs])
        self.system = np.array([r["system"] for r in self.recs])
        self.group = np.array([r["group"] for r in self.recs])
        self.split = np.array([r["split"] for r in self.recs])
        self.y = np.array([r["y"] for r in self.recs])
        self.X, self.names, self.ok = featurize([r["text"] for r in self.recs])
        # The baseline reads the same prepared text as the estimate (markdown stripped, typography
        # folded). Counts over all documents (no label is read); document frequency, idf and
        # vocabulary are taken from each training set alone in `baseline`.
        counts = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, dtype=np.float32)
        M = counts.fit_transform([prepare(r["text"]) for r in self.recs]).tocsr()
        self.present = M.copy()
        self.present.data[:] = 1.0
        M.data = 1.0 + np.log(M.data)  # sublinear tf
        self.tf = M
        self.current = current_values([r["text"] for r in self.recs])
        from scripts.train_translation_mt import char_counts

        self.chars = char_counts([r["text"] for r in self.recs])

    def ours(self, tr: Any, te: Any) -> Any:
        """Decision values of the transfer estimate trained on `tr` (raw: AUC needs no calibration)."""
        from scripts.train_mt_transfer import Linear, weights

        m = Linear().fit(self.X[tr], self.y[tr], weights(self.recs, tr))
        return m.lr.decision_function(m._z(self.X[te]))

    def char(self, tr: Any, te: Any) -> Any:
        """Decision values of the shipped estimate's recipe (`scripts/train_translation_mt.fit_char`:
        character-view TF-IDF, C and source weights as shipped) trained on `tr` only."""
        import numpy as np

        from scripts.train_mt_transfer import weights
        from scripts.train_translation_mt import char_decision, fit_char

        w = np.zeros(len(self.recs))
        w[tr] = weights(self.recs, tr)
        return char_decision(self.chars, fit_char(self.chars, self.y, w, tr), te)

    def baseline(self, tr: Any, te: Any, proba: bool = False) -> Any:
        """TF-IDF char_wb 2-5 logistic regression (C=10, min_df 2 in the training set), trained on `tr`
        with the same sample weights as the estimate."""
        import numpy as np
        from scipy.sparse import diags
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import normalize

        from scripts.train_mt_transfer import weights

        df = np.asarray(self.present[tr].sum(axis=0)).ravel()
        n = len(tr)
        idf = np.where(df >= 2, np.log((1 + n) / (1 + df)) + 1.0, 0.0)
        scale = diags(idf.astype(np.float32))
        A = normalize(self.tf[tr] @ scale)
        B = normalize(self.tf[te] @ scale)
        lr = LogisticRegression(C=10.0, max_iter=5000).fit(
            A, self.y[tr], sample_weight=weights(self.recs, tr)
        )
        return lr.predict_proba(B)[:, 1] if proba else lr.decision_function(B)

    def mask(self, *sources: str) -> Any:
        import numpy as np

        return self.ok & np.isin(self.src, sources)


def current_values(texts: list[str]) -> list[float | None]:
    """The shipped `translation.mt_likelihood` value of each text (French), read from the scorer's own
    feature; None when the scorer gives none."""
    from scorer.engine import default_scorer

    try:
        from scorer.documents import from_text
    except ImportError:  # the ingest layer's newer home
        from scorer.ingest.documents import from_text  # type: ignore[no-redef]
    feats = [
        f
        for f in default_scorer().features
        if "translation.mt_likelihood" in f.codes and type(f).__name__ != "MtTransferEstimate"
    ]
    if not feats:
        return [None] * len(texts)
    feat = feats[0]
    out: list[float | None] = []
    for t in texts:
        sig = [s for s in feat.run(from_text(t, language="fr")) if s.code == "translation.mt_likelihood"]
        out.append(float(sig[0].value) if sig else None)
    return out


def _auc(y: Any, s: Any) -> float:
    import numpy as np
    from sklearn.metrics import roc_auc_score

    s = np.array([np.nan if v is None else v for v in s], dtype=float)
    keep = ~np.isnan(s)
    return float(roc_auc_score(np.asarray(y)[keep], s[keep]))


def loso(t: Transfer, folds: int) -> None:
    """Leave one WMT system out, with the test documents' groups held out too: for each system s and
    each GroupKFold fold of the translated source documents, train on everything except system s and
    except every version of the fold's documents; test on s's outputs of the fold's documents against
    the human translations of the same documents."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    trans = sorted(set(t.group[t.src == "wmt_ht"]))
    systems = sorted(set(t.system[t.src == "wmt_mt"]))
    others = t.mask("orangesum", "docs_mt", "docs_ht", "wmt_orig") & ~(
        (t.src == "orangesum") & (t.split != "train")
    )
    wmt = t.mask("wmt_mt", "wmt_ht")
    splits = list(GroupKFold(n_splits=folds).split(trans, groups=trans))
    print(
        f"\n== 1. Leave one WMT21 system out ({len(systems)} systems, {len(trans)} translated source documents, "
        f"GroupKFold({folds}) over them): AUC, held-out system's MT vs human translation of the same held-out documents"
    )
    print(
        "  training: the other 8 systems' MT and the human translations of the other documents, WMT originals, "
        "Docs MT/HT, OrangeSum (scorer's training split)"
    )
    print(f"  {'system':10s} {'char':>7s} {'distrib':>8s} {'baseline':>9s} {'shipped*':>9s}")
    pooled: dict[str, list[Any]] = {"y": [], "char": [], "ours": [], "base": [], "cur": []}
    for s in systems:
        ys, c, o, b = [], [], [], []
        for _, te_g in splits:
            held = np.isin(t.group, [trans[i] for i in te_g])
            tr = np.flatnonzero(others | (wmt & ~held & (t.system != s)))
            te = np.flatnonzero(t.ok & held & ((t.src == "wmt_ht") | (t.system == s)))
            ys.append(t.y[te])
            c.append(t.char(tr, te))
            o.append(t.ours(tr, te))
            b.append(t.baseline(tr, te))
        te_all = np.flatnonzero(t.ok & ((t.src == "wmt_ht") | (t.system == s)))
        y = np.concatenate(ys)
        cur = [t.current[i] for i in te_all]
        print(
            f"  {s:10s} {_auc(y, np.concatenate(c)):7.3f} {_auc(y, np.concatenate(o)):8.3f} "
            f"{_auc(y, np.concatenate(b)):9.3f} {_auc(t.y[te_all], cur):9.3f}"
        )
        pooled["y"].append(y)
        pooled["char"].append(np.concatenate(c))
        pooled["ours"].append(np.concatenate(o))
        pooled["base"].append(np.concatenate(b))
        pooled["cur"].append(np.array([np.nan if v is None else v for v in cur]))
    # Pooled: every system's outputs against the human translations as scored by the same model.
    # (for the shipped model the per-system rows are in document order, concatenated alike)
    y = np.concatenate(pooled["y"])
    ycur = np.concatenate(
        [t.y[np.flatnonzero(t.ok & ((t.src == "wmt_ht") | (t.system == s)))] for s in systems]
    )
    print(
        f"  {'pooled':10s} {_auc(y, np.concatenate(pooled['char'])):7.3f} {_auc(y, np.concatenate(pooled['ours'])):8.3f} "
        f"{_auc(y, np.concatenate(pooled['base'])):9.3f} {_auc(ycur, np.concatenate(pooled['cur'])):9.3f}"
    )
    print(
        "  char = the shipped estimate's recipe, distrib = features/mt_transfer.py, both trained per fold as above.\n"
        "  * shipped = translation.mt_likelihood as is: it was trained on the scorer's training split of these "
        "WMT21 groups and all 9 systems, so its figure here is in-sample, not a transfer figure."
    )


def ht_vs_mt_in_group(t: Transfer, folds: int) -> None:
    """For reference only (not a transfer figure): GroupKFold over WMT documents, all systems in training."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    idx = np.flatnonzero(t.mask("wmt_mt", "wmt_ht"))
    others = np.flatnonzero(
        t.mask("orangesum", "docs_mt", "docs_ht", "wmt_orig")
        & ~((t.src == "orangesum") & (t.split != "train"))
    )
    ys, c, o, b = [], [], [], []
    for tr, te in GroupKFold(n_splits=folds).split(idx, groups=t.group[idx]):
        trn = np.concatenate([others, idx[tr]])
        ys.append(t.y[idx[te]])
        c.append(t.char(trn, idx[te]))
        o.append(t.ours(trn, idx[te]))
        b.append(t.baseline(trn, idx[te]))
    y = np.concatenate(ys)
    print(
        f"\n== 2. WMT21 human translation vs MT (never originals vs MT), GroupKFold({folds}) by source document, "
        "all systems in training (in-group, for reference)"
    )
    print(
        f"  char {_auc(y, np.concatenate(c)):.3f} | distrib {_auc(y, np.concatenate(o)):.3f} | "
        f"baseline {_auc(y, np.concatenate(b)):.3f} | shipped* {_auc(t.y[idx], [t.current[i] for i in idx]):.3f}"
    )


def cross_genre(t: Transfer) -> None:
    """Train on one genre (plus OrangeSum's training split as extra human news), test on the other's
    MT vs HT pairs."""
    import numpy as np

    news = t.mask("orangesum") & (t.split == "train")
    print("\n== 3. Cross-genre, AUC of MT vs human translation in the unseen genre")
    print(f"  {'direction':34s} {'char':>7s} {'distrib':>8s} {'baseline':>9s} {'shipped*':>9s}")
    for name, train_src, test_src in (
        ("WMT (+news) -> Docs MT vs HT", ("wmt_mt", "wmt_ht", "wmt_orig"), ("docs_mt", "docs_ht")),
        ("Docs (+news) -> WMT MT vs HT", ("docs_mt", "docs_ht"), ("wmt_mt", "wmt_ht")),
    ):
        tr = np.flatnonzero(news | t.mask(*train_src))
        te = np.flatnonzero(t.mask(*test_src))
        print(
            f"  {name:34s} {_auc(t.y[te], t.char(tr, te)):7.3f} {_auc(t.y[te], t.ours(tr, te)):8.3f} "
            f"{_auc(t.y[te], t.baseline(tr, te)):9.3f} {_auc(t.y[te], [t.current[i] for i in te]):9.3f}"
        )
    print("  * shipped: trained on the training split of both genres, so both rows are in-sample for it.")


def news_false_positives(t: Transfer) -> None:
    """Share of the scorer's held-out OrangeSum articles (bare text) above 0.5: the shipped estimate
    (trained on the scorer's training split of every source, so these documents are unseen), the
    distributional estimate trained and calibrated the same way, the baseline trained on the same
    documents (its own probability, no shift); plus each one's MT recall at
    0.5 on the held-out WMT/Docs documents of the scorer's split, for context."""
    import numpy as np

    from scripts.train_mt_transfer import train

    tr = np.flatnonzero(t.ok & (t.split == "train"))
    held_news = np.flatnonzero(t.mask("orangesum") & (t.split != "train"))
    held_mt = np.flatnonzero(t.mask("wmt_mt", "docs_mt") & (t.split != "train"))
    held_ht = np.flatnonzero(t.mask("wmt_ht", "docs_ht") & (t.split != "train"))
    model, info = train(t.recs, t.X, tr)
    base = t.baseline(tr, np.concatenate([held_news, held_mt, held_ht]), proba=True)
    nb, nm = len(held_news), len(held_mt)
    cur = np.array([np.nan if v is None else v for v in t.current])
    rows = {
        "shipped": (cur[held_news], cur[held_mt], cur[held_ht]),
        "distrib": (model.predict(t.X[held_news]), model.predict(t.X[held_mt]), model.predict(t.X[held_ht])),
        "baseline": (base[:nb], base[nb : nb + nm], base[nb + nm :]),
    }
    print(
        f"\n== 4. Real French news: share of the scorer's held-out OrangeSum articles (bare text, {nb}) with estimate > 0.5"
    )
    print(
        f"  (context: share > 0.5 of held-out-split MT ({nm} docs) and human translations ({len(held_ht)} docs))"
    )
    for name, (n, m, h) in rows.items():
        print(
            f"  {name:9s} news FP {np.mean(n > 0.5):6.2%}   MT > 0.5 {np.mean(m > 0.5):6.2%}   HT > 0.5 {np.mean(h > 0.5):6.2%}"
        )
    print(f"  distrib: calibration of the run {', '.join(f'{k}={v:.3f}' for k, v in info.items())}")


def runtime(t: Transfer, n: int = 300) -> None:
    """CPU per article of both estimates on the same held-out news documents, in one run, warm caches."""
    from features.mt_transfer import MtTransferEstimate
    from scorer.engine import default_scorer

    try:
        from scorer.documents import from_text
    except ImportError:
        from scorer.ingest.documents import from_text  # type: ignore[no-redef]
    feat = next(
        f
        for f in default_scorer().features
        if "translation.mt_likelihood" in f.codes and type(f).__name__ != "MtTransferEstimate"
    )
    ours = MtTransferEstimate()
    texts = [r["text"] for r in t.recs if r["source"] == "orangesum" and r["split"] != "train"][:n]
    docs = [from_text(x, language="fr") for x in texts]
    for d in docs:
        _ = d.words
        feat.run(d)
        ours.run(d)
    kb = sum(len(d.text) for d in docs) / len(docs) / 1000
    res = {}
    for name, f in (("shipped", feat), ("distrib", ours)):
        c0 = time.process_time()
        for d in docs:
            f.run(d)
        res[name] = 1000 * (time.process_time() - c0) / len(docs)
    print(
        f"\n== Runtime, CPU per article ({len(docs)} held-out news articles, mean {kb:.1f} KB, warm caches)"
    )
    for name, ms in res.items():
        print(f"  {name:7s} {ms:6.2f} ms/article  ({ms / kb * 5:.2f} ms per 5 KB)")
    print(f"  ratio distrib/shipped: {res['distrib'] / res['shipped']:.2f}")


def shipped_model_check(t: Transfer) -> None:
    """The shipped mt_transfer.json applied to the held-out news: the same FP as the run's retrained
    model when the JSON is current."""
    import numpy as np

    from features.mt_transfer import MtTransferEstimate

    est = MtTransferEstimate()
    held = [r["text"] for r in t.recs if r["source"] == "orangesum" and r["split"] != "train"]
    p = np.array([est.probability(x) or 0.0 for x in held])
    print(
        f"  shipped features/data/translation/mt_transfer.json on the same articles: news FP {np.mean(p > 0.5):.2%}"
    )


def transfer(seed: int, folds: int) -> None:
    missing = [p for p in (WMT, MT_LABELLED, FR_NEWS) if not p.is_file()]
    if missing:
        print(f"transfer validation needs {', '.join(map(str, missing))}: absent, skipped.")
        return
    t0 = time.perf_counter()
    t = Transfer(seed)
    n_by = Counter(str(s) for s in t.src[t.ok])
    print(
        f"== Transfer validation of translation.mt_likelihood: char = the shipped recipe, distrib = features/mt_transfer.py "
        f"({len(t.names)} measures), shipped = the shipped estimate as is, baseline = TF-IDF char_wb 2-5 LR (C=10) "
        f"trained on the same documents with the same weights. Documents: {dict(n_by)}"
    )
    loso(t, folds)
    ht_vs_mt_in_group(t, folds)
    cross_genre(t)
    news_false_positives(t)
    shipped_model_check(t)
    runtime(t)
    print(f"\n(transfer validation: {time.perf_counter() - t0:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N fr_news articles (--flags)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13, help="split seed of scripts/build_corpus.py")
    ap.add_argument(
        "--flags",
        action="store_true",
        help="also the translation family's false-flag rates on human news and its time per document",
    )
    ap.add_argument(
        "--style-model",
        action="store_true",
        help="also the former in-group figures of the style model (grouped CV inside WMT and inside Docs)",
    )
    ap.add_argument(
        "--baseline-grid",
        action="store_true",
        help="with --style-model: the baseline at each C of a grid on WMT (an upper bound for it; a few minutes)",
    )
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"../shared is absent ({SHARED}): no evaluation data, nothing to evaluate.")
        return 0
    transfer(args.seed, args.folds)
    if args.flags and FR_NEWS.is_file():
        false_flags(args.limit)
        estimate_time(args.limit)
    if args.flags and EXTRACTION.is_file():
        english_false_flags()
    if args.style_model and WMT.is_file():
        wmt_auc(args.folds)
        if args.baseline_grid:
            baseline_c_grid(args.folds)
    if args.style_model and MT_LABELLED.is_file():
        mt_labelled_auc(args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Distribution of every readability signal on edited French news and on WMT21 French (human vs
machine translation, `text_norm`), with the ROC AUC of each signal alone, and the family's time per
document.

    /work/venv/bin/python scripts/eval_readability.py

Reads `../shared/data/fr_news/` and `../shared/data/wmt/`; exits 0 with a message when they are absent.
AUC > 0.5 means the signal is higher on machine translation. "AUC HT/MT" compares the human
translations with the machine translations of the same source documents (topic-matched); "by group"
is the mean AUC within each source document (one human translation against its 9 machine ones);
"AUC H/MT" pools human originals and human translations against machine translation.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from features import readability  # noqa: E402
from features.base import Feature  # noqa: E402
from scorer.documents import from_text  # noqa: E402


def auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC of the score for `pos` against `neg` (Mann-Whitney, ties count half)."""
    if not pos or not neg:
        return float("nan")
    ranked = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # mean 1-based rank of the tie block
        rank_sum += mid * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def values(features: list[Feature], text: str, lang: str) -> dict[str, float]:
    """Every code's value on one text; a flag or measure that does not fire counts 0."""
    doc = from_text(text, language=lang)
    out = {code: 0.0 for f in features for code in f.codes}
    for f in features:
        for s in f.run(doc):
            out[s.code] = s.value
    return out


def summary(vals: list[float]) -> str:
    q1, med, q3 = statistics.quantiles(vals, n=4, method="inclusive")
    return f"{med:8.3f} [{q1:7.3f},{q3:7.3f}]"


def main() -> int:
    fr_path = SHARED / "data" / "fr_news" / "orangesum_sample.jsonl"
    wmt_path = SHARED / "data" / "wmt" / "wmt21_fr_dev.jsonl"
    if not (fr_path.exists() and wmt_path.exists()):
        print(f"../shared data absent ({SHARED}): evaluation skipped.")
        return 0
    features: list[Feature] = [cls() for cls in readability.FEATURES]
    codes = [c for f in features for c in f.codes]
    fr_rows = [json.loads(line) for line in fr_path.open(encoding="utf-8")]
    wmt_rows = [json.loads(line) for line in wmt_path.open(encoding="utf-8")]
    values(features, fr_rows[0]["text"], "fr")  # warm caches and spaCy before timing

    # Time per document on French news: the whole family, each feature, and the syllable counting
    # (the part of the indices that does textstat's work) alone.
    per_feature: dict[str, float] = defaultdict(float)
    fr_vals: list[dict[str, float]] = []
    sizes = []
    t0 = time.perf_counter()
    for r in fr_rows:
        doc = from_text(r["text"], language="fr")
        sizes.append(len(r["text"]))
        row = {code: 0.0 for code in codes}
        for f in features:
            t = time.perf_counter()
            for s in f.run(doc):
                row[s.code] = s.value
            per_feature[f.name] += time.perf_counter() - t
        fr_vals.append(row)
    total = time.perf_counter() - t0
    readability.syllables.cache_clear()
    t = time.perf_counter()
    for r in fr_rows:
        doc = from_text(r["text"], language="fr")
        for a, b in doc.words:
            readability.syllables(doc.text[a:b], "fr")
    syl_time = time.perf_counter() - t
    n = len(fr_rows)

    groups: dict[str, list[str]] = defaultdict(list)
    ho, ht, mt = [], [], []
    group_vals: dict[str, dict[str, list[tuple[int, dict[str, float]]]]] = defaultdict(lambda: defaultdict(list))
    for r in wmt_rows:
        v = values(features, r["text_norm"], "fr")
        {"human_original": ho, "human_translation": ht, "machine_translation": mt}[r["label"]].append(v)
        if r["label"] != "human_original":
            group_vals[r["group"]]["all"].append((r["label"] == "machine_translation", v))
        groups[r["label"]].append(r["group"])

    print(f"Readability signals: median [IQR]; fr_news n={n}, WMT21 dev human (orig+transl) n={len(ho) + len(ht)}, machine n={len(mt)} (text_norm)")
    header = f"{'code':34s} {'fr_news':>26s} {'wmt human':>26s} {'wmt machine':>26s} {'AUC HT/MT':>9s} {'by group':>8s} {'AUC H/MT':>8s}"
    print(header)
    print("-" * len(header))
    for code in codes:
        pos = [v[code] for v in mt]
        by_group = [auc([v[code] for m, v in g["all"] if m], [v[code] for m, v in g["all"] if not m]) for g in group_vals.values()]
        by_group = [a for a in by_group if a == a]
        print(
            f"{code:34s} {summary([v[code] for v in fr_vals]):>26s} {summary([v[code] for v in ho + ht]):>26s} {summary(pos):>26s}"
            f" {auc(pos, [v[code] for v in ht]):9.3f} {statistics.fmean(by_group):8.3f} {auc(pos, [v[code] for v in ho + ht]):8.3f}"
        )
    print()
    print("Share of documents where a flag fires: fr_news / wmt human orig / wmt human transl / wmt machine")
    for code in codes:
        if any(code in f.codes and code.split(".")[1] in _flags(f) for f in features):
            shares = [sum(1 for v in vs if v[code] > 0) / len(vs) for vs in (fr_vals, ho, ht, mt)]
            print(f"  {code:34s} " + " / ".join(f"{s:.3f}" for s in shares))
    print()
    print(f"Time on fr_news (median {statistics.median(sizes) / 1000:.1f} KB): {1000 * total / n:.2f} ms per document for the family")
    for name, secs in per_feature.items():
        print(f"  {name:18s} {1000 * secs / n:.3f} ms")
    print(f"  syllable counting with textstat's pyphen counter, cold cache: {1000 * syl_time / n:.3f} ms per document")
    return 0


def _flags(f: Feature) -> set[str]:
    """Names of the codes of `f` that are flags (their meaning does not start like a measure's)."""
    measures = {"flesch", "lix", "sentence_length_mean", "sentence_length_cv", "fragment_share", "mattr", "rare_word_share"}
    return {c.split(".")[1] for c in f.codes} - measures


if __name__ == "__main__":
    sys.exit(main())

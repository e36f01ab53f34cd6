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
from scorer.ingest.documents import from_text  # noqa: E402


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


class _Variants(Feature):
    """The opt-in variants, evaluated beside the defaults under their own codes."""

    family = "readability"
    codes = {
        "readability.flesch@textstat_syllables": "Flesch with textstat's hyphenation syllable counter.",
        "readability.rare_word_share": "Share of very rare lower-case words (opt-in).",
    }

    def __init__(self) -> None:
        self._flesch = readability.ReadabilityIndex(textstat_syllables=True)
        self._rare = readability.LexicalVariety(rare_words=True)

    def extract(self, doc):  # type: ignore[no-untyped-def]
        out = [s for s in self._rare.extract(doc) if s.code == "readability.rare_word_share"]
        for s in self._flesch.extract(doc):
            if s.code == "readability.flesch":
                out.append(self.measure("readability.flesch@textstat_syllables", s.message, s.value))
        return out


def cpu_times(features: list[Feature], texts: list[str]) -> dict[str, float]:
    """CPU milliseconds per document of each feature (process time: other processes do not count)."""
    out: dict[str, float] = defaultdict(float)
    for text in texts:
        doc = from_text(text, language="fr")
        _ = doc.words  # shared with every family: not charged to this one
        for f in features:
            t = time.process_time()
            f.run(doc)
            out[f.name] += time.process_time() - t
    return {k: 1000 * v / len(texts) for k, v in out.items()}


def main() -> int:
    fr_path = SHARED / "data" / "fr_news" / "orangesum_sample.jsonl"
    wmt_path = SHARED / "data" / "wmt" / "wmt21_fr_dev.jsonl"
    if not (fr_path.exists() and wmt_path.exists()):
        print(f"../shared data absent ({SHARED}): evaluation skipped.")
        return 0
    defaults: list[Feature] = [cls() for cls in readability.FEATURES]
    features: list[Feature] = [*defaults, _Variants()]
    codes = [
        c for f in features for c in f.codes if c != "readability.rare_word_share" or isinstance(f, _Variants)
    ]
    fr_rows = [json.loads(line) for line in fr_path.open(encoding="utf-8")]
    wmt_rows = [json.loads(line) for line in wmt_path.open(encoding="utf-8")]
    fr_vals = [values(features, r["text"], "fr") for r in fr_rows]

    ho, ht, mt = [], [], []
    group_vals: dict[str, list[tuple[bool, dict[str, float]]]] = defaultdict(list)
    for r in wmt_rows:
        v = values(features, r["text_norm"], "fr")
        {"human_original": ho, "human_translation": ht, "machine_translation": mt}[r["label"]].append(v)
        if r["label"] != "human_original":
            group_vals[r["group"]].append((r["label"] == "machine_translation", v))

    print(
        f"Readability signals: median [IQR]; fr_news n={len(fr_rows)}, WMT21 dev human (orig+transl) n={len(ho) + len(ht)}, machine n={len(mt)} (text_norm)"
    )
    header = f"{'code':40s} {'fr_news':>26s} {'wmt human':>26s} {'wmt machine':>26s} {'AUC HT/MT':>9s} {'by group':>8s} {'AUC H/MT':>8s}"
    print(header)
    print("-" * len(header))
    for code in codes:
        pos = [v[code] for v in mt]
        by_group = [
            auc([v[code] for m, v in g if m], [v[code] for m, v in g if not m]) for g in group_vals.values()
        ]
        by_group = [a for a in by_group if a == a]
        print(
            f"{code:40s} {summary([v[code] for v in fr_vals]):>26s} {summary([v[code] for v in ho + ht]):>26s} {summary(pos):>26s}"
            f" {auc(pos, [v[code] for v in ht]):9.3f} {statistics.fmean(by_group):8.3f} {auc(pos, [v[code] for v in ho + ht]):8.3f}"
        )
    print()
    print("Share of documents where a flag fires: fr_news / wmt human orig / wmt human transl / wmt machine")
    for f in defaults:
        for code in f.codes:
            if code.split(".")[1] in FLAGS:
                shares = [sum(1 for v in vs if v[code] > 0) / len(vs) for vs in (fr_vals, ho, ht, mt)]
                print(f"  {code:34s} " + " / ".join(f"{s:.3f}" for s in shares))

    # CPU time on ~5 KB French articles (4.5-5.5 KB bodies), after warming on other articles.
    five = [r["text"] for r in fr_rows if 4500 <= len(r["text"]) <= 5500][:200]
    warm = [r["text"] for r in fr_rows if not 4500 <= len(r["text"]) <= 5500][:300]
    cpu_times(features, warm)
    times = cpu_times(defaults, five)
    readability.syllables.cache_clear()
    ts = cpu_times([readability.ReadabilityIndex(textstat_syllables=True)], five)
    print()
    print(f"CPU time per ~5 KB French article ({len(five)} fr_news bodies of 4.5-5.5 KB, process time):")
    for name, ms in times.items():
        print(f"  {name:18s} {ms:.3f} ms")
    print(f"  {'family (defaults)':18s} {sum(times.values()):.3f} ms")
    print(
        f"  ReadabilityIndex with textstat's syllable counter (fresh cache): {ts['ReadabilityIndex']:.3f} ms"
    )
    return 0


FLAGS = {"atypical_flesch", "long_sentence", "fragment", "title_case_line", "midsentence_capital"}


if __name__ == "__main__":
    sys.exit(main())

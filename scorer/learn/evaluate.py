"""`scorer evaluate DATA... [--model MODEL]`: how well the score separates good from bad documents.

Prints ROC AUC, PR AUC, the Brier score, the confusion at the default threshold (score 50), a
per-source breakdown, and, on the same documents in the same run, the flag rate of the heuristic
filter chain a data team would use instead (`scorer.learn.peers`, datatrove's Gopher/C4/FineWeb filters).

Then the slices that say how the score carries over to text unlike the training data:

- human news as bare text (source `fr_news.bare_text`: `scripts/build_corpus.py` writes the held-out
  articles again as `{"id", "text"}`, title and body only, in `heldout_bare.jsonl`);
- human translations alone (`wmt.human_translation`), which a translation detector is most likely to
  wrong;
- with `--transfer TRAIN_DATA`, models retrained without part of the data: each WMT system held out in
  turn (trained without any of its outputs, tested on all of them), and across genres (trained without
  the Microsoft Docs pairs and tested on them; trained on them only and tested on the rest).

The synthetic content-farm copies are in the held-out groups too, but a figure that only holds on them
says how well the model learnt the corruption generator, not how it meets real copies.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from scorer.engine import explain
from scorer.learn.training import Labelled, SignalCache, document_values
from scorer.model import LinearModel

logger = logging.getLogger(__name__)

THRESHOLD = 50.0


@dataclass(frozen=True)
class Row:
    """One evaluated document."""

    id: str
    source: str
    y: int
    score: float
    reasons: tuple[str, ...]
    peer_flagged: bool | None
    peer_reason: str | None


def score_items(
    items: Sequence[Labelled], model: LinearModel, cache: SignalCache | None, jobs: int
) -> list[tuple[float, tuple[str, ...]]]:
    """Score and top reasons per document, derived by `scorer.engine.explain` as `Scorer.score` does
    (from the same signal values, through the signal cache)."""
    from features import Kind

    cache = cache if cache is not None else SignalCache()
    values = document_values([it.doc for it in items], cache, jobs)
    kinds = {code: Kind(k) for code, k in cache.kinds.items()}
    out = []
    for vals in values:
        ex = explain(model, vals, kinds)
        out.append((ex.score, tuple(ex.reasons)))
    return out


def peer_verdicts(items: Sequence[Labelled]) -> list[tuple[bool | None, str | None]]:
    """The datatrove chain's verdict per document; (None, None) for all when datatrove is missing."""
    try:
        from scorer.learn.peers import PeerChain

        chains: dict[str, PeerChain] = {}
        out: list[tuple[bool | None, str | None]] = []
        for it in items:
            lang = "fr" if it.doc.base_language == "fr" else "en"
            chain = chains.get(lang) or chains.setdefault(lang, PeerChain(lang))
            v = chain.check(it.doc.text, it.doc.id)
            out.append((v.flagged, v.reason))
        return out
    except Exception as e:  # noqa: BLE001 - the optional peer chain must never stop an evaluation
        logger.warning("peer filter chain unavailable: %s", e)
        return [(None, None)] * len(items)


def evaluate(
    items: Sequence[Labelled],
    model: LinearModel,
    *,
    cache: SignalCache | None = None,
    jobs: int = 1,
    peers: bool = True,
) -> list[Row]:
    """Score every labelled document and run the peer chain on it."""
    scored = score_items(items, model, cache, jobs)
    verdicts = peer_verdicts(items) if peers else [(None, None)] * len(items)
    return [
        Row(it.doc.id, it.source, it.y, s, r, pf, pr)
        for it, (s, r), (pf, pr) in zip(items, scored, verdicts, strict=True)
    ]


def metrics(rows: Sequence[Row]) -> dict[str, Any]:
    """ROC AUC, PR AUC (bad documents as the positive class), Brier, confusion at the threshold."""
    import numpy as np
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.array([r.y for r in rows])
    p = np.array([r.score / 100.0 for r in rows])
    both = 0 < y.sum() < len(y)
    pred_good = p >= THRESHOLD / 100.0
    out: dict[str, Any] = {
        "n": len(rows),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc_bad": float(average_precision_score(1 - y, 1 - p)) if both else None,
        "pr_auc_good": float(average_precision_score(y, p)) if both else None,
        "brier": float(brier_score_loss(y, p)) if len(rows) else None,
        "confusion": {
            "good_scored_good": int(np.sum((y == 1) & pred_good)),
            "good_scored_bad": int(np.sum((y == 1) & ~pred_good)),
            "bad_scored_good": int(np.sum((y == 0) & pred_good)),
            "bad_scored_bad": int(np.sum((y == 0) & ~pred_good)),
        },
    }
    flagged = [r for r in rows if r.peer_flagged is not None]
    if flagged:
        fy = np.array([r.y for r in flagged])
        ff = np.array([bool(r.peer_flagged) for r in flagged])
        out["peers"] = {
            "flag_rate_good": float(ff[fy == 1].mean()) if (fy == 1).any() else None,
            "flag_rate_bad": float(ff[fy == 0].mean()) if (fy == 0).any() else None,
        }
    return out


def _pct(x: float | None) -> str:
    return "    -" if x is None else f"{100 * x:5.1f}%"


def report(rows: Sequence[Row], model: LinearModel, out: TextIO) -> dict[str, Any]:
    """Write the human report; return the figures."""
    m = metrics(rows)
    c = m["confusion"]
    n_good, n_bad = c["good_scored_good"] + c["good_scored_bad"], c["bad_scored_good"] + c["bad_scored_bad"]
    out.write(
        f"model {model.version} (provisional: {str(model.provisional).lower()}); {m['n']} documents: {n_good} good, {n_bad} bad\n\n"
    )
    fmt = lambda v: "-" if v is None else f"{v:.4f}"  # noqa: E731
    out.write(f"ROC AUC              {fmt(m['roc_auc'])}\n")
    out.write(f"PR AUC (bad = pos.)  {fmt(m['pr_auc_bad'])}\n")
    out.write(f"PR AUC (good = pos.) {fmt(m['pr_auc_good'])}\n")
    out.write(f"Brier score          {fmt(m['brier'])}\n\n")
    out.write(f"confusion at score {THRESHOLD:g}      scored >= {THRESHOLD:g}   scored < {THRESHOLD:g}\n")
    out.write(f"  good (human)          {c['good_scored_good']:>10}   {c['good_scored_bad']:>10}\n")
    out.write(f"  bad (MT / farm copy)  {c['bad_scored_good']:>10}   {c['bad_scored_bad']:>10}\n\n")
    peers = m.get("peers")
    out.write("per source                   label      n   mean score   scorer: < 50   peers: flagged\n")
    by: dict[tuple[str, int], list[Row]] = defaultdict(list)
    for r in rows:
        by[(r.source, r.y)].append(r)
    for (src, y), rs in sorted(by.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        low = sum(r.score < THRESHOLD for r in rs) / len(rs)
        pf = [r.peer_flagged for r in rs if r.peer_flagged is not None]
        prate = sum(pf) / len(pf) if pf else None
        mean = sum(r.score for r in rs) / len(rs)
        out.write(
            f"  {src:<26} {'good' if y else 'bad':<5} {len(rs):>6}   {mean:>10.1f}   {_pct(low):>12}   {_pct(prate):>14}\n"
        )
    for y, name in ((1, "all good"), (0, "all bad")):
        rs = [r for r in rows if r.y == y]
        if rs:
            low = sum(r.score < THRESHOLD for r in rs) / len(rs)
            key = "flag_rate_good" if y else "flag_rate_bad"
            out.write(
                f"  {name:<26} {'good' if y else 'bad':<5} {len(rs):>6}   {sum(r.score for r in rs) / len(rs):>10.1f}   {_pct(low):>12}   {_pct(peers.get(key) if peers else None):>14}\n"
            )
    if peers is None:
        out.write("\n(peer chain not run: install the 'peers' extra for datatrove)\n")
    else:
        reasons = Counter(r.peer_reason for r in rows if r.peer_flagged)
        if reasons:
            out.write(
                "\npeer chain reasons: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common(8)) + "\n"
            )
    bad_reasons = Counter(code for r in rows if r.y == 0 and r.score < THRESHOLD for code in r.reasons[:1])
    if bad_reasons:
        out.write(
            "top reason of caught bad documents: "
            + ", ".join(f"{k} {v}" for k, v in bad_reasons.most_common(8))
            + "\n"
        )
    return m


# Named slices of the held-out rows: (title, sources, label).
SLICES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("human news as bare text {id, text}", ("fr_news.bare_text",), 1),
    ("human news, complete", ("fr_news", "fr_news.bare"), 1),
    ("human translations alone", ("wmt.human_translation",), 1),
    ("machine translations (WMT)", ("wmt.machine_translation",), 0),
    ("synthetic copies (not a quality figure)", ("farm", "farm.bare", "wmt.farm"), 0),
)


def slice_figures(rows: Sequence[Row], y: int | None = None) -> dict[str, Any]:
    """n, mean score and the share on the right side of the threshold (>= 50 for good, < 50 for bad)."""
    if not rows:
        return {"n": 0}
    right = sum((r.score >= THRESHOLD) == bool(r.y) for r in rows)
    out: dict[str, Any] = {
        "n": len(rows),
        "mean_score": sum(r.score for r in rows) / len(rows),
        "right_side": right / len(rows),
    }
    if 0 < sum(r.y for r in rows) < len(rows):
        out["roc_auc"] = metrics(rows)["roc_auc"]
    return out


def report_slices(rows: Sequence[Row], out: TextIO) -> dict[str, Any]:
    """The named slices: how the score does on text unlike the training data."""
    figures: dict[str, Any] = {}
    out.write("\nslices                                      n   mean score   right side of 50\n")
    for title, sources, y in SLICES:
        rs = [r for r in rows if r.source in sources and r.y == y]
        if not rs:
            continue
        f = figures[title] = slice_figures(rs)
        side = ">= 50" if y else "< 50"
        out.write(f"  {title:<40} {f['n']:>5}   {f['mean_score']:>10.1f}   {_pct(f['right_side'])} {side}\n")
    return figures


def transfer_experiments(
    train_items: Sequence[Labelled], test_items: Sequence[Labelled]
) -> list[tuple[str, list[Labelled], list[Labelled]]]:
    """(name, training items, test items) of each retraining experiment."""
    everything = [*train_items, *test_items]
    out: list[tuple[str, list[Labelled], list[Labelled]]] = []
    systems = sorted({it.system for it in everything if it.source == "wmt.machine_translation" and it.system})
    for system in systems:
        out.append(
            (
                f"WMT system {system} held out",
                [it for it in train_items if it.system != system],
                [it for it in everything if it.system == system and it.source == "wmt.machine_translation"],
            )
        )

    def docs(it: Labelled) -> bool:
        return it.source.startswith("mt_labelled")

    out.append(
        (
            "trained without Docs, tested on Docs",
            [it for it in train_items if not docs(it)],
            [it for it in everything if docs(it)],
        )
    )
    out.append(
        (
            "trained on Docs only, tested on the rest",
            [it for it in train_items if docs(it)],
            [it for it in test_items if not docs(it)],
        )
    )
    return out


def transfer(
    train_items: Sequence[Labelled],
    test_items: Sequence[Labelled],
    cache: SignalCache,
    *,
    C: float,
    jobs: int,
    out: TextIO,
) -> dict[str, Any]:
    """Retrain without part of the data and score that part: how the model carries over."""
    from scorer.learn.training import export, fit, sparse_codes

    figures: dict[str, Any] = {}
    out.write(
        f"\ntransfer (models retrained with C={C:g}, no operating-point shift)      n   good >= 50   bad < 50   ROC AUC\n"
    )
    for name, tr, te in transfer_experiments(train_items, test_items):
        if len({it.y for it in tr}) < 2 or not te:
            out.write(f"  {name:<52} skipped: one class or nothing to test\n")
            continue
        values = document_values([it.doc for it in tr], cache, jobs)
        model = export(
            fit(tr, cache, C=C, jobs=jobs),
            version=name,
            info={},
            kinds=cache.kinds,
            sparse=sparse_codes(values),
        )
        rows = evaluate(te, model, cache=cache, jobs=jobs, peers=False)
        good = [r for r in rows if r.y == 1]
        bad = [r for r in rows if r.y == 0]
        f = figures[name] = {
            "n": len(rows),
            "good_kept_at_50": sum(r.score >= THRESHOLD for r in good) / len(good) if good else None,
            "bad_caught_at_50": sum(r.score < THRESHOLD for r in bad) / len(bad) if bad else None,
            "roc_auc": metrics(rows)["roc_auc"],
        }
        auc = "      -" if f["roc_auc"] is None else f"{f['roc_auc']:.4f}"
        out.write(
            f"  {name:<52} {f['n']:>5}   {_pct(f['good_kept_at_50']):>10}   {_pct(f['bad_caught_at_50']):>8}   {auc}\n"
        )
    return figures

"""`scorer evaluate DATA... [--model MODEL]`: how well the score separates good from bad documents.

Prints ROC AUC, PR AUC, the Brier score, the confusion at the default threshold (score 50), a
per-source breakdown, and, on the same documents in the same run, the flag rate of the heuristic
filter chain a data team would use instead (`scorer.learn.peers`, datatrove's Gopher/C4/FineWeb filters).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from scorer.engine import MAX_REASONS
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
    """Score and top reasons per document, computed exactly as `Scorer.score` does (from the same
    signal values, through the signal cache)."""
    from features import Kind

    cache = cache if cache is not None else SignalCache()
    values = document_values([it.doc for it in items], cache, jobs)
    kinds = {code: Kind(k) for code, k in cache.kinds.items()}
    out = []
    for vals in values:
        contrib = model.contributions(vals, kinds)
        p = model.probability(contrib)
        reasons = tuple(c for c, v in sorted(contrib.items(), key=lambda kv: kv[1]) if v < 0)[:MAX_REASONS]
        out.append((round(100.0 * p, 1), reasons))
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

"""Training: labelled documents -> scikit-learn Pipeline -> calibrated probability -> JSON model.

The pipeline is

    FunctionTransformer(Documents -> {code: value})   the engine's signals, `scorer.model.signal_values`
    DictVectorizer                                    codes -> columns (names map coefficients back)
    StandardScaler
    CalibratedClassifierCV(SignConstrainedLogisticRegression, method="sigmoid", ensemble=False)

cross-validated with `GroupKFold`, so that every version of one source article (a WMT document and
its translations, an article and its corrupted copy) sits on one side of each split only. The
classifier keeps each code's declared sign (`features.directions`: a flag can only lower the score,
evidence only raise it); a code the data do not support in its direction gets weight 0 and is listed
in the model's `info["zero_weight"]`, as is every registered code that no training document emitted.
The fitted
pipeline is exported to the plain-data format of `scorer.model.LinearModel` (coefficients, scaler,
Platt a and b), which loads without executing code; `score = 100 * P(good)`.

Labelled input (`load_labelled`): JSONL records with a `text` or `html` field and `label` ("good" or
"bad"; also 1/0), optional `group`, `source`, `weight`; or a folder holding such JSONL files, or
`good/` and `bad/` sub-folders of documents (each file its own group).

scikit-learn is imported inside the functions that need it, so `scorer` commands that do not train
do not pay for it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import math
import multiprocessing as mp
import signal
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from features import Direction, Document, Kind, catalogue, rule_for
from scorer.errors import InputError, ScorerError
from scorer.ingest.documents import from_record
from scorer.ingest.inputs import iter_paths, load
from scorer.model import FORMAT, LinearModel, signal_values

logger = logging.getLogger(__name__)

GOOD, BAD = "good", "bad"
_LABELS = {"good": 1, "bad": 0, "1": 1, "0": 0, "true": 1, "false": 0, "human": 1, "farm": 0}
DEFAULT_C = 0.3
N_SPLITS = 5
# Features slower than this per document make a signal cache worthwhile; it is always used when given.
CACHE_VERSION = "2"  # 2: values leave out absences the input had no place for


@dataclass(frozen=True)
class Labelled:
    """One training or evaluation document with its label (1 = good, 0 = bad) and bookkeeping."""

    doc: Document
    y: int
    group: str
    source: str
    weight: float = 1.0
    ops: tuple[str, ...] = ()
    # The translation system of a WMT document (its `origin.system`), for the held-out-system evaluation.
    system: str | None = None


# -- reading labelled data -------------------------------------------------------------------------


def _label(value: Any, where: str) -> int:
    key = str(value).strip().lower()
    if key not in _LABELS:
        raise InputError(f"{where}: label {value!r} is not one of good/bad (or 1/0)")
    return _LABELS[key]


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{path}:{n}: invalid JSON: {e.msg}") from e


def _from_jsonl(path: Path) -> Iterator[Labelled]:
    for n, rec in _read_jsonl(path):
        where = f"{path}:{n}"
        if "label" not in rec:
            raise InputError(f"{where}: record has no 'label'")
        rid = str(rec.get("id") or where)
        doc = from_record(
            {
                k: v
                for k, v in rec.items()
                if k not in ("label", "group", "source", "weight", "ops", "origin", "split", "shape")
            },
            id=rid,
        )
        yield Labelled(
            doc=doc,
            y=_label(rec["label"], where),
            group=str(rec.get("group") or rid),
            source=str(rec.get("source") or path.stem),
            weight=float(rec.get("weight", 1.0)),
            ops=tuple(rec.get("ops") or ()),
            system=(rec.get("origin") or {}).get("system") if isinstance(rec.get("origin"), dict) else None,
        )


def load_labelled(paths: Iterable[str | Path]) -> list[Labelled]:
    """Labelled documents from JSONL files, folders of JSONL files, or folders with good/ and bad/."""
    out: list[Labelled] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        if p.is_file():
            out.extend(_from_jsonl(p))
            continue
        files = sorted(q for q in p.iterdir() if q.name.endswith((".jsonl", ".jsonl.gz")))
        for q in files:
            out.extend(_from_jsonl(q))
        for name, y in ((GOOD, 1), (BAD, 0)):
            sub = p / name
            if sub.is_dir():
                for src in iter_paths([str(sub)]):
                    item = load(src)
                    if isinstance(item, Document):
                        out.append(Labelled(item, y, group=src, source=f"{p.name}/{name}"))
                    else:
                        logger.warning("skipped %s: %s", item.source, item.error)
        if not files and not (p / GOOD).is_dir() and not (p / BAD).is_dir():
            raise InputError(f"{p}: no .jsonl files and no good/ or bad/ folders")
    if not out:
        raise InputError("no labelled documents found")
    return out


def dataset_hash(items: Sequence[Labelled]) -> str:
    """SHA-256 over every document's content and label, independent of order."""
    parts = sorted(hashlib.sha256(f"{doc_key(it.doc)}:{it.y}".encode()).hexdigest() for it in items)
    return hashlib.sha256("".join(parts).encode()).hexdigest()


# -- signal values, with a cache -------------------------------------------------------------------


def doc_key(doc: Document) -> str:
    """A hash of everything a feature may read from a document."""
    fields = [
        doc.text,
        doc.title,
        doc.url,
        doc.author,
        doc.published.isoformat() if doc.published else None,
        doc.language,
        doc.origin,
        list(doc.empty_fields),
        sorted(doc.metadata_places),
        doc.sitename,
        doc.page_text_chars,
        doc.removed_text,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def features_fingerprint() -> str:
    """A hash of the feature code and lexicons: cached signal values are valid only for the same one."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    root = resources.files("features")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json"):
            h.update(str(path.relative_to(Path(str(root)))).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class SignalCache:
    """Signal values per document key, kept in memory and, when `path` is given, in a JSONL file
    named after the features' fingerprint (a changed feature starts a new file)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.values: dict[str, dict[str, float]] = {}
        self.kinds: dict[str, str] = {}  # code -> Kind value (a code has one kind)
        self.path: Path | None = None
        if folder is not None:
            self.path = Path(folder) / f"signals-{features_fingerprint()[:16]}.jsonl"
            if self.path.exists():
                for line in self.path.read_text(encoding="utf-8").splitlines():
                    rec = json.loads(line)
                    self.values[rec["k"]] = rec["v"]
                    self.kinds.update(rec.get("kinds", {}))
                logger.info("signal cache %s: %d documents", self.path, len(self.values))

    def add(self, key: str, values: dict[str, float], kinds: Mapping[str, str] | None = None) -> None:
        self.values[key] = values
        self.kinds.update(kinds or {})
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"k": key, "v": values, "kinds": dict(kinds or {})}) + "\n")


_WORKER: Any = None


def _worker_init() -> None:
    global _WORKER
    from features import build_features

    _WORKER = build_features()


def _forked_worker_init() -> None:
    # A forked worker inherits the CLI's SIGTERM handler, which unwinds the main process; a worker the
    # pool terminates at its end just ends (no traceback of an interrupted worker on stderr).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _worker_values(doc: Document) -> tuple[dict[str, float], dict[str, str]]:
    sigs = [s for f in _WORKER for s in f.run(doc)]
    return clean_values(signal_values(sigs, doc)), {s.code: s.kind.value for s in sigs}


def clean_values(values: Mapping[str, float]) -> dict[str, float]:
    """Finite floats only (a NaN measure would poison the scaler)."""
    return {k: float(v) for k, v in values.items() if isinstance(v, (int, float)) and math.isfinite(v)}


def document_values(
    docs: Sequence[Document],
    cache: SignalCache | None = None,
    jobs: int = 1,
    codes: Collection[str] | None = None,
) -> list[dict[str, float]]:
    """`{code: value}` for each document: what the engine computes, through the cache; only `codes` when
    given."""
    cache = cache if cache is not None else SignalCache()
    keys = [doc_key(d) for d in docs]
    todo = [i for i, k in enumerate(keys) if k not in cache.values]
    # The same document twice in one batch is computed once.
    seen: dict[str, int] = {}
    todo = [i for i in todo if seen.setdefault(keys[i], i) == i]
    if todo:
        logger.info("computing signals for %d documents on %d processes", len(todo), jobs)
        # Build the features here first: a feature that fails to build raises in this process (a pool
        # would respawn failing workers forever), and forked workers inherit them ready to use.
        if _WORKER is None:
            _worker_init()
        if jobs > 1 and len(todo) > 20:
            fork = "fork" in mp.get_all_start_methods()
            ctx = mp.get_context("fork" if fork else None)
            with ctx.Pool(jobs, initializer=_forked_worker_init if fork else _worker_init) as pool:
                results = pool.map(_worker_values, [docs[i] for i in todo], chunksize=16)
        else:
            results = [_worker_values(docs[i]) for i in todo]
        for i, (vals, kinds) in zip(todo, results, strict=True):
            cache.add(keys[i], vals, kinds)
    if codes is not None:
        return [{c: v for c, v in cache.values[k].items() if c in codes} for k in keys]
    return [dict(cache.values[k]) for k in keys]


# -- the pipeline ----------------------------------------------------------------------------------


class TypicalForMissing:
    """Fills in, for each document, the two-sided measures it lacks (a measure a feature could not take
    on that input, e.g. readability on a few words) with the measure's training mean, so that a missing
    measure reads as typical rather than as 0, an extreme value. The engine does the same: a two-sided
    measure that is absent contributes nothing (`LinearModel.contributions`). Sparse measures (absent or
    0 in at least half of the documents, see `sparse_codes`) are left alone: for them 0 is the reference."""

    def fit(self, values: Sequence[Mapping[str, float]], y: Any = None) -> TypicalForMissing:
        sparse = sparse_codes(values)
        sums: dict[str, float] = {}
        present: dict[str, int] = {}
        for v in values:
            for code, x in v.items():
                if code not in sparse and rule_for(code).direction is Direction.EITHER:
                    sums[code] = sums.get(code, 0.0) + x
                    present[code] = present.get(code, 0) + 1
        self.means_ = {c: sums[c] / present[c] for c in sums if present[c] < len(values)}
        return self

    def transform(self, values: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
        return [{**{c: m for c, m in self.means_.items() if c not in v}, **v} for v in values]

    def fit_transform(self, values: Sequence[Mapping[str, float]], y: Any = None) -> list[dict[str, float]]:
        return self.fit(values).transform(values)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {}

    def set_params(self, **params: Any) -> TypicalForMissing:
        return self


def make_pipeline(
    cache: SignalCache | None = None,
    *,
    C: float = DEFAULT_C,
    cv: Any = N_SPLITS,
    jobs: int = 1,
    codes: Collection[str] | None = None,
    signs: Sequence[int] | None = None,
) -> Any:
    """The scikit-learn Pipeline: Documents -> signal dicts -> vectors -> calibrated sign-constrained
    logistic regression. `signs` has one entry per vectorised column (sorted code names)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from scorer.learn.constrained import SignConstrainedLogisticRegression

    return Pipeline(
        [
            (
                "signals",
                FunctionTransformer(document_values, kw_args={"cache": cache, "jobs": jobs, "codes": codes}),
            ),
            ("typical", TypicalForMissing()),
            ("vectorise", DictVectorizer(sparse=False, sort=True)),
            ("scale", StandardScaler()),
            (
                "classify",
                CalibratedClassifierCV(
                    SignConstrainedLogisticRegression(
                        C=C, signs=signs, class_weight="balanced", max_iter=2000
                    ),
                    method="sigmoid",
                    ensemble=False,
                    cv=cv,
                ),
            ),
        ]
    )


def group_splits(items: Sequence[Labelled], n_splits: int = N_SPLITS) -> list[tuple[Any, Any]]:
    """GroupKFold splits: no group on both sides."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    y = np.array([it.y for it in items])
    groups = [it.group for it in items]
    return list(GroupKFold(n_splits=n_splits).split(np.zeros(len(items)), y, groups))


def code_signs(names: Sequence[str], kinds: Mapping[str, str]) -> list[int]:
    """The sign bound of each code: -1 for codes that lower the score, 1 for evidence, 0 for measures."""
    sign = {Direction.LOWERS: -1, Direction.RAISES: 1, Direction.EITHER: 0}
    return [sign[rule_for(n, Kind(kinds[n]) if n in kinds else None).direction] for n in names]


def fit(
    items: Sequence[Labelled], cache: SignalCache | None = None, *, C: float = DEFAULT_C, jobs: int = 1
) -> Any:
    """Fit the pipeline on `items` (calibration folds grouped like the cross-validation), each code's
    coefficient held to its declared sign."""
    import numpy as np

    cache = cache if cache is not None else SignalCache()
    docs = [it.doc for it in items]
    y = np.array([it.y for it in items])
    w = np.array([it.weight for it in items])
    # The columns DictVectorizer(sort=True) will make: every code seen in these documents, sorted.
    names = sorted({code for v in document_values(docs, cache, jobs) for code in v})
    pipe = make_pipeline(cache, C=C, cv=group_splits(items), jobs=jobs, signs=code_signs(names, cache.kinds))
    pipe.fit(docs, y, classify__sample_weight=w)
    if list(pipe.named_steps["vectorise"].get_feature_names_out()) != names:  # pragma: no cover - a bug
        raise ScorerError("vectorised columns differ from the codes the signs were set for")
    return pipe


def cross_validate(
    items: Sequence[Labelled], cache: SignalCache | None = None, *, C: float = DEFAULT_C, jobs: int = 1
) -> dict[str, Any]:
    """Grouped out-of-fold probabilities and their figures (each fold refits the whole pipeline)."""
    import numpy as np
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.array([it.y for it in items])
    p = np.zeros(len(items))
    for train_idx, test_idx in group_splits(items):
        sub = [items[i] for i in train_idx]
        pipe = fit(sub, cache, C=C, jobs=jobs)
        p[test_idx] = pipe.predict_proba([items[i].doc for i in test_idx])[:, 1]
    return {
        "oof": p,
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc_bad": float(average_precision_score(1 - y, 1 - p)),
        "brier": float(brier_score_loss(y, p)),
        "good_kept_at_50": float(np.mean(p[y == 1] >= 0.5)),
        "bad_caught_at_50": float(np.mean(p[y == 0] < 0.5)),
        "C": C,
    }


def export(
    pipe: Any,
    *,
    version: str,
    info: Mapping[str, Any],
    kinds: Mapping[str, str] | None = None,
    sparse: Iterable[str] = (),
) -> LinearModel:
    """The fitted pipeline as a `LinearModel` (plain JSON data)."""
    import sklearn

    names = list(pipe.named_steps["vectorise"].get_feature_names_out())
    scaler = pipe.named_steps["scale"]
    cal = pipe.named_steps["classify"]
    if len(cal.calibrated_classifiers_) != 1:
        raise ScorerError("the calibrated classifier must be fitted with ensemble=False to export")
    cc = cal.calibrated_classifiers_[0]
    lr = cc.estimator
    calibrator = cc.calibrators[0]
    # sklearn's sigmoid calibration is p = 1 / (1 + exp(a * f + b)); the model format uses
    # p = 1 / (1 + exp(-(a * f + b))), hence the signs.
    a, b = -float(calibrator.a_), -float(calibrator.b_)
    coef = {n: float(c) for n, c in zip(names, lr.coef_[0], strict=True)}
    mean = {n: float(m) for n, m in zip(names, scaler.mean_, strict=True)}
    scale = {n: float(s) for n, s in zip(names, scaler.scale_, strict=True)}
    intercept = float(lr.intercept_[0])
    kinds = kinds or {}
    direction = {n: rule_for(n, Kind(kinds[n]) if n in kinds else None).direction for n in names}
    # Contributions are relative to "not there" (x = 0) for flags, absences and evidence, and for the
    # `sparse` measures (absent from most documents); relative to the training mean for the other
    # measures. The difference goes into the intercept: the probability is unchanged.
    zero_based = set(sparse) | {n for n in names if direction[n] is not Direction.EITHER}
    for n in names:
        if n in zero_based and mean[n] != 0.0:
            intercept -= coef[n] * mean[n] / scale[n]
            mean[n] = 0.0
    # No code silently dropped: every registered code is in the model; those with weight 0 are listed
    # with why.
    zero_weight = {
        n: "held at 0: the training data do not support its direction" for n in names if coef[n] == 0.0
    }
    for code in catalogue():
        if code not in coef:
            coef[code] = 0.0
            direction[code] = rule_for(code).direction
            zero_weight[code] = "never emitted on the training data"
    return LinearModel(
        version=version,
        coef=coef,
        intercept=intercept,
        mean=mean,
        scale=scale,
        calibration=(a, b),
        default_coef={k.value: 0.0 for k in Kind},
        provisional=False,
        direction={n: d.value for n, d in direction.items()},
        info={
            "format": FORMAT,
            "sklearn_version": sklearn.__version__,
            "feature_names": names,
            "zero_weight": dict(sorted(zero_weight.items())),
            **info,
        },
    )


def train(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    version: str | None = None,
    C: float | None = None,
    cache_dir: str | Path | None = None,
    jobs: int = 1,
    cv: bool = True,
    keep_good: float | None = None,
    keep_good_sources: Sequence[str] | None = None,
) -> tuple[LinearModel, dict[str, Any]]:
    """Read labelled data, cross-validate, fit on everything, export and save; returns the model and the
    cross-validation figures.

    `keep_good` (e.g. 0.975) sets the operating point: when fewer than that share of the good documents
    (of `keep_good_sources`, all sources by default) score 50 or more out of fold, the calibration's
    offset is raised until they do. This is a prior shift (P(good) under a prior that favours good
    documents by the recorded odds factor), decided on training data only; a false flag on real
    reporting costs a user more than a missed copy.
    """
    items = load_labelled(paths)
    cache = SignalCache(cache_dir)
    # Compute every document's signals once, in parallel; the folds then read the cache.
    document_values([it.doc for it in items], cache, jobs)
    figures: dict[str, Any] = {}
    chosen = C if C is not None else DEFAULT_C
    if cv:
        grid = [C] if C is not None else [0.03, 0.3, 3.0]
        results = [cross_validate(items, cache, C=c) for c in grid]
        best = min(results, key=lambda r: r["brier"])
        chosen = best["C"]
        oof = best.pop("oof")
        for r in results:
            r.pop("oof", None)
        figures = {"cross_validation": best, "grid": results}
        if keep_good is not None:
            figures["operating_point"] = operating_point(items, oof, keep_good, keep_good_sources)
    pipe = fit(items, cache, C=chosen)
    ds_hash = dataset_hash(items)
    # The signal values the model was fitted on: a change of features on the same documents gives a
    # different model, and so a different version string.
    sig_hash = hashlib.sha256(
        json.dumps([cache.values[doc_key(it.doc)] for it in items], sort_keys=True, default=str).encode()
    ).hexdigest()
    # The pipeline's steps too: the same signals through another recipe are another model.
    recipe = ",".join(name for name, _ in pipe.steps)
    counts: dict[str, int] = {}
    for it in items:
        key = f"{it.source}/{'good' if it.y else 'bad'}"
        counts[key] = counts.get(key, 0) + 1
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    # The corpus builder's manifest (every document's origin), when it sits beside the data.
    manifests = {}
    for raw in paths:
        folder = Path(raw) if Path(raw).is_dir() else Path(raw).parent
        if (folder / "manifest.json").is_file():
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            manifests[folder.name] = manifest.get("sha256")
    model = export(
        pipe,
        kinds=cache.kinds,
        sparse=sparse_codes([cache.values[doc_key(it.doc)] for it in items]),
        version=version
        or f"trained-{stamp}-{hashlib.sha256((ds_hash + sig_hash + recipe).encode()).hexdigest()[:8]}",
        info={
            "trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "training_set_sha256": ds_hash,
            "signals_sha256": sig_hash,
            "training_documents": len(items),
            "training_counts": dict(sorted(counts.items())),
            "features_fingerprint": features_fingerprint(),
            "corpus_manifests": manifests,
            "C": chosen,
            "groups": len({it.group for it in items}),
            "score": "score = 100 * P(good); bands: high >= 75, medium >= 50, low >= 25, very_low < 25",
            **figures,
        },
    )
    shift = figures.get("operating_point", {}).get("logit_shift", 0.0)
    if shift:
        model = replace(model, calibration=(model.calibration[0], model.calibration[1] + shift))
    model.save(out)
    return model, figures


def sparse_codes(values: Sequence[Mapping[str, float]]) -> set[str]:
    """Codes that are absent (or 0) in at least half of the documents."""
    present: dict[str, int] = {}
    for v in values:
        for code, x in v.items():
            if x != 0.0:
                present[code] = present.get(code, 0) + 1
    return {code for code, n in present.items() if 2 * n <= len(values)}


def operating_point(
    items: Sequence[Labelled], oof: Any, keep_good: float, sources: Sequence[str] | None
) -> dict[str, Any]:
    """The logit shift (>= 0) that makes `keep_good` of the good documents of `sources` score >= 50 out of
    fold, and what it costs in caught bad documents."""
    import numpy as np

    p = np.clip(np.asarray(oof, dtype=float), 1e-9, 1 - 1e-9)
    logit = np.log(p / (1 - p))
    y = np.array([it.y for it in items])
    chosen = np.array([it.y == 1 and (not sources or it.source in sources) for it in items])
    if not chosen.any():
        raise ScorerError("no good documents of the requested sources to set the operating point on")
    # Smallest shift with at least keep_good of the chosen logits >= 0 after it.
    needed = -float(np.quantile(logit[chosen], 1.0 - keep_good, method="lower"))
    shift = needed + 1e-6 if needed > 0 else 0.0
    return {
        "keep_good": keep_good,
        "sources": list(sources or []),
        "logit_shift": shift,
        "prior_odds_factor": float(np.exp(shift)),
        "good_kept_at_50_before": float(np.mean(logit[chosen] >= 0)),
        "good_kept_at_50_after": float(np.mean(logit[chosen] + shift >= 0)),
        "bad_caught_at_50_before": float(np.mean(logit[y == 0] < 0)),
        "bad_caught_at_50_after": float(np.mean(logit[y == 0] + shift < 0)),
    }

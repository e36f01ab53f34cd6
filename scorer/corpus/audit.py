"""The ranked audit of a folder or a corpus (`scorer audit`): documents ranked worst first.

Memory stays bounded whatever the input size: results are spilled to sorted runs on disk and merged
(an external sort), the summary is a set of counters, and the errors go to a temporary file. Only the
HTML report keeps more: the text of the `--max-articles` worst documents, to highlight their evidence.
"""

from __future__ import annotations

import csv
import heapq
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from features import FAMILIES
from scorer.config import Settings
from scorer.corpus.parallel import Outcome, Scored, resolve_jobs, score_items
from scorer.corpus.progress import track
from scorer.corpus.provenance import ProvenancePass
from scorer.engine import BANDS
from scorer.ingest.inputs import InputFailure, Item, ReadOptions, iter_items

logger = logging.getLogger(__name__)

FORMATS = ("table", "json", "jsonl", "csv", "html")
WORST_IN_SUMMARY = 10
RUN_SIZE = 2_000  # rows per sorted run on disk (about 3 MB of serialised rows in memory)
HIST_BINS = 10  # score histogram: 0-10, 10-20, ... 90-100

# --- the scored stream shared with the gate ------------------------------------------------------


def scored_stream(
    paths: list[str],
    options: ReadOptions,
    jobs: int | None,
    settings: Settings,
    *,
    want_text: bool = False,
    prov: ProvenancePass | None = None,
    engine: str = "pool",
    ray_address: str | None = None,
) -> Iterator[Outcome]:
    """Read and score `paths` with `jobs` processes (None: the `jobs` setting) of the `engine` ("pool":
    this machine's cores; "ray": `scorer.corpus.ray_engine`, on the cluster at `ray_address`), showing
    progress on stderr (`scorer.corpus.progress`); with `prov`, the outcomes come out of the corpus
    provenance pass (clusters, provenance.* signals)."""
    if prov is not None:
        yield from prov.run(_scored(paths, options, jobs, settings, True, True, engine, ray_address))
        return
    yield from _scored(paths, options, jobs, settings, want_text, False, engine, ray_address)


def _scored(
    paths: list[str],
    options: ReadOptions,
    jobs: int | None,
    settings: Settings,
    want_text: bool,
    want_fp: bool,
    engine: str,
    ray_address: str | None,
) -> Iterator[Outcome]:
    if engine == "ray":
        actors = settings.jobs if jobs is None else jobs  # 0: one actor per CPU of the cluster
        yield from track(
            paths,
            lambda _: _ray_outcomes(paths, options, actors, settings, want_text, want_fp, ray_address),
            (),
            sys.stderr,
        )
        return
    jobs = resolve_jobs(jobs, settings)
    logger.info("scoring with %d job(s)", jobs)

    def run(items: Iterable[Item | InputFailure]) -> Iterator[Outcome]:
        return score_items(
            items,
            settings=settings,
            jobs=jobs,
            options=options,
            want_text=want_text,
            want_fingerprints=want_fp,
        )

    yield from track(paths, run, iter_items(paths, options), sys.stderr)


def _ray_outcomes(
    paths: list[str],
    options: ReadOptions,
    jobs: int,
    settings: Settings,
    want_text: bool,
    want_fp: bool,
    address: str | None,
) -> Iterator[Outcome]:
    """The outcomes of the Ray engine (`scorer.corpus.ray_engine`), in input order; with `want_fp`,
    the MinHash signatures are computed in the actors, as the pool's workers do."""
    from scorer.corpus import ray_engine

    return ray_engine.score_items(
        paths,
        settings=settings,
        jobs=jobs,
        options=options,
        want_text=want_text,
        want_fp=want_fp,
        address=address,
    )


# --- rows, summary, external sort -----------------------------------------------------------------


def result_row(scored: Scored) -> dict[str, Any]:
    """The JSON form of one result, with where it came from and its position in the input."""
    row = scored.result.to_dict()
    row["location"] = scored.location
    row["seq"] = scored.seq
    return row


class Summary:
    """Counters over the scored documents, and the worst few kept in a bounded heap."""

    def __init__(self, min_score: float | None = None, worst: int = WORST_IN_SUMMARY) -> None:
        self.min_score = min_score
        self.documents = 0
        self.errors = 0
        self.total = 0.0
        self.lowest: float | None = None
        self.highest: float | None = None
        self.labels: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()
        self.histogram = [0] * HIST_BINS
        self.below = 0
        self.family_totals = dict.fromkeys(FAMILIES, 0.0)
        self._worst_n = worst
        # Max-heap by (score, seq) through negation: the root is the best of the worst kept so far.
        self._worst: list[tuple[float, int, dict[str, Any]]] = []

    def add(self, row: dict[str, Any]) -> None:
        """Count one result row."""
        score = float(row["score"])
        self.documents += 1
        self.total += score
        self.lowest = score if self.lowest is None else min(self.lowest, score)
        self.highest = score if self.highest is None else max(self.highest, score)
        self.labels[row["label"]] += 1
        self.languages[row["language"]] += 1
        self.codes.update({s["code"] for s in row["signals"]})
        self.histogram[min(HIST_BINS - 1, int(score // (100 / HIST_BINS)))] += 1
        for fam in FAMILIES:
            self.family_totals[fam] += float(row["families"].get(fam, 100.0))
        if self.min_score is not None and score < self.min_score:
            self.below += 1
        brief = {
            "source": row["source"],
            "location": row["location"],
            "url": (row.get("document") or {}).get("url"),
            "score": score,
            "label": row["label"],
            "reasons": row["reasons"],
        }
        entry = (-score, -int(row["seq"]), brief)
        if len(self._worst) < self._worst_n:
            heapq.heappush(self._worst, entry)
        elif entry[:2] > self._worst[0][:2]:
            heapq.heapreplace(self._worst, entry)

    def worst(self) -> list[dict[str, Any]]:
        """The lowest-scoring documents, worst first."""
        return [e[2] for e in sorted(self._worst, key=lambda e: (-e[0], -e[1]))]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        n = self.documents
        step = 100 // HIST_BINS
        out: dict[str, Any] = {
            "documents": n,
            "errors": self.errors,
            "mean_score": round(self.total / n, 1) if n else None,
            "min_score": self.lowest,
            "max_score": self.highest,
            "labels": {name: self.labels.get(name, 0) for _, name in BANDS},
            "languages": dict(self.languages.most_common()),
            "histogram": [
                {"from": i * step, "to": (i + 1) * step, "count": c} for i, c in enumerate(self.histogram)
            ],
            "family_means": {f: round(t / n, 1) for f, t in self.family_totals.items()} if n else {},
            "top_signals": dict(sorted(self.codes.items(), key=lambda kv: (-kv[1], kv[0]))[:20]),
            "worst": self.worst(),
        }
        if self.min_score is not None:
            out["threshold"] = self.min_score
            out["below_threshold"] = self.below
            out["flagged_fraction"] = round(self.below / n, 4) if n else 0.0
        return out


class RankedSpill:
    """An external sort of result rows by (score, input order): sorted runs on disk, merged on read."""

    def __init__(self, folder: str, run_size: int = RUN_SIZE) -> None:
        self.folder = folder
        self.run_size = run_size
        self._buffer: list[tuple[float, int, str]] = []
        self._runs: list[str] = []
        self.count = 0

    def add(self, row: dict[str, Any]) -> None:
        """Keep one row (serialised) for the ranked output."""
        self._buffer.append((float(row["score"]), int(row["seq"]), json.dumps(row, ensure_ascii=False)))
        self.count += 1
        if len(self._buffer) >= self.run_size:
            self._flush()

    def _flush(self) -> None:
        self._buffer.sort(key=lambda t: (t[0], t[1]))
        path = os.path.join(self.folder, f"run{len(self._runs):05d}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for score, seq, line in self._buffer:
                f.write(f"{score!r}\t{seq}\t{line}\n")
        self._runs.append(path)
        self._buffer = []

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Rows worst first."""
        self._buffer.sort(key=lambda t: (t[0], t[1]))
        streams: list[Iterable[tuple[float, int, str]]] = [iter(self._buffer)]
        files = [open(p, encoding="utf-8") for p in self._runs]  # noqa: SIM115 - closed below
        try:
            for f in files:
                streams.append(_read_run(f))
            for _, _, line in heapq.merge(*streams, key=lambda t: (t[0], t[1])):
                yield json.loads(line)
        finally:
            for f in files:
                f.close()


def _read_run(f: TextIO) -> Iterator[tuple[float, int, str]]:
    for raw in f:
        score, seq, line = raw.rstrip("\n").split("\t", 2)
        yield float(score), int(seq), line


class ErrorSpill:
    """Input failures in input order, kept on disk."""

    def __init__(self, folder: str) -> None:
        self.path = os.path.join(folder, "errors.jsonl")
        self._f = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.count = 0

    def add(self, failure: InputFailure) -> None:
        """Keep one failure."""
        self._f.write(json.dumps(failure.to_dict(), ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        """Finish writing."""
        self._f.close()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The failures as dicts, in input order."""
        if not self._f.closed:
            self._f.flush()
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


@contextmanager
def open_output(path: str | None, *, newline: str | None = None) -> Iterator[TextIO]:
    """The output file (written to a temporary name, renamed when complete) or stdout."""
    if not path or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        with open(tmp, "w", encoding="utf-8", newline=newline) as f:
            yield f
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


# --- writers --------------------------------------------------------------------------------------


def write_table(
    rows: Iterable[dict[str, Any]], errors: Iterable[dict[str, Any]], summary: dict[str, Any], out: TextIO
) -> None:
    """A ranked table for people, then the errors and a one-line summary."""
    out.write(f"{'rank':>5}  {'score':>5}  {'label':<8}  {'source':<44}  reasons\n")
    for rank, r in enumerate(rows, start=1):
        src = described(r)
        src = src if len(src) <= 44 else "…" + src[-43:]
        reasons = ", ".join(r["reasons"][:3]) or "-"
        out.write(f"{rank:>5}  {r['score']:5.1f}  {r['label']:<8}  {src:<44}  {reasons}\n")
    errs = list(_take(errors, 1000))
    if errs:
        out.write(f"\nerrors ({summary['errors']}):\n")
        for e in errs:
            out.write(f"  {e['source']}: {e['error']}\n")
        if summary["errors"] > len(errs):
            out.write(f"  … {summary['errors'] - len(errs)} more (use --format json for all)\n")
    out.write(f"\n{format_summary_line(summary)}\n")


def described(row: dict[str, Any]) -> str:
    """The location of a result with what names it beside: the URL of a WARC response, else the
    record id when it differs from the location (`corpus.jsonl:12 (id a-17)`)."""
    loc = str(row.get("location") or row["source"])
    url = row.get("url") or (row.get("document") or {}).get("url")
    if ":offset " in loc and url:
        return f"{loc} ({url})"
    source = str(row.get("source") or "")
    if source and source != loc and loc != source.rsplit(":", 1)[0] and not loc.endswith(source):
        return f"{loc} (id {source})"
    return loc


def _take(it: Iterable[Any], n: int) -> Iterator[Any]:
    for i, x in enumerate(it):
        if i >= n:
            return
        yield x


def format_summary_line(summary: dict[str, Any]) -> str:
    """`N documents, E errors, mean score M; labels: ...`."""
    labels = ", ".join(f"{k} {v}" for k, v in summary["labels"].items())
    mean = "-" if summary["mean_score"] is None else f"{summary['mean_score']:.1f}"
    return f"{summary['documents']} documents scored, {summary['errors']} errors, mean score {mean}; {labels}"


def write_json(
    rows: Iterable[dict[str, Any]],
    errors: Iterable[dict[str, Any]],
    summary: dict[str, Any],
    out: TextIO,
    extra: dict[str, Any] | None = None,
) -> None:
    """One JSON object {"summary", ["gate",] "results", "errors"}, written as it streams."""
    out.write('{"summary": ' + json.dumps(summary, ensure_ascii=False))
    for key, value in (extra or {}).items():
        out.write(f', "{key}": ' + json.dumps(value, ensure_ascii=False))
    for key, items in (("results", rows), ("errors", errors)):
        out.write(f',\n"{key}": [')
        for i, item in enumerate(items):
            out.write(("\n" if i == 0 else ",\n") + json.dumps(_public(item), ensure_ascii=False))
        out.write("]")
    out.write("}\n")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "seq"}


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """One result per line, worst first (errors go to stderr)."""
    for r in rows:
        out.write(json.dumps(_public(r), ensure_ascii=False) + "\n")


CSV_FIELDS = [
    "rank",
    "score",
    "label",
    "source",
    "location",
    "language",
    "title",
    "url",
    "reasons",
    "flags",
    *FAMILIES,
]


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """A ranked CSV: one row per document, families as columns, reasons joined by `; `."""
    w = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for rank, r in enumerate(rows, start=1):
        doc = r.get("document", {})
        w.writerow(
            {
                "rank": rank,
                "score": r["score"],
                "label": r["label"],
                "source": r["source"],
                "location": r["location"],
                "language": r["language"],
                "title": doc.get("title") or "",
                "url": doc.get("url") or "",
                "reasons": "; ".join(r["reasons"]),
                "flags": len(r["signals"]),
                **{f: r["families"].get(f, "") for f in FAMILIES},
            }
        )


# --- the command ----------------------------------------------------------------------------------


class Collected:
    """Everything one pass over the inputs keeps: counters, the ranked spill, the errors, and (for the
    HTML report) the worst articles with their text."""

    def __init__(self, folder: str, summary: Summary, articles: int = 0) -> None:
        self.summary = summary
        self.ranked = RankedSpill(folder)
        self.errors = ErrorSpill(folder)
        self.max_articles = articles
        self._articles: list[tuple[float, int, dict[str, Any]]] = []

    def add(self, outcome: Outcome) -> None:
        """Take one outcome into every collector."""
        if isinstance(outcome, InputFailure):
            self.summary.errors += 1
            self.errors.add(outcome)
            return
        row = result_row(outcome)
        self.summary.add(row)
        self.ranked.add(row)
        if self.max_articles and outcome.text is not None:
            entry = (
                -float(row["score"]),
                -outcome.seq,
                {"seq": outcome.seq, "text": outcome.text, "row": row},
            )
            if len(self._articles) < self.max_articles:
                heapq.heappush(self._articles, entry)
            elif entry[:2] > self._articles[0][:2]:
                heapq.heapreplace(self._articles, entry)

    def articles(self) -> dict[int, dict[str, Any]]:
        """The kept articles by input position."""
        return {e[2]["seq"]: e[2] for e in self._articles}


def collect(outcomes: Iterable[Outcome], folder: str, summary: Summary, articles: int = 0) -> Collected:
    """Run the stream through the collectors."""
    c = Collected(folder, summary, articles)
    for outcome in outcomes:
        c.add(outcome)
    c.errors.close()
    return c

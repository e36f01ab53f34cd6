"""Corpus provenance: near-copy and template clusters, the likely original of each, and their signals.

What one document cannot show, a corpus can: the same article published several times (rewritten,
wrapped in another site's furniture, trimmed), or many articles filled from one template (the same
sentences with another town, other figures). `ProvenancePass` sits between the scoring stream and the
collectors of `scorer audit` / `scorer check`:

1. while the documents stream past, it spills each outcome to disk (with its text) and appends its
   MinHash signatures (`scorer.corpus.fingerprint`, computed in the workers) to fixed-size files, and
   each signature's LSH band keys (21 bands of 3 rows) to one file per band;
2. after the stream, it sorts each band's keys (numpy, one band in memory at a time), checks the
   documents that share a bucket against the bucket's first document (estimated Jaccard similarity),
   and joins the matches into clusters (union-find: the clusters do not depend on the order in which
   pairs are found, so not on `--jobs`);
3. it picks the likely original of each cluster (earliest explicit date, then a named byline, then the
   fewest artefacts, then the highest score, then input order), finds the longest passages each member
   shares with it, and re-reads the spill in input order, yielding every outcome with its `cluster`
   and, for a copy, the `provenance.near_copy` / `provenance.template` signal and a fixed penalty.

Memory: the chunk buffers, one band of keys during the sort (8 bytes per document), and the cluster
table (one entry per clustered document). Texts and signatures stay on disk.

The penalty is a fixed amount on the calibrated logit (the model has no weight for a corpus signal):
`NEAR_COPY_LOGIT` for a near-copy that is not the likely original, `TEMPLATE_LOGIT` for a templated
document. The score, label, reasons and a `provenance` family sub-score (clustered documents only) are recomputed from it, and the
contribution is listed like any other, so the explanation names it. `scorer score` and `POST /score`
never see a corpus and never carry these signals.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import pickle
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO

import numpy as np

from features import Evidence, Kind, Signal
from scorer.corpus.fingerprint import NUM_PERM, SHINGLE, Fingerprint, shingle_hashes, words
from scorer.corpus.parallel import Outcome, Scored
from scorer.engine import Result, describe

logger = logging.getLogger(__name__)

BANDS, ROWS = 21, 3  # NUM_PERM = BANDS * ROWS; a pair at Jaccard 0.4 is a candidate with p = 0.75
# A pair is a near-copy when its estimated Jaccard similarity reaches NEAR_JACCARD, or when it reaches
# NEAR_MIN_JACCARD and the smaller document's shingles are mostly in the other (NEAR_CONTAINMENT): a
# copy that dropped half the paragraphs, or added a long tail, keeps most of the original.
NEAR_JACCARD = 0.5
NEAR_MIN_JACCARD = 0.25
NEAR_CONTAINMENT = 0.7
# Template: the masked shingles (digits, capitalised words) are alike, at least TEMPLATE_MIN_SIZE
# documents share them, and the documents are not near-copies of each other.
TEMPLATE_JACCARD = 0.6
TEMPLATE_MIN_SIZE = 3
# Template documents also share their fixed sentences word for word. When masking names and figures
# raises the similarity by TEMPLATE_GAP or more, what differs is exactly the names and figures: a
# fill of one template, not a copy of one article (a copy is as alike masked as unmasked).
TEMPLATE_GAP = 0.2
NEAR_COPY_LOGIT = -4.0
TEMPLATE_LOGIT = -3.0
PENALTIES = {"provenance.near_copy": NEAR_COPY_LOGIT, "provenance.template": TEMPLATE_LOGIT}
MAX_PASSAGES = 5  # shared passages cited per document (the longest)
ARTEFACT_FAMILIES = ("translation", "boilerplate", "generation")
CHUNK = 8192  # documents per write of the signature and band files
NO_DATE = np.iinfo(np.int32).max
REPORT_CLUSTERS = 50  # clusters the HTML report shows
REPORT_COPIES = 5  # copies shown beside each original
KINDS = ("near_copy", "template")

CODES = {
    "provenance.near_copy": "A near-copy of another document of the corpus, and not the likely original; "
    "evidence: the longest passages it shares with the original (audit and check only).",
    "provenance.template": "One of N documents filled from the same template (same sentences, other "
    "names and figures); evidence: the passages of its skeleton it shares with the cluster's original "
    "(audit and check only).",
}

_RECORD = np.dtype(
    [
        ("offset", "<u8"),
        ("has_sig", "u1"),
        ("byline", "u1"),
        ("artefacts", "<u2"),
        ("date", "<i4"),
        ("score", "<f4"),
        ("near_n", "<u4"),
        ("template_n", "<u4"),
    ]
)
_BAND_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


@dataclass
class Cluster:
    """One cluster: its id, kind, members (input positions) and likely original."""

    id: str
    kind: str
    members: list[int]
    original: int = -1
    original_source: str = ""
    original_location: str = ""
    similarity: dict[int, float] = field(default_factory=dict)


class _Rows:
    """Fixed-size rows of a file, read one at a time (pread). Touching a few rows of a large file through
    a memory map would map whole neighbourhoods of it (the kernel's fault-around), and the process's
    resident size would count them."""

    def __init__(self, path: str, dtype: Any, shape: tuple[int, ...] = ()) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.dtype = np.dtype(dtype)
        self.shape = shape
        self.size = self.dtype.itemsize * int(np.prod(shape, dtype=np.int64))

    def __getitem__(self, i: int) -> Any:
        row = np.frombuffer(os.pread(self.fd, self.size, int(i) * self.size), dtype=self.dtype)
        return row.reshape(self.shape) if self.shape else row[0]

    def close(self) -> None:
        os.close(self.fd)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            nxt = self.parent.get(x, x)
            self.parent[x] = root
            x = nxt
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller input position is the root: the components do not depend on union order.
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo
            self.parent.setdefault(lo, lo)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for x in list(self.parent):
            out.setdefault(self.find(x), []).append(x)
        return [sorted(m) for _, m in sorted(out.items())]


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """The LSH band keys (n, BANDS) of n signatures of NUM_PERM uint32 each; never 0 (0 = no signature)."""
    rows = sigs.reshape(sigs.shape[0], BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = (rows * _BAND_MULT).sum(axis=2, dtype=np.uint64)
        keys = keys + np.arange(BANDS, dtype=np.uint64) * np.uint64(0x100000001B3)
        keys ^= keys >> np.uint64(29)
    keys[keys == 0] = 1
    return keys


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity estimated from two MinHash signatures."""
    return float(np.count_nonzero(a == b)) / a.size


def containment(j: float, n_a: int, n_b: int) -> float:
    """The share of the smaller shingle set found in the other, from the Jaccard estimate and the sizes."""
    if n_a <= 0 or n_b <= 0:
        return 0.0
    inter = j / (1.0 + j) * (n_a + n_b)
    return min(1.0, inter / min(n_a, n_b))


def is_near_copy(j: float, n_a: int, n_b: int) -> bool:
    """The near-copy rule on an estimated similarity (see NEAR_JACCARD)."""
    return j >= NEAR_JACCARD or (j >= NEAR_MIN_JACCARD and containment(j, n_a, n_b) >= NEAR_CONTAINMENT)


def shared_passages(text: str, other: str, *, template: bool = False) -> tuple[list[tuple[int, int]], float]:
    """Passages of `text` (character spans, longest first, at most MAX_PASSAGES) made of 5-word
    shingles that `other` also has, and the share of `text`'s words they cover. With `template`, the
    masked view: words with digits and capitalised words match any such word (the skeleton)."""
    starts, ends, near_a, tmpl_a = words(text)
    if starts.size < SHINGLE:
        return [], 0.0
    _, _, near_b, tmpl_b = words(other)
    a, b = (tmpl_a, tmpl_b) if template else (near_a, near_b)
    mine = shingle_hashes(a)
    hits = np.isin(mine, shingle_hashes(b))
    # A passage is a run of consecutive shared shingles: a dropped paragraph or a swapped word breaks
    # the run (the shingles across it are not shared), so passages end where the texts part.
    edges = np.diff(np.concatenate(([0], hits.view(np.int8), [0])))
    run_s, run_e = np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()
    covered = np.zeros(starts.size, dtype=bool)
    for s, e in zip(run_s, run_e, strict=True):
        covered[s : e - 1 + SHINGLE] = True
    runs = sorted(zip(run_s, run_e, strict=True), key=lambda r: (r[0] - r[1], r[0]))
    out = [(int(starts[s]), int(ends[e - 2 + SHINGLE])) for s, e in runs[:MAX_PASSAGES]]
    return out, float(covered.sum()) / starts.size


def _cluster_flag(
    code: str,
    message: str,
    text: str,
    spans: list[tuple[int, int]],
    cluster: Cluster,
    similarity: float,
    share: float,
) -> Signal:
    """A near-copy or template flag citing the shared passages of `text`, with its cluster's details."""
    return Signal(
        code,
        message,
        tuple(Evidence(a, b, text[a:b]) for a, b in sorted(spans)),
        1.0,
        Kind.FLAG,
        {
            "cluster": cluster.id,
            "original": cluster.original_source,
            "similarity": similarity,
            "shared_share": round(share, 3),
        },
    )


def _record_of(result: Result) -> tuple[int, int, int, float]:
    """(date ordinal, named byline 0/1, artefacts, score) from a result: what chooses the original."""
    date = NO_DATE
    byline = 0
    artefacts = 0
    for s in result.signals:
        if s.code in ("dating.date_from_metadata", "dating.date_from_dateline"):
            iso = s.detail.get("date") if s.detail else None
            if isinstance(iso, str):
                try:
                    date = min(date, dt.date.fromisoformat(iso[:10]).toordinal())
                except ValueError:
                    pass
        elif s.code == "sourcing.byline":
            byline = 1
        elif s.kind is Kind.FLAG and s.family in ARTEFACT_FAMILIES:
            artefacts += 1
    return date, byline, min(artefacts, 65535), float(result.score)


class ProvenancePass:
    """The corpus pass: spill, cluster, then re-yield the outcomes with their clusters (module doc)."""

    def __init__(self, folder: str, *, keep_text: bool = False) -> None:
        self.folder = os.path.join(folder, "provenance")
        os.makedirs(self.folder, exist_ok=True)
        self.keep_text = keep_text
        self.count = 0
        self._spill: BinaryIO = open(os.path.join(self.folder, "outcomes.pkl"), "wb")  # noqa: SIM115
        self._records = open(os.path.join(self.folder, "records.bin"), "wb")  # noqa: SIM115
        self._sigs = open(os.path.join(self.folder, "signatures.bin"), "wb")  # noqa: SIM115
        self._band_files = [
            [open(self._band_path(k, b), "wb") for b in range(BANDS)]  # noqa: SIM115
            for k in range(len(KINDS))
        ]
        self._buf_records: list[tuple[Any, ...]] = []
        self._buf_sigs: list[bytes] = []
        self.clusters: list[Cluster] = []
        self._member: dict[int, tuple[int, float]] = {}  # input position -> (cluster index, similarity)
        self.report: list[dict[str, Any]] = []

    def _band_path(self, kind: int, band: int) -> str:
        return os.path.join(self.folder, f"bands-{kind}-{band:02d}.u64")

    # -- pass 1: spill ---------------------------------------------------------------------------
    def add(self, outcome: Outcome) -> None:
        """Keep one outcome (on disk) and its signatures."""
        offset = self._spill.tell()
        fp = outcome.fingerprint if isinstance(outcome, Scored) else None
        # The signature goes to its own file; the spill keeps the outcome and its text.
        spilled: Outcome = outcome
        if isinstance(outcome, Scored) and fp is not None:
            spilled = Scored(outcome.seq, outcome.location, outcome.result, outcome.text)
        pickle.dump(spilled, self._spill, protocol=pickle.HIGHEST_PROTOCOL)
        if isinstance(outcome, Scored) and fp is not None:
            date, byline, artefacts, score = _record_of(outcome.result)
            self._buf_records.append(
                (offset, 1, byline, artefacts, date, score, fp.near_shingles, fp.template_shingles)
            )
            self._buf_sigs.append(fp.near + fp.template)
        else:
            score = float(outcome.result.score) if isinstance(outcome, Scored) else 0.0
            self._buf_records.append((offset, 0, 0, 0, NO_DATE, score, 0, 0))
            self._buf_sigs.append(bytes(8 * NUM_PERM))
        self.count += 1
        if len(self._buf_records) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._buf_records:
            return
        recs = np.array(self._buf_records, dtype=_RECORD)
        sigs = np.frombuffer(b"".join(self._buf_sigs), dtype=np.uint32).reshape(len(recs), 2, NUM_PERM)
        recs.tofile(self._records)
        sigs.tofile(self._sigs)
        missing = recs["has_sig"] == 0
        for k in range(len(KINDS)):
            keys = band_keys(np.ascontiguousarray(sigs[:, k, :]))
            keys[missing] = 0
            for b in range(BANDS):
                np.ascontiguousarray(keys[:, b]).tofile(self._band_files[k][b])
        self._buf_records, self._buf_sigs = [], []

    def _close_writers(self) -> None:
        self._flush()
        for f in (self._spill, self._records, self._sigs, *(f for fs in self._band_files for f in fs)):
            f.close()

    # -- pass 2: clusters --------------------------------------------------------------------------
    def _cluster(self) -> None:
        n = self.count
        if not n:
            return
        recs = self._records_table()
        sigs = _Rows(os.path.join(self.folder, "signatures.bin"), np.uint32, (2, NUM_PERM))
        near_uf = _UnionFind()

        def near_ok(a: int, b: int) -> bool:
            sa, sb = sigs[a], sigs[b]
            j = jaccard(sa[0], sb[0])
            if not is_near_copy(j, int(recs[a]["near_n"]), int(recs[b]["near_n"])):
                return False
            return jaccard(sa[1], sb[1]) - j < TEMPLATE_GAP

        self._band_pass(0, n, near_uf, near_ok)
        near_groups = [g for g in near_uf.groups() if len(g) >= 2]
        for g in near_groups:
            self._new_cluster("near_copy", g, recs, sigs, 0)
        # Copies are already flagged; only originals and unclustered documents take part in templates.
        copies = {m for c in self.clusters for m in c.members if m != c.original}

        def template_ok(a: int, b: int) -> bool:
            if (
                a in copies
                or b in copies
                or (a in self._member and self._member.get(a) == self._member.get(b))
            ):
                return False
            if near_ok(a, b):
                return False
            return jaccard(sigs[a][1], sigs[b][1]) >= TEMPLATE_JACCARD

        tmpl_uf = _UnionFind()
        self._band_pass(1, n, tmpl_uf, template_ok)
        for g in tmpl_uf.groups():
            # A near-copy original keeps its near-copy cluster; the template cluster lists it too.
            if len(g) >= TEMPLATE_MIN_SIZE:
                self._new_cluster("template", g, recs, sigs, 1)
        recs.close()
        sigs.close()

    def _band_pass(self, kind: int, n: int, uf: _UnionFind, ok: Any) -> None:
        for b in range(BANDS):
            keys = np.fromfile(self._band_path(kind, b), dtype=np.uint64, count=n)
            order = np.argsort(keys, kind="stable")
            sk = keys[order]
            cut = np.flatnonzero(sk[1:] != sk[:-1]) + 1
            starts = np.concatenate(([0], cut))
            ends = np.concatenate((cut, [n]))
            multi = (ends - starts >= 2) & (sk[starts] != 0)
            for s, e in zip(starts[multi].tolist(), ends[multi].tolist(), strict=True):
                members = order[s:e].tolist()  # ascending input position (stable sort)
                head = members[0]
                for m in members[1:]:
                    if uf.find(m) != uf.find(head) and ok(head, m):
                        uf.union(head, m)
            del keys, order, sk

    def _new_cluster(self, kind: str, members: list[int], recs: _Rows, sigs: _Rows, k: int) -> None:
        def rank(m: int) -> tuple[int, int, int, float, int]:
            r = recs[m]
            return (int(r["date"]), -int(r["byline"]), int(r["artefacts"]), -float(r["score"]), m)

        original = min(members, key=rank)
        prefix = "c" if kind == "near_copy" else "t"
        cluster = Cluster(
            f"{prefix}{sum(1 for c in self.clusters if c.kind == kind) + 1}", kind, members, original
        )
        best = 0.0
        for m in members:
            if m == original:
                continue
            j = jaccard(sigs[m][k], sigs[original][k])
            cluster.similarity[m] = round(j, 3)
            best = max(best, j)
        cluster.similarity[original] = round(best, 3)
        orig = self._load(int(recs[original]["offset"]))
        if isinstance(orig, Scored):
            cluster.original_source = orig.result.source
            cluster.original_location = orig.location
        index = len(self.clusters)
        self.clusters.append(cluster)
        for m in members:
            if m not in self._member:  # a near-copy cluster comes first and stays the document's
                self._member[m] = (index, cluster.similarity[m])

    def _records_table(self) -> _Rows:
        return _Rows(os.path.join(self.folder, "records.bin"), _RECORD)

    def _offset(self, pos: int) -> int:
        recs = self._records_table()
        try:
            return int(recs[pos]["offset"])
        finally:
            recs.close()

    def _load(self, offset: int) -> Outcome:
        with open(os.path.join(self.folder, "outcomes.pkl"), "rb") as f:
            f.seek(offset)
            return pickle.load(f)  # noqa: S301 - a file this process wrote itself, in its own temp folder

    # -- pass 3: re-yield --------------------------------------------------------------------------
    def run(self, outcomes: Iterable[Outcome]) -> Iterator[Outcome]:
        """Consume the stream, cluster, then yield every outcome (in input order) with its cluster."""
        for o in outcomes:
            self.add(o)
        self._close_writers()
        self._cluster()
        logger.info("provenance: %s", self.stats())
        texts: OrderedDict[int, str] = OrderedDict()  # originals' texts, a few at a time
        shown = {i for i, c in enumerate(self.clusters[:REPORT_CLUSTERS])}
        report: dict[int, dict[str, Any]] = {}
        with open(os.path.join(self.folder, "outcomes.pkl"), "rb") as f:
            for pos in range(self.count):
                outcome: Outcome = pickle.load(f)  # noqa: S301 - see _load
                if isinstance(outcome, Scored):
                    if pos in self._member:
                        outcome = self._patch(pos, outcome, texts, shown, report)
                    if not self.keep_text and outcome.text is not None:
                        outcome = Scored(outcome.seq, outcome.location, outcome.result)
                yield outcome
        self.report = [report[i] for i in sorted(report)]

    def _original_text(self, cluster: Cluster, texts: OrderedDict[int, str]) -> str:
        if cluster.original not in texts:
            o = self._load(self._offset(cluster.original))
            texts[cluster.original] = o.text if isinstance(o, Scored) and o.text is not None else ""
            if len(texts) > 16:
                texts.popitem(last=False)
        texts.move_to_end(cluster.original)
        return texts[cluster.original]

    def _partner(self, cluster: Cluster) -> int:
        # The template original's passages are shown against its most similar member.
        others = [m for m in cluster.members if m != cluster.original]
        return max(others, key=lambda m: (cluster.similarity.get(m, 0.0), -m))

    def _patch(
        self,
        pos: int,
        outcome: Scored,
        texts: OrderedDict[int, str],
        shown: set[int],
        report: dict[int, dict[str, Any]],
    ) -> Scored:
        result = outcome.result
        families = {**result.families, "provenance": 100.0}
        index, similarity = self._member[pos]
        cluster = self.clusters[index]
        info = {
            "id": cluster.id,
            "kind": cluster.kind,
            "size": len(cluster.members),
            "original": cluster.original_source,
            "original_location": cluster.original_location,
            "is_original": pos == cluster.original,
            "similarity": similarity,
        }
        text = outcome.text or ""
        signal: Signal | None = None
        spans: list[tuple[int, int]] = []
        other_spans: list[tuple[int, int]] = []
        if cluster.kind == "near_copy" and pos != cluster.original:
            other = self._original_text(cluster, texts)
            spans, share = shared_passages(text, other)
            other_spans, _ = shared_passages(other, text)
            if spans:
                signal = _cluster_flag(
                    "provenance.near_copy",
                    f"Near-copy of {cluster.original_location or cluster.original_source} (estimated similarity "
                    f"{similarity:.2f}, {share:.0%} of its words in shared passages); cluster {cluster.id} of "
                    f"{len(cluster.members)} documents, whose likely original that is.",
                    text,
                    spans,
                    cluster,
                    similarity,
                    share,
                )
        elif cluster.kind == "template":
            if pos == cluster.original:
                partner = self._partner(cluster)
                po = self._load(self._offset(partner))
                other = po.text if isinstance(po, Scored) and po.text else ""
            else:
                other = self._original_text(cluster, texts)
            spans, share = shared_passages(text, other, template=True)
            other_spans, _ = shared_passages(other, text, template=True)
            if spans:
                signal = _cluster_flag(
                    "provenance.template",
                    f"One of {len(cluster.members)} documents filled from the same template (cluster {cluster.id}; "
                    f"estimated skeleton similarity {similarity:.2f}, {share:.0%} of its words in shared skeleton "
                    "passages): same sentences with other names and figures.",
                    text,
                    spans,
                    cluster,
                    similarity,
                    share,
                )
        new = penalise(replace(result, families=families, cluster=info), signal)
        if index in shown:
            self._remember(report, index, cluster, pos, outcome, new, spans, other_spans)
        return replace(outcome, result=new)

    def _remember(
        self,
        report: dict[int, dict[str, Any]],
        index: int,
        cluster: Cluster,
        pos: int,
        outcome: Scored,
        result: Result,
        spans: list[tuple[int, int]],
        other_spans: list[tuple[int, int]],
    ) -> None:
        group = report.setdefault(
            index,
            {
                "id": cluster.id,
                "kind": cluster.kind,
                "size": len(cluster.members),
                "original": None,
                "copies": [],
            },
        )
        member = {
            "location": outcome.location,
            "source": result.source,
            "score": result.score,
            "label": result.label,
            "similarity": cluster.similarity.get(pos, 0.0),
            "text": outcome.text or "",
            "spans": sorted(spans),
            "original_spans": sorted(other_spans),
        }
        if pos == cluster.original:
            group["original"] = member
        elif len(group["copies"]) < REPORT_COPIES:
            group["copies"].append(member)

    def stats(self) -> dict[str, int]:
        """Cluster counts for the summary."""
        near = [c for c in self.clusters if c.kind == "near_copy"]
        tmpl = [c for c in self.clusters if c.kind == "template"]
        return {
            "near_copy_clusters": len(near),
            "near_copies": sum(len(c.members) - 1 for c in near),
            "template_clusters": len(tmpl),
            "templated_documents": sum(len(c.members) for c in tmpl),
        }


def penalise(result: Result, signal: Signal | None) -> Result:
    """`result` with a corpus signal added and its fixed penalty applied to the logit; the score, label,
    reasons and the `provenance` sub-score follow from it."""
    if signal is None:
        return result
    delta = PENALTIES[signal.code]
    contributions = {**result.contributions, signal.code: delta}
    p = min(max(result.probability, 1e-15), 1.0 - 1e-15)
    logit = math.log(p) - math.log1p(-p) + delta
    prob = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))
    e = describe(contributions, prob, (*result.families, "provenance"))
    return replace(
        result,
        score=e.score,
        label=e.label,
        probability=e.probability,
        signals=[*result.signals, signal],
        contributions=e.contributions,
        reasons=e.reasons,
        families=e.families,
    )


def provenance_pass(folder: str, *, keep_text: bool, enabled: bool = True) -> ProvenancePass | None:
    """The pass over a corpus spilled in `folder`, or None when clusters are turned off (--no-clusters)."""
    if not enabled:
        return None
    return ProvenancePass(folder, keep_text=keep_text)


__all__ = [
    "CODES",
    "Cluster",
    "Fingerprint",
    "ProvenancePass",
    "penalise",
    "provenance_pass",
    "shared_passages",
]

"""Assemble the labelled training and held-out corpus from the shared data folders.

    python scripts/build_corpus.py [--fr-news PATH] [--wmt PATH] [--mt-labelled PATH] [--out build/corpus] [--seed 13]

Reads (defaults under ../shared/data relative to the repository root):
  fr_news        human-written French news          -> good (complete articles: title, dateline, body)
  wmt            human_original, human_translation  -> good;  machine_translation -> bad   (text_norm)
  mt_labelled    HT versions -> good;  MT versions -> bad
and adds content-farm copies made by the seeded corruption generator (`scorer.learn.corrupt`) from clean
articles -> bad.

Writes `train.jsonl`, `heldout.jsonl` (records that `scorer train` / `scorer evaluate` read: the
document fields plus `label`, `source`, `group`, `weight`, `ops`) and `manifest.json` (every document's
origin and hash, and the SHA-256 of the whole set). Also `heldout_bare.jsonl`: the held-out human news
again, as a crawl or a purchased corpus gives it: `{"id", "text"}` with the title and the body only (no
dateline, byline, date or house style), source `fr_news.bare_text`; evaluation only, outside the set hash. Groups (all versions of one source article: a WMT
document and its translations, an article and its corrupted copy) go wholly to one split.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scorer.learn.corrupt import Article, Corruptor, render, restyle  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
HELDOUT_SHARE = 0.2
# Share of the MT documents that also get content-farm damage (machine-translated copies with furniture).
MT_DAMAGE_SHARE = 0.3
# How much one document counts in training, by source: WMT has 9 MT versions per translated article.
WEIGHTS = {
    "fr_news": 1.0,
    "farm": 1.0,
    "wmt.human_original": 3.0,
    "wmt.human_translation": 3.0,
    "wmt.machine_translation": 1.0,
    "wmt.farm": 1.0,
    "mt_labelled.ht": 3.0,
    "mt_labelled.mt": 3.0,
}


def split_of(group: str, seed: int) -> str:
    """'heldout' for about HELDOUT_SHARE of groups, by a salted hash (stable, no shared state)."""
    h = int(hashlib.sha256(f"{seed}:{group}".encode()).hexdigest()[:8], 16)
    return "heldout" if h / 0xFFFFFFFF < HELDOUT_SHARE else "train"


def paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        for line in f:
            if line.strip():
                yield json.loads(line)


def jsonl_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz")))


def fr_news_articles(path: Path) -> list[tuple[str, Article, dict[str, Any]]]:
    out = []
    for f in jsonl_files(path):
        for r in read_jsonl(f):
            body = paragraphs(r["text"])
            if not body:
                continue
            art = Article(
                title=r.get("title") or "",
                body=body,
                dateline=r.get("dateline") or None,
                author=r.get("author") or None,
                published=r.get("published") or None,
                url=r.get("url") or None,
            )
            out.append(
                (
                    str(r["id"]),
                    art,
                    {"dataset": "fr_news", "file": f.name, "id": r["id"], **(r.get("provenance") or {})},
                )
            )
    return out


def wmt_docs(path: Path) -> list[dict[str, Any]]:
    return [r for f in jsonl_files(path) for r in read_jsonl(f)]


_MARKUP_RE = re.compile(r"<[a-zA-Z/][^<>\n]{0,200}>")


def mt_labelled_pairs(path: Path) -> list[dict[str, Any]]:
    pairs = [r for f in jsonl_files(path) for r in read_jsonl(f)]
    keep = []
    for p in pairs:
        texts = [p["mt"]["text_fr"], p["ht"]["text_fr"]]
        # Pages that are mostly HTML layout are not prose; skip both versions alike.
        if any(len(_MARKUP_RE.findall(t)) * 20 > len(t) or len(t) < 300 for t in texts):
            continue
        keep.append(p)
    return keep


class Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.corruptor = Corruptor()
        self.records: list[dict[str, Any]] = []
        self.bare_heldout: list[dict[str, Any]] = []

    def rng(self, *key: str) -> random.Random:
        return random.Random(hashlib.sha256(":".join((str(self.seed), *key)).encode()).hexdigest())

    def add(
        self,
        rec: dict[str, Any],
        *,
        id: str,
        label: str,
        source: str,
        group: str,
        origin: dict[str, Any],
        ops: list[str] | None = None,
    ) -> None:
        rng = self.rng("style", id)
        rec = dict(rec)
        shape = rec.setdefault("shape", "scrape")
        # Articles that lost their dateline and metadata are reported apart: the design counts a date
        # and a byline as part of good provenance, so they are a harder case, not the common one.
        weight = WEIGHTS[source]
        if shape == "bare" and source in ("fr_news", "farm"):
            source = f"{source}.bare"
        rec["text"] = restyle(rec["text"], rng)
        if "title" in rec:
            rec["title"] = restyle(rec["title"], rng)
        rec.update(
            id=id,
            label=label,
            source=source,
            group=group,
            split=split_of(group, self.seed),
            weight=weight,
            ops=ops or [],
            origin=origin,
        )
        self.records.append(rec)

    def fr_news(self, path: Path) -> None:
        arts = fr_news_articles(path)
        by_split: dict[str, list[int]] = {"train": [], "heldout": []}
        for i, (aid, _, _) in enumerate(arts):
            by_split[split_of(f"fr_news:{aid}", self.seed)].append(i)
        for i, (aid, art, origin) in enumerate(arts):
            group = f"fr_news:{aid}"
            if split_of(group, self.seed) == "heldout":
                self.bare_heldout.append(
                    {
                        "id": f"bare.{aid}",
                        "text": "\n\n".join(p for p in (art.title, *art.body) if p),
                        "label": "good",
                        "source": "fr_news.bare_text",
                        "group": group,
                        "origin": origin,
                    }
                )
            self.add(
                render(art, self.rng("render", aid)),
                id=aid,
                label="good",
                source="fr_news",
                group=group,
                origin=origin,
            )
            rng = self.rng("corrupt", aid)
            same_split = by_split[split_of(group, self.seed)]
            donor_i = rng.choice(same_split)
            donor = arts[donor_i][1] if donor_i != i else None
            copy, ops = self.corruptor.corrupt(art, rng, donor)
            self.add(
                render(copy, rng),
                id=f"farm.{aid}",
                label="bad",
                source="farm",
                group=group,
                origin={**origin, "derived": "corrupted copy", "donor": arts[donor_i][0] if donor else None},
                ops=ops,
            )

    def wmt(self, path: Path) -> None:
        docs = wmt_docs(path)
        by_split: dict[str, list[dict[str, Any]]] = {"train": [], "heldout": []}
        for r in docs:
            by_split[split_of(r["group"], self.seed)].append(r)
        for r in docs:
            text = r["text_norm"]
            label = "bad" if r["label"] == "machine_translation" else "good"
            origin = {"dataset": "wmt", "id": r["id"], "system": r["system"], **(r.get("provenance") or {})}
            self.add(
                {"text": text},
                id=r["id"],
                label=label,
                source=f"wmt.{r['label']}",
                group=r["group"],
                origin=origin,
            )
            rng = self.rng("corrupt", r["id"])
            damage = r["label"] == "human_original" or (
                r["label"] == "machine_translation" and rng.random() < MT_DAMAGE_SHARE
            )
            if not damage:
                continue
            paras = paragraphs(text)
            if len(paras) < 3:
                continue
            donor_r = rng.choice(by_split[split_of(r["group"], self.seed)])
            donor = (
                Article(title=paragraphs(donor_r["text_norm"])[0], body=paragraphs(donor_r["text_norm"])[1:])
                if donor_r["group"] != r["group"]
                else None
            )
            art = Article(title=paras[0], body=paras[1:])
            n_ops = None if r["label"] == "human_original" else rng.randint(1, 3)
            copy, ops = self.corruptor.corrupt(art, rng, donor, n_ops=n_ops)
            self.add(
                render(copy, rng, record_share=0.0),
                id=f"farm.{r['id']}",
                label="bad",
                source="wmt.farm",
                group=r["group"],
                origin={**origin, "derived": "corrupted copy", "donor": donor_r["id"] if donor else None},
                ops=ops,
            )

    def mt_labelled(self, path: Path) -> None:
        for p in mt_labelled_pairs(path):
            group = f"mt_labelled:{p['doc_path']}"
            for kind, label in (("mt", "bad"), ("ht", "good")):
                v = p[kind]
                text = v["text_fr"].strip()
                title = (v.get("front_matter") or {}).get("title")
                rec: dict[str, Any] = {"text": text}
                if title:
                    rec["title"] = str(title)
                origin = {
                    "dataset": "mt_labelled_fr",
                    "doc_path": p["doc_path"],
                    "commit": v.get("commit"),
                    "blob": v.get("blob"),
                }
                self.add(
                    rec,
                    id=f"mt_labelled.{kind}.{p['doc_path']}",
                    label=label,
                    source=f"mt_labelled.{kind}",
                    group=group,
                    origin=origin,
                )


def record_hash(rec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--fr-news", type=Path, default=SHARED / "fr_news")
    ap.add_argument("--wmt", type=Path, default=SHARED / "wmt")
    ap.add_argument("--mt-labelled", type=Path, default=SHARED / "mt_labelled_fr")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "corpus")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    missing = [str(p) for p in (args.fr_news, args.wmt, args.mt_labelled) if not p.exists()]
    if missing:
        print(
            f"data not found ({', '.join(missing)}): nothing to build (the shared data is not in this checkout)"
        )
        return 0
    b = Builder(args.seed)
    b.fr_news(args.fr_news)
    b.wmt(args.wmt)
    b.mt_labelled(args.mt_labelled)
    args.out.mkdir(parents=True, exist_ok=True)
    entries = []
    for split in ("train", "heldout"):
        with (args.out / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for rec in b.records:
                if rec["split"] == split:
                    f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
                    entries.append(
                        {
                            "id": rec["id"],
                            "split": split,
                            "label": rec["label"],
                            "source": rec["source"],
                            "group": rec["group"],
                            "ops": rec["ops"],
                            "shape": rec["shape"],
                            "origin": rec["origin"],
                            "sha256": record_hash(rec),
                        }
                    )
    with (args.out / "heldout_bare.jsonl").open("w", encoding="utf-8") as f:
        for rec in b.bare_heldout:
            f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    set_hash = hashlib.sha256("".join(sorted(e["sha256"] for e in entries)).encode()).hexdigest()
    counts = Counter((e["split"], e["source"], e["label"]) for e in entries)
    manifest = {
        "seed": args.seed,
        "heldout_share": HELDOUT_SHARE,
        "inputs": {"fr_news": str(args.fr_news), "wmt": str(args.wmt), "mt_labelled": str(args.mt_labelled)},
        "sha256": set_hash,
        "counts": {f"{s}/{src}/{lab}": n for (s, src, lab), n in sorted(counts.items())},
        "heldout_bare": {
            "documents": len(b.bare_heldout),
            "sha256": hashlib.sha256(
                "".join(sorted(record_hash(r) for r in b.bare_heldout)).encode()
            ).hexdigest(),
        },
        "ops": dict(Counter(op for e in entries for op in e["ops"]).most_common()),
        "documents": entries,
    }
    (args.out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(entries)} documents to {args.out} (set sha256 {set_hash[:16]}…)")
    for k, n in manifest["counts"].items():
        print(f"  {k:<45} {n:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

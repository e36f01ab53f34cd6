"""Benchmark inputs: ~5 KB French articles and HTML pages from the shared data, or generated text.

The shared data lives in `../shared` relative to the repository root. Without it, plain-text articles
are generated from French word frequencies (seeded) and the HTML benchmark is skipped.
"""

from __future__ import annotations

import json
import lzma
import random
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FR_NEWS = Path("data/fr_news/orangesum_sample.jsonl")
HTML_SETS = (Path("data/extraction"), Path("data/dates"))


@dataclass(frozen=True)
class Article:
    """One benchmark input: an id and its text (plain) or bytes (HTML)."""

    id: str
    text: str = ""
    html: bytes = b""
    lang: str = ""

    @property
    def size(self) -> int:
        """Size in UTF-8 bytes (text) or raw bytes (HTML)."""
        return len(self.html) if self.html else len(self.text.encode("utf-8"))


def _full_article(record: dict[str, str]) -> str:
    """Title, dateline and body, as a complete article a user would score."""
    parts = [record.get("title") or "", record.get("dateline") or "", record.get("text") or ""]
    return "\n\n".join(p.strip() for p in parts if p and p.strip()) + "\n"


def fr_news_articles(shared: Path, lo: int = 4500, hi: int = 5500) -> tuple[list[Article], list[Article]]:
    """(articles of `lo`..`hi` UTF-8 bytes sorted by id, the other articles for warm-up) from fr_news."""
    path = shared / FR_NEWS
    inside: list[Article] = []
    outside: list[Article] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            art = Article(id=rec["id"], text=_full_article(rec), lang="fr")
            (inside if lo <= art.size <= hi else outside).append(art)
    inside.sort(key=lambda a: a.id)
    outside.sort(key=lambda a: a.id)
    return inside, outside


def generated_articles(n: int, seed: int, target: int = 5000) -> list[Article]:
    """`n` French-looking articles of about `target` bytes, from the most frequent French words (seeded)."""
    from wordfreq import top_n_list

    vocab = [w for w in top_n_list("fr", 3000) if w.isalpha() and len(w) > 1]
    rng = random.Random(seed)
    out: list[Article] = []
    for i in range(n):
        paras: list[str] = [" ".join(rng.choices(vocab, k=rng.randint(6, 12))).capitalize()]
        size = len(paras[0])
        while size < target:
            sents = []
            for _ in range(rng.randint(2, 5)):
                words = rng.choices(vocab, k=rng.randint(8, 28))
                sents.append(" ".join(words).capitalize() + rng.choice(".....?!"))
            para = " ".join(sents)
            paras.append(para)
            size += len(para.encode("utf-8")) + 2
        out.append(Article(id=f"generated.{i:04d}", text="\n\n".join(paras) + "\n", lang="fr"))
    return out


def html_pages(shared: Path, n: int, seed: int) -> list[Article]:
    """Every French page of the extraction and dates sets, then a seeded sample of the others, up to `n`.

    Pages are deduplicated by file (the dates set points into the extraction set for shared pages).
    """
    seen: dict[Path, Article] = {}
    for sub in HTML_SETS:
        folder = shared / sub
        gold = folder / "gold.jsonl"
        if not gold.exists():
            continue
        with gold.open(encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                path = (folder / rec["html_file"]).resolve()
                if path in seen or not path.exists():
                    continue
                seen[path] = Article(id=rec["id"], lang=rec.get("lang") or "")
    pages = sorted(seen.items(), key=lambda kv: kv[1].id)
    french = [kv for kv in pages if kv[1].lang == "fr"]
    others = [kv for kv in pages if kv[1].lang != "fr"]
    random.Random(seed).shuffle(others)
    chosen = (french + others)[:n]
    return [Article(id=a.id, html=lzma.open(p, "rb").read(), lang=a.lang) for p, a in chosen]


def sample(items: list[Article], n: int, seed: int) -> list[Article]:
    """A seeded sample of `n` items in a stable order (all of them when `n` is 0 or too large)."""
    if n <= 0 or n >= len(items):
        return list(items)
    return sorted(random.Random(seed).sample(items, n), key=lambda a: a.id)


def speed_pass() -> float:
    """Seconds of one pass (~10 ms) over a fixed pure-Python workload: a regex scan of a fixed text, dict
    lookups and string slicing. It depends on no project code."""
    import time

    t0 = time.perf_counter()
    hits = 0
    for _ in range(3):
        for w in _SPEED_PATTERN.findall(_SPEED_TEXT):
            hits += _SPEED_TABLE.get(w[:5], 0) > 0 or len(w[1:]) > 3
    return time.perf_counter() - t0


_SPEED_TEXT = " ".join(f"mot{i % 97} Nom{i % 13}, l'exemple-{i % 7}." for i in range(2000))
_SPEED_PATTERN = re.compile(r"\w+(?:['-]\w+)*")
_SPEED_TABLE = {f"mot{i}": i for i in range(97)}


def machine_speed() -> float:
    """The machine's speed right now: passes per second of `speed_pass` (the best of 5).
    Figures taken at different times can be read side by side with it: this machine's speed drifts by
    up to a third over a day, and by more in bursts of seconds (bench/machine_drift.py)."""
    return round(1.0 / min(speed_pass() for _ in range(5)), 1)

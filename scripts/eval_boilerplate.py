"""Evaluate the boilerplate family on real data and print the figures.

1. Line-level boilerplate detection on `../shared/data/extraction/` (real HTML pages with gold main text).
   Each page is turned into naive plain text, as a careless scraper would save it: all visible text (no
   script/style/noscript/template), one line per block element (p, div, li, h1-h6, td, ...), inline
   elements joined. The boilerplate family runs on that text as on any plain-text document; a line is
   "predicted boilerplate" when the evidence of a removable code covers it. C4's line filter runs on the
   same lines.

   Gold line labels:
   - full-text gold (`scrapinghub-aeb`, `readability-testpages`, `gold_article_body`): texts are compared
     after lower-casing, NFKC and whitespace folding. A line of 4+ words is ARTICLE when it occurs in the
     gold body, or when 80% of its word 3-grams do (a line that adds a few words, e.g. an inline label);
     a line of 1-3 words is ARTICLE only when it equals a whole gold paragraph (a heading), since a short
     string like "Share" or "Home" occurs inside any long text by chance. Every other line is BOILERPLATE.
   - snippet gold (`trafilatura-eval`): a line is ARTICLE when it contains a `gold_with` snippet or is a
     3+-word part of one, BOILERPLATE when the same holds for a `gold_without` snippet (and not for a
     `gold_with` one); other lines have no label and are left out of the figures.

   C4 line filter (Raffel et al. 2020, section 2.2, as datatrove's C4QualityFilter documents it), line
   rules: drop a line that does not end in . ! ? " or ', ends with "...", has fewer than 3 words, contains
   "javascript", or contains a policy string ("terms of use", "privacy policy", "cookie policy",
   "uses cookies", "use of cookies", "use cookies"). "C4 + page rules" also drops every line of a page that
   keeps fewer than 5 sentences or contains "lorem ipsum" or a curly bracket.

2. False flags on the 2,500 clean French articles of `../shared/data/fr_news/` (title + body): the share of
   paragraphs that a removable boilerplate code covers, and the feature time per document.

Usage: python scripts/eval_boilerplate.py [--limit N]   (reads ../shared relative to the repo root)
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from features import boilerplate as bp  # noqa: E402
from scorer.ingest.documents import from_text, normalise_text  # noqa: E402

BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 td th tr table section article header footer nav aside main form "
    "blockquote pre figure figcaption dd dt dl br hr address fieldset legend label button select option "
    "details summary body html".split()
)
HIDDEN_TAGS = frozenset("script style noscript template head iframe svg".split())
C4_END = (".", "?", "!", '"', "'")
C4_POLICY = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_WS = re.compile(r"\s+")
_C4_SENT = re.compile(r"[.!?]+(?:\s|$)")


def naive_lines(html: bytes) -> list[str]:
    """All visible text of a page, one line per block element, as a careless scraper saves it."""
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        return []
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = _WS.sub(" ", "".join(buf)).strip()
        if text:
            lines.append(text)
        buf.clear()

    def walk(el) -> None:  # type: ignore[no-untyped-def]
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in HIDDEN_TAGS or not isinstance(el.tag, str):
            if el.tail:
                buf.append(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            buf.append(el.tail)

    walk(tree)
    flush()
    out = []
    for ln in lines:
        ln = normalise_text(ln).replace("\n", " ").strip()
        if ln:
            out.append(ln)
    return out


def norm(text: str) -> str:
    """Comparison form: NFKC, lower case, straight quotes, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return _WS.sub(" ", text).strip()


def trigrams(words: list[str]) -> set[tuple[str, ...]]:
    """Word 3-grams."""
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def labels_full_text(lines: list[str], gold: str) -> list[bool | None]:
    """True = boilerplate, False = article (see the module docstring)."""
    g = norm(gold)
    paras = {norm(p) for p in re.split(r"\n+", gold) if p.strip()}
    g_tri = trigrams(g.split())
    out: list[bool | None] = []
    for ln in lines:
        n = norm(ln)
        words = n.split()
        if len(words) >= 4:
            if n in g:
                out.append(False)
                continue
            tri = trigrams(words)
            out.append(not (tri and sum(1 for t in tri if t in g_tri) >= 0.8 * len(tri)))
        else:
            out.append(n not in paras)
    return out


def labels_snippets(lines: list[str], with_: list[str], without: list[str]) -> list[bool | None]:
    """True = boilerplate, False = article, None = no gold says (see the module docstring)."""
    w = [norm(s) for s in with_ if s.strip()]
    wo = [norm(s) for s in without if s.strip()]

    def hit(n: str, snippets: list[str]) -> bool:
        return any(s in n or (len(n.split()) >= 3 and n in s) for s in snippets)

    out: list[bool | None] = []
    for ln in lines:
        n = norm(ln)
        if hit(n, w):
            out.append(False)
        elif hit(n, wo):
            out.append(True)
        else:
            out.append(None)
    return out


def c4_line_drop(line: str) -> bool:
    """C4's line rules: True when the line is dropped."""
    s = line.strip()
    low = s.lower()
    if not s.endswith(C4_END) or s.endswith("..."):
        return True
    if len(s.split()) < 3:
        return True
    if "javascript" in low:
        return True
    return any(p in low for p in C4_POLICY)


def c4_page(lines: list[str]) -> list[bool]:
    """C4's line rules plus its page rules (too few sentences, lorem ipsum, curly brackets)."""
    drop = [c4_line_drop(ln) for ln in lines]
    kept = " ".join(ln for ln, d in zip(lines, drop, strict=True) if not d)
    page = "\n".join(lines).lower()
    if len(_C4_SENT.findall(kept)) < 5 or "lorem ipsum" in page or "{" in page:
        return [True] * len(lines)
    return drop


class PR:
    """Precision/recall counts for "line is boilerplate"."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, pred: bool, gold: bool) -> None:
        if pred and gold:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    def row(self) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        kept = self.tn / (self.tn + self.fp) if self.tn + self.fp else 0.0
        return f"P={p:.3f} R={r:.3f} F1={f:.3f}  article lines kept={kept:.3f}  (tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn})"


def eval_extraction(limit: int | None) -> None:
    folder = SHARED / "data" / "extraction"
    rows = [json.loads(line) for line in (folder / "gold.jsonl").open(encoding="utf-8")]
    if limit:
        rows = rows[:limit]
    feats = [cls() for cls in bp.FEATURES]
    systems = ("boilerplate", "C4 lines", "C4 + page rules")
    scores: dict[tuple[str, str], PR] = defaultdict(PR)
    n_pages = Counter()
    t_total = 0.0
    chars_total = 0
    for r in rows:
        html = lzma.open(folder / r["html_file"], "rb").read()
        lines = naive_lines(html)
        if not lines:
            continue
        if r["gold_type"] == "snippets":
            gold = labels_snippets(lines, r.get("gold_with") or [], r.get("gold_without") or [])
            group = "snippets (trafilatura-eval)"
        else:
            gold = labels_full_text(lines, r.get("gold_article_body") or "")
            group = "full text (aeb + readability)"
        doc = from_text("\n".join(lines))
        if len(doc.paragraphs) != len(lines):  # the 200k-character cap cut the page
            lines = lines[: len(doc.paragraphs)]
            gold = gold[: len(lines)]
        t0 = time.perf_counter()
        flagged = bp.flagged_line_indices(doc, feats)
        t_total += time.perf_counter() - t0
        chars_total += len(doc.text)
        preds = {
            "boilerplate": [i in flagged for i in range(len(lines))],
            "C4 lines": [c4_line_drop(ln) for ln in lines],
            "C4 + page rules": c4_page(lines),
        }
        n_pages[group] += 1
        lang = "fr" if doc.base_language == "fr" else ("en" if doc.base_language == "en" else "other")
        for sysname in systems:
            for pred, g in zip(preds[sysname], gold, strict=True):
                if g is None:
                    continue
                for key in (group, "all", f"lang={lang}"):
                    scores[(key, sysname)].add(pred, g)
    print("== Line-level boilerplate detection on naive page text (../shared/data/extraction)")
    print(
        f"pages: {dict(n_pages)}; boilerplate family time {1000 * t_total / max(1, sum(n_pages.values())):.2f} ms/page "
        f"(mean page text {chars_total / max(1, sum(n_pages.values())) / 1000:.1f} KB)"
    )
    for key in (
        "all",
        "full text (aeb + readability)",
        "snippets (trafilatura-eval)",
        "lang=fr",
        "lang=en",
        "lang=other",
    ):
        print(f"-- {key}")
        for sysname in systems:
            if (key, sysname) in scores:
                print(f"   {sysname:<16} {scores[(key, sysname)].row()}")


def eval_fr_news(limit: int | None) -> None:
    path = SHARED / "data" / "fr_news" / "orangesum_sample.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    if limit:
        rows = rows[:limit]
    feats = [cls() for cls in bp.FEATURES]
    total = flagged = 0
    codes: Counter[str] = Counter()
    per_5kb: list[float] = []
    times: list[float] = []
    for r in rows:
        doc = from_text(r["title"] + "\n\n" + r["text"], language="fr")
        t0 = time.perf_counter()
        sigs = [s for f in feats for s in f.run(doc)]
        dt = time.perf_counter() - t0
        times.append(dt)
        per_5kb.append(dt * 5000 / max(1, len(doc.text.encode("utf-8"))))
        total += len(doc.paragraphs)
        flagged += len(bp.flagged_line_indices(doc, feats))
        removable = frozenset().union(*(f.removable for f in feats))
        codes.update(s.code for s in sigs if s.code in removable)
    # Steady-state timing: a second pass over 5 KB-sized articles (caches warm, no first-call loading).
    sized = [r for r in rows if 4000 <= len((r["title"] + "\n\n" + r["text"]).encode("utf-8")) <= 6000][:300]
    t5: list[float] = []
    for r in sized:
        doc = from_text(r["title"] + "\n\n" + r["text"], language="fr")
        best = float("inf")
        for _ in range(3):
            d = from_text(doc.text, language="fr")  # fresh memo each run
            t0 = time.perf_counter()
            for f in feats:
                f.run(d)
            best = min(best, time.perf_counter() - t0)
        t5.append(best)
    print("== False flags on clean French articles (../shared/data/fr_news, title + body)")
    print(
        f"articles: {len(rows)}; paragraphs marked boilerplate: {flagged}/{total} = {100 * flagged / total:.2f}% (target < 1%)"
    )
    print(f"articles with a removable code, by code: {dict(codes.most_common())}")
    print(
        f"time of the boilerplate family: median {1000 * statistics.median(times):.2f} ms/article, "
        f"median {1000 * statistics.median(per_5kb):.2f} ms per 5 KB (first pass); "
        f"on {len(t5)} articles of 4-6 KB, median {1000 * statistics.median(t5) if t5 else 0:.2f} ms (best of 3)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N records of each set")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"../shared is absent ({SHARED}): nothing to evaluate")
        return 0
    eval_extraction(args.limit)
    eval_fr_news(args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Seeded corruption generator: turns a clean article into a content-farm copy of it.

The damage is what real copies show (boilerplate blocks, number placeholders of translation plugins,
function words of another language, stripped bylines and dates, vague attributions, repeated headline
and paragraphs, off-topic tails, hollow source lines, elision and agreement slips), drawn from a
catalogue of data files under `scorer/learn/data/corruptions/` and combined at random. The same seed and the
same article give the same copy.

An `Article` is rendered to a JSON record the same way whether it is clean or corrupted, so the
presentation (metadata fields, title in the text, typography) never tells the label.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)

CATALOGUE_FILES = ("boilerplate", "tails", "sources", "attribution", "language", "dates")
_NUMBER_RE = re.compile(r"\b\d{1,3}(?:[.  ]\d{3})*(?:,\d+)?\b|\b\d+\b")
_DATE_RE = re.compile(
    r"\b(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) )?(?:(?:le )?\d{1,2}(?:er)? )"
    r"(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)(?: \d{4})?\b"
)
_WEEKDAY_RE = re.compile(
    r"(?<![Cc]e )(?<![Dd]u )(?<![Uu]n )\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?: (?:soir|matin|dernier))?\b"
)
_ELIDE_RE = re.compile(r"\b([Dd]e|[Ll]e|[Qq]ue) ([bcdfgjmnpstv][a-zéèêà]{3,})")
_UNELIDE_RE = re.compile(r"\b([dlDL])'([aeiouéèêAEIOUÉ][a-zéèêà]{2,})")


@lru_cache(maxsize=1)
def default_catalogue() -> dict[str, Any]:
    """The bundled corruption catalogue, one JSON file per kind of damage."""
    out: dict[str, Any] = {}
    base = resources.files("scorer.learn").joinpath("data", "corruptions")
    for name in CATALOGUE_FILES:
        with base.joinpath(f"{name}.json").open(encoding="utf-8") as f:
            out[name] = json.load(f)
    return out


@dataclass(frozen=True)
class Article:
    """An article in parts, so that damage can be applied to the right place."""

    title: str
    body: tuple[str, ...]
    dateline: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    language: str = "fr"
    head: tuple[str, ...] = ()  # lines before the title (skip links, breadcrumbs)
    tail: tuple[str, ...] = ()  # blocks after the body (source lines, related articles)
    empty_date_field: bool = False  # the record keeps a "published" key with nothing in it
    extra: Mapping[str, Any] = field(default_factory=dict)


def render(
    article: Article, rng: random.Random, *, record_share: float = 0.5, bare_share: float = 0.15
) -> dict[str, Any]:
    """A JSON record for `article`, either as a scraped plain text (title and dateline in the text, no
    metadata) or as a corpus record (metadata fields; title and dateline in the text or not). A share
    `bare_share` loses its dateline and metadata altogether, as a scraper that keeps only the text does.

    The choice is random and independent of the label; `shape` ("scrape", "record" or "bare") records
    it (bookkeeping, not a document field).
    """
    if rng.random() < bare_share:
        bare = [*article.head, article.title, *article.body, *article.tail]
        return {"text": "\n\n".join(p for p in bare if p and p.strip()), "shape": "bare"}
    as_record = rng.random() < record_share
    parts: list[str] = list(article.head)
    rec: dict[str, Any] = {}
    if as_record:
        if article.title:
            rec["title"] = article.title
            if rng.random() < 0.6:
                parts.append(article.title)
        if article.dateline and rng.random() < 0.4:
            parts.append(article.dateline)
        if article.url and rng.random() < 0.7:
            rec["url"] = article.url
        if article.author:
            rec["author"] = article.author
        if article.published:
            rec["published"] = article.published
        elif article.empty_date_field:
            rec["published"] = ""
    else:
        if article.title:
            parts.append(article.title)
        if article.dateline:
            parts.append(article.dateline)
    parts.extend(article.body)
    parts.extend(article.tail)
    rec["text"] = "\n\n".join(p for p in parts if p.strip())
    rec["shape"] = "record" if as_record else "scrape"
    return rec


def restyle(text: str, rng: random.Random) -> str:
    """House-style typography (curly apostrophes, « » with spaces) applied to either class alike, so
    typography cannot stand in for the label."""
    if rng.random() < 0.5:
        text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    if rng.random() < 0.5:
        out: list[str] = []
        opening = True
        for part in re.split(r'(")', text):
            if part == '"':
                out.append("« " if opening else " »")
                opening = not opening
            else:
                out.append(part)
        if opening:  # balanced quotes only; otherwise keep the original
            text = "".join(out)
    return text


Op = Callable[[Article, random.Random, Article | None], Article | None]


class Corruptor:
    """Applies a random combination of catalogued damage to clean articles.

    `min_ops`/`max_ops` bound how many kinds of damage one copy gets; `weights` (op name -> weight)
    changes how often each is drawn. Ops that cannot apply to an article (no number to replace, no
    named attribution) are skipped and another is drawn.
    """

    OPS: tuple[str, ...] = (
        "boilerplate",
        "glued_breadcrumb",
        "language_switcher",
        "number_placeholder",
        "foreign_words",
        "broken_elision",
        "agreement",
        "quote_mixup",
        "strip_byline_date",
        "vague_attribution",
        "repeat_headline",
        "teaser_repeat",
        "repeat_paragraph",
        "offtopic_tail",
        "hollow_source",
    )
    # Stripping metadata alone is not a content-farm copy: every copy also gets one of these.
    DAMAGE: frozenset[str] = frozenset(OPS) - {"strip_byline_date"}

    def __init__(
        self,
        catalogue: Mapping[str, Any] | None = None,
        *,
        min_ops: int = 2,
        max_ops: int = 5,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        if not 1 <= min_ops <= max_ops:
            raise ValueError("need 1 <= min_ops <= max_ops")
        self.catalogue = dict(catalogue or default_catalogue())
        self.min_ops = min_ops
        self.max_ops = max_ops
        default_w = {op: 1.0 for op in self.OPS}
        default_w.update(
            {"strip_byline_date": 2.5, "boilerplate": 2.0, "vague_attribution": 1.5, "offtopic_tail": 1.2}
        )
        self.weights = {**default_w, **(weights or {})}
        lang = self.catalogue["attribution"]["patterns"]
        self._attr_re = {k: [re.compile(p) for p in v] for k, v in lang.items()}

    # -- helpers -----------------------------------------------------------------------------------
    def _pick(self, section: Mapping[str, Sequence[str]], lang: str, rng: random.Random) -> str:
        items = section.get(lang) or section.get("fr") or next(iter(section.values()))
        return rng.choice(list(items))

    @staticmethod
    def _insert(body: tuple[str, ...], block: str, rng: random.Random) -> tuple[str, ...]:
        pos = rng.randint(1, max(1, len(body)))
        return body[:pos] + (block,) + body[pos:]

    # -- operations: each returns the damaged article, or None when it cannot apply -----------------
    def op_boilerplate(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        bp = self.catalogue["boilerplate"]
        body, head, tail = a.body, a.head, a.tail
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(
                ["head", "share", "newsletter", "comments", "adblock", "cookies", "paywall", "cms"]
            )
            # Now and then the furniture is in English on a French page, as on translated sites.
            lang = "en" if rng.random() < 0.25 else a.language
            block = self._pick(bp[kind], lang, rng)
            if kind in ("head", "cookies") and rng.random() < 0.7:
                head = (block, *head)
            elif kind in ("adblock", "comments", "newsletter") and rng.random() < 0.6:
                tail = (*tail, block)
            else:
                body = self._insert(body, block, rng)
        return replace(a, body=body, head=head, tail=tail)

    def op_glued_breadcrumb(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        bp = self.catalogue["boilerplate"]
        words = rng.sample(
            list(bp["breadcrumb_words"].get(a.language, bp["breadcrumb_words"]["fr"])), rng.randint(2, 4)
        )
        return replace(a, head=(rng.choice(bp["breadcrumb_joiners"]).join(words), *a.head))

    def op_language_switcher(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        label = self._pick(self.catalogue["boilerplate"]["language_switcher"], a.language, rng)
        body = a.body
        for _ in range(rng.randint(1, 2)):
            body = self._insert(body, label, rng)
        return replace(a, body=body)

    def op_number_placeholder(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        tokens = self.catalogue["language"]["placeholders"]
        cands = [(i, m) for i, p in enumerate(a.body) for m in _NUMBER_RE.finditer(p)]
        if not cands:
            return None
        body = list(a.body)
        chosen = sorted(
            rng.sample(cands, min(len(cands), rng.randint(1, 3))), key=lambda c: (c[0], -c[1].start())
        )
        for i, m in chosen:
            tok = rng.choice(tokens)
            style = rng.random()
            new = f"{m.group()} {tok}" if style < 0.4 else tok if style < 0.8 else f"{m.group()[:1]} {tok}"
            body[i] = body[i][: m.start()] + new + body[i][m.end() :]
        return replace(a, body=tuple(body))

    def op_foreign_words(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        lang_data = self.catalogue["language"]
        fw: Mapping[str, Mapping[str, str]] = lang_data["function_words"]
        src = rng.choice(["it", "en", "es", "de", "pt"])
        pat = re.compile(r"(?<=[a-zéèà,] )(" + "|".join(re.escape(w) for w in fw) + r")(?= [a-zA-ZÀ-ÿ])")
        cands = [(i, m) for i, p in enumerate(a.body) for m in pat.finditer(p)]
        body = list(a.body)
        n = rng.randint(1, 4)
        for i, m in sorted(rng.sample(cands, min(n, len(cands))), key=lambda c: (c[0], -c[1].start())):
            body[i] = body[i][: m.start()] + fw[m.group()][src] + body[i][m.end() :]
        if rng.random() < 0.4 and src in lang_data["untranslated_phrases"]:
            # A whole untranslated phrase at the start of a sentence.
            i = rng.randrange(len(body))
            body[i] = (
                rng.choice(lang_data["untranslated_phrases"][src]).capitalize()
                + ", "
                + body[i][:1].lower()
                + body[i][1:]
            )
        elif not cands:
            return None
        return replace(a, body=tuple(body))

    def op_broken_elision(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        body = list(a.body)
        done = 0
        for i in rng.sample(range(len(body)), len(body)):
            if done >= 2:
                break
            p = body[i]
            if rng.random() < 0.5:
                m = _ELIDE_RE.search(p)
                if m:
                    body[i] = p[: m.start()] + m.group(1)[0] + "'" + m.group(2) + p[m.end() :]
                    done += 1
            else:
                m = _UNELIDE_RE.search(p)
                if m:
                    full = {"d": "de", "l": "le", "D": "De", "L": "Le"}[m.group(1)]
                    body[i] = p[: m.start()] + full + " " + m.group(2) + p[m.end() :]
                    done += 1
        return replace(a, body=tuple(body)) if done else None

    def op_agreement(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        swaps = self.catalogue["language"]["agreement_swaps"]
        body = list(a.body)
        done = 0
        for _ in range(rng.randint(1, 3)):
            src, dst = rng.choice(swaps)
            i = rng.randrange(len(body))
            pos = body[i].find(" " + src, rng.randrange(max(1, len(body[i]) // 2)))
            if pos >= 0:
                body[i] = body[i][: pos + 1] + dst + body[i][pos + 1 + len(src) :]
                done += 1
        return replace(a, body=tuple(body)) if done else None

    def op_quote_mixup(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        opener, closer = rng.choice(self.catalogue["language"]["quote_pairs"])
        body = list(a.body)
        for i in rng.sample(range(len(body)), len(body)):
            m = re.search(r'"([^"\n]{5,300})"', body[i])
            if m:
                body[i] = body[i][: m.start()] + opener + m.group(1) + closer + body[i][m.end() :]
                return replace(a, body=tuple(body))
        return None

    def op_strip_byline_date(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        dates = self.catalogue["dates"]
        body = list(a.body)
        # Absolute dates in the body become relative times with no anchor.
        for i, p in enumerate(body):
            p = _DATE_RE.sub(
                lambda m: rng.choice(dates["relative"].get(a.language, dates["relative"]["fr"])), p
            )
            if rng.random() < 0.5:
                p = _WEEKDAY_RE.sub(
                    lambda m: rng.choice(dates["relative"].get(a.language, dates["relative"]["fr"])), p
                )
            body[i] = p
        keep_author = rng.random() < 0.3  # some copies keep a byline (often a made-up one)
        head = a.head
        if rng.random() < 0.3:
            head = (*head, self._pick(dates["empty_labels"], a.language, rng))
        return replace(
            a,
            body=tuple(body),
            head=head,
            dateline=None,
            published=None,
            author=a.author if keep_author else None,
            empty_date_field=rng.random() < 0.3,
        )

    def op_vague_attribution(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        attr = self.catalogue["attribution"]
        vague = attr["vague"].get(a.language, attr["vague"]["fr"])
        pats = self._attr_re.get(a.language, self._attr_re["fr"])
        body = list(a.body)
        done = 0
        for i, p in enumerate(body):
            for pat in pats:
                p = pat.sub(
                    lambda m: m.group("lead") + rng.choice(vague) if rng.random() < 0.8 else m.group(0), p
                )
            if p != body[i]:
                done += 1
            body[i] = p
        if rng.random() < 0.5:
            i = rng.randrange(len(body))
            opener = self._pick(attr["rumour_openers"], a.language, rng)
            body[i] = opener + body[i][:1].lower() + body[i][1:]
            done += 1
        return replace(a, body=tuple(body)) if done else None

    def op_repeat_headline(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        if not a.title:
            return None
        if rng.random() < 0.5:
            return replace(a, tail=(*a.tail, a.title))
        return replace(a, body=self._insert(a.body, a.title, rng))

    def op_teaser_repeat(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        first = a.body[0]
        if len(first) < 60:
            return None
        cut = first.rfind(" ", 0, rng.randint(40, min(len(first) - 10, 160)))
        if cut <= 0:
            return None
        ellipsis = rng.choice(["...", "…", " [...]"])
        return replace(a, body=(first[:cut] + ellipsis, *a.body))

    def op_repeat_paragraph(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        if len(a.body) < 2:
            return None
        i = rng.randrange(len(a.body))
        return replace(a, body=self._insert(a.body, a.body[i], rng))

    def op_offtopic_tail(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        if donor is None or not donor.body:
            return None
        tails = self.catalogue["tails"]
        blocks: list[str] = [self._pick(tails["headers"], a.language, rng)]
        if donor.title:
            blocks.append(donor.title)
        for p in donor.body[: rng.randint(1, 3)]:
            if rng.random() < 0.6 and len(p) > 80:
                cut = p.rfind(" ", 0, rng.randint(60, 140))
                p = p[: max(cut, 20)] + rng.choice(["...", "…"])
            blocks.append(p)
            if rng.random() < 0.4:
                blocks.append(self._pick(tails["labels"], a.language, rng))
        return replace(a, tail=(*a.tail, *blocks))

    def op_hollow_source(self, a: Article, rng: random.Random, donor: Article | None) -> Article | None:
        src = self.catalogue["sources"]
        if rng.random() < 0.65:
            line = self._pick(src["hollow"], a.language, rng)
        else:
            line = self._pick(src["credit"], a.language, rng).format(outlet=rng.choice(src["outlets"]))
        return replace(a, tail=(line, *a.tail) if rng.random() < 0.5 else (*a.tail, line))

    # -- driver ------------------------------------------------------------------------------------
    def corrupt(
        self, article: Article, rng: random.Random, donor: Article | None = None, *, n_ops: int | None = None
    ) -> tuple[Article, list[str]]:
        """A damaged copy of `article` and the names of the operations applied, in order.

        `donor` is another article, the source of an off-topic tail.
        """
        if not article.body:
            raise ValueError("cannot corrupt an article without body paragraphs")
        target = n_ops if n_ops is not None else rng.randint(self.min_ops, self.max_ops)
        pool = list(self.OPS)
        applied: list[str] = []
        out = article
        while pool and len(applied) < target:
            need_damage = len(applied) == target - 1 and not (set(applied) & self.DAMAGE)
            cands = [op for op in pool if not need_damage or op in self.DAMAGE]
            if not cands:
                break
            op = rng.choices(cands, weights=[self.weights.get(o, 1.0) for o in cands])[0]
            pool.remove(op)
            result = getattr(self, f"op_{op}")(out, rng, donor)
            if result is not None:
                out = result
                applied.append(op)
        return out, applied

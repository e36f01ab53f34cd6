"""Document-level machine-translation estimate built to transfer across MT systems and genres.

The estimate is a small logistic regression over a few dozen distributional measures of the text that
do not depend on its subject: lexical variety over fixed windows, the share of the most frequent
words, a function-word profile, punctuation rates, sentence-length regularity, literal word-order cues,
connectives and source-language interference against wordfreq's frequencies in English and German.
No n-gram of the text itself, no capitalised word, no number is read, so the topic and the named
entities of a document do not move it (they let a style model learn one test set instead of
translation). The coefficients are JSON (`features/data/translation/mt_transfer.json`, trained by
`scripts/train_mt_transfer.py`, validated by `scripts/eval_translation.py`).

Before measuring, markdown and HTML syntax are stripped (documentation pages are markdown) and
typography is folded («» “” → ", ’ → ', no-break spaces → space, dashes → -): quote style and French
spacing tell test sets apart, not translation. Paragraph layout is not read either: segment-by-segment
test sets put one sentence per line for every label.

French only: other languages get no estimate (`probability` returns None and `extract` says so).
Cost: one regex pass for words, one for sentences, a frequency look-up per distinct word (cached per
process), linear in the text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from features.base import Feature, Kind, Signal, load_lexicon
from features.document import Document
from features.frequencies import zipf
from features.text import TYPOGRAPHY_FOLD

MODEL_NAME = "translation/mt_transfer"
# Languages the estimate has a model and word lists for.
LANGUAGES = frozenset({"fr"})
# Fewer words than this: no estimate (rates over a few sentences say nothing).
MIN_WORDS = 60
# Window sizes of the moving-average type/token ratio (MATTR): variety at a fixed length, so that a
# long page and a short one are compared on the same footing.
MATTR_WINDOWS = (50,)
# Candidate source languages whose word frequencies are compared with French.
SOURCE_LANGUAGES = ("en", "de")

# --- Markdown / HTML stripping (every pattern linear: bounded or negated classes, no nesting) -----
_FENCE_RE = re.compile(r"[ \t]*(?:```|~~~)")
_INLINE_CODE_RE = re.compile(r"`[^`\n]{0,200}`")
# Brackets exclude their own opener, so a run of "[" or "(" fails at once instead of rescanning.
_IMAGE_RE = re.compile(r"!\[[^\[\]\n]{0,300}\]\([^()\n]{0,500}\)")
_LINK_RE = re.compile(r"\[([^\[\]\n]{0,300})\]\([^()\n]{0,500}\)")
_REF_LINK_RE = re.compile(r"\[([^\[\]\n]{0,300})\]\[[^\[\]\n]{0,100}\]")
_TAG_RE = re.compile(r"<[a-zA-Z/!][^<>\n]{0,300}>")
_URL_RE = re.compile(r"https?://\S{1,500}")
_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.M)
_LIST_RE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+", re.M)
_QUOTE_LINE_RE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
_EMPHASIS_RE = re.compile(r"\*{1,3}|_{2,3}")
_TABLE_RE = re.compile(r"^[ \t]*\|?[ \t:|-]{3,}$", re.M)
_PIPE_RE = re.compile(r"[ \t]*\|[ \t]*")
_ENTITY_RE = re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d{1,6});")
# No-break and thin spaces fold to a space as well: French spacing is the publisher's style too.
_TYPO = str.maketrans({**TYPOGRAPHY_FOLD, "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_TYPO_PAIRS = tuple((chr(k), v) for k, v in _TYPO.items())
_SPACES_RE = re.compile(r"[ \t]+")
# Spacing around quotes and before ; : ! ? is typography (French or not), not translation.
_PUNCT_SPACE_RE = re.compile(r" ([;:!?])| ?(\") ?")


def _drop_fences(text: str) -> str:
    """`text` without fenced code blocks (a line-by-line toggle: linear, and an unclosed fence drops
    the rest, as markdown renders it)."""
    if "```" not in text and "~~~" not in text:
        return text
    out = []
    inside = False
    for line in text.split("\n"):
        if _FENCE_RE.match(line):
            inside = not inside
        elif not inside:
            out.append(line)
    return "\n".join(out)


def prepare(text: str) -> str:
    """`text` without markdown/HTML syntax, typography folded and spacing normalised; one sentence
    boundary per line break."""
    for a, b in _TYPO_PAIRS:
        if a in text:  # most texts carry few of these: a test per character beats translate()
            text = text.replace(a, b)
    t = _drop_fences(text)
    t = _INLINE_CODE_RE.sub(" ", t)
    t = _IMAGE_RE.sub(" ", t)
    t = _LINK_RE.sub(r"\1", t)
    t = _REF_LINK_RE.sub(r"\1", t)
    t = _TAG_RE.sub(" ", t)
    t = _ENTITY_RE.sub(" ", t)
    t = _URL_RE.sub(" ", t)
    t = _TABLE_RE.sub("", t)
    t = _HEADING_RE.sub("", t)
    t = _QUOTE_LINE_RE.sub("", t)
    t = _LIST_RE.sub("", t)
    t = _EMPHASIS_RE.sub("", t)
    t = _PIPE_RE.sub(" ; ", t)
    t = _SPACES_RE.sub(" ", t)
    t = _PUNCT_SPACE_RE.sub(lambda m: m.group(1) or m.group(2), t)
    return t


# A word: letters, with inner hyphens ("peut-être"); elided articles split at the apostrophe.
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+(?:[.,]\d+)*|[,;:()\"!?.'-]")
_SENT_RE = re.compile(r"[.!?]+\"?(?= +[\"(]?[A-ZÀ-ÖØ-Þ0-9])|\n+")


@dataclass(frozen=True)
class Lists:
    """The fixed French word lists the measures count (shipped in the model file)."""

    groups: dict[str, frozenset[str]]
    top: frozenset[str]
    connectives: frozenset[str]
    sentence_openers: dict[str, frozenset[str]]
    auxiliaries: frozenset[str]

    @classmethod
    def from_json(cls, m: dict[str, Any]) -> Lists:
        return cls(
            groups={k: frozenset(v) for k, v in m["function_groups"].items()},
            top=frozenset(m["top_words"]),
            connectives=frozenset(m["connectives"]),
            sentence_openers={k: frozenset(v) for k, v in m["sentence_openers"].items()},
            auxiliaries=frozenset(m["auxiliaries"]),
        )


@lru_cache(maxsize=200_000)
def _zipfs(word: str) -> tuple[float, float, float]:
    """French, English and German Zipf frequencies of a lower-case word (cached: words repeat)."""
    return zipf(word, "fr"), zipf(word, SOURCE_LANGUAGES[0]), zipf(word, SOURCE_LANGUAGES[1])


def _mattr(tokens: list[str], w: int) -> float:
    """Moving-average type/token ratio over windows of `w` tokens (plain TTR when shorter); linear."""
    n = len(tokens)
    if n <= w:
        return len(set(tokens)) / n if n else 0.0
    counts: Counter[str] = Counter(tokens[:w])
    types = len(counts)
    total = types
    for i in range(w, n):
        out, inn = tokens[i - w], tokens[i]
        counts[out] -= 1
        if not counts[out]:
            types -= 1
        if not counts[inn]:
            types += 1
        counts[inn] += 1
        total += types
    return total / (n - w + 1) / w


def _window_top_share(tokens: list[str], w: int = 100, k: int = 5) -> float:
    """Mean, over consecutive windows of `w` tokens, of the share of its `k` commonest words."""
    shares = []
    for a in range(0, max(len(tokens) - w + 1, 1), w):
        win = tokens[a : a + w]
        if win:
            shares.append(sum(c for _, c in Counter(win).most_common(k)) / len(win))
    return sum(shares) / len(shares) if shares else 0.0


def measure(text: str, lists: Lists) -> dict[str, float] | None:
    """The estimate's measures for a French text (raw: markdown and typography are handled here), or
    None when it has fewer than MIN_WORDS words."""
    t = prepare(text)
    toks = _TOKEN_RE.findall(t)
    words = [x for x in toks if x[0].isalpha()]
    if len(words) < MIN_WORDS:
        return None
    low = [x.lower() for x in words]
    nw = len(words)
    punct = Counter(x for x in toks if not x[0].isalnum())
    f: dict[str, float] = {}
    # Lexical variety at fixed lengths, and concentration on the commonest words.
    for w in MATTR_WINDOWS:
        f[f"mattr_{w}"] = _mattr(low, w)
    f["window_top5_share"] = _window_top_share(low)
    f["top_words_share"] = sum(1 for x in low if x in lists.top) / nw
    f["mean_word_len"] = sum(map(len, low)) / nw
    f["long_word_share"] = sum(1 for x in low if len(x) >= 10) / nw
    # Function-word profile: rate of each fixed group.
    counts = Counter(low)
    for g, members in lists.groups.items():
        f[f"fw_{g}"] = sum(counts[m] for m in members) / nw
    # Punctuation per word.
    for name, chars in (
        ("comma", ","),
        ("colon", ":"),
        ("semicolon", ";"),
        ("paren", "("),
        ("quote", '"'),
        ("dash", "-"),
        ("question", "?"),
        ("exclam", "!"),
    ):
        f[f"punct_{name}"] = sum(punct[c] for c in chars) / nw
    # Sentences (line breaks and end punctuation): length regularity.
    lens: list[int] = []
    openers: Counter[str] = Counter()
    n_conn_initial = 0
    for s in _SENT_RE.split(t):
        sw = [x for x in _TOKEN_RE.findall(s) if x[0].isalpha()]
        if len(sw) < 2:
            continue
        lens.append(len(sw))
        first = sw[0].lower()
        two = f"{first} {sw[1].lower()}"
        for name, members in lists.sentence_openers.items():
            if first in members or two in members:
                openers[name] += 1
        if first in lists.connectives or two in lists.connectives:
            n_conn_initial += 1
    ns = max(len(lens), 1)
    mean = sum(lens) / ns if lens else 0.0
    var = sum((x - mean) ** 2 for x in lens) / ns if lens else 0.0
    f["sent_len_mean"] = mean
    f["sent_len_cv"] = math.sqrt(var) / mean if mean else 0.0
    f["sent_long_share"] = sum(1 for x in lens if x > 35) / ns
    f["sent_short_share"] = sum(1 for x in lens if x < 8) / ns
    f["connective_initial"] = n_conn_initial / ns
    for name in lists.sentence_openers:
        f[f"opener_{name}"] = openers[name] / ns
    # Connectives anywhere (one- and two-word), per word.
    bigrams = Counter(f"{a} {b}" for a, b in zip(low, low[1:], strict=False))
    f["connective_rate"] = (
        sum(counts[c] for c in lists.connectives if " " not in c)
        + sum(bigrams[c] for c in lists.connectives if " " in c)
    ) / nw
    # Literal word-order cues: "de" chains (noun compounds unfolded word by word), passives
    # (auxiliary + participle), present participles, -ment adverbs.
    de_forms = {"de", "du", "des", "d"}
    chains = sum(
        1
        for i in range(len(low) - 3)
        if low[i] in de_forms and (low[i + 2] in de_forms or low[i + 3] in de_forms)
    )
    f["de_chain_rate"] = chains / nw
    part = ("é", "ée", "és", "ées", "is", "ise", "ises", "u", "ue", "us", "ues", "it", "ite", "its", "ites")
    f["passive_rate"] = (
        sum(
            1
            for a, b in zip(low, low[1:], strict=False)
            if a in lists.auxiliaries and b.endswith(part) and len(b) > 3
        )
        / nw
    )
    f["ant_rate"] = sum(1 for x in low if len(x) > 5 and x.endswith(("ant", "ants"))) / nw
    f["ment_rate"] = sum(1 for x in low if len(x) > 6 and x.endswith("ment")) / nw
    # Frequency profile and source-language interference, on lower-case words only (capitalised
    # words are names or sentence starts: topic, not translation).
    fr_sum = 0.0
    rare = en_like = de_like = n_lc = 0
    for x in words:
        if not x.islower():
            continue
        n_lc += 1
        zf, ze, zd = _zipfs(x)
        fr_sum += zf
        if zf < 3.0:
            rare += 1
        if ze >= 3.0 and ze >= zf + 1.0:
            en_like += 1
        if zd >= 3.0 and zd >= zf + 1.0:
            de_like += 1
    n_lc = max(n_lc, 1)
    f["zipf_fr_mean"] = fr_sum / n_lc
    f["rare_share"] = rare / n_lc
    f["en_like_share"] = en_like / n_lc
    f["de_like_share"] = de_like / n_lc
    f["lowercase_share"] = n_lc / nw
    f["log_words"] = math.log(nw)
    return f


class MtTransferEstimate(Feature):
    """Probability that a document is machine-translated, from topic-free distributional measures.

    `estimate(doc)` gives the probability (None when not computed: not French, or too short) and the
    measures with their contributions; `extract` wraps it as the `translation.mt_likelihood` measure.
    Known blind spots: human translation and heavily formulaic human copy look like MT on several of
    these measures; modern LLM translation is not in the training data; French only.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.mt_likelihood": "Document-level probability that the text is machine-translated (topic-free distributional model).",
    }

    def __init__(self, model: dict[str, Any] | None = None) -> None:
        m = model if model is not None else load_lexicon(MODEL_NAME)
        self._models: dict[str, dict[str, Any]] = {}
        self._lists: dict[str, Lists] = {}
        for lang, lm in m.items():
            if lang.startswith("_"):
                continue
            self._lists[lang] = Lists.from_json(lm["lists"])
            self._models[lang] = lm

    def measures(self, doc: Document | str, language: str = "fr") -> dict[str, float] | None:
        """The raw measures of `doc` (None when not computed)."""
        text, lang = (doc.text, doc.base_language) if isinstance(doc, Document) else (doc, language)
        lists = self._lists.get(lang)
        if lists is None:
            return None
        return measure(text, lists)

    def estimate(self, doc: Document | str, language: str = "fr") -> dict[str, Any]:
        """{"probability": float | None, "reason": str, "measures": {...}, "contributions": {...}}."""
        lang = doc.base_language if isinstance(doc, Document) else language
        if lang not in self._models:
            return {"probability": None, "reason": f"not computed for language {lang!r} (French only)"}
        vals = self.measures(doc, lang)
        if vals is None:
            return {"probability": None, "reason": f"not computed: fewer than {MIN_WORDS} words"}
        p, contrib = self._score(self._models[lang], vals)
        return {"probability": p, "reason": "computed", "measures": vals, "contributions": contrib}

    def probability(self, doc: Document | str, language: str = "fr") -> float | None:
        p = self.estimate(doc, language)["probability"]
        return None if p is None else float(p)

    @staticmethod
    def _score(m: dict[str, Any], vals: dict[str, float]) -> tuple[float, dict[str, float]]:
        z = float(m["intercept"])
        contrib: dict[str, float] = {}
        for name, mu, sd, c in zip(m["features"], m["mean"], m["scale"], m["coef"], strict=True):
            # Standardised, and clipped so that one extreme measure cannot decide alone.
            v = max(min((vals[name] - mu) / sd, 4.0), -4.0)
            contrib[name] = c * v
            z += c * v
        z = max(min(z, 30.0), -30.0)
        return 1.0 / (1.0 + math.exp(-z)), contrib

    def extract(self, doc: Document) -> list[Signal]:
        est = self.estimate(doc)
        p = est["probability"]
        if p is None:
            return []
        top = sorted(est["contributions"].items(), key=lambda kv: -abs(kv[1]))[:5]
        return [
            Signal(
                "translation.mt_likelihood",
                "Estimated probability that the text is machine-translated (distributional model).",
                (),
                float(p),
                Kind.MEASURE,
                {"top_measures": {k: round(v, 3) for k, v in top}},
            )
        ]

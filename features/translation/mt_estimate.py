"""The document-level machine-translation estimate: the text read as topic-neutral token streams
(`MtTokenizer`), scored by a shipped linear model, with the source language voted by the word
detectors it is given. The profile and character-view functions are shared with the training and
evaluation scripts, so a model is trained on exactly what it scores."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from features.base import Feature, Kind, Signal, load_lexicon
from features.document import Document, MemoKey
from features.nlp import zipf
from features.text import TYPOGRAPHY_FOLD, WORD, alternation, char_class
from features.translation.words import Calque, LeakedForeignWords

MT_TOKENS: MemoKey[dict[str, list[str]]] = MemoKey("translation.mt_tokens")

# Typography folded the way the evaluation data's `text_norm` folds it, so that the estimate never
# learns or scores quote and dash styles (a property of the publisher, not of the translation).
_MT_FOLD = TYPOGRAPHY_FOLD
# Views of the token stream and the longest n-gram counted in each: "a" content words as their shape,
# "s" content words as their three-letter ending, "z" content words as their frequency band.
MT_VIEWS: dict[str, int] = {"a": 3, "s": 2, "z": 2}
# The character view "c": the token stream with every word the language's word frequencies know well
# enough (Zipf >= MT_CHAR_ZIPF) kept as it is, lower-cased, and rarer words (names, rare terms) as
# their "s" token; its character n-grams of orders MT_CHAR_ORDERS, hashed into 2**MT_CHAR_BITS buckets.
MT_CHAR_ZIPF = 2.0
MT_CHAR_ORDERS = (2, 5)
MT_CHAR_BITS = 18
# Odd 64-bit multipliers of the character n-gram hash (any fixed odd constants would do).
_HASH_A = np.uint64(0x9E3779B97F4A7C15)
_HASH_B = np.uint64(0xC2B2AE3D27D4EB4F)


class _TokenViews(dict):  # type: ignore[type-arg]
    """Cache: raw token -> its token in each view, computed on first sight by `make`."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, tok: str) -> tuple[str, str, str, str]:
        v = self[tok] = self._make(tok)
        return v  # type: ignore[no-any-return]


class MtTokenizer:
    """Turns a text into topic-neutral token streams, one per view of `MT_VIEWS`: frequent (style) words,
    elided prefixes ("l'") and punctuation are kept; every other word becomes its shape ("Xx", "x", "9",
    "XX", "x-" for a compound), its ending ("~ion") or its frequency band ("z4"; "zo" when unknown to the
    language's word frequencies). The extra view "c" keeps the words the language knows well, lower-cased,
    and hides only rare ones (names, rare terms) behind their ending or shape: the character view's input.
    Spacing and typography (quote and dash styles) are ignored."""

    def __init__(self, lang: str, style_words: Iterable[str], elisions: Iterable[str]) -> None:
        self.lang = lang
        self._style = frozenset(style_words)
        # An elided prefix followed by a word is a token of its own ("l'armée" -> "l'", "armée"); then
        # words as in Document.words; then a run of dots (an ellipsis, folded with "…"); then any other
        # visible character alone. The lookahead (a prefix's first letter, up to a prefix's length of
        # word characters, an apostrophe, a word character) lets nearly every word skip the prefix
        # alternation, which tried at every word would cost more than the whole scan.
        elisions = set(elisions)
        firsts = char_class(c for e in elisions for c in (e[0].lower(), e[0].upper()))
        longest = max(map(len, elisions))
        self._re = re.compile(
            rf"(?={firsts}\w{{0,{longest - 1}}}['’]\w)(?i:{alternation(elisions)})['’]|{WORD}|\.{{2,}}|[^\w\s]"
        )
        self._cache = _TokenViews(self._views)

    def _views(self, tok: str) -> tuple[str, str, str, str]:
        low = tok.lower().replace("’", "'")
        if low in self._style or low[-1] == "'":
            return low, low, low, low
        first = tok[0]
        if not first.isalnum() and first != "_":
            p = "..." if tok[:2] == ".." else _MT_FOLD.get(tok, tok)
            return p, p, p, p
        if first.isdigit():
            return "9", "9", "9", "9"
        upper = first.isupper()
        shape = ("XX" if len(tok) > 1 and tok.isupper() else "Xx") if upper else "x"
        if "-" in low:
            shape += "-"
        end = shape if upper or not low.isalpha() else "~" + low[-3:]
        z = zipf(low, self.lang)
        band = ("Z" if upper else "z") + (str(min(int(z), 7)) if z > 0 else "o")
        return shape, end, band, low if z >= MT_CHAR_ZIPF else end

    def __call__(self, text: str) -> dict[str, list[str]]:
        if len(self._cache) > 20_000:  # bound the memory of a long-running process
            self._cache.clear()
        return _Streams(list(map(self._cache.__getitem__, self._re.findall(text))))


# Position of each view in the tuples MtTokenizer caches per token.
_VIEW_INDEX = {"a": 0, "s": 1, "z": 2, "c": 3}


class _Streams(dict):  # type: ignore[type-arg]
    """A document's token stream per view, each list built from the per-token views when first read:
    the shipped model reads only the views it has coefficients for."""

    def __init__(self, views: list[tuple[str, str, str, str]]) -> None:
        super().__init__()
        self._views = views

    def __missing__(self, view: str) -> list[str]:
        i = _VIEW_INDEX[view]  # KeyError for an unknown view, as a plain dict
        out = self[view] = [v[i] for v in self._views]
        return out


def default_tokenizers() -> dict[str, MtTokenizer]:
    """The tokenizer of each language the shipped model covers, from `mt_style_words`."""
    words = load_lexicon("translation/mt_style_words")
    return {"fr": MtTokenizer("fr", words["fr"], words["fr_elisions"])}


def mt_tokens(doc: Document, tokenizer: MtTokenizer) -> dict[str, list[str]]:
    """`tokenizer`'s token streams of `doc`, memoised on the document."""
    return doc.memo(MT_TOKENS, lambda: tokenizer(doc.text))


def mt_profile(doc: Document, tokenizer: MtTokenizer) -> dict[str, float]:
    """Topic-neutral style profile of `doc` that the document-level machine-translation estimate is a
    linear model over: per view, the sublinear frequency (1 + log count) of every n-gram of orders 1 to
    `MT_VIEWS[view]`, divided by the L2 norm of all of the view's values, named `view:token token`.
    Shared with the training and evaluation scripts so that a model is always trained on exactly what it
    scores (MachineTranslationEstimate computes the same values with arrays)."""
    out: dict[str, float] = {}
    streams = mt_tokens(doc, tokenizer)
    for view in MT_VIEWS:
        toks = streams[view]
        counts: Counter[tuple[str, ...]] = Counter()
        for n in range(1, MT_VIEWS[view] + 1):
            counts.update(zip(*(toks[k:] for k in range(n)), strict=False))  # shifted copies: shortest wins
        vals = {g: 1.0 + math.log(c) for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vals.values())) or 1.0
        for g, v in vals.items():
            out[f"{view}:{' '.join(g)}"] = v / norm
    return out


def mt_char_counts(forms: list[str]) -> tuple[Any, Any]:
    """The character view of a token stream ("c" of MtTokenizer): the hashed buckets (sorted int64) of
    every character n-gram of orders MT_CHAR_ORDERS in the tokens joined by single spaces, and their
    counts. Shared with the training and evaluation scripts."""
    text = " ".join(forms)
    c = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64) * _HASH_A
    lo, hi = MT_CHAR_ORDERS
    shift = np.uint64(64 - MT_CHAR_BITS)
    # Every n-gram's bucket in one preallocated uint32 array (sorting 32-bit keys is the main cost).
    out = np.empty(sum(max(len(c) - n + 1, 0) for n in range(lo, hi + 1)), dtype=np.uint32)
    pos = 0
    if lo == 1:
        out[: len(c)] = c >> shift
        pos = len(c)
    h = c
    for n in range(2, hi + 1):
        m = len(c) - n + 1
        if m <= 0:
            break
        # The hash of an n-gram from the hash of its first n-1 characters (wrapping uint64 arithmetic).
        h = (h[:m] * _HASH_B) ^ c[n - 1 :]
        if n >= lo:
            out[pos : pos + m] = h >> shift
            pos += m
    out.sort()
    first = np.empty(len(out), dtype=bool)
    first[:1] = True
    np.not_equal(out[1:], out[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return out[starts].astype(np.int64), np.diff(starts, append=len(out))


def mt_char_idf(df: Any, n_docs: int) -> Any:
    """Smoothed inverse document frequency of each bucket (as scikit-learn's TfidfTransformer)."""
    return np.log((1.0 + n_docs) / (1.0 + np.asarray(df, dtype=float))) + 1.0


def mt_char_values(keys: Any, counts: Any, idf: Any) -> Any:
    """The character view's feature values for `mt_char_counts`'s buckets: sublinear frequency times the
    bucket's idf, L2-normalised (a TF-IDF vector)."""
    v = (1.0 + np.log(counts)) * idf[keys]
    return v / (float(np.sqrt((v * v).sum())) or 1.0)


class _TokenIds(dict):  # type: ignore[type-arg]
    """Token -> small integer id, for packing n-grams into int64 keys. The model's tokens are fixed
    first; other tokens get the next free ids (they never match a model n-gram, only their counts
    matter). `trim` drops those again between documents, long before ids could overflow 20 bits (a
    document capped at 200k characters has fewer than 2**18 tokens)."""

    _fixed = 0

    def fix(self, tokens: Iterable[str]) -> None:
        for t in tokens:
            if t not in self:
                dict.__setitem__(self, t, len(self))
        self._fixed = len(self)

    def trim(self) -> None:
        if len(self) > 1 << 19:
            for k in list(self)[self._fixed :]:
                del self[k]

    def __missing__(self, tok: str) -> int:
        i = len(self)
        dict.__setitem__(self, tok, i)
        return i


def _gram_key(ids: list[int]) -> int:
    """The int64 key of one n-gram of token ids (its order in the top bits)."""
    k = len(ids) << 60
    for j, i in enumerate(ids):
        k |= i << (20 * (len(ids) - 1 - j))
    return k


def _ngram_keys(ids: Any, order: int) -> Any:
    """The keys of every n-gram of orders 1 to `order` in the id array (as `_gram_key`)."""
    parts = []
    for n in range(1, order + 1):
        m = len(ids) - n + 1
        if m <= 0:
            break
        k = np.full(m, n << 60, dtype=np.int64)
        for j in range(n):
            k |= ids[j : j + m] << (20 * (n - 1 - j))
        parts.append(k)
    return np.concatenate(parts)


def mt_char_pack(values: Any, dtype: str) -> str:
    """An array as base64 of its zlib-compressed little-endian bytes (compact JSON for the model file)."""
    import base64
    import zlib

    return base64.b64encode(zlib.compress(np.asarray(values, dtype=dtype).tobytes(), 9)).decode("ascii")


def mt_char_arrays(m: dict[str, Any]) -> tuple[Any, Any]:
    """The character view's idf and coefficient per bucket from its model entry (`mt_char_pack`ed
    document frequencies as uint16 and coefficients as float32)."""
    import base64
    import zlib

    if m["bits"] != MT_CHAR_BITS or tuple(m["orders"]) != MT_CHAR_ORDERS or m["zipf"] != MT_CHAR_ZIPF:
        raise ValueError("the character model was trained with other settings than MT_CHAR_*")
    df = np.frombuffer(zlib.decompress(base64.b64decode(m["df"])), dtype="<u2")
    coef = np.frombuffer(zlib.decompress(base64.b64decode(m["coef"])), dtype="<f4").astype(float)
    if len(df) != len(coef) or len(df) != 1 << MT_CHAR_BITS:
        raise ValueError("character model arrays of the wrong size")
    return mt_char_idf(df, int(m["n_docs"])), coef


class MachineTranslationEstimate(Feature):
    """Document-level probability that the text is machine-translated, even when it reads fluently, and
    the most likely source language when the artefact detectors found evidence for one.

    A logistic model (shipped as JSON coefficients, trained by `scripts/train_translation_mt.py`) over
    the character view of the text (`mt_char_counts`): TF-IDF of hashed character n-grams of the token
    stream with only rare words (names, rare terms) and numbers hidden, spacing and typography folded
    (word choice and morphology). Common words are kept, so the subject matter moves the estimate
    somewhat; names do not. It is trained on every machine translation of the shared data (nine WMT21
    systems, Microsoft Docs MT) against human translations, French originals, Docs HT and French news,
    weighted so that no source dominates, and calibrated so that at most 1% of the training news is
    above 0.5 out of fold. A model file with word n-grams (`mt_profile`) is scored with both views.
    The score reads it only above 0.5 (`features.directions`: under even odds it costs nothing).
    French only for now (the model is per language; English documents get the artefact-based source
    language only).
    Known false positives: human translations (above all of documentation, which shares much of
    machine translation's literal style) and plain, formulaic human copy (agency wires, press releases).
    Held out of training, a WMT21 system's output is told from human translation much less well than
    the systems it saw (`scripts/eval_translation.py`), and across genres it is near chance.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.mt_likelihood": "Document-level probability that the text is machine-translated (style model); detail names the likely source language when artefacts show one.",
    }

    # The detectors whose findings vote for the source language: `build_features` passes the instances
    # it built for the registry, so the votes are what those features report.
    requires: ClassVar[Mapping[str, type[Feature]]] = {"leaked": LeakedForeignWords, "calques": Calque}

    def __init__(
        self,
        leaked: LeakedForeignWords | None = None,
        calques: Calque | None = None,
        tokenizers: Mapping[str, MtTokenizer] | None = None,
    ) -> None:
        self._leaked = leaked if leaked is not None else LeakedForeignWords()
        self._calque = calques if calques is not None else Calque()
        self._tokenizers = dict(tokenizers) if tokenizers is not None else default_tokenizers()
        model = load_lexicon("translation/mt_model")
        # Per language: intercept and, per view, the model's n-gram keys (sorted) and coefficients.
        self._models: dict[str, tuple[float, dict[str, tuple[Any, Any]]]] = {}
        # Per language: the character view's idf and coefficient per hash bucket.
        self._char: dict[str, tuple[Any, Any]] = {
            lang: mt_char_arrays(m["char"])
            for lang, m in model.items()
            if not lang.startswith("_") and "char" in m
        }
        self._ids = _TokenIds()
        grams: dict[str, list[tuple[str, list[str], float]]] = {}
        for lang, m in model.items():
            if not lang.startswith("_"):
                grams[lang] = [
                    (n.split(":", 1)[0], n.split(":", 1)[1].split(" "), float(w))
                    for n, w in zip(m["features"], m["coef"], strict=True)
                ]
        # The model's tokens take the first ids, in file order, so that its keys never change.
        self._ids.fix([t for items in grams.values() for _, toks, _ in items for t in toks])
        for lang, items in grams.items():
            per_view: dict[str, tuple[Any, Any]] = {}
            for view in MT_VIEWS:
                ks = [_gram_key([self._ids[t] for t in toks]) for v, toks, _ in items if v == view]
                ws = [w for v, _, w in items if v == view]
                order = np.argsort(np.array(ks, dtype=np.int64), kind="stable")
                per_view[view] = (np.array(ks, dtype=np.int64)[order], np.array(ws, dtype=float)[order])
            self._models[lang] = (float(model[lang]["intercept"]), per_view)

    def source_language(self, doc: Document) -> tuple[str | None, dict[str, float]]:
        """The most likely source language from leaked words and calques, with the vote per language."""
        votes: dict[str, float] = {}
        for _, lang in self._leaked.find(doc):
            votes[lang] = votes.get(lang, 0.0) + 1.0
        for _, entry in self._calque.find(doc):
            for lang in entry["from"]:
                votes[lang] = votes.get(lang, 0.0) + 1.0 / len(entry["from"])
        votes.pop(doc.base_language, None)
        if not votes:
            return None, {}
        prior = self._leaked.prior
        best = max(votes, key=lambda k: (votes[k], prior.get(k, 0.0)))
        return best, dict(votes)

    def probability(self, doc: Document) -> float | None:
        """The model's probability for `doc`, or None when there is no model for its language."""
        lang = doc.base_language
        m = self._models.get(lang)
        if m is None or not doc.words:
            return None
        z, per_view = m
        self._ids.trim()
        # mt_profile's values with arrays: n-gram keys packed in int64 (20 bits per token id).
        streams = mt_tokens(doc, self._tokenizers[lang])
        for view in MT_VIEWS:
            if not len(per_view[view][0]):  # a model without the view: its stream is never built
                continue
            toks = streams[view]
            if not toks:
                continue
            ids = np.fromiter(map(self._ids.__getitem__, toks), dtype=np.int64, count=len(toks))
            keys, counts = np.unique(_ngram_keys(ids, MT_VIEWS[view]), return_counts=True)
            vals = 1.0 + np.log(counts)
            norm = float(np.sqrt((vals * vals).sum())) or 1.0
            mkeys, mcoef = per_view[view]
            pos = np.minimum(np.searchsorted(mkeys, keys), len(mkeys) - 1)
            hit = mkeys[pos] == keys
            z += float((mcoef[pos[hit]] * vals[hit]).sum()) / norm
        char = self._char.get(lang)
        if char is not None:
            idf, coef = char
            keys, counts = mt_char_counts(mt_tokens(doc, self._tokenizers[lang])["c"])
            if len(keys):
                z += float(coef[keys] @ mt_char_values(keys, counts, idf))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def extract(self, doc: Document) -> list[Signal]:
        if doc.base_language not in ("fr", "en"):
            return []
        p = self.probability(doc)
        src, votes = self.source_language(doc)
        if p is None and src is None:
            return []
        detail: dict[str, Any] = {"source_language": src, "source_votes": votes} if src else {}
        msg = "Estimated probability that the text is machine-translated" + (
            f" (likely from {src})." if src else "."
        )
        return [
            Signal(
                "translation.mt_likelihood", msg, (), float(p if p is not None else 0.0), Kind.MEASURE, detail
            )
        ]

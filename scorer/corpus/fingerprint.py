"""MinHash fingerprints of a document's text, computed in the scoring stream of `scorer audit` / `check`.

Two signatures per document, both MinHash (rensa's `RMinHash`) over 5-word shingles:

- `near`: shingles of the lower-cased words; two documents with a high estimated Jaccard similarity
  share most of their running text (a near-copy);
- `template`: the same shingles after masking every word that holds a digit, and every word written
  with a capital (names, places, sentence starts): documents filled from one template (same sentences,
  another town, other figures) share these even when their names and numbers differ.

The words are found and hashed in numpy on the text's code points (no per-word Python work), for a
whole batch of texts at once (in the corpus pass, `BATCH` texts or `BATCH_CHARS` characters: numpy's
fixed cost per call, paid once per batch, is what a small batch spends its time on), so that a signature costs tens of microseconds:
a corpus pass is not slowed down by it. The hashes are fixed polynomials and the MinHash seed is a
constant, so a text has the same signature in every process, on every run, whatever the number of
jobs or the batch it was computed in.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import TypeVar

import numpy as np
import rensa

NUM_PERM = 63  # 21 LSH bands of 3 rows (scorer.corpus.provenance)
SEED = 20240521
SHINGLE = 5  # words per shingle: short enough to survive word swaps, long enough to be rare by chance
MIN_WORDS = 30  # under this, two texts sharing most of their shingles can be a coincidence (a notice)
# Texts per call in the corpus pass (scorer.corpus.audit.with_signatures): up to BATCH texts or
# BATCH_CHARS characters. Fewer pay numpy's per-call cost more often; more characters outgrow the CPU
# caches (each pass over the text's code points then reads memory): ~64 short records or ~12 articles.
BATCH = 128
BATCH_CHARS = 32_000
BATCH_MAX = 255  # texts per numpy pass: the text's index fits the top byte of a shingle key
MAX_CHARS = 200_000  # only the first MAX_CHARS characters are fingerprinted (about 30,000 words)

T = TypeVar("T")

_MIX = np.uint64(0x9E3779B97F4A7C15)
# Weights of a character by its position in its word (positions past 63 share the last weight).
_POS_WEIGHTS = np.random.default_rng(SEED).integers(1, 2**63, size=64, dtype=np.uint64) | np.uint64(1)
_SHINGLE_K = np.array(
    [0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)
_NUMBER_TOKEN = np.uint64(0x6E756D6265720001)  # stands for every word with a digit (template)
_CAPITAL_TOKEN = np.uint64(0x6361706974610002)  # stands for every capitalised word (template)
_WORD, _UPPER, _DIGIT = 1, 2, 4  # bits of the per-code-point flag table


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A document's two signatures (`NUM_PERM` uint32 each, as bytes) and its shingle counts."""

    near: bytes
    template: bytes
    near_shingles: int
    template_shingles: int


@cache
def _table() -> np.ndarray:
    """Per code point below U+10000: its lower case shifted left by 3 (0 for a character that is not a
    word character), or-ed with its flags (word character, upper case, digit); one table, so one
    lookup per character. Built once per process (~40 ms, 512 KB)."""
    chars = list(map(chr, range(0x10000)))
    alnum = np.fromiter(map(str.isalnum, chars), dtype=bool, count=len(chars))
    upper = np.fromiter(map(str.isupper, chars), dtype=bool, count=len(chars))
    upper |= np.fromiter(map(str.istitle, chars), dtype=bool, count=len(chars))
    digit = np.fromiter(map(str.isdigit, chars), dtype=bool, count=len(chars))
    # A character whose lower case is not one code point ("İ" lowers to "i" + U+0307) keeps its own.
    lowered = np.array(list(map(str.lower, chars)), dtype="<U2").view(np.uint32).reshape(-1, 2)
    lower = np.where(lowered[:, 1] == 0, lowered[:, 0], np.arange(len(chars), dtype=np.uint32))
    flags = alnum * _WORD | upper * _UPPER | digit * _DIGIT
    return (np.where(alnum, lower, 0).astype(np.uint64) << np.uint64(3)) | flags.astype(np.uint64)


@cache
def _counting() -> np.ndarray:
    return np.arange(1 << 20)  # 8 MB: a batch of BATCH news articles is ~700,000 characters


def _arange(n: int) -> np.ndarray:
    """0, 1, ... n - 1: a view of one array kept per process, not a new one per call (longer: new)."""
    return _counting()[:n] if n <= 1 << 20 else np.arange(n)


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(31))
    x *= _MIX
    x ^= x >> np.uint64(29)
    return x


def word_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of each lower-cased word of `text` (runs of letters and digits), and of each
    word with digits and capitalised words masked (the template view)."""
    _, _, near, template = words(text)
    return near, template


def words(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The words of `text` (its first MAX_CHARS characters): start and end offsets, and the two hashes
    of `word_hashes`."""
    starts, ends, hashes = _words("\n" + text[:MAX_CHARS] + "\n")
    return starts - 1, ends - 1, hashes[0], hashes[1]


def _words(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word starts and ends in `text`, which must begin and end with a character that is not a word
    character, and a (2, words) array: each word's hash, and its template hash."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # Code points past the BMP index the table's last entry (U+FFFF, no word character), fixed below.
    packed = _table().take(cp, mode="clip")
    if cp.size and cp.max() > 0xFFFF:
        # Letters beyond the BMP (and emoji) count as word characters, lower-cased as themselves.
        astral = cp > 0xFFFF
        packed[astral] = (cp[astral].astype(np.uint64) << np.uint64(3)) | np.uint64(_WORD)
    # The text starts and ends outside a word: word edges alternate, a start then an end.
    word = packed & np.uint64(_WORD)
    edges = (word[1:] != word[:-1]).nonzero()[0]
    edges += 1
    starts, ends = edges[0::2], edges[1::2]
    if not starts.size:
        return starts, ends, np.empty((2, 0), dtype=np.uint64)
    # Each character weighted by a constant of its position in its word, summed per word: one
    # vectorised pass over every character of the text (or of a whole batch of texts). Characters
    # between words have a zero code, so each word's sum runs on to the next word's start. (Integer
    # arrays wrap around on overflow, silently: the hashes are arithmetic modulo 2**64.)
    first = int(starts[0])
    rel = starts - first
    span = np.empty_like(rel)
    span[:-1] = rel[1:] - rel[:-1]
    span[-1] = cp.size - int(starts[-1])
    pos = _arange(cp.size - first) - rel.repeat(span)
    np.minimum(pos, _POS_WEIGHTS.size - 1, out=pos)
    tail = packed[first:]
    weighted = tail >> np.uint64(3)
    weighted *= _POS_WEIGHTS.take(pos)
    out = np.empty((2, starts.size), dtype=np.uint64)
    out[0] = _mix(np.add.reduceat(weighted, rel) ^ ((ends - starts).astype(np.uint64) * _MIX))
    out[1] = out[0]
    out[1, (packed.take(starts) & np.uint64(_UPPER)) > 0] = _CAPITAL_TOKEN
    out[1, np.bitwise_or.reduceat(tail & np.uint64(_DIGIT), rel) > 0] = _NUMBER_TOKEN
    return starts, ends, out


def shingle_hashes(hashes: np.ndarray, k: int = SHINGLE) -> np.ndarray:
    """The hash of every run of `k` consecutive word hashes, in text order (repeats kept); on a
    (views, words) array, the runs of each row."""
    n = hashes.shape[-1] - k + 1
    if n <= 0:
        return np.empty((*hashes.shape[:-1], 0), dtype=np.uint64)
    acc = hashes[..., :n] * _SHINGLE_K[0]
    for j in range(1, k):
        acc += hashes[..., j : j + n] * _SHINGLE_K[j]
    return _mix(acc)


def batches(items: Iterable[T], length: Callable[[T], int]) -> Iterator[list[T]]:
    """`items` in order, grouped as the corpus pass computes their signatures: up to BATCH items or
    BATCH_CHARS characters (by `length`) per group."""
    batch: list[T] = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += length(item)
        if len(batch) >= BATCH or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def fingerprint(text: str) -> Fingerprint | None:
    """The signatures of `text`, or None when it has fewer than MIN_WORDS words."""
    return fingerprints([text])[0]


def fingerprints(texts: Sequence[str]) -> list[Fingerprint | None]:
    """The signatures of each text (None under MIN_WORDS words), computed for the whole batch in one
    set of numpy calls and one rensa call: per-call overheads are paid once per batch."""
    if not texts:
        return []
    if len(texts) > BATCH_MAX:
        step = BATCH_MAX
        return [fp for i in range(0, len(texts), step) for fp in fingerprints(texts[i : i + step])]
    clipped = [t[:MAX_CHARS] for t in texts]
    n = len(clipped)
    # Joined by line breaks, which are no word characters: no word spans two texts, and the whole
    # starts and ends outside a word.
    bounds = np.cumsum([len(t) + 1 for t in clipped])
    w_start, _, views = _words("\n" + "\n".join(clipped) + "\n")
    doc_of_word = np.searchsorted(bounds, w_start, side="right")
    n_words = np.bincount(doc_of_word, minlength=n)
    out: list[Fingerprint | None] = [None] * n
    if not (n_words >= MIN_WORDS).any():
        return out
    # Both views at once: row 0 the words, row 1 the masked words.
    sh = shingle_hashes(views)
    doc = doc_of_word[: sh.shape[1]]
    keep = doc == doc_of_word[SHINGLE - 1 :]  # a shingle within one text
    sh, doc = sh[:, keep], doc[keep]
    counts = np.bincount(doc, minlength=n)
    # Distinct shingles per text and view (the set sizes behind the containment estimate): one sort
    # of each row, the text's index in the top byte (a batch holds at most BATCH_MAX texts).
    keys = (sh >> np.uint64(8)) | (doc.astype(np.uint64) << np.uint64(56))
    keys.sort(axis=1)
    first = np.ones(keys.shape, dtype=bool)
    np.not_equal(keys[:, 1:], keys[:, :-1], out=first[:, 1:])
    labels = (keys >> np.uint64(56)).astype(np.intp)
    labels[1] += n
    distinct = np.bincount(labels[first], minlength=2 * n).tolist()
    ends = np.cumsum(counts)
    offsets = np.concatenate(([0], ends, ends + ends[-1])).astype(np.uint64)
    rows = rensa.RMinHash.digest_matrix_from_flat_token_hashes(sh.ravel(), offsets, NUM_PERM, SEED).to_rows()
    sig = array("I", chain.from_iterable(rows)).tobytes()
    width = 4 * NUM_PERM
    for i in (n_words >= MIN_WORDS).nonzero()[0].tolist():
        near, template = i * width, (n + i) * width
        out[i] = Fingerprint(
            sig[near : near + width], sig[template : template + width], distinct[i], distinct[n + i]
        )
    return out

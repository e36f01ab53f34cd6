"""MinHash fingerprints of a document's text, computed next to scoring in the worker processes.

Two signatures per document, both MinHash (rensa's `RMinHash`) over 5-word shingles:

- `near`: shingles of the lower-cased words; two documents with a high estimated Jaccard similarity
  share most of their running text (a near-copy);
- `template`: the same shingles after masking every word that holds a digit, and every word written
  with a capital (names, places, sentence starts): documents filled from one template (same sentences,
  another town, other figures) share these even when their names and numbers differ.

The words are found and hashed in numpy on the text's code points (no per-word Python work), for a
whole batch of texts at once (the worker's batch), so that a signature costs tens of microseconds: a
corpus pass is not slowed down by it. The hashes are
fixed polynomials and the MinHash seed is a constant, so a text has the same signature in every
process, on every run, whatever the number of jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import rensa

NUM_PERM = 63  # 21 LSH bands of 3 rows (scorer.corpus.provenance)
SEED = 20240521
SHINGLE = 5  # words per shingle: short enough to survive word swaps, long enough to be rare by chance
MIN_WORDS = 30  # under this, two texts sharing most of their shingles can be a coincidence (a notice)
MAX_CHARS = 200_000  # only the first MAX_CHARS characters are fingerprinted (about 30,000 words)

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
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Per code point below U+10000: its lower case, and flags (word character, upper case, digit).
    Built once per process (~50 ms, 320 KB)."""
    chars = [chr(i) for i in range(0x10000)]
    lower = np.array(
        [ord(lc) if len(lc := c.lower()) == 1 else i for i, c in enumerate(chars)], dtype=np.uint64
    )
    flags = np.array(
        [
            (_WORD if c.isalnum() else 0)
            | (_UPPER if c.isupper() or c.istitle() else 0)
            | (_DIGIT if c.isdigit() else 0)
            for c in chars
        ],
        dtype=np.uint8,
    )
    return lower, flags


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(31))
    x = x * _MIX
    return x ^ (x >> np.uint64(29))


def word_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of each lower-cased word of `text` (runs of letters and digits), and of each
    word with digits and capitalised words masked (the template view)."""
    _, _, near, template = words(text)
    return near, template


def words(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The words of `text` (its first MAX_CHARS characters): start and end offsets, and the two hashes
    of `word_hashes`."""
    return _words(text[:MAX_CHARS])


def _words(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lower_t, flags_t = _tables()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    astral = cp > 0xFFFF
    idx = np.minimum(cp, 0xFFFF).astype(np.intp)
    flags = flags_t.take(idx)
    flags[astral] = _WORD  # letters beyond the BMP (and emoji) count as word characters
    is_word = (flags & _WORD).view(bool)
    edges = np.diff(np.concatenate(([0], is_word.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    if not starts.size:
        empty = np.empty(0, dtype=np.uint64)
        return starts, ends, empty, empty
    lengths = ends - starts
    chars = np.flatnonzero(is_word)
    low = lower_t.take(idx[chars])
    if astral.any():
        wide = astral[chars]
        low[wide] = cp[chars][wide]
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    # Each character weighted by a constant of its position in the word, summed per word: one
    # vectorised pass for every word of the text (or of a whole batch of texts).
    pos = np.minimum(np.arange(chars.size) - np.repeat(offsets, lengths), _POS_WEIGHTS.size - 1)
    with np.errstate(over="ignore"):
        sums = np.add.reduceat(low * _POS_WEIGHTS[pos], offsets, dtype=np.uint64)
        near = _mix(sums ^ (lengths.astype(np.uint64) * _MIX))
    has_digit = (np.bitwise_or.reduceat(flags[chars], offsets) & _DIGIT) > 0
    capital = (flags[starts] & _UPPER) > 0
    template = np.where(has_digit, _NUMBER_TOKEN, np.where(capital, _CAPITAL_TOKEN, near))
    return starts, ends, near, template


def shingle_hashes(hashes: np.ndarray, k: int = SHINGLE) -> np.ndarray:
    """The hash of every run of `k` consecutive word hashes, in text order (repeats kept)."""
    n = hashes.size - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        acc = hashes[:n] * _SHINGLE_K[0]
        for j in range(1, k):
            acc = acc + hashes[j : j + n] * _SHINGLE_K[j]
        return _mix(acc)


def fingerprint(text: str) -> Fingerprint | None:
    """The signatures of `text`, or None when it has fewer than MIN_WORDS words."""
    return fingerprints([text])[0]


def fingerprints(texts: Sequence[str]) -> list[Fingerprint | None]:
    """The signatures of each text (None under MIN_WORDS words), computed for the whole batch in one
    set of numpy calls and one rensa call: per-call overheads are paid once per batch."""
    if not texts:
        return []
    if len(texts) > 255:
        return [fp for i in range(0, len(texts), 255) for fp in fingerprints(texts[i : i + 255])]
    clipped = [t[:MAX_CHARS] for t in texts]
    # Joined by a line break, which is no word character: no word spans two texts.
    starts_at = np.cumsum([0] + [len(t) + 1 for t in clipped[:-1]])
    w_start, _, near_w, template_w = _words("\n".join(clipped))
    n = len(clipped)
    doc_of_word = np.searchsorted(starts_at, w_start, side="right") - 1
    n_words = np.bincount(doc_of_word, minlength=n)
    rows: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    distinct: list[np.ndarray] = []
    for view in (near_w, template_w):
        sh = shingle_hashes(view)
        doc = doc_of_word[: sh.size]
        keep = doc == doc_of_word[SHINGLE - 1 :][: sh.size]  # a shingle within one text
        sh, doc = sh[keep], doc[keep]
        rows.append(sh)
        counts.append(np.bincount(doc, minlength=n))
        # Distinct shingles per text (the set sizes behind the containment estimate): one sort of the
        # hashes with the text's index in their top byte (batches hold far fewer than 256 texts).
        keys = np.sort((sh >> np.uint64(8)) | (doc.astype(np.uint64) << np.uint64(56)))
        first = np.concatenate(([True], keys[1:] != keys[:-1])) if keys.size else keys.astype(bool)
        distinct.append(np.bincount((keys[first] >> np.uint64(56)).astype(np.intp), minlength=n))
    flat = np.concatenate(rows)
    offsets = np.concatenate(([0], np.cumsum(np.concatenate(counts)))).astype(np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, NUM_PERM, SEED).to_rows()
    sig = np.asarray(matrix, dtype=np.uint32)
    out: list[Fingerprint | None] = []
    for i in range(n):
        if n_words[i] < MIN_WORDS:
            out.append(None)
        else:
            out.append(
                Fingerprint(sig[i].tobytes(), sig[n + i].tobytes(), int(distinct[0][i]), int(distinct[1][i]))
            )
    return out

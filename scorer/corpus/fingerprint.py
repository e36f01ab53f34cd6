"""MinHash fingerprints of a document's text, computed next to scoring in the worker processes.

Two signatures per document, both MinHash (rensa's `RMinHash`) over 5-word shingles:

- `near`: shingles of the lower-cased words; two documents with a high estimated Jaccard similarity
  share most of their running text (a near-copy);
- `template`: the same shingles after masking every word that holds a digit, and every word written
  with a capital (names, places, sentence starts): documents filled from one template (same sentences,
  another town, other figures) share these even when their names and numbers differ.

The words are found and hashed in numpy on the text's code points (no per-word Python work), so that
a signature costs a few tens of microseconds: a corpus pass is not slowed down by it. The hashes are
fixed polynomials and the MinHash seed is a constant, so a text has the same signature in every
process, on every run, whatever the number of jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import rensa

NUM_PERM = 63  # 21 LSH bands of 3 rows (scorer.corpus.provenance)
SEED = 20240521
SHINGLE = 5  # words per shingle: short enough to survive word swaps, long enough to be rare by chance
MIN_WORDS = 30  # under this, two texts sharing most of their shingles can be a coincidence (a notice)
MAX_CHARS = 200_000  # only the first MAX_CHARS characters are fingerprinted (about 30,000 words)

_B = 0x100000001B3  # odd: invertible modulo 2**64
_B_INV = pow(_B, -1, 2**64)
_MIX = np.uint64(0x9E3779B97F4A7C15)
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
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per code point below U+10000: its lower case, and flags (word character, upper case, digit);
    then the powers of the hash base up to MAX_CHARS. Built once per process (~50 ms)."""
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
    with np.errstate(over="ignore"):
        pow_b = np.concatenate(([np.uint64(1)], np.cumprod(np.full(MAX_CHARS, _B, dtype=np.uint64))))
        pow_inv = np.concatenate(([np.uint64(1)], np.cumprod(np.full(MAX_CHARS, _B_INV, dtype=np.uint64))))
    return lower, flags, pow_b, pow_inv


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
    lower_t, flags_t, pow_b, pow_inv = _tables()
    cp = np.frombuffer(text[:MAX_CHARS].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not cp.size:
        empty = np.empty(0, dtype=np.uint64)
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp), empty, empty
    astral = cp > 0xFFFF
    idx = np.minimum(cp, 0xFFFF).astype(np.intp)
    flags = flags_t.take(idx)
    flags[astral] = _WORD  # letters beyond the BMP (and emoji) count as word characters
    is_word = (flags & _WORD).view(bool)
    edges = np.diff(np.concatenate(([0], is_word.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    low = lower_t.take(idx)
    if astral.any():
        low[astral] = cp[astral]
    with np.errstate(over="ignore"):
        # Polynomial hash of every word from one prefix sum: sum_j c_j * B^-(j - start), modulo 2**64.
        low *= pow_inv[: cp.size]
        q = np.concatenate(([np.uint64(0)], np.cumsum(low)))
        near = _mix((q[ends] - q[starts]) * pow_b[starts])
    digits = np.concatenate(([0], np.cumsum(flags & _DIGIT, dtype=np.int32)))
    has_digit = (digits[ends] - digits[starts]) > 0
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
    near_w, template_w = word_hashes(text)
    if near_w.size < MIN_WORDS:
        return None
    # Distinct shingles: the set sizes give the containment estimate (a repeated paragraph adds none).
    near_s = np.unique(shingle_hashes(near_w))
    template_s = np.unique(shingle_hashes(template_w))
    flat = np.concatenate((near_s, template_s))
    offsets = np.array([0, near_s.size, flat.size], dtype=np.uint64)
    rows = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, NUM_PERM, SEED).to_rows()
    sig = np.asarray(rows, dtype=np.uint32)
    return Fingerprint(sig[0].tobytes(), sig[1].tobytes(), int(near_s.size), int(template_s.size))

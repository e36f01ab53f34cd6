"""Word frequencies from wordfreq's data in a compact, exact form.

`zipf(word, lang)` returns what `wordfreq.zipf_frequency(word, lang)` returns, but wordfreq keeps
each language as a dict of every word to a float: 30 to 65 MB per language, 260 MB for the seven
languages the translation family compares, in every process. Here a language is two flat arrays read
straight from wordfreq's data file: the sorted 64-bit fingerprints (BLAKE2b) of its words and the
frequency bucket of each, 10 bytes a word, and a lookup is a binary search instead of a tokenisation.

Two choices keep it small, both exact for every caller in this project:

- Languages in `FULL_LANGUAGES` (the document languages) hold every word of wordfreq's list. Other
  languages, which features only consult to ask "is this word common over there?", hold the words
  down to `FOREIGN_FLOOR` Zipf; rarer words read as 0.0, as unknown words do. Every comparison the
  features make against a foreign language's frequency has a threshold above the floor, so no
  outcome changes (checked by `tests/test_frequencies.py` against wordfreq itself).
- Two different words share a fingerprint with probability about n / 2**64 (1e-14 for a list of
  300,000 words): accepted, and deterministic, since BLAKE2b is not salted per process.

Words that wordfreq would tokenise into something else (apostrophes, digits, capitals, unusual
letters) go through wordfreq's own tokeniser first, so the result is the same; plain lower-case words
skip it, which is where most of the speed comes from.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import logging
import math
import mmap
import struct
import sys
import threading
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from features import cache

logger = logging.getLogger(__name__)

# Document languages: every word is kept, so rare-word measures see the exact value.
FULL_LANGUAGES = frozenset({"fr", "en"})
# Other languages keep words at or above this Zipf value (2.0 is about one word in 100 million).
FOREIGN_FLOOR = 2.0

# Lower-case letters that wordfreq's tokeniser leaves as they are for the Latin-script languages
# (no case folding, no normal-form change, no split): a word made only of these is its own token.
_PLAIN_LETTERS = "abcdefghijklmnopqrstuvwxyzàáâãäåçèéêëìíîïñòóôõöùúûüýÿæœ"
# Languages whose wordfreq preprocessing is only NFC and case folding (no transliteration, no marks
# removed, no special letters): a word whose case fold is plain is that one token.
_FOLD_ONLY = frozenset({"fr", "en", "it", "de", "es", "pt", "nl"})
# Languages whose tokeniser is not a plain word splitter (dictionary segmentation): left to wordfreq.
_SEGMENTED = frozenset({"zh", "ja", "ko", "th", "my", "km", "lo"})


@lru_cache(maxsize=1)
def _wordfreq_lists() -> dict[str, str]:
    """Language -> path of wordfreq's best list, as `wordfreq.available_languages("best")` gives it
    ("large" over "small"), found without importing wordfreq: its import (langcodes, ftfy, its
    tokenisers' patterns) costs ~0.4-0.8 s of a cold start, and a lookup of a plain word never needs
    it."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return {}
    data = Path(next(iter(spec.submodule_search_locations)), "data")
    found: dict[str, dict[str, str]] = {"small": {}, "large": {}}
    for path in data.glob("*.msgpack.gz"):
        if not path.name.startswith("_"):
            name, _, lang = path.name.split(".")[0].partition("_")
            if name in found:
                found[name][lang] = str(path)
    return found["small"] | found["large"]


def list_path(lang: str) -> str | None:
    """The path of wordfreq's best list for `lang`, or None when it has none."""
    return _wordfreq_lists().get(lang)


def _fingerprint(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class FrequencyTable:
    """One language's wordfreq list as sorted fingerprints and their buckets (centibels below 1.0).

    Built once per installed wordfreq file and kept in the user cache (`features.cache`): later
    processes map the file (a few milliseconds, pages shared between processes) instead of hashing
    every word again (~0.5 s per language)."""

    __slots__ = ("_map", "buckets", "fingerprints", "lang", "min_zipf", "words")

    def __init__(self, lang: str, min_zipf: float | None = None) -> None:
        path = list_path(lang)
        if path is None:
            raise LookupError(f"no wordfreq list for language {lang!r}")
        self.lang = lang
        self.min_zipf = min_zipf
        self._map: mmap.mmap | None = None
        name = cache.entry_name("freq", lang, min_zipf, cache.source_stamp(path), sys.byteorder)
        if not self._load(name):
            fingerprints, buckets = _build(path, min_zipf)
            cache.write_entry(
                name, (_HEADER.pack(_MAGIC, len(fingerprints)), fingerprints.tobytes(), buckets.tobytes())
            )
            self.fingerprints: Sequence[int] = fingerprints
            self.buckets: Sequence[int] = buckets
        self.words = len(self.fingerprints)

    def _load(self, name: str) -> bool:
        """Map the cached table `name`; False when it is absent or not a complete table."""
        mapped = cache.open_entry(name)
        if mapped is None:
            return False
        magic, n = _HEADER.unpack_from(mapped) if len(mapped) >= _HEADER.size else (b"", -1)
        if magic != _MAGIC or len(mapped) != _HEADER.size + 10 * n:
            mapped.close()
            return False
        view = memoryview(mapped)
        fp_end = _HEADER.size + 8 * n
        self.fingerprints = view[_HEADER.size : fp_end].cast("Q")
        self.buckets = view[fp_end:].cast("H")
        self._map = mapped
        return True

    def bucket(self, token: str) -> int | None:
        """The bucket of `token` (as wordfreq spells tokens), or None when it is not in the list."""
        fp = _fingerprint(token)
        i = bisect_left(self.fingerprints, fp)
        if i < len(self.fingerprints) and self.fingerprints[i] == fp:
            return self.buckets[i]
        return None

    def nbytes(self) -> int:
        """Bytes the two arrays take (mapped or in memory)."""
        return 8 * len(self.fingerprints) + 2 * len(self.buckets)


_MAGIC = b"SCFQ0001"
_HEADER = struct.Struct("<8sQ")  # magic, number of words; then the fingerprints, then the buckets


def _build(path: str, min_zipf: float | None) -> tuple[array[int], array[int]]:
    """The sorted fingerprints of the words of wordfreq's file `path` (down to `min_zipf`), and the
    bucket of each."""
    import msgpack
    import numpy as np

    # wordfreq's cBpack format: [header, bucket 0, bucket 1, ...]; bucket i holds the words whose
    # frequency rounds to -i centibels, i.e. Zipf (900 - i) / 100. Streamed, so the list of
    # strings never exists whole.
    last = None if min_zipf is None else int(round(900 - 100 * min_zipf))
    fps: list[int] = []
    idx = array("H")
    with gzip.open(path, "rb") as f:
        unpacker = msgpack.Unpacker(f, raw=False)
        n = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
            raise ValueError(f"unexpected wordfreq data header in {path}")
        for index in range(n - 1):
            if last is not None and index > last:
                break
            bucket = unpacker.unpack()
            fps.extend(_fingerprint(w) for w in bucket)
            idx.extend([index] * len(bucket))
    keys = np.array(fps, dtype=np.uint64)
    order = np.argsort(keys, kind="stable")
    return array("Q", keys[order].tobytes()), array("H", np.frombuffer(idx, dtype=np.uint16)[order].tobytes())


_lock = threading.Lock()
_tables: dict[str, FrequencyTable | None] = {}


def table(lang: str) -> FrequencyTable | None:
    """The loaded table of `lang` (built on first use, once per process), None without a wordfreq list."""
    t = _tables.get(lang, False)
    if t is not False:
        return t  # type: ignore[return-value]
    with _lock:
        if lang not in _tables:
            try:
                _tables[lang] = FrequencyTable(lang, None if lang in FULL_LANGUAGES else FOREIGN_FLOOR)
            except LookupError:
                _tables[lang] = None
        return _tables[lang]


# Exactly wordfreq's `cB_to_freq(-index)` per bucket, so the floats are bit-identical.
_BUCKET_FREQ = [float(10 ** (-index / 100)) for index in range(1000)]


def _bucket_freq(index: int) -> float:
    return _BUCKET_FREQ[index] if index < len(_BUCKET_FREQ) else float(10 ** (-index / 100))


def _to_zipf(one_over: float) -> float:
    """wordfreq's `word_frequency` and `zipf_frequency` arithmetic, step for step, from the sum of the
    tokens' inverse frequencies: the minimum of 1e-9 (Zipf 0), three significant digits, then Zipf
    rounded to hundredths."""
    unrounded = max(1.0 / one_over, 10**0.0 / 1e9)
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    freq = round(unrounded, leading_zeroes + 3)
    return round(math.log(freq, 10) + 9, 2)


# The Zipf value of a word that is one token, per bucket: the same arithmetic done once.
_BUCKET_ZIPF = [_to_zipf(0.0 + 1.0 / f) for f in _BUCKET_FREQ]


def _plain(word: str) -> bool:
    """A word that wordfreq's tokeniser returns unchanged as a single token."""
    if word.isascii():
        return word.isalpha() and word.islower()
    return bool(word) and not word.strip(_PLAIN_LETTERS)


def zipf(word: str, lang: str) -> float:
    """Zipf frequency of `word` in `lang`, equal to `wordfreq.zipf_frequency(word, lang)` (0.0 for
    unknown words and languages; 0.0 below `FOREIGN_FLOOR` outside `FULL_LANGUAGES`)."""
    if lang in _SEGMENTED:
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, lang))
    t = table(lang)
    if t is None:
        return 0.0
    if _plain(word) or (lang in _FOLD_ONLY and _plain(word := word.casefold())):
        b = t.bucket(word)
        if b is None:
            return 0.0
        # A one-token word: its bucket is in the table only if it is at or above the floor.
        return _BUCKET_ZIPF[b] if b < len(_BUCKET_ZIPF) else _to_zipf(1.0 / _bucket_freq(b))
    one_over = 0.0
    parts = word.split("-")
    if lang in _FOLD_ONLY and len(parts) > 1 and all(p and _plain(p) for p in parts):
        # Plain words joined by single hyphens ("nord-ouest", "dit-il"): wordfreq's tokeniser splits
        # them at the hyphens and nothing else (word is already case-folded here), so its own
        # tokenisation, ~50 times dearer, is skipped.
        for part in parts:
            b = t.bucket(part)
            if b is None:
                return 0.0
            one_over += 1.0 / _bucket_freq(b)
    else:
        from wordfreq.numbers import digit_freq, smash_numbers
        from wordfreq.tokens import lossy_tokenize

        tokens = lossy_tokenize(word, lang)
        if not tokens:
            return 0.0
        for token in tokens:
            smashed = smash_numbers(token)
            b = t.bucket(smashed)
            if b is None:
                return 0.0
            freq = _bucket_freq(b)
            if smashed != token:
                freq *= digit_freq(token)
            one_over += 1.0 / freq
    z = _to_zipf(one_over)
    # Several tokens (or digits) combine into a lower value: below a truncated table's floor it reads
    # as 0.0 like every other rare word of that language.
    return 0.0 if t.min_zipf is not None and z < t.min_zipf else z


def top_words(lang: str, n: int) -> list[str]:
    """The `n` most frequent words of `lang` without digit sequences, as `wordfreq.top_n_list` gives
    them, streamed from the data file (wordfreq's own function keeps the whole list in memory)."""
    import msgpack
    from wordfreq.numbers import has_digit_sequence

    path = list_path(lang)
    if path is None:
        return []
    out: list[str] = []
    with gzip.open(path, "rb") as f:
        unpacker = msgpack.Unpacker(f, raw=False)
        size = unpacker.read_array_header()
        unpacker.skip()
        for _ in range(size - 1):
            for w in unpacker.unpack():
                if not has_digit_sequence(w):
                    out.append(w)
                    if len(out) >= n:
                        return out
    return out

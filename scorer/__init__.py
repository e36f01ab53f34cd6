"""Article quality and provenance scorer: signals with evidence, combined into a calibrated score."""

from __future__ import annotations

import logging

from features import Document
from scorer.engine import BANDS, Result, Scorer, default_scorer, label_for, score
from scorer.errors import ExtractionError, InputError, ModelNotLoadedError, ScorerError
from scorer.ingest.documents import from_html, from_path, from_record, from_text

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
__all__ = [
    "BANDS",
    "Document",
    "ExtractionError",
    "InputError",
    "ModelNotLoadedError",
    "Result",
    "Scorer",
    "ScorerError",
    "default_scorer",
    "from_html",
    "from_path",
    "from_record",
    "from_text",
    "label_for",
    "score",
]

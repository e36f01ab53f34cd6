"""Every exception the scorer raises on purpose. A poor article is a signal, never an exception."""

from __future__ import annotations


class ScorerError(Exception):
    """Base class: an input or setup problem the user can act on."""


class InputError(ScorerError):
    """An input could not be read or decoded (unreadable file, bad JSON, unknown format)."""


class ExtractionError(ScorerError):
    """No article text could be extracted from the input."""


class ModelNotLoadedError(ScorerError):
    """The model file is missing, unreadable or not a model this version can use."""

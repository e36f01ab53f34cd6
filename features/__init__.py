"""Signal extractors, one module per family. Each module lists its features in `FEATURES`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from features import boilerplate, dating, readability, sourcing, translation
from features.base import FAMILIES, Evidence, Feature, Kind, Signal
from features.document import Document

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["FAMILIES", "FEATURES", "Document", "Evidence", "Feature", "Kind", "Signal", "build_features", "catalogue"]

# The registry: every feature class, in family order. To add a signal, add its class to the
# `FEATURES` list of its family's module.
FEATURES: tuple[type[Feature], ...] = (
    *translation.FEATURES,
    *boilerplate.FEATURES,
    *dating.FEATURES,
    *sourcing.FEATURES,
    *readability.FEATURES,
)


def build_features(
    families: Iterable[str] | None = None,
    options: Mapping[str, Mapping[str, object]] | None = None,
    max_chars: int | None = None,
) -> list[Feature]:
    """Instantiate the registered features of `families` (all by default); `options` maps a class name
    to keyword arguments for its constructor; `max_chars` bounds the characters each one analyses
    (`features.base.MAX_CHARS` by default)."""
    wanted = set(FAMILIES if families is None else families)
    unknown = wanted - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown signal families: {', '.join(sorted(unknown))}")
    options = options or {}
    built = [cls(**options.get(cls.__name__, {})) for cls in FEATURES if cls.family in wanted]  # type: ignore[arg-type]
    if max_chars is not None:
        if max_chars < 1:
            raise ValueError(f"max_chars must be a positive number of characters, not {max_chars}")
        for feature in built:
            feature.max_chars = max_chars
    return built


def catalogue() -> dict[str, dict[str, str]]:
    """Every signal code with its family, emitting feature and meaning."""
    out: dict[str, dict[str, str]] = {}
    for cls in FEATURES:
        for code, meaning in cls.codes.items():
            out[code] = {"family": cls.family, "feature": cls.__name__, "meaning": meaning}
    return dict(sorted(out.items()))

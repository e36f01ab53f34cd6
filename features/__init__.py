"""Signal extractors, one module per family. Each module lists its features in `FEATURES`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from features import boilerplate, dating, generation, quality, readability, sourcing, translation
from features.base import FAMILIES, Direction, Evidence, Feature, Kind, Rule, Signal
from features.directions import RULES, rule_for
from features.document import Document

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "FAMILIES",
    "FEATURES",
    "RULES",
    "Direction",
    "Document",
    "Evidence",
    "Feature",
    "Kind",
    "Rule",
    "Signal",
    "build_features",
    "catalogue",
    "rule_for",
]

# The registry: every feature class, in family order. To add a signal, add its class to the
# `FEATURES` list of its family's module.
FEATURES: tuple[type[Feature], ...] = (
    *translation.FEATURES,
    *boilerplate.FEATURES,
    *dating.FEATURES,
    *sourcing.FEATURES,
    *readability.FEATURES,
    *quality.FEATURES,
    *generation.FEATURES,
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
    built: dict[type[Feature], Feature] = {}
    for cls in FEATURES:
        if cls.family not in wanted:
            continue
        kwargs = dict(options.get(cls.__name__, {}))
        for arg, needed in cls.requires.items():
            if arg not in kwargs and needed in built:
                kwargs[arg] = built[needed]
        built[cls] = cls(**kwargs)
    if max_chars is not None:
        if max_chars < 1:
            raise ValueError(f"max_chars must be a positive number of characters, not {max_chars}")
        for feature in built.values():
            feature.max_chars = max_chars
    return list(built.values())


def catalogue() -> dict[str, dict[str, str]]:
    """Every signal code with its family, emitting feature, meaning, direction (lowers, raises or either
        way), the metadata field it depends on ("" when none), the floor a measure counts above ("" when
    none) and the direction as one phrase."""
    out: dict[str, dict[str, str]] = {}
    for cls in FEATURES:
        for code, meaning in cls.codes.items():
            rule = rule_for(code)
            out[code] = {
                "family": cls.family,
                "feature": cls.__name__,
                "meaning": meaning,
                "direction": rule.direction.value,
                "requires": rule.requires or "",
                "floor": f"{rule.floor:g}" if rule.floor else "",
                "direction_text": rule.direction.value
                + (f" (needs {rule.requires})" if rule.requires else "")
                + (f" (above {rule.floor:g} only)" if rule.floor else ""),
            }
    return dict(sorted(out.items()))

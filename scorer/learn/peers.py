"""The heuristic filter chain a data team would use instead of this scorer: datatrove's Gopher
repetition, Gopher quality, C4 quality and FineWeb quality filters, with French stop words.

datatrove is an optional extra (`pip install article-scorer[peers]`) and is imported only when a
chain is built. The chain runs the filters in the order FineWeb's recipe does; a document is flagged
by the first filter that drops it, and the reason is that filter's own reason string.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from scorer.errors import ScorerError

logger = logging.getLogger(__name__)

# datatrove names languages with ISO 639-3 codes.
_LANG3 = {"fr": "fra", "en": "eng"}


@cache
def stop_words() -> dict[str, list[str]]:
    """Per-language stop words for the Gopher quality filter (`scorer/learn/data/peers.json`)."""
    with resources.files("scorer.learn").joinpath("data", "peers.json").open(encoding="utf-8") as f:
        return dict(json.load(f)["stop_words"])


@dataclass(frozen=True)
class PeerVerdict:
    """What the chain says about one text: dropped or kept, and by which filter and rule."""

    flagged: bool
    filter: str | None = None
    reason: str | None = None


class PeerChain:
    """datatrove's heuristic filters, configured for one language ("fr" by default)."""

    def __init__(self, language: str = "fr") -> None:
        try:
            from datatrove.pipeline.filters import (
                C4QualityFilter,
                FineWebQualityFilter,
                GopherQualityFilter,
                GopherRepetitionFilter,
            )
        except ImportError as e:  # pragma: no cover - depends on the optional extra
            raise ScorerError(
                "the peer filter chain needs datatrove: pip install 'article-scorer[peers]'"
            ) from e
        lang = _LANG3.get(language, "eng")
        words = stop_words().get(language, stop_words()["en"])
        self.language = language
        self.filters: list[tuple[str, Any]] = [
            ("gopher_repetition", GopherRepetitionFilter(language=lang)),
            ("gopher_quality", GopherQualityFilter(language=lang, stop_words=words)),
            ("c4_quality", C4QualityFilter(language=lang)),
            ("fineweb_quality", FineWebQualityFilter(language=lang)),
        ]

    def check(self, text: str, id: str = "") -> PeerVerdict:
        """Run the chain on `text`; C4 rewrites the text (drops lines) for the filters after it, as in a
        datatrove pipeline."""
        from datatrove.data import Document as DTDocument

        doc = DTDocument(text=text, id=id or "doc")
        for name, f in self.filters:
            if not doc.text.strip():
                return PeerVerdict(True, name, "empty_after_filtering")
            out = f.filter(doc)
            keep, reason = (out, None) if isinstance(out, bool) else (bool(out[0]), str(out[1]))
            if not keep:
                return PeerVerdict(True, name, reason or name)
        return PeerVerdict(False)

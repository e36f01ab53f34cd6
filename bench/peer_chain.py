"""The heuristic filter chain a data team runs instead: datatrove's Gopher quality, Gopher repetition,
C4 quality and FineWeb quality filters, in that order, configured for French.

The benchmark uses the project's chain (`scorer.learn.peers`) and falls back to this stand-in when that
module is not available. datatrove is an optional extra
(`pip install article-scorer[bench]`), never a runtime dependency.
"""

from __future__ import annotations

from typing import Any

# Gopher's own English list is the 8 most frequent function words; the French equivalent is taken
# from word frequencies (no word list kept here): the 8 most frequent French words of 2+ letters.
N_STOP_WORDS = 8


def french_stop_words(n: int = N_STOP_WORDS) -> list[str]:
    """The `n` most frequent French words of at least two letters (wordfreq)."""
    from wordfreq import top_n_list

    return [w for w in top_n_list("fr", 50) if w.isalpha() and len(w) >= 2][:n]


class PeerChain:
    """Gopher quality -> Gopher repetition -> C4 quality -> FineWeb quality, as a datatrove pipeline
    applies them: a document dropped by one filter is not seen by the next, and C4 rewrites the text
    (it removes lines) before FineWeb sees it."""

    name = "datatrove Gopher+GopherRep+C4+FineWeb (fr)"

    def __init__(self) -> None:
        from datatrove.pipeline.filters import (
            C4QualityFilter,
            FineWebQualityFilter,
            GopherQualityFilter,
            GopherRepetitionFilter,
        )
        from datatrove.utils.typeshelper import Languages

        lang = Languages.french
        self.filters: list[Any] = [
            GopherQualityFilter(stop_words=french_stop_words(), language=lang),
            GopherRepetitionFilter(language=lang),
            C4QualityFilter(language=lang),
            FineWebQualityFilter(language=lang),
        ]

    def __call__(self, text: str, id: str = "") -> str | None:
        """None when every filter keeps the document, else the reason of the first one that drops it."""
        from datatrove.data import Document as DTDocument

        doc = DTDocument(text=text, id=id)
        for f in self.filters:
            res = f.filter(doc)
            ok, reason = res if isinstance(res, tuple) else (res, None)
            if not ok:
                return reason or f.name
        return None


class _ProjectChain:
    """`scorer.learn.peers.PeerChain` seen through the benchmark's calling convention."""

    def __init__(self, chain: Any) -> None:
        self.chain = chain
        self.name = "datatrove " + "+".join(n for n, _ in chain.filters) + f" ({chain.language})"

    def __call__(self, text: str, id: str = "") -> str | None:
        verdict = self.chain.check(text, id)
        return f"{verdict.filter}: {verdict.reason}" if verdict.flagged else None


def load_chain() -> tuple[Any, str]:
    """The project's peer chain (`scorer.learn.peers.PeerChain`, French stop words from its data file) when
    it exists, else the stand-in above; and where it came from."""
    from loguru import logger as loguru_logger

    loguru_logger.remove()  # datatrove logs through loguru; the benchmark prints its own figures
    try:
        from scorer.learn.peers import PeerChain as ProjectChain
    except ImportError:
        return PeerChain(), "bench.peer_chain.PeerChain (scorer.learn.peers not available)"
    return _ProjectChain(ProjectChain("fr")), "scorer.learn.peers.PeerChain"

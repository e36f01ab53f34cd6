"""HTML extraction of the boilerplate family: how much of the page the extractor kept, and whether
what it removed was furniture or prose."""

from __future__ import annotations

from typing import ClassVar

from features.base import Feature, Signal
from features.boilerplate.lines import LexiconSet, Line, analyse_line, is_prose
from features.boilerplate.rules import score_lines
from features.document import Document


class HtmlExtraction(Feature):
    """For HTML input: how much of the page's visible text the extractor kept, and what the removed
    text was (furniture lines, or prose the extractor may have dropped). Measures for the classifier.

    Known limits: pages whose visible text is mostly comments or a long menu make the kept share low
    for a good article; it is a measure, not a flag.
    """

    family: ClassVar[str] = "boilerplate"
    codes: ClassVar[dict[str, str]] = {
        "boilerplate.html_kept_share": "HTML input: share of the page's visible text kept as article text (0-1).",
        "boilerplate.html_removed_furniture": "HTML input: share of the removed lines that look like page furniture (0-1).",
        "boilerplate.html_removed_prose": "HTML input: share of the removed text in prose-like lines (0-1): article text the extractor may have dropped.",
    }

    def __init__(self, threshold: float = 3.0, max_lines: int = 2000) -> None:
        self.threshold = threshold
        self.max_lines = max_lines
        self._lex = LexiconSet()

    def extract(self, doc: Document) -> list[Signal]:
        if doc.page_text_chars is None:
            return []
        out = [
            self.measure(
                "boilerplate.html_kept_share",
                "Share of the page's visible text kept by the extractor.",
                min(1.0, len(doc.text) / doc.page_text_chars) if doc.page_text_chars else 0.0,
            )
        ]
        removed = [t for t in (doc.removed_text or "").split("\n") if t.strip()][: self.max_lines]
        if removed:
            lang = doc.base_language
            lex = self._lex(lang)
            # Menus and share bars repeat the same lines: each distinct line is measured once, and its
            # measures stand for every copy (nothing below reads a line's index).
            seen: dict[str, Line] = {}
            lines = []
            for i, t in enumerate(removed):
                first = seen.get(t)
                if first is None:
                    first = seen[t] = analyse_line(i, (0, len(t)), t, lex)
                lines.append(first)
            verdicts = score_lines(lines, lang)
            chars = sum(len(t) for t in removed)
            out.append(
                self.measure(
                    "boilerplate.html_removed_furniture",
                    "Share of removed lines that look like furniture.",
                    sum(1 for v in verdicts if v.score >= self.threshold) / len(lines),
                )
            )
            out.append(
                self.measure(
                    "boilerplate.html_removed_prose",
                    "Share of removed text in prose-like lines.",
                    sum(len(ln.text) for ln in lines if is_prose(ln, lang)) / chars if chars else 0.0,
                )
            )
        return out

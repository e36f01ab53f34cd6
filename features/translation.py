"""Translation family: artefacts that machine translation and translation plugins leave in the text."""

from __future__ import annotations

import re
from typing import ClassVar

from features.base import Feature, Signal, load_lexicon
from features.document import Document


class NumberPlaceholder(Feature):
    """Placeholder tokens that auto-translation plugins put in place of numbers ("2000 XNUMX dollars").

    Known false positives: an article *about* such placeholders, quoting one.
    """

    family: ClassVar[str] = "translation"
    codes: ClassVar[dict[str, str]] = {
        "translation.number_placeholder": "A number placeholder left by an auto-translation plugin (e.g. 'XNUMX').",
    }

    def __init__(self) -> None:
        tokens = load_lexicon("translation/placeholders")["tokens"]
        self._re = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in tokens) + r")\b")

    def extract(self, doc: Document) -> list[Signal]:
        spans = [(m.start(), m.end()) for m in self._re.finditer(doc.text)]
        if not spans:
            return []
        return [self.flag(doc, "translation.number_placeholder", "A number was replaced by a translation plugin's placeholder token.", spans)]


FEATURES: list[type[Feature]] = [NumberPlaceholder]

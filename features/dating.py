"""Dating family: when the article was published, and whether the text lets a reader tell."""

from __future__ import annotations

from typing import ClassVar

from features.base import Feature, Signal
from features.document import Document


class PublishedDate(Feature):
    """Whether a publication date is known from the input's metadata."""

    family: ClassVar[str] = "dating"
    codes: ClassVar[dict[str, str]] = {
        "dating.no_published_date": "No publication date in the metadata or the text.",
    }

    def extract(self, doc: Document) -> list[Signal]:
        if doc.published is not None:
            return []
        return [self.absence("dating.no_published_date", "No publication date found: checked the input's metadata (date fields, HTML meta tags).")]


FEATURES: list[type[Feature]] = [PublishedDate]

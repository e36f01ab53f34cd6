"""Residue of text generation: what a chatbot wrote about itself, or to its user, left in an article.

NewsGuard lists such residue ("As an AI language model…", "I cannot fulfill this request",
"[Insérer le nom]") as its first criterion for an AI-generated news site: a page that publishes a
chatbot's answer without reading it leaves the refusals, the self-references, the reply's opening
("Bien sûr ! Voici un article…"), the prompt and the unfilled placeholders in the text.

Known false positives: an article *about* chatbots that cites such a sentence. A hit inside quotation
marks in its sentence is therefore not flagged (a quote is reported speech, not residue); a hit cited
without quotation marks still is.
"""

from __future__ import annotations

import re
from typing import ClassVar

from features.base import Feature, Signal, load_lexicon
from features.document import Document, Span
from features.text import PhraseSearch

# Quotation mark pairs (’ is also the French apostrophe, so single quotes are left out).
_QUOTES = (("«", "»"), ("“", "”"))


def _phrase_pattern(phrase: str) -> str:
    """A phrase as a regex: spaces match white space, apostrophes both forms, a space before ! ? : ;
    is optional; word boundaries at word ends. Literal alternations only: linear time."""
    out: list[str] = []
    i = 0
    while i < len(phrase):
        ch = phrase[i]
        if ch == " " and i + 1 < len(phrase) and phrase[i + 1] in "!?:;":
            out.append(r"\s*")
        elif ch == " ":
            out.append(r"\s+")
        elif ch in "'’":
            out.append("['’]")
        elif ch in "!?:;" and (i == 0 or phrase[i - 1] != " "):
            out.append(r"\s?" + re.escape(ch))
        else:
            out.append(re.escape(ch))
        i += 1
    body = "".join(out)
    head = r"\b" if phrase[0].isalnum() else ""
    tail = r"\b" if phrase[-1].isalnum() else ""
    return head + body + tail


class ChatbotResidue(Feature):
    """Chatbot self-references, refusals, replies, prompt fragments and unfilled "[placeholders]", in
    French and English whatever the document's language (residue is often in the model's language,
    not the page's). Each hit is cited."""

    family: ClassVar[str] = "generation"
    codes: ClassVar[dict[str, str]] = {
        "generation.chatbot_residue": "Text a chatbot wrote about itself or to its user, left in the article: a "
        "self-reference ('En tant que modèle de langage', 'As an AI language model'), a refusal, the reply's "
        "opening ('Bien sûr ! Voici un article'), a prompt fragment, or an unfilled '[Insérer le nom]' placeholder.",
    }

    def __init__(self) -> None:
        lex = load_lexicon("generation/chatbot_residue")
        phrases: list[tuple[str, str]] = []
        for kind in ("self_reference", "refusal", "reply", "prompt"):
            for lang in ("fr", "en"):
                phrases.extend((kind, p) for p in lex[kind][lang])
        # Longest first, so that "bien sûr ! voici un article" wins over "bien sûr ! voici".
        phrases.sort(key=lambda kp: -len(kp[1]))
        self._kinds = [k for k, _ in phrases]
        self.phrase_re = re.compile(
            "|".join(f"(?P<p{i}>{_phrase_pattern(p)})" for i, (_, p) in enumerate(phrases)), re.IGNORECASE
        )
        # Every phrase begins with a word, so the regex is tried only where one of those words starts
        # (tried at every position, its ~80 alternatives cost ~17 ms per article).
        self.phrases = PhraseSearch(self.phrase_re, (p for _, p in phrases))
        words = sorted(
            {w for lang in ("fr", "en") for w in lex["placeholder_words"][lang]}, key=len, reverse=True
        )
        alt = "|".join(_phrase_pattern(w) for w in words)
        # "[Insérer le nom de la ville]", "[Your Name]", "[nom de l'entreprise]": square brackets, a
        # placeholder word first, at most 60 characters, no nested bracket or line break.
        self.placeholder_re = re.compile(rf"\[\s*(?:{alt})[^\[\]\n]{{0,60}}\]", re.IGNORECASE)

    def extract(self, doc: Document) -> list[Signal]:
        text = doc.text
        hits: list[tuple[Span, str]] = []
        for m in self.phrases.finditer(text, doc.word_runs):
            kind = self._kinds[int((m.lastgroup or "p0")[1:])]
            if not _quoted(doc, m.start(), m.end()):
                hits.append((m.span(), kind))
        for m in self.placeholder_re.finditer(text):
            hits.append((m.span(), "placeholder"))
        if not hits:
            return []
        kinds = sorted({k for _, k in hits})
        first = text[hits[0][0][0] : hits[0][0][1]]
        return [
            self.flag(
                doc,
                "generation.chatbot_residue",
                f"{len(hits)} passage(s) of chatbot output left in the text ({', '.join(kinds)}), e.g. “{first}”.",
                [sp for sp, _ in hits],
                kinds=kinds,
            )
        ]


def _quoted(doc: Document, start: int, end: int) -> bool:
    """True when [start, end) sits inside quotation marks opened earlier in its sentence (or
    paragraph) and closed after it."""
    lo, hi = 0, len(doc.text)
    for a, b in doc.sentences:
        if a <= start < b:
            lo, hi = a, max(b, end)
            break
    before, after = doc.text[lo:start], doc.text[end:hi]
    if any(before.count(o) > before.count(c) for o, c in _QUOTES):
        return True
    # Straight double quotes: an odd number before the hit and one after it.
    return before.count('"') % 2 == 1 and '"' in after


FEATURES: tuple[type[Feature], ...] = (ChatbotResidue,)

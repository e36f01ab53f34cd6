"""Judging sources for the sourcing family: whether the words that name a source name someone, point
back to someone named before, stay vague or report a rumour; and the named-entity check for the few
phrases the lexicons cannot settle."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from features.base import load_lexicon
from features.nlp import run_components, zipf
from features.sourcing.phrases import LANGS
from features.text import PHRASE_TOKEN_RE


class Verdict(Enum):
    """What the words naming a source say about it."""

    NAMED = "named"  # a person, organisation or outlet is named
    ANAPHORIC = "anaphoric"  # someone named before ("le responsable", "il")
    VAGUE = "vague"  # nobody in particular ("des responsables", "experts")
    RUMOUR = "rumour"  # hearsay ("des rumeurs")
    # Unsettled: NAMED if the named-entity recogniser finds a person in the phrase, else the fallback.
    PERSON_OR_ANAPHORIC = "person or anaphoric"
    PERSON_OR_VAGUE = "person or vague"

    @property
    def unsettled(self) -> bool:
        """Whether the recogniser has to settle this verdict."""
        return self in _FALLBACK

    def settle(self, person: bool) -> Verdict:
        """The settled verdict once the recogniser has said whether the phrase names a person."""
        return Verdict.NAMED if person else _FALLBACK[self]

    @staticmethod
    def person_or(fallback: Verdict) -> Verdict:
        """The unsettled verdict: a person if the recogniser finds one, else `fallback`."""
        return Verdict.PERSON_OR_ANAPHORIC if fallback is Verdict.ANAPHORIC else Verdict.PERSON_OR_VAGUE


_FALLBACK = {Verdict.PERSON_OR_ANAPHORIC: Verdict.ANAPHORIC, Verdict.PERSON_OR_VAGUE: Verdict.VAGUE}


def entity_labels(texts: list[str], lang: str) -> list[set[str]]:
    """The entity labels spaCy finds in each short text (empty sets when the model is unavailable)."""
    docs = run_components(lang, texts, keep=("ner",))
    if docs is None:
        return [set() for _ in texts]
    return [{e.label_ for e in d.ents} for d in docs]


class SourceJudge:
    """Judges the words that name a source, per language, from the lexicons in `features/data/sourcing/`."""

    def __init__(self) -> None:
        lex = load_lexicon("sourcing/sources")
        self.sets: dict[str, dict[str, frozenset[str]]] = {
            key: {lang: frozenset(w.lower() for w in lex[key][lang]) for lang in LANGS}
            for key in (
                "anonymous",
                "documents",
                "rumour",
                "indefinite",
                "definite",
                "pronouns",
                "generic",
                "complement_starts",
            )
        }

    def is_(self, key: str, lang: str, word: str) -> bool:
        """Whether `word` (any case) is in lexicon `key` for `lang`."""
        return word.lower() in self.sets[key][lang]

    def verdict(self, text: str, lang: str, sentence_initial: bool) -> Verdict | None:
        """The verdict on the source words `text`, or None when they name no source."""
        toks = [t for t in PHRASE_TOKEN_RE.findall(text) if t not in "(),"]
        if not toks:
            return None
        low = [t.lower() for t in toks]
        phrase = " ".join(low)
        if phrase in self.sets["pronouns"][lang] or (low[0] in self.sets["pronouns"][lang] and len(low) <= 2):
            return Verdict.ANAPHORIC
        if phrase in self.sets["generic"][lang] or low[0] == "on":
            return Verdict.VAGUE
        i = 0
        det: str | None = None
        while (
            i < len(low)
            and i < 3
            and (self.is_("indefinite", lang, low[i]) or self.is_("definite", lang, low[i]))
        ):
            det = "indefinite" if self.is_("indefinite", lang, low[i]) else "definite"
            i += 1
        head = next(
            (
                (k, j)
                for j in range(i, min(i + 3, len(low)))
                for k in ("rumour", "anonymous", "documents")
                if low[j] in self.sets[k][lang]
            ),
            None,
        )
        capitals = [
            j
            for j, t in enumerate(toks)
            if t[0].isupper() and (j > 0 or not sentence_initial or self._name_like(t, lang))
        ]
        if head is not None:
            kind, j = head
            later_caps = [c for c in capitals if c > j]
            plural = low[j].endswith(("s", "x"))
            if kind == "rumour":
                return Verdict.RUMOUR
            if kind == "anonymous":
                # "le responsable a ajouté": the one named before; "des responsables": nobody in particular.
                unnamed = (
                    Verdict.ANAPHORIC
                    if det == "definite" and not plural and low[j] not in ("source", "sources")
                    else Verdict.VAGUE
                )
                # Unnamed people stay unnamed unless a person's name follows ("l'analyste Jean Dupont", not
                # "des experts de l'ONU"): the recogniser tells a person from an organisation in French.
                if later_caps:
                    if lang == "fr":
                        # A first and last name right after the head ("l'analyste américain Michael
                        # Kugelman") is a person without asking the recogniser.
                        if self._name_after_head(toks, low, j, lang):
                            return Verdict.NAMED
                        return Verdict.person_or(unnamed)
                    return Verdict.NAMED if self._apposed_name(toks, j) else unnamed
                return unnamed
            # A document: vague when indefinite and plural ("des rapports") or unnamed ("selon une étude").
            if (det == "indefinite" or det is None and lang == "en") and plural:
                return Verdict.VAGUE
            if later_caps:
                return Verdict.NAMED
            return Verdict.ANAPHORIC if det == "definite" else Verdict.VAGUE
        if capitals:
            return Verdict.NAMED
        if det == "definite":
            return Verdict.ANAPHORIC  # "le groupe", "la police": an identified body or one named before
        # "un collectif dénonce", "un drapeau indique": an indefinite subject that is no kind of source.
        return None

    def has_source_head(self, text: str, lang: str) -> bool:
        """Whether `text` is headed by a word for a source ("une source", "des experts", "some officials")."""
        low = [t.lower() for t in PHRASE_TOKEN_RE.findall(text)[:4]]
        return any(
            w in self.sets[k][lang] for w in low for k in ("anonymous", "documents", "rumour", "generic")
        )

    @staticmethod
    def _name_like(token: str, lang: str) -> bool:
        # A capitalised first word of a sentence is a name when it is rare as a common word ("Zelensky").
        return zipf(token.lower(), lang) < 4.0

    def _name_after_head(self, toks: Sequence[str], low: Sequence[str], head: int, lang: str) -> bool:
        """Whether two capitalised words (not acronyms, not articles) follow the head word, with at most
        two lower-case modifiers between ("l'analyste Zoran Radulovic", "le chercheur américain Anthony
        Fardet") and no determiner, preposition or elided word ("des experts de l'ONU", "une source au
        Parisien" are not)."""
        k = head + 1
        while (
            k < len(toks)
            and k <= head + 2
            and toks[k].isalpha()
            and toks[k].islower()
            and not any(
                self.is_(key, lang, low[k]) for key in ("complement_starts", "definite", "indefinite")
            )
        ):
            k += 1
        return k + 1 < len(toks) and all(
            toks[i][0].isupper()
            and toks[i].isalpha()
            and not toks[i].isupper()
            and not self.is_("definite", lang, low[i])
            for i in (k, k + 1)
        )

    @staticmethod
    def _apposed_name(toks: Sequence[str], head: int) -> bool:
        # English has no model here: a person's name is two capitalised words in a row after the head.
        return any(toks[k][0].isupper() and toks[k + 1][0].isupper() for k in range(head + 1, len(toks) - 1))

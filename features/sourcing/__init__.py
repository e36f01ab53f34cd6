"""Sourcing family: who says so. Attributed statements against vague or absent ones, quotes without a
speaker, source lines that point nowhere, bylines, and credit lines that show copy taken from elsewhere.

Attribution is found with patterns over a reporting-verb lexicon ("a déclaré", "précise", "said") and
"selon"/"according to"; the words that name the source are then judged with lexicons (determiner and head
noun: "des responsables" is vague, "le New York Times" is named). French phrases the lexicons cannot settle
(an anonymous head followed by a capitalised name: "des experts de l'ONU" against "un responsable, Jean
Dupont") go to spaCy's named-entity recogniser, only those few short phrases and only that component.

- `phrases`: whole-word phrase lookup and the words after a cue;
- `judge`: the verdict on the words naming a source, and the named-entity check;
- `attribution`: attribution cues and the statements feature;
- `credits`: hollow source lines, bylines and credit lines.
"""

from __future__ import annotations

from features.base import Feature
from features.sourcing.attribution import (
    ATTRIBUTIONS,
    AttributedStatements,
    Attribution,
    AttributionReader,
    Reading,
    read_attributions,
)
from features.sourcing.credits import BylineCredit, HollowSource
from features.sourcing.judge import SourceJudge, Verdict, entity_labels
from features.sourcing.phrases import (
    LANGS,
    MAX_PHRASE_TOKENS,
    WORD_SET,
    WORD_SET_CASED,
    PhraseIndex,
    word_set,
    word_starts,
)

__all__ = [
    "ATTRIBUTIONS",
    "FEATURES",
    "LANGS",
    "MAX_PHRASE_TOKENS",
    "WORD_SET",
    "WORD_SET_CASED",
    "Attribution",
    "AttributedStatements",
    "AttributionReader",
    "BylineCredit",
    "HollowSource",
    "PhraseIndex",
    "Reading",
    "SourceJudge",
    "Verdict",
    "entity_labels",
    "read_attributions",
    "word_set",
    "word_starts",
]

FEATURES: list[type[Feature]] = [AttributedStatements, HollowSource, BylineCredit]

"""Translation family: artefacts that machine translation and translation plugins leave in the text.

Every detector here is built from general knowledge kept in data files under
`features/data/translation/` (placeholder shapes, word-frequency gaps between languages, idiom calques,
French grammar lexicons, switcher labels, typography rules), never from strings of particular articles.
French first, English second; other languages get only the language-independent placeholder and
plugin-residue checks.

- `surface`: what shows in the characters (placeholders, plugin residue, typography, capitalised verbs);
- `words`: leaked function words of another language, calques;
- `grammar`: elision, gender agreement, orphaned reporting verbs;
- `mt_estimate`: the document-level machine-translation estimate.
"""

from __future__ import annotations

from features.base import Feature
from features.translation.grammar import GrammarArtefacts
from features.translation.mt_estimate import (
    MT_CHAR_BITS,
    MT_CHAR_ORDERS,
    MT_CHAR_ZIPF,
    MT_TOKENS,
    MT_VIEWS,
    MachineTranslationEstimate,
    MtTokenizer,
    default_tokenizers,
    mt_char_arrays,
    mt_char_counts,
    mt_char_idf,
    mt_char_pack,
    mt_char_values,
    mt_profile,
    mt_tokens,
)
from features.translation.surface import CapitalisedVerbs, ForeignTypography, NumberPlaceholder, PluginResidue
from features.translation.words import CALQUES, LEAKED, QUOTED, Calque, LeakedForeignWords, quoted_spans

__all__ = [
    "CALQUES",
    "FEATURES",
    "LEAKED",
    "MT_CHAR_BITS",
    "MT_CHAR_ORDERS",
    "MT_CHAR_ZIPF",
    "MT_TOKENS",
    "MT_VIEWS",
    "QUOTED",
    "Calque",
    "CapitalisedVerbs",
    "ForeignTypography",
    "GrammarArtefacts",
    "LeakedForeignWords",
    "MachineTranslationEstimate",
    "MtTokenizer",
    "NumberPlaceholder",
    "PluginResidue",
    "default_tokenizers",
    "mt_char_arrays",
    "mt_char_counts",
    "mt_char_idf",
    "mt_char_pack",
    "mt_char_values",
    "mt_profile",
    "mt_tokens",
    "quoted_spans",
]

FEATURES: list[type[Feature]] = [
    NumberPlaceholder,
    LeakedForeignWords,
    Calque,
    GrammarArtefacts,
    PluginResidue,
    ForeignTypography,
    MachineTranslationEstimate,
]

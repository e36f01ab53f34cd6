"""The direction of every signal code: which way it may move the score, which input metadata it depends
on, and whether one isolated hit of it is weak evidence (see `features.base.Rule`).

One table for the whole registry, so that a reader sees every code's direction in one place and a test
checks that no registered code is missing from it. The model is trained under these signs
(`scorer.training`), refuses a file that breaks them (`scorer.model`), and the README's signal table
prints them.
"""

from __future__ import annotations

from collections.abc import Mapping

from features.base import Direction, Kind, Rule

LOWERS, RAISES, EITHER = Direction.LOWERS, Direction.RAISES, Direction.EITHER

_L = Rule(LOWERS)
_WEAK = Rule(LOWERS, weak_single=True)
_R = Rule(RAISES)
_E = Rule(EITHER)

RULES: Mapping[str, Rule] = {
    # boilerplate: page furniture and repetition can only lower the score.
    "boilerplate.cms_artefact": _WEAK,
    "boilerplate.duplicate_paragraph": _L,
    "boilerplate.empty_label": _L,
    "boilerplate.foreign_language_line": _WEAK,
    "boilerplate.furniture_line": _WEAK,
    "boilerplate.furniture_share": _L,
    "boilerplate.glued_breadcrumb": _L,
    "boilerplate.html_kept_share": _E,
    "boilerplate.html_removed_furniture": _E,
    "boilerplate.html_removed_prose": _E,
    "boilerplate.offtopic_tail": _L,
    "boilerplate.repeated_headline": _WEAK,
    "boilerplate.teaser_repeated": _L,
    # generation: text a chatbot wrote about itself or to its user can only lower the score.
    "generation.chatbot_residue": _L,
    # dating: a date found is evidence; a missing date counts only where the input had a place for one,
    # and relative times only with it (alone they are how news is written, not a mark of a copy).
    "dating.date_from_body": _R,
    "dating.date_from_dateline": _R,
    "dating.date_from_metadata": _R,
    "dating.empty_date_field": _L,
    "dating.empty_date_metadata": _L,
    "dating.future_date": _L,
    "dating.implausible_date": _L,
    "dating.no_published_date": Rule(LOWERS, requires="published"),
    "dating.relative_time_only": Rule(LOWERS, requires="published", weak_single=True),
    # quality: input too short or degenerate to be judged (the engine also caps the score).
    "quality.degenerate": _L,
    "quality.too_short": _L,
    # readability: indices are neutral measures; flags citing odd sentences can only lower.
    "readability.atypical_flesch": _L,
    "readability.flesch": _E,
    "readability.fragment": _WEAK,
    "readability.fragment_share": _L,
    "readability.lix": _E,
    "readability.long_sentence": _WEAK,
    "readability.mattr": _E,
    "readability.midsentence_capital": _WEAK,
    "readability.rare_word_share": _E,
    "readability.sentence_length_cv": _E,
    "readability.sentence_length_mean": _E,
    "readability.title_case_line": _WEAK,
    # sourcing: a named source, a byline, a credit line naming the outlet are evidence of provenance.
    "sourcing.attributed_statement": _R,
    "sourcing.attribution_ratio": _R,
    "sourcing.byline": _R,
    "sourcing.credit_line": _R,
    "sourcing.hollow_source": _L,
    "sourcing.no_attribution": _L,
    "sourcing.no_byline": Rule(LOWERS, requires="author"),
    "sourcing.quote_without_speaker": _WEAK,
    "sourcing.unattributed_claim": _WEAK,
    "sourcing.vague_attribution": _WEAK,
    # translation: artefacts of machine translation; the style model's probability can only lower.
    "translation.broken_elision": _WEAK,
    "translation.calque": _WEAK,
    "translation.capitalised_verb": _WEAK,
    "translation.foreign_typography": _WEAK,
    "translation.gender_disagreement": _WEAK,
    "translation.leaked_foreign_word": _WEAK,
    # The estimate counts only above even odds: under 0.5 it says the text is likelier human.
    "translation.mt_likelihood": Rule(LOWERS, floor=0.5),
    "translation.number_placeholder": _L,
    "translation.orphan_reporting_verb": _WEAK,
    "translation.plugin_residue": _L,
}


def rule_for(code: str, kind: Kind | None = None) -> Rule:
    """The rule of `code`; a code outside the table (a third-party feature) gets the rule of its kind:
    flags and absences lower, measures go either way."""
    rule = RULES.get(code)
    if rule is not None:
        return rule
    return _E if kind is Kind.MEASURE else _L

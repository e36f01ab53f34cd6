"""Per-signal tables for the readability family: a positive and a negative case per signal, French and
English. Texts are written for these tests."""

from __future__ import annotations

import pytest

from features.readability import (
    Capitalisation,
    Fragments,
    LexicalVariety,
    ReadabilityIndex,
    SentenceShape,
    _mattr,
    vowel_syllables,
)
from tests.helpers import check_signal, make_doc, signals_of

FR_NEWS = (
    "Le conseil municipal de Rennes a adopté mardi soir un budget en hausse de 4 % pour l'année prochaine, "
    "malgré l'opposition de deux groupes.\n\n"
    "La maire a défendu un effort nécessaire en faveur des écoles et des transports. Les crédits consacrés à la "
    "rénovation des bâtiments scolaires passeront ainsi de 12 à 15 millions d'euros.\n\n"
    "L'opposition dénonce une hausse de la taxe foncière. « Les familles vont payer la facture », a regretté un "
    "élu de droite pendant la séance, qui a duré près de quatre heures.\n\n"
    "Le débat a surtout porté sur le tramway. La deuxième ligne, mise en service il y a trois ans, transporte "
    "chaque jour plus de voyageurs que prévu, et la ville souhaite commander de nouvelles rames avant l'été.\n\n"
    "Un vote définitif aura lieu en janvier. D'ici là, les associations de quartier seront consultées lors de "
    "réunions publiques organisées dans chaque secteur de la ville."
)
EN_NEWS = (
    "The city council of Leeds approved on Tuesday evening a budget that rises by four percent next year, "
    "despite objections from two opposition groups.\n\n"
    "The council leader defended the increase as necessary for schools and public transport. Spending on the "
    "repair of school buildings will grow from twelve to fifteen million pounds.\n\n"
    'Opposition members criticised a rise in council tax. "Families will pay the bill," one councillor said '
    "during the meeting, which lasted almost four hours.\n\n"
    "Much of the debate was about buses. The new routes, opened three years ago, carry more passengers every day "
    "than planned, and the city wants to order new vehicles before the summer.\n\n"
    "A final vote will take place in January. Until then, neighbourhood groups will be consulted at public "
    "meetings held in every district of the city."
)
# Administrative prose: long sentences of long words, far harder than news.
FR_HARD = " ".join(
    [
        "Considérant l'impérieuse nécessité d'une harmonisation institutionnelle préalablement concertée, "
        "l'administration départementale subordonne désormais l'attribution des financements complémentaires "
        "à l'élaboration contradictoire d'indicateurs méthodologiquement standardisés, conformément aux "
        "recommandations interministérielles précédemment formulées concernant l'évaluation pluriannuelle "
        "des dispositifs expérimentaux."
    ]
    * 4
)
EN_HARD = " ".join(
    [
        "Notwithstanding the aforementioned institutional considerations, the departmental administration "
        "subordinates the allocation of supplementary appropriations to the collaborative elaboration of "
        "methodologically standardised performance indicators, consistently with interministerial "
        "recommendations concerning the multiannual evaluation of experimental organisational arrangements."
    ]
    * 4
)
FR_LONG = FR_NEWS + (
    "\n\nLes crédits iront à la rénovation des bâtiments, à l'entretien des gymnases, à la modernisation des "
    "cantines, au remplacement des chaudières, à l'isolation des toitures, à la réfection des cours, à l'achat "
    "de tableaux numériques, au recrutement d'agents, à la sécurisation des abords, à l'aménagement de pistes "
    "cyclables devant les établissements, à la création de jardins pédagogiques et à l'ouverture de salles de "
    "lecture le soir, selon le document présenté aux élus par l'adjoint chargé des finances et du patrimoine de "
    "la ville, qui a promis un premier bilan avant la fin de l'année prochaine."
)
EN_LONG = EN_NEWS + (
    "\n\nThe money will go to the repair of buildings, the upkeep of sports halls, the modernisation of canteens, "
    "the replacement of boilers, the insulation of roofs, the resurfacing of playgrounds, the purchase of digital "
    "boards, the hiring of cleaning staff, the safety of nearby streets, the building of cycle lanes in front of "
    "schools, the creation of teaching gardens and the opening of reading rooms in the evening, according to the "
    "document that the deputy leader in charge of finance and property presented to the members of the council, "
    "who promised a first review before the end of next year."
)
FR_CUT = (
    FR_NEWS
    + "\n\nLe ministre a présenté un plan pour la. Les syndicats ont réagi aussitôt,\n\nLa suite demain."
)
EN_CUT = EN_NEWS + "\n\nThe minister presented a plan for the. The unions reacted at once,\n\nMore tomorrow."
FR_TITLE = "Le Conseil Municipal Adopte Un Budget Pour Les Écoles\n\n" + FR_NEWS
EN_TITLE = "City Council Approves A Budget For Local Schools\n\n" + EN_NEWS
FR_CAPS = FR_NEWS + "\n\nLe conseil se réunira le Mardi 4 juin pour voter."
EN_CAPS = (
    EN_NEWS + "\n\nThe plan covers every City school, each Council building and the Budget of the Groups."
)
# Flat sentence lengths: every sentence has exactly nine words.
FR_FLAT = " ".join(f"Le conseil de la ville a voté le texte {n}." for n in range(12))
EN_FLAT = " ".join(f"The council of the city voted on text {n} today." for n in range(12))
# Low lexical variety: the same two sentences over and over.
FR_REPEAT = " ".join(["Le conseil a voté le budget de la ville. Le budget de la ville est voté."] * 12)
EN_REPEAT = " ".join(["The council voted the city budget. The city budget is voted."] * 12)
# Invented words in place of common ones, as a spinning tool or a broken translation leaves them.
FR_RARE = (
    FR_NEWS.replace("budget", "zorbinet")
    .replace("hausse", "flurpation")
    .replace("écoles", "brontalles")
    .replace("transports", "quirmances")
    .replace("séance", "plovade")
)
EN_RARE = (
    EN_NEWS.replace("budget", "zorbinet")
    .replace("increase", "flurpation")
    .replace("schools", "brontalls")
    .replace("transport", "quirmance")
    .replace("meeting", "plovade")
)


def _value(feature, doc, code) -> float:  # type: ignore[no-untyped-def]
    found = signals_of(feature, doc, code)
    assert len(found) == 1, f"{code}: expected one measure, got {found}"
    return found[0].value


FLAG_CASES = [
    # (feature class, code, language, text, expected)
    (ReadabilityIndex, "readability.atypical_flesch", "fr", FR_HARD, True),
    (ReadabilityIndex, "readability.atypical_flesch", "fr", FR_NEWS, False),
    (ReadabilityIndex, "readability.atypical_flesch", "en", EN_HARD, True),
    (ReadabilityIndex, "readability.atypical_flesch", "en", EN_NEWS, False),
    (SentenceShape, "readability.long_sentence", "fr", FR_LONG, True),
    (SentenceShape, "readability.long_sentence", "fr", FR_NEWS, False),
    (SentenceShape, "readability.long_sentence", "en", EN_LONG, True),
    (SentenceShape, "readability.long_sentence", "en", EN_NEWS, False),
    (Fragments, "readability.fragment", "fr", FR_CUT, True),
    (Fragments, "readability.fragment", "fr", FR_NEWS, False),
    (Fragments, "readability.fragment", "en", EN_CUT, True),
    (Fragments, "readability.fragment", "en", EN_NEWS, False),
    (Capitalisation, "readability.title_case_line", "fr", FR_TITLE, True),
    (Capitalisation, "readability.title_case_line", "fr", FR_NEWS, False),
    # English headlines are written in Title Case: not an oddity there.
    (Capitalisation, "readability.title_case_line", "en", EN_TITLE, False),
    (Capitalisation, "readability.midsentence_capital", "fr", FR_CAPS, True),
    (Capitalisation, "readability.midsentence_capital", "fr", FR_NEWS, False),
    (Capitalisation, "readability.midsentence_capital", "en", EN_CAPS, True),
    (Capitalisation, "readability.midsentence_capital", "en", EN_NEWS, False),
]


@pytest.mark.parametrize(
    "cls, code, lang, text, expected", FLAG_CASES, ids=[f"{c[1]}-{c[2]}-{c[4]}" for c in FLAG_CASES]
)
def test_flag(cls, code, lang, text, expected) -> None:  # type: ignore[no-untyped-def]
    check_signal(cls(), make_doc(text, language=lang), code, expected)


@pytest.mark.parametrize(
    "cls, code, lang, text, quote",
    [
        (
            ReadabilityIndex,
            "readability.atypical_flesch",
            "fr",
            FR_HARD,
            "Considérant l'impérieuse nécessité",
        ),
        (SentenceShape, "readability.long_sentence", "fr", FR_LONG, "à l'entretien des gymnases"),
        (Fragments, "readability.fragment", "fr", FR_CUT, "un plan pour la."),
        (Fragments, "readability.fragment", "en", EN_CUT, "The unions reacted at once,"),
        (Capitalisation, "readability.title_case_line", "fr", FR_TITLE, "Le Conseil Municipal Adopte"),
        (Capitalisation, "readability.midsentence_capital", "fr", FR_CAPS, "Mardi"),
        (Capitalisation, "readability.midsentence_capital", "en", EN_CAPS, "Council"),
    ],
)
def test_flag_evidence(cls, code, lang, text, quote) -> None:  # type: ignore[no-untyped-def]
    (signal,) = check_signal(cls(), make_doc(text, language=lang), code, True)
    assert any(quote in e.text for e in signal.evidence), [e.text for e in signal.evidence]


@pytest.mark.parametrize("lang, hard, easy", [("fr", FR_HARD, FR_NEWS), ("en", EN_HARD, EN_NEWS)])
def test_readability_indices(lang: str, hard: str, easy: str) -> None:
    f = ReadabilityIndex()
    hard_doc, easy_doc = make_doc(hard, language=lang), make_doc(easy, language=lang)
    assert _value(f, hard_doc, "readability.flesch") < 10 < 50 < _value(f, easy_doc, "readability.flesch")
    assert _value(f, hard_doc, "readability.lix") > 60 > _value(f, easy_doc, "readability.lix")


def test_french_flesch_uses_kandel_moles_constants() -> None:
    """The same text scores differently with French (207, 1.015, 73.6) and English (206.835, 1.015, 84.6)
    constants: the index is computed in the document's language, with no state left between calls."""
    f = ReadabilityIndex()
    fr = _value(f, make_doc(FR_NEWS, language="fr"), "readability.flesch")
    en = _value(f, make_doc(FR_NEWS, language="en"), "readability.flesch")
    again = _value(f, make_doc(FR_NEWS, language="fr"), "readability.flesch")
    assert fr > en and fr == again


@pytest.mark.parametrize(
    "cls, code",
    [
        (ReadabilityIndex, "readability.flesch"),
        (ReadabilityIndex, "readability.lix"),
        (SentenceShape, "readability.sentence_length_mean"),
        (SentenceShape, "readability.sentence_length_cv"),
        (Fragments, "readability.fragment_share"),
        (LexicalVariety, "readability.mattr"),
    ],
)
@pytest.mark.parametrize(
    "text, lang",
    [
        ("Ein kurzer deutscher Text. " * 40, "de"),
        ("Trop court. Vraiment.", "fr"),
        ("Too short. Really.", "en"),
    ],
)
def test_measures_absent_without_language_or_text(cls, code, text, lang) -> None:  # type: ignore[no-untyped-def]
    check_signal(cls(), make_doc(text, language=lang), code, False)


@pytest.mark.parametrize("lang, flat, varied", [("fr", FR_FLAT, FR_NEWS), ("en", EN_FLAT, EN_NEWS)])
def test_sentence_length_spread(lang: str, flat: str, varied: str) -> None:
    f = SentenceShape()
    assert _value(f, make_doc(flat, language=lang), "readability.sentence_length_cv") < 0.05
    assert _value(f, make_doc(varied, language=lang), "readability.sentence_length_cv") > 0.3
    assert 8 <= _value(f, make_doc(flat, language=lang), "readability.sentence_length_mean") <= 11


@pytest.mark.parametrize("lang, cut, clean", [("fr", FR_CUT, FR_NEWS), ("en", EN_CUT, EN_NEWS)])
def test_fragment_share(lang: str, cut: str, clean: str) -> None:
    f = Fragments()
    assert _value(f, make_doc(cut, language=lang), "readability.fragment_share") > 0.1
    assert _value(f, make_doc(clean, language=lang), "readability.fragment_share") == 0


@pytest.mark.parametrize("lang, repeat, varied", [("fr", FR_REPEAT, FR_NEWS), ("en", EN_REPEAT, EN_NEWS)])
def test_mattr(lang: str, repeat: str, varied: str) -> None:
    f = LexicalVariety()
    assert _value(f, make_doc(repeat, language=lang), "readability.mattr") < 0.3
    assert _value(f, make_doc(varied, language=lang), "readability.mattr") > 0.7


@pytest.mark.parametrize("lang, rare, clean", [("fr", FR_RARE, FR_NEWS), ("en", EN_RARE, EN_NEWS)])
def test_rare_word_share(lang: str, rare: str, clean: str) -> None:
    f = LexicalVariety(rare_words=True)
    assert _value(f, make_doc(rare, language=lang), "readability.rare_word_share") > 0.05
    assert _value(f, make_doc(clean, language=lang), "readability.rare_word_share") < 0.01


@pytest.mark.parametrize("lang, text", [("fr", FR_NEWS), ("en", EN_NEWS)])
def test_rare_word_share_is_opt_in(lang: str, text: str) -> None:
    check_signal(LexicalVariety(), make_doc(text, language=lang), "readability.rare_word_share", False)
    check_signal(
        LexicalVariety(rare_words=True), make_doc(text, language=lang), "readability.rare_word_share", True
    )


@pytest.mark.parametrize("lang, hard, easy", [("fr", FR_HARD, FR_NEWS), ("en", EN_HARD, EN_NEWS)])
def test_textstat_syllable_counter_ranks_alike(lang: str, hard: str, easy: str) -> None:
    f = ReadabilityIndex(textstat_syllables=True)
    hard_doc, easy_doc = make_doc(hard, language=lang), make_doc(easy, language=lang)
    assert _value(f, hard_doc, "readability.flesch") < _value(f, easy_doc, "readability.flesch")


@pytest.mark.parametrize(
    "word, lang, n",
    [
        ("hausse", "fr", 2),
        ("gouvernement", "fr", 4),
        ("despite", "en", 2),
        ("table", "en", 2),
        ("year", "en", 1),
    ],
)
def test_vowel_syllables(word: str, lang: str, n: int) -> None:
    assert vowel_syllables(word, lang) == n


def test_mattr_matches_the_definition() -> None:
    tokens = list("abcabcaabbddeeffab" * 5)
    window = 10
    expected = sum(len(set(tokens[i : i + window])) for i in range(len(tokens) - window + 1)) / (
        window * (len(tokens) - window + 1)
    )
    assert _mattr(tokens, window) == pytest.approx(expected)


def test_title_case_list_of_names_is_not_flagged() -> None:
    names = "Emmanuel Macron Reçoit Olaf Scholz Et Giorgia Meloni\n\n" + FR_NEWS
    check_signal(Capitalisation(), make_doc(names, language="fr"), "readability.title_case_line", True)
    only_names = "Emmanuel Macron, Olaf Scholz, Giorgia Meloni\n\n" + FR_NEWS
    check_signal(Capitalisation(), make_doc(only_names, language="fr"), "readability.title_case_line", False)
    # A subheading set in capitals is a house style, not Title Case.
    capitals = "LE BUDGET DES ÉCOLES EN HAUSSE POUR LA RENTRÉE\n\n" + FR_NEWS
    check_signal(Capitalisation(), make_doc(capitals, language="fr"), "readability.title_case_line", False)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_flesch_constants_are_textstats(lang: str) -> None:
    # The lexicon keeps textstat's constants so that textstat is not imported at run time; they must
    # stay the installed textstat's own.
    from textstat.backend.utils import get_lang_cfg

    from features.base import load_lexicon

    constants = load_lexicon("readability/lexicon")[lang]["flesch"]
    assert set(constants) == {"fre_base", "fre_sentence_length", "fre_syll_per_word"}
    for key, value in constants.items():
        assert float(get_lang_cfg(lang, key)) == value

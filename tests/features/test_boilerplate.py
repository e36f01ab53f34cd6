"""Boilerplate family: one positive and one negative case per signal, in French and in English.

Every text here was written for these tests.
"""

from __future__ import annotations

import pytest

from features import boilerplate as bp
from features.base import Feature, Kind
from scorer.ingest.documents import from_html
from tests.helpers import check_signal, make_doc, signals_of

# Article bodies reused by several cases: plain prose that no signal should flag.
FR_BODY = (
    "Le conseil municipal de Lorient a voté mardi soir un budget de 42 millions d'euros pour la rénovation du port de pêche, "
    "après trois heures de débat.\n\n"
    "Les travaux commenceront au printemps et doivent durer deux ans, selon le maire, qui a présenté le calendrier aux élus "
    "de l'opposition.\n\n"
    "Les pêcheurs réclamaient depuis longtemps la réfection des quais, abîmés par les tempêtes de l'hiver dernier et par "
    "l'usure des grues.\n\n"
    "La région Bretagne financera un tiers du chantier, l'État un autre tiers, et la ville empruntera le reste auprès de la "
    "Banque des territoires.\n\n"
    "Les associations de riverains ont demandé que le bruit du chantier soit limité la nuit et que la criée reste ouverte "
    "pendant toute la durée des travaux du port.\n"
)
EN_BODY = (
    "The county council approved a budget of 42 million pounds on Tuesday evening to rebuild the fishing harbour, after a "
    "three-hour debate.\n\n"
    "Work will begin in the spring and is expected to last two years, the council leader said as she presented the timetable "
    "to opposition members.\n\n"
    "Fishermen have long asked for the quays to be repaired after winter storms and years of wear from the cranes damaged "
    "them.\n\n"
    "The regional authority will pay a third of the cost, the government another third, and the council will borrow the "
    "rest from a public lender.\n\n"
    "Residents' associations asked for night-time noise from the building site to be limited and for the fish market to "
    "stay open for as long as the harbour works last.\n"
)
FR_TITLE = "Lorient vote la rénovation de son port de pêche"
EN_TITLE = "Council approves harbour rebuild after long debate"


def _feature(cls: type[Feature]) -> Feature:
    return cls()


FURNITURE_CASES = [
    (
        "fr",
        "Passer au contenu principal\n\n"
        + FR_TITLE
        + "\n\n"
        + FR_BODY
        + "\nPartager sur Facebook\nPartager sur X\nEnvoyer par email\n",
        True,
    ),
    (
        "fr",
        FR_TITLE
        + "\n\n"
        + FR_BODY
        + "\nLaisser un commentaire\n\nVotre adresse de messagerie ne sera pas publiée.\n",
        True,
    ),
    ("en", "Skip to main content\n\n" + EN_TITLE + "\n\n" + EN_BODY + "\nSign up for our newsletter\n", True),
    (
        "en",
        EN_TITLE
        + "\n\n"
        + EN_BODY
        + "\nLeave a Reply\n\nYour email address will not be published. Required fields are marked *\n",
        True,
    ),
    ("fr", FR_TITLE + "\n\n" + FR_BODY, False),
    ("en", EN_TITLE + "\n\n" + EN_BODY, False),
    # A subheading and a sentence that mentions a newsletter are article text.
    (
        "fr",
        FR_TITLE
        + "\n\nUn chantier attendu\n\n"
        + FR_BODY
        + "\nLa mairie publiera chaque mois une lettre d'information sur l'avancement des travaux du port.\n",
        False,
    ),
    (
        "en",
        EN_TITLE
        + "\n\nA long-awaited project\n\n"
        + EN_BODY
        + "\nThe council will send residents a monthly newsletter describing how the harbour works are progressing.\n",
        False,
    ),
]


@pytest.mark.parametrize("lang, text, expected", FURNITURE_CASES)
def test_furniture_line(lang: str, text: str, expected: bool) -> None:
    check_signal(bp.FurnitureLines(), make_doc(text, lang), "boilerplate.furniture_line", expected)


@pytest.mark.parametrize(
    "lang, text, expected, quote",
    [
        ("fr", "Accueil › ActualitésPolitiqueÉlections\n\n" + FR_BODY, True, "ActualitésPolitiqueÉlections"),
        ("en", "HomeNewsWorldEurope\n\n" + EN_BODY, True, "HomeNewsWorldEurope"),
        # Glued to the first words of the article: only the crumbs are cited, the sentence stays.
        (
            "fr",
            "À la uneRégionBretagneLe conseil municipal a voté un budget de 42 millions d'euros pour le port.\n\n"
            + FR_BODY,
            True,
            "À la uneRégionBretagne",
        ),
        (
            "fr",
            FR_BODY
            + "\nLa radio locale, rachetée par NextRadioTV en 2015, a suivi le débat en direct depuis la salle du conseil.\n",
            False,
            "",
        ),
        (
            "en",
            EN_BODY
            + "\nThe meeting was streamed on YouTube and discussed on @HarbourWatchUK by several residents.\n",
            False,
            "",
        ),
    ],
)
def test_glued_breadcrumb(lang: str, text: str, expected: bool, quote: str) -> None:
    found = check_signal(bp.FurnitureLines(), make_doc(text, lang), "boilerplate.glued_breadcrumb", expected)
    if expected:
        cited = [e.text for s in found for e in s.evidence]
        assert any(quote in c for c in cited)
        assert all("conseil municipal" not in c for c in cited), "the sentence glued to the crumbs must stay"


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("fr", FR_BODY + "\npost_thumbnail\n", True),
        ("en", EN_BODY + '\n[caption id="attachment_12" align="alignleft"]\n', True),
        ("fr", FR_TITLE + "\n\nTrokwelz\n\n" + FR_BODY + "\nTrokwelz\n", True),
        ("fr", FR_BODY, False),
        ("en", EN_BODY + "\nThe harbour master, Ms Price, said the timetable was realistic.\n", False),
    ],
)
def test_cms_artefact(lang: str, text: str, expected: bool) -> None:
    check_signal(bp.FurnitureLines(), make_doc(text, lang), "boilerplate.cms_artefact", expected)


@pytest.mark.parametrize(
    "lang, text, positive", [(c[0], c[1], c[2]) for c in FURNITURE_CASES[:2] + FURNITURE_CASES[4:6]]
)
def test_furniture_share(lang: str, text: str, positive: bool) -> None:
    [s] = signals_of(bp.FurnitureLines(), make_doc(text, lang), "boilerplate.furniture_share")
    assert s.kind is Kind.MEASURE
    assert (s.value > 0) is positive and 0 <= s.value <= 1


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("fr", FR_TITLE + "\n\nDate :\nVues :\n\n" + FR_BODY, True),
        ("fr", FR_TITLE + "\n\nPublié le : | Auteur : Jeanne Morel\n\n" + FR_BODY, True),
        ("en", EN_TITLE + "\n\nViews:\nCategory:\n\n" + EN_BODY, True),
        ("fr", FR_TITLE + "\n\nDate : 12 mars 2024\nAuteur : Jeanne Morel\n\n" + FR_BODY, False),
        ("en", EN_TITLE + "\n\nPublished: 12 March 2024\n\n" + EN_BODY, False),
    ],
)
def test_empty_label(lang: str, text: str, expected: bool) -> None:
    check_signal(bp.EmptyMetadataLabel(), make_doc(text, lang), "boilerplate.empty_label", expected)


@pytest.mark.parametrize(
    "lang, text, title, expected",
    [
        ("fr", FR_TITLE + "\n\n" + FR_BODY + "\n" + FR_TITLE + "\n", None, True),
        ("en", EN_TITLE + "\n\n" + EN_BODY + "\n" + EN_TITLE + "\n", None, True),
        ("fr", FR_BODY + "\n" + FR_TITLE + "\n", FR_TITLE, True),
        ("fr", FR_TITLE + "\n\n" + FR_BODY, None, False),
        ("en", EN_TITLE + "\n\n" + EN_BODY, EN_TITLE, False),
    ],
)
def test_repeated_headline(lang: str, text: str, title: str | None, expected: bool) -> None:
    doc = make_doc(text, lang, title=title)
    found = check_signal(bp.Repetition(), doc, "boilerplate.repeated_headline", expected)
    if expected:  # the later copy is cited, not the headline line itself
        assert all(e.start > 0 for s in found for e in s.evidence)


FR_TEASER_FULL = "Les pêcheurs réclamaient depuis longtemps la réfection des quais, abîmés par les tempêtes de l'hiver dernier."
EN_TEASER_FULL = (
    "Fishermen have long asked for the quays to be repaired after the winter storms damaged them."
)


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        (
            "fr",
            FR_TITLE
            + "\n\nLes pêcheurs réclamaient depuis longtemps la réfection des quais, abîmés...\n"
            + FR_TEASER_FULL
            + "\n\n"
            + FR_BODY,
            True,
        ),
        (
            "en",
            EN_TITLE
            + "\n\nFishermen have long asked for the quays to be repaired after…\n"
            + EN_TEASER_FULL
            + "\n\n"
            + EN_BODY,
            True,
        ),
        (
            "fr",
            FR_TITLE
            + "\n\nEt maintenant, que va-t-il se passer pour le port et ses pêcheurs...\n\n"
            + FR_BODY,
            False,
        ),
        (
            "en",
            EN_TITLE + "\n\n" + EN_BODY + "\nWhat happens next for the harbour and its fishermen...\n",
            False,
        ),
    ],
)
def test_teaser_repeated(lang: str, text: str, expected: bool) -> None:
    check_signal(bp.Repetition(), make_doc(text, lang), "boilerplate.teaser_repeated", expected)


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("fr", FR_BODY + "\n" + FR_BODY.split("\n\n")[1] + "\n", True),
        ("en", EN_BODY + "\n" + EN_BODY.split("\n\n")[0] + "\n", True),
        (
            "fr",
            FR_BODY + "\nLe maire a remercié les élus.\nLe maire a remercié les élus.\n",
            False,
        ),  # too short to count
        ("en", EN_BODY, False),
    ],
)
def test_duplicate_paragraph(lang: str, text: str, expected: bool) -> None:
    check_signal(bp.Repetition(), make_doc(text, lang), "boilerplate.duplicate_paragraph", expected)


FR_UNRELATED = (
    "Une chanteuse américaine annule sa tournée mondiale après une blessure au genou survenue lors d'une répétition à "
    "Nashville, selon un communiqué de ses producteurs.\n\n"
    "Le constructeur automobile allemand rappelle cent mille véhicules électriques en raison d'un défaut de batterie "
    "détecté par ses ingénieurs.\n"
)
EN_UNRELATED = (
    "A pop singer has cancelled her world tour after injuring a knee during a rehearsal in Nashville, her producers "
    "announced.\n\n"
    "A German carmaker is recalling one hundred thousand electric vehicles over a battery defect spotted by its engineers "
    "during testing.\n"
)


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("fr", FR_TITLE + "\n\n" + FR_BODY + "\nÀ lire aussi\n\n" + FR_UNRELATED, True),
        ("en", EN_TITLE + "\n\n" + EN_BODY + "\nRelated stories\n\n" + EN_UNRELATED, True),
        (
            "fr",
            FR_TITLE + "\n\n" + FR_BODY + "\n" + FR_UNRELATED,
            True,
        ),  # no marker: two unrelated trailing paragraphs
        (
            "fr",
            FR_TITLE
            + "\n\n"
            + FR_BODY
            + "\nÀ lire aussi\n\nLe port de Concarneau avait lui aussi obtenu un budget de la région "
            "pour rénover ses quais et ses grues l'an dernier, après les tempêtes.\n",
            False,
        ),
        (
            "en",
            EN_TITLE
            + "\n\n"
            + EN_BODY
            + "\nThe council leader said the harbour would stay open to fishermen during the works.\n",
            False,
        ),
    ],
)
def test_offtopic_tail(lang: str, text: str, expected: bool) -> None:
    doc = make_doc(text, lang)
    found = check_signal(bp.OffTopicTail(), doc, "boilerplate.offtopic_tail", expected)
    if expected:
        start = min(e.start for s in found for e in s.evidence)
        assert (
            doc.text[:start]
            .rstrip()
            .endswith(FR_BODY.rstrip()[-30:] if lang == "fr" else EN_BODY.rstrip()[-30:])
        )


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        (
            "fr",
            FR_BODY + "\nPlease consider supporting us by turning off your blocker for this site.\n",
            True,
        ),
        (
            "en",
            EN_BODY + "\nNous vous remercions de désactiver votre bloqueur sur ce site pour nous soutenir.\n",
            True,
        ),
        ("fr", FR_BODY, False),
        ("en", EN_BODY + "\nThe mayor of the twin town, in Brittany, sent a message of support.\n", False),
    ],
)
def test_foreign_language_line(lang: str, text: str, expected: bool) -> None:
    check_signal(
        bp.ForeignLanguageLines(), make_doc(text, lang), "boilerplate.foreign_language_line", expected
    )


HTML_PAGE = (
    "<html><head><title>{title}</title></head><body>"
    "<nav><ul><li><a href='/'>{home}</a></li><li><a href='/a'>{menu1}</a></li><li><a href='/b'>{menu2}</a></li></ul></nav>"
    "<article><h1>{title}</h1>{paras}</article>"
    "<footer><p>{share}</p><p>{newsletter}</p></footer></body></html>"
)


@pytest.mark.parametrize(
    "lang, page",
    [
        (
            "fr",
            HTML_PAGE.format(
                title=FR_TITLE,
                home="Accueil",
                menu1="Politique",
                menu2="Sport",
                paras="".join(f"<p>{p}</p>" for p in FR_BODY.split("\n\n")),
                share="Partager sur Facebook",
                newsletter="Inscrivez-vous à notre newsletter",
            ),
        ),
        (
            "en",
            HTML_PAGE.format(
                title=EN_TITLE,
                home="Home",
                menu1="Politics",
                menu2="Sport",
                paras="".join(f"<p>{p}</p>" for p in EN_BODY.split("\n\n")),
                share="Share on Facebook",
                newsletter="Sign up for our newsletter",
            ),
        ),
    ],
)
def test_html_measures(lang: str, page: str) -> None:
    doc = from_html(page.encode("utf-8"), language=lang)
    signals = {s.code: s for s in bp.HtmlExtraction().run(doc)}
    assert 0 < signals["boilerplate.html_kept_share"].value < 1
    assert signals["boilerplate.html_removed_furniture"].value > 0
    assert 0 <= signals["boilerplate.html_removed_prose"].value <= 1


@pytest.mark.parametrize("lang, text", [("fr", FR_BODY), ("en", EN_BODY)])
def test_html_measures_absent_for_text(lang: str, text: str) -> None:
    assert bp.HtmlExtraction().run(make_doc(text, lang)) == []


@pytest.mark.parametrize("lang, body", [("fr", FR_BODY), ("en", EN_BODY)])
def test_clean_body_flags_nothing(lang: str, body: str) -> None:
    doc = make_doc((FR_TITLE if lang == "fr" else EN_TITLE) + "\n\n" + body, lang)
    assert bp.flagged_line_indices(doc) == set()


def test_other_language_gets_language_independent_signals_only() -> None:
    doc = make_doc(
        "HomeNewsWorldEurope\n\nDer Gemeinderat hat am Dienstag einen Haushalt für den Hafen beschlossen.\n",
        "de",
    )
    codes = {s.code for f in (cls() for cls in bp.FEATURES) for s in f.run(doc)}
    assert "boilerplate.glued_breadcrumb" in codes
    assert "boilerplate.foreign_language_line" not in codes


def test_every_code_is_declared_once() -> None:
    codes = [c for cls in bp.FEATURES for c in cls.codes]
    assert len(codes) == len(set(codes))
    assert all(c.startswith("boilerplate.") for c in codes)
    for cls in bp.FEATURES:
        assert cls.removable <= set(cls.codes)

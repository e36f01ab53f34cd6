"""generation.chatbot_residue: chatbot self-references, refusals, replies, prompts and placeholders,
French and English, each cited; quoted mentions and ordinary prose are not flagged."""

from __future__ import annotations

import pytest

from features.generation import ChatbotResidue
from scorer.engine import Scorer
from tests.helpers import check_signal, make_doc

CODE = "generation.chatbot_residue"
FEATURE = ChatbotResidue()


@pytest.mark.parametrize(
    "text, language, quote",
    [
        (
            "Voici les faits. En tant que modèle de langage, je ne peux pas donner d'avis.",
            "fr",
            "En tant que modèle de langage",
        ),
        ("Je ne peux pas répondre à cette demande.", "fr", "Je ne peux pas répondre à cette demande"),
        ("Bien sûr! Voici un article sur les élections municipales.", "fr", "Bien sûr! Voici un article"),
        ("Le maire de [Insérer le nom] a inauguré la salle.", "fr", "[Insérer le nom]"),
        ("Réécris cet article en gardant les chiffres. Le chômage baisse.", "fr", "Réécris cet article"),
        ("As an AI language model, I do not have opinions.", "en", "As an AI language model"),
        ("As of my last knowledge update, the mayor was Jane Doe.", "en", "As of my last knowledge update"),
        ("Certainly! Here is a rewritten version of the article.", "en", "Certainly! Here is"),
        ("Contact [Your Name] for more details.", "en", "[Your Name]"),
        # Residue in English inside a French article (the model's language, not the page's).
        (
            "Le budget a été voté. I cannot fulfill this request. Le maire a parlé.",
            "fr",
            "I cannot fulfill this request",
        ),
    ],
)
def test_residue_is_flagged_with_its_quote(text: str, language: str, quote: str) -> None:
    (sig,) = check_signal(FEATURE, make_doc(text, language), CODE, True)
    assert quote in [e.text for e in sig.evidence]


@pytest.mark.parametrize(
    "text, language",
    [
        ("Le ministre a déclaré qu'il ne peut pas répondre à toutes les demandes des syndicats.", "fr"),
        ("La chercheuse cite « En tant que modèle de langage, je ne peux pas » comme exemple.", "fr"),
        ("Le modèle de langage de l'entreprise a été présenté mardi à Paris.", "fr"),
        ('The report quoted the phrase "As an AI language model" found on 49 sites.', "en"),
        ("As a company, we cannot comment on the lawsuit, the spokesman said.", "en"),
        ("The list [1] and the note [a] are references, not placeholders.", "en"),
    ],
)
def test_quotes_and_ordinary_prose_are_not_flagged(text: str, language: str) -> None:
    check_signal(FEATURE, make_doc(text, language), CODE, False)


def test_residue_lowers_the_score() -> None:
    scorer = Scorer()
    clean = "Le conseil municipal a voté mardi un budget de 12 millions d'euros pour rénover les écoles de la ville."
    before = scorer.score(make_doc(clean, "fr"))
    after = scorer.score(
        make_doc(clean + " En tant que modèle de langage, je ne peux pas vérifier ces chiffres.", "fr")
    )
    assert after.contributions[CODE] < 0
    assert CODE in after.reasons
    assert after.score < before.score - 20


@pytest.mark.parametrize(
    "text",
    [
        "EN TANT QUE MODÈLE DE LANGAGE, je réponds.",
        "AS AN AI LANGUAGE MODEL I cannot say.",  # upper case
        "As an AI language model I cannot say.",
        "aS aN aI lAnguage modeL, I am an AI language model.",
        "BİEN SÛR ! VOİCİ UN ARTİCLE sur la ville.",  # dotted capital I, lower-cased to two characters
        "As of my laſt update the mayor was Jane Doe.",  # long s
        "bien  sûr\u00a0!\nvoici un article. Certainly!Here is",  # spaces, no-break space, no space
        "En tant qu’IA, je ne peux pas. Bien sûr ! voici",  # typographic apostrophe
        "Le ministre cite l'importance de la demande.",  # words of a phrase, not the phrase
        "",
    ],
)
def test_search_from_first_words_equals_the_full_regex(text: str) -> None:
    """Trying the phrase regex only where a phrase's first word starts finds exactly the matches of
    the regex tried everywhere, with the same phrase winning each one."""
    doc = make_doc(text, "fr")
    full = [(m.span(), m.lastgroup) for m in FEATURE.phrase_re.finditer(text)]
    fast = [(m.span(), m.lastgroup) for m in FEATURE.phrases.finditer(text, doc.word_runs)]
    assert fast == full
    if "Le ministre" not in text and text:
        assert full  # each case but the last two holds residue the regex finds

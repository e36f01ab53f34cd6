"""Translation family: a positive and a negative case per signal, in French and in English, with variants
(other languages, other placeholder shapes, other idioms) that no seed article contains.

Every text here was written for these tests.
"""

from __future__ import annotations

import pytest

from features import translation as tr
from features.base import Feature, Kind, load_lexicon
from tests.helpers import check_signal, make_doc

FR_CLEAN = (
    "Le conseil municipal de Brest a voté mardi un budget de 12 millions d'euros pour rénover la piscine. "
    "Les travaux commenceront au printemps et dureront deux ans, a précisé l'adjointe aux sports. "
    "L'opposition a dénoncé un calendrier trop serré, mais a voté le texte."
)
EN_CLEAN = (
    "The town council voted on Tuesday to spend 12 million pounds on the swimming pool. "
    "Work will start in the spring and last two years, the deputy in charge of sport said. "
    "The opposition criticised the timetable but voted for the plan."
)

_FEATURES: dict[type[Feature], Feature] = {}


def feature(cls: type[Feature]) -> Feature:
    """One instance per class for the whole module (lexicons and frequency tables load once)."""
    if cls not in _FEATURES:
        _FEATURES[cls] = cls()
    return _FEATURES[cls]


# (feature class, code, language, text, expected)
CASES = [
    # Number placeholders: several shapes, none of them the literal seed string.
    (
        tr.NumberPlaceholder,
        "translation.number_placeholder",
        "fr",
        "Le contrat vaut environ 300 XNUMXe euros par an, selon la mairie.",
        True,
    ),
    (
        tr.NumberPlaceholder,
        "translation.number_placeholder",
        "fr",
        "Le bilan fait état de __NUM_1__ morts et de {NUMBER} blessés.",
        True,
    ),
    (
        tr.NumberPlaceholder,
        "translation.number_placeholder",
        "en",
        "The deal is worth XNUMXbn dollars and runs until [NUM].",
        True,
    ),
    (
        tr.NumberPlaceholder,
        "translation.number_placeholder",
        "en",
        "Call the NUMBER printed on the card, or dial 3 for the XNUMBERS team.",
        False,
    ),
    (tr.NumberPlaceholder, "translation.number_placeholder", "fr", FR_CLEAN, False),
    # Leaked function words of another language (Spanish, German, Dutch, Italian into French; French into English).
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "fr",
        "Le ministre a rencontré les représentants de la Pologne pero la Hongrie a refusé lundi à Bruxelles.",
        True,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "fr",
        "Les syndicats und le patronat ont signé un accord sur les salaires jeudi soir.",
        True,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "fr",
        "Le gouvernement veut réduire les dépenses della santé dès l'année prochaine.",
        True,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "en",
        "The minister met the ambassadors avec the president on Monday in Paris.",
        True,
    ),
    # A common word of the document language where no function word fits (after a determiner, before a
    # preposition or an auxiliary) is read as that word; as a preposition before its object it leaks.
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "fr",
        "Le ministre a signé un accord com la Chine jeudi, selon un communiqué publié par le ministère.",
        True,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "fr",
        "Le conseiller com du ministre a démenti jeudi toute fuite, selon un communiqué du ministère.",
        False,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "en",
        "She lifted the hem of her dress and walked into the hall where the mayor was waiting.",
        False,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "en",
        "The minister met the ambassadors avec the president, and the tot in the pram slept on.",
        True,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "fr",
        "Il a visité le musée du Prado, puis la Banco de España et la Bank of America à Madrid.",
        False,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "fr",
        "Il a cité la devise « Der Weg ist das Ziel » et tout le reste in extenso devant la presse.",
        False,
    ),
    (
        tr.LeakedForeignWords,
        "translation.leaked_foreign_word",
        "en",
        "He quoted Leonardo da Vinci and the Banque de France in his speech on Monday.",
        False,
    ),
    (tr.LeakedForeignWords, "translation.leaked_foreign_word", "fr", FR_CLEAN, False),
    # Calques of idioms, several source languages.
    (
        tr.Calque,
        "translation.calque",
        "fr",
        "Sur l'autre main, le gouvernement refuse toute hausse d'impôts cette année.",
        True,
    ),
    (
        tr.Calque,
        "translation.calque",
        "fr",
        "Le sénateur va courir pour la présidence en novembre prochain, selon ses proches.",
        True,
    ),
    (
        tr.Calque,
        "translation.calque",
        "fr",
        "Les recrues ont été envoyées au front comme fourrage à canons par l'état-major.",
        True,
    ),
    (
        tr.Calque,
        "translation.calque",
        "en",
        "It acts of a new law that the minister presented on Monday in Rome.",
        True,
    ),
    # Entries whose anchor is a list of literals: each spelling must still reach the regex.
    (
        tr.Calque,
        "translation.calque",
        "fr",
        "Les soldats ont été envoyés au front comme cannoniers par un état-major sans pitié.",
        True,
    ),
    (
        tr.Calque,
        "translation.calque",
        "fr",
        "Le maire sortant a couru pour un mandat de plus, sans succès, au printemps.",
        True,
    ),
    (
        tr.Calque,
        "translation.calque",
        "fr",
        "Les canonniers du régiment ont défilé sur la place d'armes lors de la fête du 14-Juillet.",
        False,
    ),
    (tr.Calque, "translation.calque", "en", EN_CLEAN, False),
]

GRAMMAR_CASES = [
    (
        "translation.broken_elision",
        "fr",
        "Les forces ont reçu des stocks d'fusils et l'nouvelle loi entre en vigueur.",
        True,
    ),
    (
        "translation.broken_elision",
        "fr",
        "Aujourd'hui, l'hôpital d'Yvetot s'y prépare avec l'aide de l'État et d'O'Brien.",
        False,
    ),
    (
        "translation.gender_disagreement",
        "fr",
        "Le pays veut bâtir une belle avenir pour ses enfants et une nouvelle ordre régional.",
        True,
    ),
    (
        "translation.gender_disagreement",
        "fr",
        "Le pays veut bâtir un bel avenir et un nouvel ordre régional, a dit la ministre.",
        False,
    ),
    (
        "translation.capitalised_verb",
        "fr",
        "Le porte-parole a indiqué que les soldats ont Quitté la ville et qu'ils Devraient revenir.",
        True,
    ),
    (
        "translation.capitalised_verb",
        "fr",
        "Le maire de Montpellier a rencontré le préfet à Nanterre avec Pierre Durand.",
        False,
    ),
    (
        "translation.capitalised_verb",
        "en",
        "The officials said the troops have Reached the border and will Remain there.",
        True,
    ),
    (
        "translation.capitalised_verb",
        "en",
        "The officials met the Mayor of Reading and the governor of Georgia on Monday.",
        False,
    ),
    (
        "translation.orphan_reporting_verb",
        "fr",
        "Les combats ont repris près de la frontière, selon des sources militaires. a déclaré. Le calme est revenu le soir.",
        True,
    ),
    (
        "translation.orphan_reporting_verb",
        "en",
        "Fighting resumed near the border, according to military sources. said. Calm returned in the evening.",
        True,
    ),
    (
        "translation.orphan_reporting_verb",
        "fr",
        "« Nous resterons », a-t-il dit. Le calme est revenu le soir.",
        False,
    ),
    (
        "translation.orphan_reporting_verb",
        "en",
        '"We will stay," he said. Calm returned in the evening.',
        False,
    ),
]

RESIDUE_CASES = [
    ("fr", "Titre de l'article\n\nSprache\n\n" + FR_CLEAN, True),
    ("fr", FR_CLEAN + "\n\nEnglish | Français | Deutsch | Español | Italiano\n", True),
    ("en", "Headline\n\nIdioma\n\n" + EN_CLEAN, True),
    ("fr", "Langue\n\n" + FR_CLEAN, False),
    ("en", EN_CLEAN + "\n\nShe speaks English, French and German fluently.", False),
]

TYPO_CASES = [
    (
        "fr",
        "Le ministre a parlé d’une “avancée majeure”. Le budget atteint 1,250,000 euros, soit 3.5 millions au total.",
        True,
    ),
    ("en", "The minister spoke of a «major step» and a budget of 3,5 million euros .", True),
    ("fr", FR_CLEAN, False),
    ("en", EN_CLEAN, False),
]


@pytest.mark.parametrize(
    "cls, code, lang, text, expected", CASES, ids=[f"{c[1]}-{c[2]}-{i}" for i, c in enumerate(CASES)]
)
def test_signal(cls: type[Feature], code: str, lang: str, text: str, expected: bool) -> None:
    check_signal(feature(cls), make_doc(text, language=lang), code, expected)


@pytest.mark.parametrize(
    "code, lang, text, expected",
    GRAMMAR_CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(GRAMMAR_CASES)],
)
def test_grammar(code: str, lang: str, text: str, expected: bool) -> None:
    check_signal(feature(tr.GrammarArtefacts), make_doc(text, language=lang), code, expected)


@pytest.mark.parametrize("lang, text, expected", RESIDUE_CASES)
def test_plugin_residue(lang: str, text: str, expected: bool) -> None:
    check_signal(
        feature(tr.PluginResidue), make_doc(text, language=lang), "translation.plugin_residue", expected
    )


@pytest.mark.parametrize("lang, text, expected", TYPO_CASES)
def test_foreign_typography(lang: str, text: str, expected: bool) -> None:
    check_signal(
        feature(tr.ForeignTypography),
        make_doc(text, language=lang),
        "translation.foreign_typography",
        expected,
    )


@pytest.mark.parametrize(
    "lang, text, source",
    [
        (
            "fr",
            "Le ministre a rencontré les représentants de la Pologne pero la Hongrie a refusé lundi à Bruxelles.",
            "es",
        ),
        ("fr", "Les syndicats und le patronat ont signé un accord sur les salaires jeudi soir.", "de"),
        ("fr", "Il a rencontré le président francese e plusieurs ministres lundi soir à Rome.", "it"),
        ("en", "The minister met the ambassadors avec the president on Monday in Paris.", "fr"),
    ],
)
def test_leaked_language(lang: str, text: str, source: str) -> None:
    (sig,) = check_signal(
        feature(tr.LeakedForeignWords), make_doc(text, language=lang), "translation.leaked_foreign_word", True
    )
    assert sig.detail["source_language"] == source


@pytest.mark.parametrize(
    "lang, text, source",
    [
        ("fr", "Le conseil a voté e la région financera le reste du chantier du port dès mars.", "it"),
        (
            "fr",
            "Le sénateur va courir pour la présidence, selon ses proches. Sur l'autre main, rien n'est joué.",
            "en",
        ),
    ],
)
def test_mt_likelihood_source_language(lang: str, text: str, source: str) -> None:
    sigs = [
        s
        for s in feature(tr.MachineTranslationEstimate).run(make_doc(text, language=lang))
        if s.code == "translation.mt_likelihood"
    ]
    assert len(sigs) == 1 and sigs[0].kind is Kind.MEASURE
    assert sigs[0].detail["source_language"] == source
    assert 0.0 <= sigs[0].value <= 1.0


@pytest.mark.parametrize("lang, text", [("fr", FR_CLEAN), ("en", EN_CLEAN)])
def test_mt_likelihood_without_evidence(lang: str, text: str) -> None:
    sigs = feature(tr.MachineTranslationEstimate).run(make_doc(text, language=lang))
    assert all("source_language" not in s.detail for s in sigs)
    if lang == "fr":  # the style model is French; it always gives a probability there
        assert len(sigs) == 1 and 0.0 <= sigs[0].value <= 1.0


def test_other_languages_get_only_language_independent_signals() -> None:
    doc = make_doc(
        "Der Vertrag kostet 300 XNUMX Euro.\n\nLangaj\n\nDie Regierung und die Opposition streiten.",
        language="de",
    )
    codes = {s.code for cls in tr.FEATURES for s in feature(cls).run(doc)}
    assert codes == {"translation.number_placeholder", "translation.plugin_residue"}


def test_calque_anchors_are_lower_case_literals() -> None:
    # The anchor gates the regex on the lower-cased text: an upper-case or empty anchor would silence
    # the entry or gate nothing.
    lex = load_lexicon("translation/calques")
    for lang in ("fr", "en"):
        for e in lex[lang]:
            anchors = [e["anchor"]] if isinstance(e["anchor"], str) else e["anchor"]
            assert anchors, e["pattern"]
            for anchor in anchors:
                assert anchor and anchor == anchor.lower(), (e["pattern"], anchor)


def test_every_code_declared_once() -> None:
    codes = [c for cls in tr.FEATURES for c in cls.codes]
    assert len(codes) == len(set(codes)) and all(c.startswith("translation.") for c in codes)


@pytest.mark.shared
@pytest.mark.parametrize(
    "prefix, codes, source",
    [
        ("000_", {"translation.number_placeholder", "translation.leaked_foreign_word"}, "it"),
        ("003_", {"translation.calque", "translation.leaked_foreign_word"}, "en"),
    ],
)
def test_seed_articles(shared_dir, prefix: str, codes: set[str], source: str) -> None:  # type: ignore[no-untyped-def]
    """The real seed articles (read from ../shared, never copied here) get their artefacts flagged."""
    (path,) = sorted((shared_dir / "seeds").glob(prefix + "*.txt"))
    doc = make_doc(path.read_text(encoding="utf-8"), language="fr")
    found = {s.code: s for cls in tr.FEATURES for s in feature(cls).run(doc)}
    assert codes <= set(found)
    assert found["translation.leaked_foreign_word"].detail["source_language"] == source
    assert found["translation.mt_likelihood"].detail["source_language"] == source


# --------------------------------------------------------------------------------------------------
# Document-level estimate: the shipped model, the shared profile and its topic neutrality
# --------------------------------------------------------------------------------------------------

FR_LITERAL = (
    "Selon les informations de la Vorlaskin-Zeitung, il s'agit de l'appartement de Munich de la famille "
    "fondatrice du fabricant. Le journal avait d'abord rapporté. Dans le cadre de l'enquête, des "
    "enquêteurs ont fouillé deux propriétés. Cela a été confirmé par le parquet de la ville sur demande."
)


def _estimate() -> tr.MachineTranslationEstimate:
    est = feature(tr.MachineTranslationEstimate)
    assert isinstance(est, tr.MachineTranslationEstimate)
    return est


def _profile_probability(text: str) -> float:
    """The probability computed the slow way, from mt_profile and the model file."""
    import math

    from features.base import load_lexicon

    words = load_lexicon("translation/mt_style_words")
    tok = tr.MtTokenizer("fr", words["fr"], words["fr_elisions"])
    doc = make_doc(text, language="fr")
    prof = tr.mt_profile(doc, tok)
    m = load_lexicon("translation/mt_model")["fr"]
    z = m["intercept"] + sum(w * prof.get(n, 0.0) for n, w in zip(m["features"], m["coef"], strict=True))
    # The character view: TF-IDF of the hashed n-grams, one bucket at a time.
    idf, coef = tr.mt_char_arrays(m["char"])
    keys, counts = tr.mt_char_counts(tr.mt_tokens(doc, tok)["c"])
    vals = [(1.0 + math.log(int(n))) * float(idf[k]) for k, n in zip(keys, counts, strict=True)]
    norm = math.sqrt(sum(v * v for v in vals)) or 1.0
    z += sum(float(coef[k]) * v / norm for k, v in zip(keys, vals, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def test_mt_model_file_matches_profile() -> None:
    from features.base import load_lexicon

    model = load_lexicon("translation/mt_model")
    assert "split_of" in model["_about"]
    m = model["fr"]
    assert len(m["features"]) == len(m["coef"]) == len(set(m["features"]))
    for name in m["features"]:
        view, _, gram = name.partition(":")
        assert view in tr.MT_VIEWS and 1 <= len(gram.split(" ")) <= tr.MT_VIEWS[view]
    # Every n-gram of the model can come out of the profile of some text: its names use the profile's form.
    prof = tr.mt_profile(make_doc(FR_LITERAL, language="fr"), _estimate()._tokenizers["fr"])
    assert not m["features"] or set(prof) & set(m["features"])
    # The character view: a coefficient only for buckets seen in training, and some of them in a text.
    idf, coef = tr.mt_char_arrays(m["char"])
    assert len(idf) == len(coef) == 1 << tr.MT_CHAR_BITS
    assert (idf[coef != 0] < idf.max()).all() and (coef != 0).any()
    keys, _ = tr.mt_char_counts(
        tr.mt_tokens(make_doc(FR_LITERAL, language="fr"), _estimate()._tokenizers["fr"])["c"]
    )
    assert (coef[keys] != 0).sum() > len(keys) // 2


def test_mt_char_counts_count_every_ngram() -> None:
    # "ab ab": 4 + 3 + 2 + 1 n-grams of orders 2 to 5, of which "ab" twice; the others once each.
    keys, counts = tr.mt_char_counts(["ab", "ab"])
    assert sum(counts) == 10 and len(keys) == 9 and sorted(counts)[-1] == 2
    assert list(keys) == sorted(keys)
    assert tr.mt_char_counts(["ab", "ab"])[0].tolist() == keys.tolist()  # deterministic hash
    assert len(tr.mt_char_counts([])[0]) == 0 and len(tr.mt_char_counts(["a"])[0]) == 0


@pytest.mark.parametrize("text", [FR_CLEAN, FR_LITERAL, "Oui.", "« Non ! » a-t-il dit… 3 000 € – 5 %"])
def test_mt_probability_equals_profile_model(text: str) -> None:
    p = _estimate().probability(make_doc(text, language="fr"))
    assert p is not None and 0.0 <= p <= 1.0
    assert p == pytest.approx(_profile_probability(text), abs=1e-9)


def test_mt_probability_deterministic() -> None:
    a = _estimate().probability(make_doc(FR_LITERAL, language="fr"))
    b = tr.MachineTranslationEstimate().probability(make_doc(FR_LITERAL, language="fr"))
    assert a == b


@pytest.mark.parametrize(
    "text_a, text_b",
    [
        # Unknown names are the same token: the subject matter does not move the estimate.
        (
            "Le maire de Vorlaskin a présenté le projet. Les habitants de Vorlaskin ont voté.",
            "Le maire de Termudane a présenté le projet. Les habitants de Termudane ont voté.",
        ),
        # Quote, apostrophe and dash styles are the publisher's, not the translation's.
        (
            "Il a dit « non » à l’accord – sans détour…",
            'Il a dit "non" à l\'accord - sans détour...',
        ),
        # Spacing is ignored.
        ("Pourquoi ? Parce que : voilà !", "Pourquoi? Parce que: voilà!"),
    ],
)
def test_mt_probability_topic_and_typography_neutral(text_a: str, text_b: str) -> None:
    est = _estimate()
    assert est.probability(make_doc(text_a, language="fr")) == est.probability(
        make_doc(text_b, language="fr")
    )


@pytest.mark.parametrize(
    "text_a, text_b",
    [
        # Word order and function words do move it (the literal syntax of machine translation).
        (
            "Dans le cadre de l'enquête, des enquêteurs ont fouillé deux maisons.",
            "Les enquêteurs ont perquisitionné deux maisons pour l'enquête.",
        ),
    ],
)
def test_mt_probability_follows_style(text_a: str, text_b: str) -> None:
    est = _estimate()
    assert est.probability(make_doc(text_a, language="fr")) != est.probability(
        make_doc(text_b, language="fr")
    )


def test_mt_tokens_keep_style_words_and_hide_content() -> None:
    toks = _estimate()._tokenizers["fr"]("L’Iran a vendu 300 maisons à Vorlaskin-Zeitung.")
    assert toks["a"] == ["l'", "Xx", "a", "x", "9", "x", "à", "Xx-", "."]
    assert toks["s"][3] == "~ndu" and toks["z"][-2] == "Zo"
    # The character view keeps known words and hides the unknown name.
    assert toks["c"] == ["l'", "iran", "a", "vendu", "9", "maisons", "à", "Xx-", "."]


def test_mt_probability_english_has_no_model() -> None:
    assert _estimate().probability(make_doc(EN_CLEAN, language="en")) is None


def test_word_in_slot_counts_beside_an_unambiguous_leak() -> None:
    # "com du" alone reads as the French clipping; beside "und" the copy leaks, and both are cited.
    text = "Le conseiller com du ministre a démenti, et les syndicats und le patronat ont signé jeudi."
    (sig,) = check_signal(
        feature(tr.LeakedForeignWords), make_doc(text, language="fr"), "translation.leaked_foreign_word", True
    )
    assert [e.text for e in sig.evidence] == ["com", "und"]

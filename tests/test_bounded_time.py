"""Bounded time: crafted texts score in time linear in their length, and the work per document is
bounded by `features.base.MAX_CHARS` whatever the length.

Times are CPU seconds of this process (`time.process_time`), the minimum of a few repeats, and every
bound is a ratio to a plain article timed in the same run: the machine may be shared and slow, but it
is slow for both.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from features import Document, Feature, Kind, Signal, build_features
from features.base import MAX_CHARS, TRUNCATED, truncation_signal
from features.dating import EmptyDateField
from features.document import cut_point, split_sentences
from scorer.config import load_settings
from scorer.engine import Scorer
from scorer.ingest import documents
from scorer.ingest.documents import MAX_TAG_ATTRIBUTES, limit_start_tags

_WORDS = (
    "le gouvernement a annoncé mardi une réforme des retraites qui doit entrer en vigueur dès janvier "
    "prochain selon le ministre du travail les syndicats ont appelé à la grève dans plusieurs villes "
    "tandis que le patronat salue une mesure attendue depuis longtemps par les entreprises du secteur"
).split()


def plain_article(n: int, seed: int = 7) -> str:
    """About `n` characters of ordinary French prose: capitalised sentences in paragraphs (seeded)."""
    rng = random.Random(seed)
    paras: list[str] = []
    size = 0
    while size < n:
        sents = [
            " ".join(rng.choices(_WORDS, k=rng.randint(8, 24))).capitalize() + rng.choice("...?!")
            for _ in range(3)
        ]
        paras.append(" ".join(sents))
        size += len(paras[-1]) + 2
    return "\n\n".join(paras)[:n] + "\n"


def cpu_time(fn: Callable[[], object], repeats: int = 3) -> float:
    """The least CPU time of `repeats` calls of `fn`."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    s = Scorer()
    s.score(Document(text=plain_article(5000), language="fr"))  # warm-up: lexicons and caches
    return s


def _score_text(scorer: Scorer, text: str, language: str = "fr") -> Callable[[], object]:
    return lambda: scorer.score(Document(text=text, language=language))


@pytest.fixture(scope="module")
def plain_time(scorer: Scorer) -> float:
    """CPU seconds to score a plain article as long as the features analyse (MAX_CHARS)."""
    return cpu_time(_score_text(scorer, plain_article(MAX_CHARS)))


MB = 1_000_000
# 1 MB texts that took minutes (quadratic regexes) before the patterns were made linear.
HOSTILE: dict[str, tuple[str, str]] = {
    "published label + blanks": ("fr", "Publié le" + " " * MB + "x"),
    "published label + blanks (en)": ("en", "Published" + " " * MB + "x"),
    "byline label + blanks": ("fr", "Par" + " " * MB + "X"),
    "end marks": ("fr", "?!" * (MB // 2)),
    "dots": ("fr", "." * MB),
    "labels and blanks": (
        "fr",
        ("Publié le   \nDate :  \nPar  \nSource : " + " " * 200 + "\n") * (MB // 250),
    ),
    "punctuation": ("fr", ".,;:!?«»\"()-–…'’" * (MB // 16)),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_megabyte_costs_no_more_than_a_plain_article(
    scorer: Scorer, plain_time: float, case: str
) -> None:
    # The features analyse at most MAX_CHARS characters: a 1 MB hostile text may cost what a plain
    # article of that size costs, plus linear passes over the whole text (its Document's spans); about
    # 0.4 to 1.7 times as much when measured. A quadratic pattern costs minutes here.
    language, text = HOSTILE[case]
    hostile = cpu_time(_score_text(scorer, text, language), repeats=2)
    assert hostile <= 3 * plain_time, (
        f"{case}: {hostile:.3f} s for 1 MB; plain {MAX_CHARS:,} chars: {plain_time:.3f} s"
    )


def test_hostile_megabyte_through_from_text(scorer: Scorer, plain_time: float) -> None:
    # The edge (normalisation, language detection) is linear too.
    text = "Publié le" + " " * MB + "x\n" + "?!" * MB
    hostile = cpu_time(lambda: scorer.score(documents.from_text(text)), 2)
    assert hostile <= 3 * plain_time, f"{hostile:.3f} s against {plain_time:.3f} s"


# -- Generated texts: labels, blanks, punctuation, long runs -------------------------------------------

# A segment is a label (or a word, or nothing), a long run of one piece, then a tail, then a separator:
# "Publié le" + 5,000 blanks + "x", "?!" * 3,000, "Date :" + "\t" * 800 + "\n"... the shapes that made
# patterns backtrack over a run.
_LABELS = st.sampled_from(
    [
        "",
        "Publié le",
        "Published",
        "Date :",
        "Date",
        "Par",
        "By",
        "Source :",
        "Mis à jour le",
        "Lire aussi",
        "mot",
        "Paris, 12 mars",
        "12",
        "«",
        "(AFP)",
    ]
)
_RUNS = st.sampled_from(
    [" ", "\t", " \n", ".", "?!", "…", "!", "«", '"', ",", "-", "•", ":", "A", "é", "_", "1", "Ab "]
)
_TAILS = st.sampled_from(["", "x", "X", "Le", "2024", ".", "»", ")", "Jean Dupont"])
_SEPARATORS = st.sampled_from(["\n", "\n\n", " ", ""])
_SEGMENTS = st.lists(
    st.tuples(_LABELS, _RUNS, st.integers(1, 400), _TAILS, _SEPARATORS), min_size=1, max_size=6
)


def _render(segments: list[tuple[str, str, int, str, str]], scale: int) -> str:
    return "".join(label + run * (count * scale) + tail + sep for label, run, count, tail, sep in segments)


# No shrinking: a failing example is already small in structure, and shrinking re-times it many times.
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(segments=_SEGMENTS, language=st.sampled_from(["fr", "en"]))
def test_scoring_time_grows_linearly(
    scorer: Scorer, segments: list[tuple[str, str, int, str, str]], language: str
) -> None:
    # Every run doubles with the text, so a pattern that backtracks over a run shows as a ratio near 4.
    base = len(_render(segments, 1))
    scale = max(1, -(-12_000 // base))  # at least 12,000 characters, where a quadratic cost dominates
    one = _render(segments, scale)
    two = _render(segments, 2 * scale)
    t1 = cpu_time(_score_text(scorer, one, language))
    t2 = cpu_time(_score_text(scorer, two, language))
    # The 2 ms floor keeps a ratio of two tiny, noisy times from deciding.
    assert t2 <= 3 * max(t1, 0.002), f"{len(one):,} chars: {t1:.4f} s, {len(two):,} chars: {t2:.4f} s"


# -- The linear patterns still find what they found ------------------------------------------------------


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("Il part. Elle reste.", ["Il part.", "Elle reste."]),
        ("Vraiment ?! Oui. Non…", ["Vraiment ?!", "Oui.", "Non…"]),
        ('Il dit "non." Puis il part.', ['Il dit "non."', "Puis il part."]),
        ("?!?!?! fin", ["?!?!?! fin"]),
        ("Wait... What? Yes.", ["Wait...", "What?", "Yes."]),
    ],
)
def test_sentence_splitter(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == sentences


@pytest.mark.parametrize(
    "text, flagged",
    [
        ("Article.\nPublié le\nSuite.", True),
        ("Article.\nDate :   \nSuite.", True),
        ("Article.\nDate:\nSuite.", True),
        ("Article.\nPublié le     x\nSuite.", False),
        ("Article.\nDate : 12 mars 2024\nSuite.", False),
    ],
)
def test_empty_date_label(text: str, flagged: bool) -> None:
    signals = EmptyDateField().run(Document(text=text, language="fr"))
    assert any(s.code == "dating.empty_date_field" for s in signals) is flagged


@pytest.mark.parametrize(
    "line, author",
    [("Par Anne Le Goff", "Anne Le Goff"), ("Par : Anne Le Goff", "Anne Le Goff"), ("Par:Anne", None)],
)
def test_byline_label(line: str, author: str | None) -> None:
    (feature,) = [f for f in build_features(["sourcing"]) if f.name == "BylineCredit"]
    signals = feature.run(Document(text=f"{line}\n\n" + plain_article(600), language="fr"))
    found = [
        s.detail["author"] for s in signals if s.code == "sourcing.byline" and s.detail["source"] == "byline"
    ]
    assert found == ([author] if author else [])


# -- The bound on characters analysed -----------------------------------------------------------------------


class _Lengths(Feature):
    """Records the length of the text it is given and flags its last word."""

    family: ClassVar[str] = "readability"
    codes: ClassVar[dict[str, str]] = {"readability.test_length": "test"}

    def __init__(self) -> None:
        self.seen: list[int] = []

    def extract(self, doc: Document) -> list[Signal]:
        self.seen.append(len(doc.text))
        a, b = doc.words[-1]
        return [self.flag(doc, "readability.test_length", "last word", [(a, b)])]


def test_features_see_at_most_max_chars_and_evidence_indexes_the_whole_text() -> None:
    feature = _Lengths()
    feature.max_chars = 1_000
    doc = Document(text=plain_article(5_000), language="fr")
    (signal,) = feature.run(doc)
    assert feature.seen[0] <= 1_000
    (e,) = signal.evidence
    assert e.end <= 1_000 and doc.text[e.start : e.end] == e.text
    short = Document(text=plain_article(800), language="fr")
    feature.run(short)
    assert feature.seen[1] == len(short.text)


def test_head_is_a_shared_prefix_cut_between_words() -> None:
    doc = Document(text=plain_article(5_000), language="fr")
    head = doc.head(2_000)
    assert doc.text.startswith(head.text) and 1_000 <= len(head.text) <= 2_000
    assert head.text[-1].isspace() or doc.text[len(head.text)].isspace()
    assert doc.head(2_000) is head, "computed once per document, shared by the features"
    assert doc.head(10_000) is doc
    assert head.language == doc.language and head.paragraphs[-1][1] <= len(head.text)
    assert cut_point("x" * 5_000, 2_000) == 2_000  # no blank to cut at: the bound itself


def test_truncation_signal_says_what_was_cut() -> None:
    features = build_features(max_chars=2_000)
    assert all(f.max_chars == 2_000 for f in features)
    doc = Document(text=plain_article(10_000), language="fr")
    signal = truncation_signal(doc, features)
    assert signal is not None and signal.code == TRUNCATED and signal.kind is Kind.MEASURE
    cut = signal.detail["analysed_chars"]
    assert cut == len(doc.head(2_000).text) and signal.detail["total_chars"] == len(doc.text)
    assert signal.value == len(doc.text) - cut
    (e,) = signal.evidence
    assert e.start == cut and doc.text[e.start : e.end] == e.text
    assert f"{cut:,}" in signal.message and f"{len(doc.text):,}" in signal.message
    assert truncation_signal(Document(text=plain_article(1_000), language="fr"), features) is None


def test_scorer_reports_truncation_and_ignores_the_tail() -> None:
    scorer = Scorer(features=build_features(max_chars=2_000))
    tail_label = plain_article(3_000) + "\nPublié le\n" + plain_article(500, seed=1)
    result = scorer.score(Document(text=tail_label, language="fr"))
    assert result.to_dict()["measures"][TRUNCATED] > 0
    assert not any(s.code == "dating.empty_date_field" for s in result.signals), (
        "the label lies past the bound"
    )
    head_label = "Publié le\n" + plain_article(3_000)
    result = scorer.score(Document(text=head_label, language="fr"))
    assert any(s.code == "dating.empty_date_field" for s in result.signals)
    assert (
        TRUNCATED
        not in Scorer().score(Document(text=plain_article(3_000), language="fr")).to_dict()["measures"]
    )


def test_max_chars_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]) -> None:
    assert load_settings(tmp_path, environ={}).max_chars == MAX_CHARS
    assert load_settings(tmp_path, environ={"SCORER_MAX_CHARS": "5000"}).max_chars == 5_000
    with pytest.raises(ValueError, match="positive"):
        build_features(max_chars=0)


# -- HTML start tags with absurdly many attributes ------------------------------------------------------


def _tag(n: int, value: str = "v") -> str:
    return "<div " + " ".join(f'a{i}="{value}"' for i in range(n)) + ">"


def test_limit_start_tags_keeps_ordinary_tags() -> None:
    page = f'<html><body>{_tag(MAX_TAG_ATTRIBUTES)}<p class="x">texte</p></div></body></html>'
    assert limit_start_tags(page) == (page, 0)
    assert limit_start_tags(page.encode()) == (page.encode(), 0)


@pytest.mark.parametrize("raw", [False, True], ids=["str", "bytes"])
def test_limit_start_tags_cuts_after_the_bound(raw: bool) -> None:
    page = f"<html><body>{_tag(500, 'a>b')}<p>texte</p></div></body></html>"
    out, dropped = limit_start_tags(page.encode() if raw else page)
    text = out.decode() if isinstance(out, bytes) else out
    assert dropped == 500 - MAX_TAG_ATTRIBUTES
    assert f'a{MAX_TAG_ATTRIBUTES - 1}="a>b"' in text and f"a{MAX_TAG_ATTRIBUTES}=" not in text
    assert text.endswith("><p>texte</p></div></body></html>")


def test_page_with_a_huge_tag_costs_what_a_plain_page_costs() -> None:
    body = "<p>" + plain_article(3_000).replace("\n\n", "</p><p>") + "</p>"
    plain = f"<html><body><article>{body}</article></body></html>"
    hostile = f"<html><body>{_tag(100_000)}x</div><article>{body}</article></body></html>"
    # The yardstick is a plain page of the same size, in ordinary paragraphs.
    filler = f'<p class="aside">{"mot " * 60}</p>' * (len(hostile) // 260)
    same_size = f"<html><body><div>{filler}</div><article>{body}</article></body></html>"
    t_plain = cpu_time(lambda: documents.from_html(same_size, language="fr"), repeats=2)
    t_hostile = cpu_time(lambda: documents.from_html(hostile, language="fr"), repeats=2)
    assert t_hostile <= 3 * t_plain, f"{t_hostile:.3f} s against {t_plain:.3f} s for a plain page of its size"
    assert documents.from_html(hostile, language="fr").text == documents.from_html(plain, language="fr").text

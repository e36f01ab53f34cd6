"""Clean text: the document without the boilerplate family's removable evidence, from the library and
the CLI; on the real seed articles when `../shared` is present."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from features import build_features
from scorer.cli import main
from scorer.engine import Scorer
from scorer.ingest import documents
from tests.conftest import FIXTURES

SCRAPED = FIXTURES / "boilerplate" / "fr_scraped_page.txt"
COMMENTS = FIXTURES / "boilerplate" / "en_comment_form.txt"
CLEAN = FIXTURES / "boilerplate" / "fr_clean_article.txt"

# What the cleaned fixtures must keep (every paragraph of the article) and lose (the furniture).
KEEP = {
    SCRAPED: [
        "Les dunes de la côte landaise reculent plus vite que prévu",
        "Les dunes de la côte landaise ont perdu en moyenne quatre mètres par an depuis dix ans, selon une étude",
        "Les chercheurs ont mesuré le trait de côte",
        "Le recul s'est accéléré après les tempêtes",
        "Les communes du littoral doivent désormais choisir",
        "Le président de l'observatoire estime",
    ],
    COMMENTS: [
        "Volunteers count a record number of nesting turtles",
        "Volunteers on the island counted",
        "The count is carried out every morning",
        "Biologists say warmer sand",
        "The local council has extended the ban",
    ],
}
LOSE = {
    SCRAPED: [
        "Aller au contenu",
        "AccueilActualités",
        "Date :",
        "Vues :",
        "selon...",
        "Trokwelz",
        "Partager sur",
        "Envoyer par email",
        "À lire aussi",
        "pianiste",
        "maillot",
        "Adblock",
        "ad blocker",
    ],
    COMMENTS: [
        "Home | News",
        "Share this article",
        "Leave a Reply",
        "Your email address",
        "Post Comment",
        "We use cookies",
    ],
}


@pytest.fixture(scope="module")
def boilerplate_scorer() -> Scorer:
    return Scorer(features=build_features(["boilerplate"]))


@pytest.mark.parametrize("path", [SCRAPED, COMMENTS], ids=["fr_scraped_page", "en_comment_form"])
def test_clean_removes_furniture_and_keeps_the_article(path: Path, boilerplate_scorer: Scorer) -> None:
    text = boilerplate_scorer.clean(documents.from_path(path))
    for kept in KEEP[path]:
        assert kept in text, f"article text lost: {kept!r}"
    for lost in LOSE[path]:
        assert lost not in text, f"furniture kept: {lost!r}"
    # The headline is kept once, not twice.
    assert text.count(KEEP[path][0]) == 1


def test_clean_article_is_unchanged(boilerplate_scorer: Scorer) -> None:
    doc = documents.from_path(CLEAN)
    assert boilerplate_scorer.clean(doc) == doc.text.strip() + "\n"


def test_clean_glued_breadcrumb_keeps_the_sentence(boilerplate_scorer: Scorer) -> None:
    doc = documents.from_text(
        "À la uneSociétéÉducationLes enseignants du lycée Jean-Moulin ont voté une grève reconductible à partir de lundi.\n\n"
        "Ils protestent contre la suppression de deux postes de professeurs de mathématiques à la rentrée prochaine, "
        "annoncée la semaine dernière par le rectorat.\n",
        language="fr",
    )
    text = boilerplate_scorer.clean(doc)
    assert text.startswith("Les enseignants du lycée Jean-Moulin ont voté une grève")
    assert "SociétéÉducation" not in text


def test_cli_clean_text_and_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(SCRAPED)]) == 0
    out = capsys.readouterr().out
    assert "Les chercheurs ont mesuré le trait de côte" in out and "Adblock" not in out
    assert main(["clean", "--format", "jsonl", str(SCRAPED), str(CLEAN)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["source"]).name for r in records] == [SCRAPED.name, CLEAN.name]
    assert "pianiste" not in records[0]["clean_text"]


# --- the real seed articles (skipped on a fresh clone) -------------------------------------------------

_TAIL_MARKER = re.compile(r"^(?:À\s)?lire aussi\b", re.IGNORECASE)


def _article_paragraphs(lines: list[str]) -> list[str]:
    """The seed's article paragraphs: sentences (8+ words, final punctuation) before a related-links
    marker, except a teaser cut with '...' whose full text is another line."""
    out: list[str] = []
    for ln in lines:
        if _TAIL_MARKER.match(ln):
            break
        if len(ln.split()) < 8 or not ln.endswith((".", "!", "?", "»", '"', "…")):
            continue
        stem = ln.rstrip(".… ")
        if ln.rstrip().endswith(("...", "…")) and any(o != ln and o.startswith(stem) for o in lines):
            continue
        out.append(ln)
    return out


def test_seeds_clean_text(shared_dir: Path, boilerplate_scorer: Scorer) -> None:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert len(seeds) >= 3
    for path in seeds:
        doc = documents.from_path(path)
        lines = [doc.span(p).strip() for p in doc.paragraphs]
        cleaned = boilerplate_scorer.clean(doc)
        kept_lines = set(cleaned.splitlines())
        for para in _article_paragraphs(lines):
            assert para in kept_lines, f"{path.name}: article paragraph lost: {para[:60]!r}"
        marker = next((i for i, ln in enumerate(lines) if _TAIL_MARKER.match(ln)), None)
        if marker is not None:  # 003: everything from the related-links marker on is gone
            for ln in lines[marker:]:
                assert ln not in kept_lines, f"{path.name}: tail line kept: {ln[:60]!r}"


def test_seeds_flagged_with_their_furniture(shared_dir: Path, boilerplate_scorer: Scorer) -> None:
    by_prefix = {p.name[:3]: p for p in (shared_dir / "seeds").glob("*.txt")}
    expected = {
        "001": {
            "boilerplate.glued_breadcrumb",
            "boilerplate.furniture_line",
            "boilerplate.foreign_language_line",
        },
        "003": {
            "boilerplate.furniture_line",
            "boilerplate.offtopic_tail",
            "boilerplate.teaser_repeated",
            "boilerplate.repeated_headline",
        },
        "000": {"boilerplate.repeated_headline"},
    }
    for prefix, codes in expected.items():
        doc = documents.from_path(by_prefix[prefix])
        found = {s.code for s in boilerplate_scorer.signals(doc)}
        assert codes <= found, f"{prefix}: missing {sorted(codes - found)}"

"""Documentation: every registered signal code is documented and tested, the signal table in docs/signals.md
is the one the registry generates, and every relative link in the Markdown files points at a file or heading
that exists."""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

import features
from tests.conftest import FIXTURES, ROOT

CODES = sorted(features.catalogue())
SIGNALS_DOC = ROOT / "docs" / "signals.md"
REGENERATE = "regenerate the table: python scripts/signal_table.py --write"


def _script(name: str) -> ModuleType:
    # scripts/ is not a package: load a generator from its file, as `python scripts/<name>.py` runs it.
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _signal_table() -> ModuleType:
    return _script("signal_table")


def test_layout_tree_matches_the_packages() -> None:
    tree = _script("layout_tree")
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert tree.START in text and tree.END in text, "architecture.md lost its layout-tree markers"
    assert tree.table_in(text) == tree.render(), "regenerate the tree: python scripts/layout_tree.py --write"


def test_every_module_says_what_it_is() -> None:
    tree = _script("layout_tree")
    for package in tree.PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            assert tree.summary(path), f"{path.relative_to(ROOT)} has no docstring for the layout tree"


def _fixture_codes() -> set[str]:
    seen: set[str] = set()
    for path in FIXTURES.rglob("*.json"):
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(spec, dict):
            seen.update(spec.get("must", []))
    return seen


FIXTURE_CODES = _fixture_codes()


def test_signal_table_matches_registry() -> None:
    table = _signal_table()
    text = SIGNALS_DOC.read_text(encoding="utf-8")
    assert table.START in text and table.END in text, f"{SIGNALS_DOC.name} lost its table markers"
    assert table.table_in(text) == table.render(), REGENERATE


def test_signal_table_rewrite_keeps_the_rest() -> None:
    table = _signal_table()
    text = "intro\n<!-- signal-table:start x -->\n| old |\n<!-- signal-table:end -->\noutro\n"
    assert (
        table.replace_table(text, "| new |\n")
        == "intro\n<!-- signal-table:start x -->\n| new |\n<!-- signal-table:end -->\noutro\n"
    )


@pytest.mark.parametrize("code", CODES)
def test_code_is_in_signals_doc(code: str) -> None:
    assert f"`{code}`" in SIGNALS_DOC.read_text(encoding="utf-8"), REGENERATE


@pytest.mark.parametrize("code", CODES)
def test_code_is_tested(code: str) -> None:
    family, name = code.split(".", 1)
    per_signal = (ROOT / "tests" / "features" / f"test_{family}.py").read_text(encoding="utf-8")
    assert code in FIXTURE_CODES or code in per_signal or f'"{name}"' in per_signal, (
        f"{code}: no fixture or per-signal test names it"
    )


def test_every_family_has_fixtures() -> None:
    for family in features.FAMILIES:
        assert list((FIXTURES / family).glob("*.json")), f"fixtures/{family}/ has no golden case"


# --- links -------------------------------------------------------------------------------------------

MARKDOWN = sorted(
    [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "bench").glob("*.md"),
    ]
)
FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) or [text](target "title"); images too. Targets with spaces are not used in these files.
LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"\n]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks, with inline code removed (links are not read there)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(INLINE_CODE.sub("", line))
    return lines


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file, with GitHub's -1, -2 suffixes for repeated headings."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    lines, fenced = path.read_text(encoding="utf-8").splitlines(), False
    for line in lines:
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        m = HEADING.match(line) if not fenced else None
        if m:
            slug = _slug(m.group(1))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def broken_links(path: Path) -> list[str]:
    """The relative links of `path` whose file or heading does not exist."""
    bad = []
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...: not checked offline
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            if not dest.exists():
                bad.append(
                    f"{target}: no file {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}"
                )
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                bad.append(f"{target}: no heading #{anchor} in {dest.name}")
    return bad


def test_link_checker_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n\n## A `code` heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n[ok](other.md) [ok](other.md#a-code-heading) [ok](#title) [web](https://example.org/x)\n"
        "[gone](missing.md) [gone](other.md#nope) [gone](#nope)\n\n```\n[in code](missing-too.md)\n```\n",
        encoding="utf-8",
    )
    assert [b.split(":")[0] for b in broken_links(page)] == ["missing.md", "other.md#nope", "#nope"]


@pytest.mark.parametrize("path", MARKDOWN, ids=[str(p.relative_to(ROOT)) for p in MARKDOWN])
def test_relative_links_resolve(path: Path) -> None:
    assert broken_links(path) == []

"""The module tree of docs/architecture.md, generated from the packages (so the two cannot drift apart):
one line per module with the first sentence of its docstring.

`python scripts/layout_tree.py` prints the tree; `--write` replaces the tree between the markers in
docs/architecture.md. `tests/test_docs.py` fails when the file's tree differs from `render()`.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("features", "scorer", "api")
START = "<!-- layout-tree:start"
END = "<!-- layout-tree:end -->"
WIDTH = 28  # the column where descriptions start
MAX_LINE = 120


def summary(path: Path) -> str:
    """The first sentence of a module's docstring, on one line ("" when it has none)."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = " ".join(doc.split("\n\n", 1)[0].split())
    first = re.split(r"(?<!\.)\.\s", first, maxsplit=1)[0]  # the first sentence ("DATA... [" is not an end)
    first = first.rstrip(".")
    room = MAX_LINE - WIDTH
    return first if len(first) <= room else first[: room - 1].rstrip() + "…"


def _lines(folder: Path, depth: int) -> list[str]:
    out: list[str] = []
    indent = "  " * depth
    init = folder / "__init__.py"
    name = f"{indent}{folder.name}/"
    out.append(f"{name:<{WIDTH}}{summary(init)}".rstrip())
    for path in sorted(folder.glob("*.py")):
        if path.name == "__init__.py":
            continue
        label = f"{indent}  {path.name}"
        out.append(f"{label:<{WIDTH}}{summary(path)}".rstrip())
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        out.extend(_lines(sub, depth + 1))
    return out


def render() -> str:
    """The tree as a fenced block, one line per module of the packages."""
    lines: list[str] = []
    for package in PACKAGES:
        lines.extend(_lines(ROOT / package, 0))
    return "```\n" + "\n".join(lines) + "\n```\n"


def table_in(text: str) -> str:
    """The tree between the markers of `text` (the start marker's line excluded)."""
    start = text.index(START)
    body = text.index("\n", start) + 1
    return text[body : text.index(END, body)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write", action="store_true", help=f"rewrite the tree in {DOC.name} instead of printing it"
    )
    args = parser.parse_args(argv)
    tree = render()
    if not args.write:
        sys.stdout.write(tree)
        return 0
    text = DOC.read_text(encoding="utf-8")
    start = text.index(START)
    body = text.index("\n", start) + 1
    new = text[:body] + tree + text[text.index(END, body) :]
    if new != text:
        DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

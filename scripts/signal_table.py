"""The signal-code table of docs/signals.md, generated from the feature registry (so the two cannot drift apart):
code, feature, direction (lowers, raises, either; "needs published" for an absence that counts only where the
input had a place for a date; "above 0.5 only" for a measure that counts only above its floor) and meaning.

`python scripts/signal_table.py` prints the table; `--write` replaces the table between the markers in
docs/signals.md. `tests/test_docs.py` fails when the file's table differs from `render()`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import features

DOC = Path(__file__).resolve().parent.parent / "docs" / "signals.md"
START = "<!-- signal-table:start"
END = "<!-- signal-table:end -->"


def render() -> str:
    """The table as Markdown, one row per registered code, in code order."""
    rows = ["| code | feature | direction | meaning |", "|---|---|---|---|"]
    for code, info in features.catalogue().items():
        rows.append(
            f"| `{code}` | {info['feature']} | {info['direction_text']} | {info['meaning'].replace('|', '/')} |"
        )
    return "\n".join(rows) + "\n"


def table_in(text: str) -> str:
    """The table between the markers of `text` (the start marker's line excluded)."""
    start = text.index(START)
    body = text.index("\n", start) + 1
    return text[body : text.index(END, body)]


def replace_table(text: str, table: str) -> str:
    """`text` with the table between the markers replaced by `table`."""
    start = text.index(START)
    body = text.index("\n", start) + 1
    return text[:body] + table + text[text.index(END, body) :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write", action="store_true", help=f"rewrite the table in {DOC.name} instead of printing it"
    )
    args = parser.parse_args(argv)
    table = render()
    if not args.write:
        sys.stdout.write(table)
        return 0
    text = DOC.read_text(encoding="utf-8")
    try:
        new = replace_table(text, table)
    except ValueError:
        print(f"{DOC}: the markers '{START} ...' and '{END}' are missing", file=sys.stderr)
        return 2
    if new != text:
        DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Print the README's signal-code table from the feature registry (so the two cannot drift apart): code,
feature, direction (lowers, raises, either; "needs published" for an absence that counts only where the
input had a place for a date) and meaning."""

from __future__ import annotations

import features


def main() -> None:
    print("| code | feature | direction | meaning |")
    print("|---|---|---|---|")
    for code, info in features.catalogue().items():
        direction = info["direction"] + (f" (needs {info['requires']})" if info["requires"] else "")
        print(f"| `{code}` | {info['feature']} | {direction} | {info['meaning'].replace('|', '/')} |")


if __name__ == "__main__":
    main()

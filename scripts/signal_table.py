"""Print the README's signal-code table from the feature registry (so the two cannot drift apart)."""

from __future__ import annotations

import features


def main() -> None:
    print("| code | feature | meaning |")
    print("|---|---|---|")
    for code, info in features.catalogue().items():
        print(f"| `{code}` | {info['feature']} | {info['meaning'].replace('|', '/')} |")


if __name__ == "__main__":
    main()

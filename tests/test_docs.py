"""Completeness: every registered signal code is documented in the README and tested."""

from __future__ import annotations

import json

import pytest

import features
from tests.conftest import FIXTURES, ROOT

CODES = sorted(features.catalogue())


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


@pytest.mark.parametrize("code", CODES)
def test_code_is_in_readme(code: str) -> None:
    assert f"`{code}`" in (ROOT / "README.md").read_text(encoding="utf-8"), "regenerate the table: python scripts/signal_table.py"


@pytest.mark.parametrize("code", CODES)
def test_code_is_tested(code: str) -> None:
    family, name = code.split(".", 1)
    per_signal = (ROOT / "tests" / "features" / f"test_{family}.py").read_text(encoding="utf-8")
    assert code in FIXTURE_CODES or code in per_signal or f'"{name}"' in per_signal, f"{code}: no fixture or per-signal test names it"


def test_every_family_has_fixtures() -> None:
    for family in features.FAMILIES:
        assert list((FIXTURES / family).glob("*.json")), f"fixtures/{family}/ has no golden case"

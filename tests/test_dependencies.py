"""The installed environment satisfies every floor in pyproject.toml: a raised floor (past a known
advisory) must resolve against the versions the project is tested with."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = ("formats", "dev")  # the extras CI installs
REQUIREMENTS = [
    Requirement(r)
    for r in [*PROJECT["dependencies"], *(d for e in EXTRAS for d in PROJECT["optional-dependencies"][e])]
]


@pytest.mark.parametrize("req", REQUIREMENTS, ids=[r.name for r in REQUIREMENTS])
def test_installed_version_satisfies_the_declared_range(req: Requirement) -> None:
    if req.marker is not None and not req.marker.evaluate():
        pytest.skip(f"{req.name} is not used on this platform ({req.marker})")
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        pytest.skip(f"{req.name} is not installed (an optional extra)")
    assert req.specifier.contains(version, prereleases=True), f"{req.name} {version} is not {req.specifier}"
    assert any(s.operator in (">=", ">", "==", "~=") for s in req.specifier), f"{req.name} has no floor"
    assert any(s.operator in ("<", "<=", "==", "~=") for s in req.specifier), f"{req.name} has no ceiling"

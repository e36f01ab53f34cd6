"""One frozen `Settings`, layered as defaults < file (`scorer.toml` or `[tool.scorer]` in
`pyproject.toml`) < environment (`SCORER_*`). Code receives values as arguments, never from the
environment directly."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from features.base import FAMILIES
from scorer.errors import ScorerError

ENV_PREFIX = "SCORER_"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the scorer, with its default."""

    model_path: str | None = None  # None: the model bundled with the package
    families: tuple[str, ...] = (
        "translation",
        "boilerplate",
        "dating",
        "sourcing",
        "readability",
        "generation",
    )
    # CI gate (`scorer check`)
    min_score: float = 50.0
    # Real corpora always hold a few poor documents; 5% flagged fails a batch that is clearly worse
    # than usual without failing every batch (set 0 to fail on any flagged document).
    max_flagged: float = 0.05
    fail_on: tuple[str, ...] = ()
    # Parallel work (`audit`, `check`): 0 means every core.
    jobs: int = 0
    # HTTP API (`scorer serve`, `api.settings`). No key: authentication off.
    api_key: str | None = field(default=None, repr=False)
    # Scoring threads per server worker, scoring processes forked from it (0: threads), and the
    # requests each process holds (`api.settings.ApiSettings` says more).
    api_threads: int = 1
    api_processes: int = 0
    api_pipeline: int = 2
    # Characters of each document the features analyse; past it they see the start only, and the result
    # carries `document.truncated` with the counts (features.base.MAX_CHARS).
    max_chars: int = 100_000

    def with_overrides(self, values: Mapping[str, Any]) -> Settings:
        """A copy with `values` (already typed or strings from a file or the environment) applied."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for key, raw in values.items():
            name = key.replace("-", "_")
            if name not in known:
                raise ScorerError(
                    f"unknown setting {key!r}{did_you_mean(name, known)}; known: {', '.join(sorted(known))}"
                )
            changes[name] = _coerce(name, raw, getattr(self, name))
        if "families" in changes:
            check_known(changes["families"], FAMILIES, "signal family", "the families setting")
        return replace(self, **changes)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`" (did you mean 'x' or 'y'?)"` with the closest known names (difflib, as ruff does for an
    unknown rule), or `""` when none is close."""
    close = [repr(c) for c in difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)]
    if not close:
        return ""
    return f" (did you mean {' or '.join([', '.join(close[:-1]), close[-1]] if len(close) > 1 else close)}?)"


def check_known(names: Iterable[str], known: Iterable[str], what: str, where: str) -> None:
    """Raise ScorerError for the first of `names` not in `known`, naming the closest known ones."""
    known = sorted(known)
    for name in names:
        if name not in known:
            hint = did_you_mean(name, known)
            listing = "" if hint or len(known) > 12 else f"; known: {', '.join(known)}"
            raise ScorerError(f"unknown {what} {name!r} in {where}{hint}{listing}")


def _coerce(name: str, raw: Any, default: Any) -> Any:
    try:
        if isinstance(default, tuple):
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            return tuple(str(x).strip() for x in items if str(x).strip())
        if isinstance(default, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
        if isinstance(default, int) and not isinstance(default, bool):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return None if raw in ("", None) else str(raw)
    except (TypeError, ValueError) as e:
        raise ScorerError(f"setting {name}: cannot use {raw!r} ({e})") from e


def file_settings(start: Path) -> dict[str, Any]:
    """Settings from the nearest `scorer.toml`, else `[tool.scorer]` of the nearest `pyproject.toml`."""
    for folder in (start, *start.parents):
        own = folder / "scorer.toml"
        if own.is_file():
            values = _read_toml(own)
            if "tool" in values:
                raise ScorerError(
                    f"{own}: scorer.toml takes the keys at top level (min_score = 50); "
                    "[tool.scorer] belongs in pyproject.toml"
                )
            return values
        py = folder / "pyproject.toml"
        if py.is_file():
            section = _read_toml(py).get("tool", {}).get("scorer")
            if isinstance(section, dict):
                return section
    return {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ScorerError(f"{path}: cannot read settings: {e}") from e


def load_settings(cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults < settings file found from `cwd` upwards < `SCORER_*` environment variables."""
    settings = Settings().with_overrides(file_settings((cwd or Path.cwd()).resolve()))
    env = os.environ if environ is None else environ
    names = {f.name for f in fields(Settings)}
    from_env = {
        k[len(ENV_PREFIX) :].lower(): v
        for k, v in env.items()
        if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX) :].lower() in names
    }
    return settings.with_overrides(from_env)

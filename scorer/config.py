"""One frozen `Settings`, layered as defaults < file (`scorer.toml` or `[tool.scorer]` in
`pyproject.toml`) < environment (`SCORER_*`). Code receives values as arguments, never from the
environment directly."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from scorer.errors import ScorerError

ENV_PREFIX = "SCORER_"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the scorer, with its default."""

    model_path: str | None = None  # None: the model bundled with the package
    families: tuple[str, ...] = ("translation", "boilerplate", "dating", "sourcing", "readability")
    # CI gate (`scorer check`)
    min_score: float = 50.0
    max_flagged: float = 0.0
    fail_on: tuple[str, ...] = ()
    # Parallel work (`audit`, `check`): 0 means every core.
    jobs: int = 0
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
                raise ScorerError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}")
            changes[name] = _coerce(name, raw, getattr(self, name))
        return replace(self, **changes)


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
            return _read_toml(own)
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
    from_env = {k[len(ENV_PREFIX) :].lower(): v for k, v in env.items() if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX) :].lower() in names}
    return settings.with_overrides(from_env)

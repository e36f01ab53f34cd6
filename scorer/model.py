"""The model that turns signal values into a calibrated probability, stored as plain JSON data.

Loading a model never executes code from the file: it is a list of feature names and numbers.
Format `article-scorer/linear-v1`:

    z  = intercept + sum_i coef_i * (x_i - mean_i) / scale_i     (x_i = vectorised signal values)
    p  = 1 / (1 + exp(-(a * z + b)))                             (Platt calibration, a and b)

Codes the file does not list get `default_coef[kind]` (a provisional model uses that to weigh every
flag alike; a trained model sets it to 0, so an unseen code moves nothing), except the codes of
`FIXED_COEF`: signals no training document carries yet, with a fixed weight until a model learns one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from features.base import Kind, Signal
from scorer.errors import ModelNotLoadedError

FORMAT = "article-scorer/linear-v1"
BUNDLED = "model.json"
# Fixed weights (on the log1p-damped count, like a learned coefficient with mean 0 and scale 1) of codes
# a model file does not list. Chatbot residue: one hit lowers the logit by 0.69 * 6 = 4.2 (a clean
# article at 95 drops to about 22), two hits by 6.6. A model trained on documents with residue lists
# the code and its learned weight replaces this one.
FIXED_COEF: dict[str, float] = {"generation.chatbot_residue": -6.0}


def signal_values(signals: Iterable[Signal]) -> dict[str, float]:
    """The classifier's input: one number per code. Counts are log-damped (log1p) so that the tenth
    placeholder matters less than the first; measures are used as they are."""
    totals: dict[str, float] = {}
    kinds: dict[str, Kind] = {}
    for s in signals:
        totals[s.code] = totals.get(s.code, 0.0) + float(s.value)
        kinds[s.code] = s.kind
    return {c: (v if kinds[c] is Kind.MEASURE else math.log1p(max(v, 0.0))) for c, v in totals.items()}


@dataclass(frozen=True)
class LinearModel:
    """A linear model with Platt calibration, read from and written to JSON."""

    version: str
    coef: Mapping[str, float]
    intercept: float
    mean: Mapping[str, float] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    calibration: tuple[float, float] = (1.0, 0.0)
    default_coef: Mapping[str, float] = field(default_factory=dict)
    provisional: bool = False
    info: Mapping[str, Any] = field(default_factory=dict)

    def contributions(self, values: Mapping[str, float], kinds: Mapping[str, Kind]) -> dict[str, float]:
        """Each code's contribution to the calibrated logit, relative to a document at the training mean."""
        a = self.calibration[0]
        out: dict[str, float] = {}
        for code in set(values) | set(self.coef):
            if code in self.coef:
                w = self.coef[code]
            elif code in FIXED_COEF:
                w = FIXED_COEF[code]
            else:
                w = self.default_coef.get(kinds.get(code, Kind.FLAG).value, 0.0)
            if w == 0.0:
                continue
            x = values.get(code, 0.0)
            c = a * w * (x - self.mean.get(code, 0.0)) / (self.scale.get(code, 1.0) or 1.0)
            if c != 0.0:
                out[code] = c
        return out

    def probability(self, contributions: Mapping[str, float]) -> float:
        """P(good) from the contributions."""
        a, b = self.calibration
        logit = a * self.intercept + b + sum(contributions.values())
        logit = max(-50.0, min(50.0, logit))
        return 1.0 / (1.0 + math.exp(-logit))

    def to_json(self) -> dict[str, Any]:
        """The JSON document for this model."""
        return {
            "format": FORMAT,
            "version": self.version,
            "provisional": self.provisional,
            "intercept": self.intercept,
            "coef": dict(sorted(self.coef.items())),
            "mean": dict(sorted(self.mean.items())),
            "scale": dict(sorted(self.scale.items())),
            "calibration": {"a": self.calibration[0], "b": self.calibration[1]},
            "default_coef": dict(self.default_coef),
            "info": dict(self.info),
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "model") -> LinearModel:
        """Validate and build a model from parsed JSON; raises ModelNotLoadedError when malformed."""
        try:
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")

            def numbers(m: Any) -> dict[str, float]:
                return {str(k): float(v) for k, v in (m or {}).items()}

            cal = data.get("calibration") or {"a": 1.0, "b": 0.0}
            return cls(
                version=str(data["version"]),
                coef=numbers(data["coef"]),
                intercept=float(data["intercept"]),
                mean=numbers(data.get("mean")),
                scale=numbers(data.get("scale")),
                calibration=(float(cal["a"]), float(cal["b"])),
                default_coef=numbers(data.get("default_coef")),
                provisional=bool(data.get("provisional", False)),
                info=dict(data.get("info") or {}),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            raise ModelNotLoadedError(f"{source}: not a valid model file ({e})") from e

    @classmethod
    def load(cls, path: str | Path | None = None) -> LinearModel:
        """Load a model file, or the model bundled with the package when `path` is None."""
        try:
            if path is None:
                text = resources.files("scorer").joinpath("data", BUNDLED).read_text(encoding="utf-8")
                source = f"bundled {BUNDLED}"
            else:
                text = Path(path).read_text(encoding="utf-8")
                source = str(path)
            return cls.from_json(json.loads(text), source)
        except OSError as e:
            raise ModelNotLoadedError(f"cannot read model file {path}: {e}") from e
        except (json.JSONDecodeError, UnicodeDecodeError) as e:  # e.g. a pickle passed as a model
            raise ModelNotLoadedError(f"model file {path or BUNDLED} is not JSON: {e}") from e

    def save(self, path: str | Path) -> None:
        """Write the model as JSON."""
        Path(path).write_text(json.dumps(self.to_json(), indent=1, sort_keys=False) + "\n", encoding="utf-8")

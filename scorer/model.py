"""The model that turns signal values into a calibrated probability, stored as plain JSON data.

Loading a model never executes code from the file: it is a list of feature names and numbers.
Format `article-scorer/linear-v2`:

    c_i = a * coef_i * (x_i - ref_i) / scale_i      (x_i = vectorised signal value of code i)
    z   = a * intercept + b + sum_i c_i             (a, b: Platt calibration, a > 0)
    p   = 1 / (1 + exp(-z))

`c_i` is code i's contribution to the calibrated logit. Every code has a direction
(`features.directions`): a code that `lowers` the score (a flag, an absence) has `coef <= 0` and
`ref = 0`, so it contributes exactly 0 when it did not fire and never more than 0; a code that `raises`
it (a date, a byline, a named source) has `coef >= 0` and `ref = 0`; a measure that goes `either` way
is taken relative to its training mean (`ref = mean`). A file whose coefficients break these signs is
refused. Two bounds are applied on top: a `weak_single` code with at most one hit contributes no less
than `-weak_hit_cap` (one isolated word must not sink an article), and absences of metadata the input
had no place for are left out of the values (`signal_values(..., doc)`).

Codes the file does not list get `default_coef[kind]` (a provisional model uses that to weigh every
flag alike; a trained model sets it to 0, so an unseen code moves nothing), except the codes of
`FIXED_COEF`: signals no training document carries yet, with a fixed weight until a model learns one.
The older format `article-scorer/linear-v1` (unsigned, mean-centred) is refused with a sentence saying
to retrain.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from features.base import Direction, Kind, Signal
from features.directions import rule_for
from features.document import Document
from scorer.errors import ModelNotLoadedError

FORMAT = "article-scorer/linear-v2"
OLD_FORMATS = ("article-scorer/linear-v1",)
BUNDLED = "model.json"
# What one isolated hit of a `weak_single` code may cost at most, in logit: from a score of 90, one such
# word leaves at least 77.
WEAK_HIT_CAP = 1.0
# The damped value of one hit (log1p(1)): a count value at or below it is a single hit.
SINGLE_HIT = math.log1p(1.0) + 1e-9
# A two-sided measure is read within this many training standard deviations of its training mean.
MEASURE_CLIP = 4.0
# Fixed weights (on the log1p-damped count, like a learned coefficient with mean 0 and scale 1) of codes
# a model file does not list. Chatbot residue: one hit lowers the logit by 0.69 * 6 = 4.2 (a clean
# article at 95 drops to about 22), two hits by 6.6. A model trained on documents with residue lists
# the code and its learned weight replaces this one.
FIXED_COEF: dict[str, float] = {"generation.chatbot_residue": -6.0}


def applies(code: str, kind: Kind | None, doc: Document) -> bool:
    """Whether `code` counts in the score of `doc`: a code that depends on a metadata field (no date, no
    byline) counts only when the input had a place for that field (`Document.metadata_places`)."""
    rule = rule_for(code, kind)
    return rule.requires is None or rule.requires in doc.metadata_places


def signal_values(signals: Iterable[Signal], doc: Document | None = None) -> dict[str, float]:
    """The classifier's input: one number per code. Counts are log-damped (log1p) so that the tenth
    placeholder matters less than the first; measures are used as they are, less their floor. With `doc`, codes that do not
    apply to it (see `applies`) are left out: they are reported, but they do not move the score."""
    totals: dict[str, float] = {}
    kinds: dict[str, Kind] = {}
    for s in signals:
        totals[s.code] = totals.get(s.code, 0.0) + float(s.value)
        kinds[s.code] = s.kind
    if doc is not None:
        totals = {c: v for c, v in totals.items() if applies(c, kinds[c], doc)}
    return {c: _model_input(c, kinds[c], v) for c, v in totals.items()}


def _model_input(code: str, kind: Kind, value: float) -> float:
    """One code's classifier input: log1p of a count; a measure as it is, less its rule's floor (see
    `features.base.Rule.floor`) for a measure that can only lower the score."""
    if kind is not Kind.MEASURE:
        return math.log1p(max(value, 0.0))
    floor = rule_for(code, kind).floor
    return max(value - floor, 0.0) if floor else value


@dataclass(frozen=True)
class LinearModel:
    """A sign-constrained linear model with Platt calibration, read from and written to JSON."""

    version: str
    coef: Mapping[str, float]
    intercept: float
    mean: Mapping[str, float] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    calibration: tuple[float, float] = (1.0, 0.0)
    default_coef: Mapping[str, float] = field(default_factory=dict)
    provisional: bool = False
    info: Mapping[str, Any] = field(default_factory=dict)
    # code -> Direction value, as trained; codes it does not list take `features.directions`.
    direction: Mapping[str, str] = field(default_factory=dict)
    weak_hit_cap: float = WEAK_HIT_CAP

    def __post_init__(self) -> None:
        if not self.calibration[0] > 0:
            raise ValueError(f"calibration slope a = {self.calibration[0]} must be > 0 (signs would flip)")
        for code, w in self.coef.items():
            d = self.direction_of(code)
            if (d is Direction.LOWERS and w > 0) or (d is Direction.RAISES and w < 0):
                raise ValueError(f"coefficient {w:+g} of {code} breaks its direction ({d.value})")
        for kind, w in self.default_coef.items():
            if kind != Kind.MEASURE.value and w > 0:
                raise ValueError(f"default coefficient {w:+g} for {kind} signals would raise the score")

    def direction_of(self, code: str, kind: Kind | None = None) -> Direction:
        """The direction the model uses for `code`."""
        if code in self.direction:
            return Direction(self.direction[code])
        return rule_for(code, kind).direction

    def contributions(
        self, values: Mapping[str, float], kinds: Mapping[str, Kind] | None = None
    ) -> dict[str, float]:
        """Each code's contribution to the calibrated logit: 0 for a flag, absence or piece of evidence
        that is not there; relative to the training mean for a two-sided measure."""
        kinds = kinds or {}
        a = self.calibration[0]
        out: dict[str, float] = {}
        for code in set(values) | set(self.coef):
            kind = kinds.get(code)
            # A fixed weight stands until a model learns one: a weight of 0 only says that no training
            # document carried the code.
            if code in self.coef and not (self.coef[code] == 0.0 and code in FIXED_COEF):
                w = self.coef[code]
            elif code in FIXED_COEF:
                w = FIXED_COEF[code]
            else:
                w = self.default_coef.get((kind or Kind.FLAG).value, 0.0)
            if w == 0.0:
                continue
            d = self.direction_of(code, kind)
            ref = self.mean.get(code, 0.0) if d is Direction.EITHER else 0.0
            if d is Direction.EITHER and ref != 0.0 and code not in values:
                continue  # a two-sided measure not taken reads as typical (training: TypicalForMissing)
            z = (values.get(code, 0.0) - ref) / (self.scale.get(code, 1.0) or 1.0)
            if d is Direction.EITHER:
                # Far outside the training range (a measure over a few words) it says no more than at
                # MEASURE_CLIP standard deviations: one odd measure cannot outweigh the evidence.
                z = max(-MEASURE_CLIP, min(MEASURE_CLIP, z))
            x = values.get(code, 0.0)
            c = a * w * z
            if d is Direction.LOWERS:
                c = min(c, 0.0)
                if rule_for(code, kind).weak_single and 0.0 < x <= SINGLE_HIT:
                    c = max(c, -self.weak_hit_cap)
            elif d is Direction.RAISES:
                c = max(c, 0.0)
            if c != 0.0:
                out[code] = c
        return out

    def logit(self, contributions: Mapping[str, float]) -> float:
        """The calibrated logit: the calibrated intercept plus the contributions."""
        a, b = self.calibration
        return a * self.intercept + b + sum(contributions.values())

    def probability(self, contributions: Mapping[str, float]) -> float:
        """P(good) from the contributions."""
        logit = max(-50.0, min(50.0, self.logit(contributions)))
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
            "direction": dict(sorted(self.direction.items())),
            "weak_hit_cap": self.weak_hit_cap,
            "default_coef": dict(self.default_coef),
            "info": dict(self.info),
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "model") -> LinearModel:
        """Validate and build a model from parsed JSON; raises ModelNotLoadedError when malformed.

        Every coefficient, mean, scale and calibration value must be a finite JSON number: a NaN or an
        infinity would make every score NaN or 100 and the JSON output non-standard."""
        if isinstance(data, Mapping) and data.get("format") in OLD_FORMATS:
            raise ModelNotLoadedError(
                f"{source}: model format {data['format']} predates sign-constrained models ({FORMAT}); "
                "retrain it with `scorer train` (see the README, 'How the model is trained')"
            )

        def number(v: Any, where: str) -> float:
            # bool is an int in Python; a string is not a number in this format.
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ValueError(f"{where} must be a number, not {type(v).__name__}")
            f = float(v)
            if not math.isfinite(f):
                raise ValueError(f"{where} must be a finite number, not {v}")
            return f

        def numbers(m: Any, name: str) -> dict[str, float]:
            if m is None:
                return {}
            if not isinstance(m, dict):
                raise ValueError(f"'{name}' must be an object of numbers, not {type(m).__name__}")
            return {str(k): number(v, f"{name}[{k!r}]") for k, v in m.items()}

        try:
            if not isinstance(data, dict):
                raise ValueError(f"the file holds a JSON {type(data).__name__}, not an object")
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
            cal = data.get("calibration") or {"a": 1.0, "b": 0.0}
            if not isinstance(cal, dict):
                raise ValueError(f"'calibration' must be an object {{a, b}}, not {type(cal).__name__}")
            info = data.get("info") or {}
            if not isinstance(info, dict):
                raise ValueError(f"'info' must be an object, not {type(info).__name__}")
            direction = data.get("direction") or {}
            if not isinstance(direction, dict):
                raise ValueError(
                    f"'direction' must be an object of directions, not {type(direction).__name__}"
                )
            directions = {str(k): Direction(str(v)).value for k, v in direction.items()}
            version = data["version"]
            if not isinstance(version, str | int | float) or isinstance(version, bool):
                raise ValueError(f"'version' must be a string, not {type(version).__name__}")
            return cls(
                version=str(version),
                coef=numbers(data["coef"], "coef"),
                intercept=number(data["intercept"], "intercept"),
                mean=numbers(data.get("mean"), "mean"),
                scale=numbers(data.get("scale"), "scale"),
                calibration=(number(cal["a"], "calibration.a"), number(cal["b"], "calibration.b")),
                default_coef=numbers(data.get("default_coef"), "default_coef"),
                provisional=bool(data.get("provisional", False)),
                info=dict(info),
                direction=directions,
                weak_hit_cap=number(data.get("weak_hit_cap", WEAK_HIT_CAP), "weak_hit_cap"),
            )
        except KeyError as e:
            raise ModelNotLoadedError(f"{source}: not a valid model file (no {e} field)") from e
        except (AttributeError, TypeError, ValueError) as e:
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
        except RecursionError as e:  # json.loads recurses once per nesting level
            raise ModelNotLoadedError(
                f"model file {path or BUNDLED} is not a model: its JSON is nested too deeply to read"
            ) from e

    def save(self, path: str | Path) -> None:
        """Write the model as JSON."""
        Path(path).write_text(json.dumps(self.to_json(), indent=1, sort_keys=False) + "\n", encoding="utf-8")

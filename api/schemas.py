"""Request and response schemas of the HTTP API. Requests and responses are separate models; the
response models document the JSON the routes return (built by `Result.to_dict()`, the CLI's form)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scorer.ingest.documents import parse_date

# Bounds on the metadata fields: they are echoed back and must not make a request expensive.
MAX_FIELD_CHARS = 2_000
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$"

FR_EXAMPLE_TEXT = (
    "Le conseil municipal de Lyon a voté mardi soir le budget 2025, a annoncé la maire adjointe "
    "chargée des finances, Claire Martin. « Nous avons réduit la dette de 4 % », a-t-elle déclaré."
)
EN_EXAMPLE_HTML = (
    "<html><head><title>Council passes budget</title></head><body><article><h1>Council passes budget</h1>"
    "<p>The city council approved the 2025 budget on Tuesday evening, the deputy mayor for finance, "
    'Claire Martin, said in a statement. "We cut the debt by 4%," she said.</p></article></body></html>'
)


def describe_validation_errors(errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """One sentence for a client from pydantic's errors, plus the errors as `{loc, msg, type}`."""
    out: list[dict[str, Any]] = []
    parts: list[str] = []
    for err in errors:
        loc = [p for p in err.get("loc", ()) if p != "body"]
        msg = str(err.get("msg", "invalid value"))
        if msg.startswith("Value error, "):  # our validators' sentences, without pydantic's prefix
            msg = msg[len("Value error, ") :]
        kind = str(err.get("type", ""))
        if kind == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "")
            msg = f"the body is not valid JSON ({reason})" if reason else "the body is not valid JSON"
            loc = []
        elif kind in ("model_attributes_type", "dict_type") and not loc:
            msg = "the body must be a JSON object"
        elif kind == "string_pattern_mismatch" and loc == ["language"]:
            msg = "not a language tag: use one like fr, en or fr-CA"
        elif kind == "missing" and not loc:
            msg = "the body is missing: send a JSON object"
        elif kind == "extra_forbidden" and loc:
            msg = "unknown field (the request schema is at /docs)"
        out.append({"loc": loc, "msg": msg, "type": kind})
        where = ".".join(str(p) for p in loc)
        parts.append(f"{where}: {msg}" if where and f"'{loc[-1]}'" not in msg else msg)
    if not parts:
        return "the request is invalid", out
    return "; ".join(dict.fromkeys(parts)), out


class ScoreRequest(BaseModel):
    """One article: exactly one of `text` or `html`, plus optional metadata."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": FR_EXAMPLE_TEXT,
                    "title": "Lyon vote son budget",
                    "url": "https://example.org/lyon-budget",
                    "author": "Jeanne Dupont",
                    "published": "2024-12-10",
                },
                {"html": EN_EXAMPLE_HTML, "url": "https://example.org/council-budget"},
            ]
        },
    )

    text: str | None = Field(
        default=None, description="The article's plain text. Send this or `html`, not both."
    )
    html: str | None = Field(
        default=None, description="The article's HTML page; the main text and metadata are extracted from it."
    )
    id: str | None = Field(
        default=None, max_length=MAX_FIELD_CHARS, description="Your identifier, echoed as `id` in the result."
    )
    url: str | None = Field(
        default=None,
        max_length=MAX_FIELD_CHARS,
        description="Where the article was published (never fetched).",
    )
    title: str | None = Field(default=None, max_length=MAX_FIELD_CHARS)
    author: str | None = Field(default=None, max_length=MAX_FIELD_CHARS)
    published: str | None = Field(
        default=None,
        max_length=64,
        description="Publication date, ISO 8601 (`2024-05-17` or a full timestamp).",
    )
    language: str | None = Field(
        default=None,
        pattern=LANGUAGE_PATTERN,
        description="Language tag (`fr`, `en`, `fr-CA`); detected from the text when omitted.",
    )

    @field_validator("published")
    @classmethod
    def _published_is_a_date(cls, value: str | None) -> str | None:
        if value and parse_date(value) is None:
            raise ValueError("'published' is not a date: use ISO 8601, for example 2024-05-17")
        return value

    @model_validator(mode="after")
    def _exactly_one_body(self) -> ScoreRequest:
        if self.text is not None and self.html is not None:
            raise ValueError("send exactly one of 'text' or 'html', not both")
        if self.text is None and self.html is None:
            raise ValueError("send the article as 'text' or as 'html'; the request has neither")
        if self.text is not None and not self.text.strip():
            raise ValueError("'text' is empty: send the article's text")
        if self.html is not None and not self.html.strip():
            raise ValueError("'html' is empty: send the article's HTML page")
        return self


class BatchRequest(BaseModel):
    """Several articles scored in one call; each entry has the fields of a `/score` request."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "documents": [
                        {"id": "a1", "text": FR_EXAMPLE_TEXT, "published": "2024-12-10"},
                        {"id": "a2", "html": EN_EXAMPLE_HTML},
                    ]
                }
            ]
        },
    )

    # Entries are validated one by one in the route so that one bad entry is reported in place and
    # the others are still scored; the schema below still documents each entry as a ScoreRequest.
    documents: list[Any] = Field(
        description="The articles, each an object like the body of `POST /score`.",
        json_schema_extra={"items": {"$ref": "#/components/schemas/ScoreRequest"}},
    )


class EvidenceOut(BaseModel):
    """A span of the document text, end-exclusive."""

    start: int
    end: int
    text: str


class SignalOut(BaseModel):
    """One finding with its evidence."""

    code: str
    family: str
    kind: str = Field(description="`flag` (cites text) or `absence` (names what was looked for).")
    value: float
    message: str
    evidence: list[EvidenceOut]
    detail: dict[str, Any] | None = None
    counts: bool = Field(
        default=True,
        description="False when the signal does not move the score: an absence the input had no place for (a date in a bare text).",
    )


# The bands of `scorer.engine.BANDS`, highest first (a test checks that they are the same).
Label = Literal["high", "medium", "low", "very_low"]


class ScoreResponse(BaseModel):
    """The result of scoring one article: the object of `scorer score --format json`, with the
    request's `id` in place of the CLI's `source`."""

    id: str | None = Field(description="The request's `id`; null when it had none.")
    score: float = Field(description="0 (low-provenance copy) to 100 (clean, original, dated, attributed).")
    label: Label = Field(description="Band of the score: high, medium, low or very_low.")
    probability: float
    language: str
    families: dict[str, float] = Field(description="Sub-score per signal family, 0 to 100.")
    reasons: list[str] = Field(description="The codes that lowered the score most.")
    signals: list[SignalOut]
    measures: dict[str, float]
    contributions: dict[str, float]
    model_version: str
    provisional: bool
    document: dict[str, Any] | None = Field(default=None, description="The metadata the scorer used.")
    clean_text: str | None = Field(
        default=None, description="Only with `?clean=true`: text without page furniture."
    )


class ErrorOut(BaseModel):
    """An error: a sentence saying what to change, and for validation errors the fields at fault."""

    detail: str
    errors: list[dict[str, Any]] | None = None


class BatchItemOut(BaseModel):
    """The outcome for one batch entry, at the entry's index: a result or an error."""

    index: int
    status: int = Field(description="The HTTP status this entry would have had on its own (200, 422, ...).")
    result: ScoreResponse | None = None
    error: ErrorOut | None = None


class BatchResponse(BaseModel):
    """One item per request entry, in request order."""

    scored: int
    failed: int
    results: list[BatchItemOut]


class HealthResponse(BaseModel):
    """Liveness and the loaded model."""

    status: str = Field(description="`ok`, or `unavailable` when the model is not loaded.")
    model_version: str | None
    provisional: bool | None
    version: str = Field(description="Version of the scorer package.")


class SignalInfo(BaseModel):
    """A signal code of the catalogue."""

    family: str
    feature: str
    meaning: str
    direction: str = Field(
        description="`lowers` (a problem), `raises` (evidence of provenance) or `either` (a measure)."
    )
    requires: str = Field(
        description="Metadata field the input must have had a place for, for the code to count ('' when none)."
    )
    floor: str = Field(
        description="For a measure that lowers the score: the value it counts above only ('' when none)."
    )
    direction_text: str = Field(description="The direction as one phrase, as the signal table prints it.")

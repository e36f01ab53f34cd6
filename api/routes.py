"""The endpoints. Each scoring route builds Documents with `scorer.ingest.documents` and calls the same
`Scorer.score` as the CLI, in the scoring pool so the event loop stays free."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError

import features
from api.deps import PayloadTooLarge, PoolDep, ScorerDep, SettingsDep, require_api_key
from api.schemas import (
    BatchRequest,
    BatchResponse,
    ErrorOut,
    HealthResponse,
    ScoreRequest,
    ScoreResponse,
    SignalInfo,
    describe_validation_errors,
)
from scorer import __version__
from scorer.engine import Scorer
from scorer.errors import ScorerError
from scorer.ingest.documents import from_html, from_text

logger = logging.getLogger(__name__)

# The errors every authenticated scoring route may answer, for the OpenAPI document.
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong API key (only when the server has one)."},
    413: {"model": ErrorOut, "description": "Body over the size limit, or a batch over its maximum."},
    415: {"model": ErrorOut, "description": "Body not sent as application/json."},
    422: {
        "model": ErrorOut,
        "description": "Invalid JSON or fields, both or neither of text/html, nothing to score.",
    },
    503: {
        "model": ErrorOut,
        "description": "Model not loaded, server overloaded, or scoring over the time limit.",
    },
}

router = APIRouter()


def json_body(data: Any) -> bytes:
    """Compact UTF-8 JSON, not re-validated through the response model: the payload is built from
    `Result.to_dict()`."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def json_response(data: Any, status_code: int = 200) -> Response:
    """`data` as a JSON response (see `json_body`)."""
    return Response(json_body(data), status_code=status_code, media_type="application/json")


def build_document(req: ScoreRequest) -> features.Document:
    """The Document for one request, from its text or its HTML; raises ScorerError subclasses."""
    common: dict[str, Any] = {
        "id": req.id or "",
        "url": req.url,
        "title": req.title,
        "author": req.author,
        "published": req.published,
        "language": req.language.replace("_", "-") if req.language else None,
    }
    if req.html is not None:
        return from_html(req.html, **common)
    return from_text(req.text or "", origin="api", **common)


def score_result(scorer: Scorer, req: ScoreRequest, clean: bool) -> dict[str, Any]:
    """Build and score one document: the CLI's JSON object, with the request's `id` (null when it had
    none) in place of the CLI's `source` (there, the file and location a document was read from)."""
    result = scorer.score(build_document(req), clean=clean).to_dict()
    result.pop("source", None)
    return {"id": req.id, **result}


# The two below run in a scoring thread or process and return the response body serialised there: the
# event loop, which every request goes through, only passes the bytes on (and a process sends one
# bytes object back instead of pickling a nested result).


def score_one(scorer: Scorer, req: ScoreRequest, clean: bool) -> bytes:
    """The JSON body for one document."""
    return json_body(score_result(scorer, req, clean))


def score_batch(scorer: Scorer, entries: list[Any], clean: bool) -> bytes:
    """The JSON body for a batch: each entry validated, built and scored; an entry's error is reported at
    its index."""
    results: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            error = {"detail": "each entry must be a JSON object with 'text' or 'html'"}
            results.append({"index": index, "status": 422, "error": error})
            continue
        try:
            req = ScoreRequest.model_validate(entry)
            results.append({"index": index, "status": 200, "result": score_result(scorer, req, clean)})
        except ValidationError as e:
            detail, errors = describe_validation_errors(e.errors(include_url=False, include_input=False))
            results.append({"index": index, "status": 422, "error": {"detail": detail, "errors": errors}})
        except ScorerError as e:
            results.append({"index": index, "status": 422, "error": {"detail": str(e)}})
        except Exception:  # a bug while scoring one entry must not lose the others
            logger.exception("scoring batch entry %d failed", index)
            results.append(
                {
                    "index": index,
                    "status": 500,
                    "error": {"detail": "internal error while scoring this document"},
                }
            )
    scored = sum(1 for r in results if r["status"] == 200)
    return json_body({"scored": scored, "failed": len(results) - scored, "results": results})


CleanParam = Annotated[
    bool, Query(description="Also return `clean_text`: the text without flagged page furniture.")
]


@router.post(
    "/score",
    operation_id="score",
    tags=["scoring"],
    response_model=ScoreResponse,
    responses=_ERRORS,
    dependencies=[Depends(require_api_key)],
    summary="Score one article",
)
async def post_score(
    req: ScoreRequest,
    scorer: ScorerDep,
    pool: PoolDep,
    clean: CleanParam = False,
) -> Response:
    """Score one article given as `text` or `html`. The result is the CLI's JSON object."""
    return Response(await pool.run(score_one, scorer, req, clean), media_type="application/json")


@router.post(
    "/score/batch",
    operation_id="score_batch",
    tags=["scoring"],
    response_model=BatchResponse,
    responses=_ERRORS,
    dependencies=[Depends(require_api_key)],
    summary="Score several articles",
)
async def post_score_batch(
    req: BatchRequest,
    scorer: ScorerDep,
    pool: PoolDep,
    settings: SettingsDep,
    clean: CleanParam = False,
) -> Response:
    """Score up to the batch maximum (32 by default) of articles. An entry that cannot be scored gets
    its error at its index; the others are scored."""
    if len(req.documents) > settings.max_batch:
        raise PayloadTooLarge(
            f"a batch holds at most {settings.max_batch} documents and this one has {len(req.documents)}: split it"
        )
    return Response(await pool.run(score_batch, scorer, req.documents, clean), media_type="application/json")


@router.get(
    "/health",
    operation_id="health",
    tags=["service"],
    response_model=HealthResponse,
    responses={503: {"model": HealthResponse, "description": "The model is not loaded."}},
    summary="Liveness and model version",
)
async def get_health(request: Request) -> Response:
    """`ok` with the model version once the model is loaded; 503 `unavailable` otherwise."""
    scorer: Scorer | None = getattr(request.app.state, "scorer", None)
    body = {
        "status": "ok" if scorer is not None else "unavailable",
        "model_version": scorer.model.version if scorer is not None else None,
        "provisional": scorer.model.provisional if scorer is not None else None,
        "version": __version__,
    }
    return json_response(body, 200 if scorer is not None else 503)


@router.get(
    "/signals",
    operation_id="signals",
    tags=["catalogue"],
    response_model=dict[str, SignalInfo],
    responses={401: _ERRORS[401]},
    dependencies=[Depends(require_api_key)],
    summary="Catalogue of signal codes",
)
async def get_signals() -> Any:
    """Every signal code the scorer can emit, with its family, feature and meaning."""
    return features.catalogue()

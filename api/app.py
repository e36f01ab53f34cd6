"""The FastAPI application factory: limits, error mapping and the scorer loaded once at start-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import PayloadTooLarge, Unauthorized
from api.pool import Overloaded, ScoringPool, ScoringTimeout
from api.routes import router
from api.schemas import describe_validation_errors
from api.settings import ApiSettings
from scorer import __version__
from scorer.engine import Scorer, default_scorer
from scorer.errors import ModelNotLoadedError, ScorerError
from scorer.ingest.documents import from_text

logger = logging.getLogger(__name__)

DESCRIPTION = """Scores news articles for quality and provenance: machine-translation artefacts,
boilerplate, missing dates, vague sourcing and readability, each signal with its evidence (character
offsets into the article text). The same scoring function as the `scorer` command line.

Limits: request body 2 MB and 32 documents per batch by default (the server's operator may change
them); article text beyond 200,000 characters is not read. The API never fetches URLs: send the text
or the HTML. When the server has an API key, send it in the `X-API-Key` header."""

# Articles scored at start-up so that lazily loaded resources (the spaCy pipeline, lexicons, caches)
# are loaded before the first request, not during it: realistic text with named, vague and quoted
# sources, so that every family does its full work on it.
_WARM_UP = (
    (
        "Le conseil municipal de Rennes a adopté lundi soir son budget pour l'année prochaine, après trois "
        "heures de débat. « Nous maintenons l'investissement dans les écoles et dans les transports », a déclaré "
        "l'adjoint aux finances, Paul Lemaire, devant les élus.\n\n"
        "L'opposition a voté contre. Selon son porte-parole, Anne Roux, la hausse des tarifs de la cantine pèsera "
        "sur les familles. « Ce budget oublie les plus modestes », a-t-elle affirmé. Le budget s'élève à 412 "
        "millions d'euros, en hausse de 3 % sur un an, d'après les documents publiés par la mairie. Selon "
        "l'économiste Marie Durand, la dette de la ville reste modérée. « Les comptes sont sains », a indiqué "
        "l'analyste Jean Dupont.",
        "fr",
    ),
    (
        'The city council passed its budget on Monday evening after a three-hour debate. "We are keeping our '
        'investment in schools and transport," the deputy mayor for finance, Paul Lemaire, told councillors.\n\n'
        "The opposition voted against it. According to its spokeswoman, Anne Roux, higher school meal prices will "
        'hurt families. "This budget forgets the poorest," she said. The budget totals 412 million euros, up 3% on '
        "last year, according to documents published by the city. Officials reportedly expect a surplus.",
        "en",
    ),
)


def _error(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class BodyGuard:
    """Checks a request body before the application sees it: JSON media type (else 415) and at most
    `max_body_bytes`, by the Content-Length header and by the bytes actually received (else 413).
    The body is buffered (it is bounded) and replayed to the application."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        content_type = headers.get("content-type")
        if content_type is not None and not _is_json(content_type):
            media = content_type.split(";", 1)[0].strip() or "(empty)"
            await self._reject(
                scope,
                receive,
                send,
                415,
                f"the body must be JSON (Content-Type: application/json), not {media}",
            )
            return
        too_large = f"body exceeds {self.max_body_bytes / 1_000_000:g} MB"
        length = headers.get("content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_body_bytes:
            await self._reject(scope, receive, send, 413, too_large)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:  # a chunked or lying body: stop reading at the limit
                await self._reject(scope, receive, send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        # Connection: close, since the rest of the body is not read.
        await _error(status, detail, headers={"Connection": "close"})(scope, receive, send)


def create_app(
    settings: ApiSettings | None = None,
    *,
    load_scorer: Callable[[], Scorer] = default_scorer,
    warm_up: bool = True,
) -> FastAPI:
    """The API. `load_scorer` is called once, at start-up (by default the CLI's process-wide scorer,
    so that a document scores the same over HTTP as on the command line)."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = ScoringPool(
            settings.threads,
            settings.timeout,
            settings.queue_timeout,
            processes=settings.processes,
            pipeline=settings.pipeline,
        )
        app.state.scorer = None
        app.state.load_error = None
        try:
            scorer = await run_in_threadpool(load_scorer)
            if warm_up:
                await run_in_threadpool(_warm_up, scorer)
            app.state.pool.start(scorer)  # warmed up first: the forked processes inherit that too
            app.state.scorer = scorer
            logger.info("model %s loaded", scorer.model.version)
        except ModelNotLoadedError as e:
            app.state.load_error = f"model not loaded: {e}"
            logger.error("%s; scoring requests get 503", app.state.load_error)
        try:
            yield
        finally:
            app.state.pool.close()

    app = FastAPI(
        title="Article scorer",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(router)
    _add_exception_handlers(app)
    app.add_middleware(BodyGuard, max_body_bytes=settings.max_body_bytes)
    return app


def _warm_up(scorer: Scorer) -> None:
    # Lazily loaded models load before the scoring processes fork (shared, and no first request pays
    # for loading them), as in `scorer audit`.
    scorer.preload()
    for text, lang in _WARM_UP:
        try:
            scorer.score(from_text(text, language=lang), clean=True)
        except Exception:  # a failing feature shows on the first request too; do not refuse to start
            logger.exception("warm-up scoring failed (%s)", lang)


def _add_exception_handlers(app: FastAPI) -> None:
    """Map each exception once to a status and a sentence the client can act on."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = describe_validation_errors(exc.errors())
        return _error(422, detail, errors=errors)

    @app.exception_handler(ModelNotLoadedError)
    async def model_not_loaded(_: Request, exc: ModelNotLoadedError) -> JSONResponse:
        return _error(
            503, f"model not loaded: {exc}" if not str(exc).startswith("model not loaded") else str(exc)
        )

    @app.exception_handler(ScorerError)
    async def scorer_error(_: Request, exc: ScorerError) -> JSONResponse:
        # InputError, ExtractionError: the input cannot be scored as sent.
        return _error(422, str(exc))

    @app.exception_handler(PayloadTooLarge)
    async def payload_too_large(_: Request, exc: PayloadTooLarge) -> JSONResponse:
        return _error(413, str(exc))

    @app.exception_handler(Unauthorized)
    async def unauthorized(_: Request, exc: Unauthorized) -> JSONResponse:
        return _error(401, "missing or wrong API key: send it in the X-API-Key header")

    @app.exception_handler(Overloaded)
    async def overloaded(_: Request, exc: Overloaded) -> JSONResponse:
        return _error(503, "the server is busy: retry in a moment", headers={"Retry-After": "1"})

    @app.exception_handler(ScoringTimeout)
    async def scoring_timeout(request: Request, exc: ScoringTimeout) -> JSONResponse:
        limit = request.app.state.settings.timeout
        return _error(
            503,
            f"scoring did not finish within {limit:g} s: retry later or send a shorter document",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input (bad input is mapped above): log it, answer JSON without internals.
        logger.error("unhandled error", exc_info=exc)
        return _error(500, "internal error while handling the request; it has been logged")

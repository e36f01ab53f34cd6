"""The FastAPI application factory: limits, error mapping and the scorer loaded once at start-up."""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import (
    API_KEY_HEADER,
    UNAUTHORIZED_DETAIL,
    WWW_AUTHENTICATE,
    PayloadTooLarge,
    Unauthorized,
    key_accepted,
)
from api.pool import Overloaded, ScoringPool, ScoringProcessDied, ScoringTimeout
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


class _Refusal(Exception):
    """A request refused before the application sees it: status, sentence, extra headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}
        # Set when the refusal came with the body's last message: nothing is left to read.
        self.body_read = False


class BodyGuard:
    """Checks a request with a body before the application sees it, in this order, each before any
    byte of the body is parsed: the API key (else 401), a JSON media type (else 415), at most
    `max_body_bytes` by the Content-Length header and by the bytes actually received (else 413), all
    of it within `body_timeout` seconds (else 408). The body is buffered (it is bounded) and replayed
    to the application.

    A refused body is read and thrown away, up to `drain_bytes`, before the answer: a client that
    sends its whole body before reading (urllib, most scripts) then reads the answer instead of a
    connection reset. A body declared larger than that, or one the client waits to be asked for
    (`Expect: 100-continue`), is answered at once and the connection closed."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        deadline = asyncio.get_running_loop().time() + self.settings.body_timeout
        try:
            body = await self._read(headers, receive, deadline)
        except _Refusal as refusal:
            await self._refuse(refusal, headers, receive, send, scope, deadline)
            return
        except _ClientLeft:
            return  # nobody to answer
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, headers: Headers, receive: Receive, deadline: float) -> bytes:
        settings = self.settings
        if not key_accepted(settings, headers.get(API_KEY_HEADER)):
            raise _Refusal(401, UNAUTHORIZED_DETAIL, {"WWW-Authenticate": WWW_AUTHENTICATE})
        content_type = headers.get("content-type")
        if content_type is not None and not _is_json(content_type):
            media = content_type.split(";", 1)[0].strip() or "(empty)"
            raise _Refusal(415, f"the body must be JSON (Content-Type: application/json), not {media}")
        too_large = _Refusal(413, f"body exceeds {settings.max_body_bytes / 1_000_000:g} MB")
        length = _content_length(headers)
        if length is not None and length > settings.max_body_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await _receive_by(receive, deadline, self.settings.body_timeout)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > settings.max_body_bytes:  # a chunked or lying body: stop keeping it at the limit
                too_large.body_read = not message.get("more_body", False)
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(
        self,
        refusal: _Refusal,
        headers: Headers,
        receive: Receive,
        send: Send,
        scope: Scope,
        deadline: float,
    ) -> None:
        """Answer `refusal` once the rest of the body is read and thrown away, if it is small enough
        and the client is sending it; else at once, closing the connection."""
        drained = refusal.body_read
        length = _content_length(headers)
        # Without the key, no more than a legitimate body is read for the client's sake.
        bound = self.settings.max_body_bytes if refusal.status == 401 else self.settings.drain_bytes
        bound = min(bound, self.settings.drain_bytes)
        if not drained and refusal.status != 408 and "100-continue" not in headers.get("expect", "").lower():
            if length is None or length <= bound:
                try:
                    drained = await self._drain(receive, deadline, bound)
                except _ClientLeft:
                    return
        extra = dict(refusal.headers)
        if not drained:  # the rest of the body is not read: the connection cannot carry another request
            extra["Connection"] = "close"
        await _error(refusal.status, refusal.detail, headers=extra)(scope, receive, send)

    async def _drain(self, receive: Receive, deadline: float, bound: int) -> bool:
        """Read and discard the rest of the body; whether all of it came, within `bound` bytes and the
        body's time."""
        size = 0
        while True:
            try:
                message = await _receive_by(receive, deadline, self.settings.body_timeout)
            except _Refusal:  # its time is up: answer now
                return False
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                return True
            if size > bound:
                return False


class _ClientLeft(Exception):
    """The client disconnected while its body was being read."""


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.strip().isdigit() else None


async def _receive_by(receive: Receive, deadline: float, body_timeout: float) -> Message:
    """The next body message, by `deadline`: 408 past it, _ClientLeft when the client disconnected."""
    left = deadline - asyncio.get_running_loop().time()
    try:
        message = await asyncio.wait_for(receive(), max(left, 0.0))
    except TimeoutError:
        raise _Refusal(
            408,
            f"the request body did not arrive within {body_timeout:g} s: send it at once, or a smaller one",
        ) from None
    if message["type"] == "http.disconnect":
        raise _ClientLeft()
    return message


# trafilatura's log lines about a page it finds no article in: "discarding data: None" (a warning,
# with the source it was given: none, here) and "parsed tree length: 0, wrong data type or not valid
# HTML" (an error). They say nothing an operator can act on: the client gets its 422 ("no article text
# could be extracted") for that page.
_TRAFILATURA_NOISE = {"trafilatura.core": "discarding data", "trafilatura.utils": "parsed tree length"}


class _PrefixFilter(logging.Filter):
    """Drops the records whose message starts with `prefix`."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


def quiet_trafilatura() -> None:
    """Filter trafilatura's no-article lines out of its loggers (once per process)."""
    for name, prefix in _TRAFILATURA_NOISE.items():
        log = logging.getLogger(name)
        if not any(isinstance(f, _PrefixFilter) and f.prefix == prefix for f in log.filters):
            log.addFilter(_PrefixFilter(prefix))


TAGS = [
    {"name": "scoring", "description": "Score articles: one, or a batch."},
    {"name": "catalogue", "description": "The signal codes the scorer can emit."},
    {"name": "service", "description": "Liveness and the loaded model."},
]

# Swagger UI and ReDoc are served from the files shipped in the `fastapi-offline` package (MIT; Swagger
# UI Apache-2.0, ReDoc MIT) instead of a CDN, so that /docs works on a network without internet.
DOCS_STATIC = "/docs-static"


def _docs_assets() -> str:
    return str(importlib.resources.files("fastapi_offline") / "static")


def _add_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc, with their JavaScript, CSS and icon served by the API itself."""
    app.mount(DOCS_STATIC, StaticFiles(directory=_docs_assets()), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + redirect_url,
            swagger_js_url=f"{root}{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_STATIC}/favicon.png",
            # No online validator badge (it would call an outside service).
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{DOCS_STATIC}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_STATIC}/favicon.png",
            with_google_fonts=False,
        )


def create_app(
    settings: ApiSettings | None = None,
    *,
    load_scorer: Callable[[], Scorer] = default_scorer,
    warm_up: bool = True,
) -> FastAPI:
    """The API. `load_scorer` is called once, at start-up (by default the CLI's process-wide scorer,
    so that a document scores the same over HTTP as on the command line).

    Also the factory for running it with uvicorn directly: `uvicorn --factory api.app:create_app`
    (default settings; `scorer serve` adds the server's limits and the scoring processes)."""
    settings = settings or ApiSettings()
    quiet_trafilatura()

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
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(router)
    _add_docs(app)
    _add_exception_handlers(app)
    app.add_middleware(BodyGuard, settings=settings)
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
        return _error(401, UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": WWW_AUTHENTICATE})

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

    @app.exception_handler(ScoringProcessDied)
    async def scoring_process_died(_: Request, exc: ScoringProcessDied) -> JSONResponse:
        # The process was killed (out of memory, a crash in an extension); a replacement is running.
        return _error(
            503,
            "the scoring process died while scoring this request: retry; if it happens again with this "
            "document, send a shorter one",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input (bad input is mapped above): log it, answer JSON without internals.
        logger.error("unhandled error", exc_info=exc)
        return _error(500, "internal error while handling the request; it has been logged")

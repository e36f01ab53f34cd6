"""What the routes depend on, as typed dependencies: the API's settings (`SettingsDep`), the scorer
loaded at start-up (`ScorerDep`), the scoring pool (`PoolDep`) and the API key check.

The dependencies are `async def` although they do not await: FastAPI runs a plain `def` dependency
in a thread, and a thread hop per dependency costs more than the dependency itself."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from api.pool import ScoringPool
from api.settings import ApiSettings
from scorer.engine import Scorer
from scorer.errors import ModelNotLoadedError

API_KEY_HEADER = "X-API-Key"
# Sent with every 401 (RFC 9110 requires a challenge): the scheme is the key in a header, not HTTP auth.
WWW_AUTHENTICATE = f'ApiKey header="{API_KEY_HEADER}"'
UNAUTHORIZED_DETAIL = f"missing or wrong API key: send it in the {API_KEY_HEADER} header"


class Unauthorized(Exception):
    """The API key is missing or wrong."""


class PayloadTooLarge(Exception):
    """The request is over a size limit; the message says which and what to do."""


async def get_settings(request: Request) -> ApiSettings:
    """The settings the app was created with."""
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_scorer(request: Request) -> Scorer:
    """The scorer loaded at start-up; 503 when it could not be loaded."""
    scorer = getattr(request.app.state, "scorer", None)
    if scorer is None:
        raise ModelNotLoadedError(
            getattr(request.app.state, "load_error", None) or "the model is not loaded yet"
        )
    return scorer  # type: ignore[no-any-return]


async def get_pool(request: Request) -> ScoringPool:
    """The scoring thread pool of this worker."""
    return request.app.state.pool  # type: ignore[no-any-return]


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
ScorerDep = Annotated[Scorer, Depends(get_scorer)]
PoolDep = Annotated[ScoringPool, Depends(get_pool)]


# auto_error=False: a missing key is reported by `require_api_key` with the API's own 401 sentence.
_api_key_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="The API key, when the server was started with one."
)


def key_accepted(settings: ApiSettings, key: str | None) -> bool:
    """Whether a request with this key (None: without one) may proceed: authentication is off, or the
    key matches (compared in constant time)."""
    if settings.api_key is None:
        return True
    return key is not None and hmac.compare_digest(key.encode("utf-8"), settings.api_key.encode("utf-8"))


async def require_api_key(
    settings: SettingsDep,
    key: Annotated[str | None, Depends(_api_key_header)],
) -> None:
    """Pass when authentication is off or the key matches; else 401. Requests with a body are checked
    before it is read, by `api.app.BodyGuard`; this check covers the others and the OpenAPI document."""
    if not key_accepted(settings, key):
        raise Unauthorized()

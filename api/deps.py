"""What the routes depend on: the API's settings, the scorer loaded at start-up, the API key check,
and the bounded thread pool that runs the CPU-bound scoring off the event loop.

The dependencies are `async def` although they do not await: FastAPI runs a plain `def` dependency
in a thread, and a thread hop per dependency costs more than the dependency itself."""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from scorer.engine import Scorer
from scorer.errors import ModelNotLoadedError

logger = logging.getLogger(__name__)

T = TypeVar("T")

API_KEY_HEADER = "X-API-Key"


@dataclass(frozen=True)
class ApiSettings:
    """Limits and options of one API instance, passed to `create_app`; nothing here reads the environment."""

    # None: no authentication. Otherwise every scoring and catalogue route needs this key.
    api_key: str | None = None
    # Bytes of request body; larger bodies get 413 before any parsing.
    max_body_bytes: int = 2_000_000
    # Documents per `POST /score/batch`.
    max_batch: int = 32
    # Seconds one request's scoring may take before the client gets 503 (the work itself is bounded
    # by the text caps of `scorer.documents`; this bounds what a client waits for).
    timeout: float = 20.0
    # Seconds a request may wait for a free scoring thread before the client gets 503 (overload).
    queue_timeout: float = 10.0
    # Scoring threads per worker process. Scoring holds the GIL most of the time, so a second thread
    # only interleaves work and costs more CPU per request (GIL hand-offs every switch interval: ~8%
    # more server CPU per request at 16 clients, bench/load_api.py); use worker processes for cores.
    threads: int = 1
    # Scoring processes forked from this worker once the model is loaded (0: score in `threads`
    # threads of this process). With one server worker and N scoring processes, every request waits
    # in one queue for the first free process, whichever connection it came on; with N server workers
    # each keeps the connections it accepted, and an uneven split of the clients shows in the latency.
    processes: int = 0

    def __post_init__(self) -> None:
        if self.api_key is not None and not self.api_key:
            raise ValueError("api_key must be None (authentication off) or a non-empty string")
        for name in ("max_body_bytes", "max_batch", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.processes < 0:
            raise ValueError("processes must be 0 (threads) or more")
        if self.timeout <= 0 or self.queue_timeout <= 0:
            raise ValueError("timeout and queue_timeout must be positive")


class Overloaded(Exception):
    """Every scoring thread stayed busy for `queue_timeout` seconds."""


class ScoringTimeout(Exception):
    """A request's scoring did not finish within `timeout` seconds."""


class Unauthorized(Exception):
    """The API key is missing or wrong."""


class PayloadTooLarge(Exception):
    """The request is over a size limit; the message says which and what to do."""


# In a scoring process: the scorer it inherited from the server worker when it was forked.
_forked_scorer: Scorer | None = None


def _with_forked_scorer(fn: Callable[..., T], *args: Any) -> T:
    """`fn(scorer, *args)` in a scoring process, with the scorer inherited at the fork (never pickled)."""
    return fn(_forked_scorer, *args)


def _ready() -> bool:
    return _forked_scorer is not None


class ScoringPool:
    """Runs scoring in a few threads, or in `processes` forked processes, at most as many at a time as
    there are threads or processes, with a bound on the wait and on the work a client waits for. A
    thread or process that overruns keeps its slot until it finishes, so overruns cannot pile up more
    work than there are slots."""

    def __init__(self, threads: int, timeout: float, queue_timeout: float, processes: int = 0) -> None:
        self.threads = processes or threads
        self.processes = processes
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self._executor: Executor | None = (
            None if processes else ThreadPoolExecutor(max_workers=threads, thread_name_prefix="scoring")
        )
        self._slots: asyncio.Semaphore | None = None

    def start(self, scorer: Scorer) -> None:
        """Fork the scoring processes, if any, now that `scorer` is loaded: they share its memory
        (copy-on-write) instead of loading their own."""
        if not self.processes:
            return
        global _forked_scorer
        _forked_scorer = scorer
        # The model's objects will live as long as the server: out of the collector's reach, so that
        # its passes do not write to (and so copy) the pages the processes share.
        gc.collect()
        gc.freeze()
        executor = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("fork"))
        # A fork-context pool starts all its processes at the first task: start them here, not on
        # the first request.
        if not executor.submit(_ready).result():
            raise RuntimeError("a scoring process has no scorer")
        self._executor = executor

    async def run(self, fn: Callable[..., T], scorer: Scorer, *args: Any) -> T:
        """`fn(scorer, *args)` in a scoring thread or process; raises Overloaded or ScoringTimeout."""
        if self._executor is None:
            raise RuntimeError("the scoring pool was not started")
        if self._slots is None:  # created on the serving loop, not at construction
            self._slots = asyncio.Semaphore(self.threads)
        slots = self._slots
        try:
            await asyncio.wait_for(slots.acquire(), self.queue_timeout)
        except TimeoutError:
            raise Overloaded() from None
        loop = asyncio.get_running_loop()
        try:
            if self.processes:
                future = loop.run_in_executor(self._executor, _with_forked_scorer, fn, *args)
            else:
                future = loop.run_in_executor(self._executor, fn, scorer, *args)
        except BaseException:
            slots.release()
            raise
        future.add_done_callback(lambda _: slots.release())
        try:
            # shield: a timeout stops the wait, not the thread or process; the slot is released when
            # it is done.
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except TimeoutError:
            logger.warning("scoring exceeded %.1f s; the client got 503", self.timeout)
            raise ScoringTimeout() from None

    def close(self) -> None:
        """Stop accepting work; running scoring finishes in the background."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)


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


# auto_error=False: a missing key is reported by `require_api_key` with the API's own 401 sentence.
_api_key_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="The API key, when the server was started with one."
)


async def require_api_key(
    settings: Annotated[ApiSettings, Depends(get_settings)],
    key: Annotated[str | None, Depends(_api_key_header)],
) -> None:
    """Pass when authentication is off or the key matches (in constant time); else 401."""
    if settings.api_key is None:
        return
    if key is None or not hmac.compare_digest(key.encode("utf-8"), settings.api_key.encode("utf-8")):
        raise Unauthorized()

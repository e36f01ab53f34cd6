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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
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


def _ready(scorer: Scorer | None) -> bool:
    return scorer is not None


def _scoring_process(conn: Connection, parent_end: Connection) -> None:
    """The loop of a forked scoring process: receive `(fn, args)`, answer `(True, fn(scorer, *args))`
    or `(False, exception)`, until the server closes its end of the pipe."""
    parent_end.close()
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, fn(_forked_scorer, *args))
        except BaseException as e:  # the server re-raises it for its exception handlers
            answer = (False, e)
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return
        except Exception as e:  # an answer that cannot be pickled is a bug; the request gets a 500
            conn.send((False, RuntimeError(f"unpicklable scoring answer: {type(e).__name__}")))


class _Process:
    """One forked scoring process and the server's end of its pipe."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_scoring_process, args=(child, self.conn), name="scoring", daemon=True
        )
        self.process.start()
        child.close()
        self.future: asyncio.Future[Any] | None = None

    def close(self) -> None:
        self.conn.close()  # the process exits when it has answered the request it is on, if any
        self.process.join(timeout=0.5)
        if self.process.is_alive():
            self.process.terminate()


class ScoringPool:
    """Runs scoring in a few threads, or in `processes` forked processes, at most as many at a time as
    there are threads or processes, with a bound on the wait and on the work a client waits for. A
    thread or process that overruns keeps its slot until it finishes, so overruns cannot pile up more
    work than there are slots.

    The processes are driven from the event loop itself: a request is written to a free process's
    pipe and the answer is read when the loop sees the pipe readable. A ProcessPoolExecutor would
    add two threads to the server (its manager and its queue feeder) whose hand-offs of the GIL with
    the event loop cost more, under load, than the scoring they dispatch."""

    def __init__(self, threads: int, timeout: float, queue_timeout: float, processes: int = 0) -> None:
        self.threads = processes or threads
        self.processes = processes
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self._executor: ThreadPoolExecutor | None = (
            None if processes else ThreadPoolExecutor(max_workers=threads, thread_name_prefix="scoring")
        )
        self._idle: list[_Process] = []
        self._started = False
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
        self._idle = [_Process() for _ in range(self.processes)]
        for proc in self._idle:
            proc.conn.send((_ready, ()))
            ok, ready = proc.conn.recv()
            if not (ok and ready):
                raise RuntimeError("a scoring process has no scorer")
        self._started = True

    async def run(self, fn: Callable[..., T], scorer: Scorer, *args: Any) -> T:
        """`fn(scorer, *args)` in a scoring thread or process; raises Overloaded or ScoringTimeout."""
        if (self._executor is None) and not self._started:
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
                future = self._submit(loop, fn, args)
            else:
                future = loop.run_in_executor(self._executor, fn, scorer, *args)
        except BaseException:
            slots.release()
            raise
        future.add_done_callback(lambda _: slots.release())
        try:
            # shield: a timeout stops the wait, not the thread or process; the slot is released when
            # it is done.
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)  # type: ignore[no-any-return]
        except TimeoutError:
            logger.warning("scoring exceeded %.1f s; the client got 503", self.timeout)
            raise ScoringTimeout() from None

    def _submit(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> asyncio.Future[Any]:
        # A slot was acquired, and there are as many slots as processes: one is idle.
        proc = self._idle.pop()
        proc.future = loop.create_future()
        loop.add_reader(proc.conn.fileno(), self._answer, loop, proc)
        try:
            proc.conn.send((fn, args))
        except BaseException:
            loop.remove_reader(proc.conn.fileno())
            self._idle.append(proc)
            raise
        return proc.future

    def _answer(self, loop: asyncio.AbstractEventLoop, proc: _Process) -> None:
        """The process's pipe is readable: its answer, or the end of a process that died."""
        loop.remove_reader(proc.conn.fileno())
        future, proc.future = proc.future, None
        try:
            ok, value = proc.conn.recv()
        except (EOFError, OSError):
            logger.error("a scoring process died (exit code %s)", proc.process.exitcode)
            proc.close()
            ok, value = False, RuntimeError("the scoring process died")
            if self._started:
                self._idle.append(_Process())  # its replacement
        else:
            if self._started:
                self._idle.append(proc)
            else:  # the pool was closed while this process was busy: it ends now that it has answered
                proc.close()
        if future is not None and not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def close(self) -> None:
        """Stop accepting work; running scoring finishes in the background (a busy scoring process
        ends when it has answered, or with the server)."""
        self._started = False
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        for proc in self._idle:
            proc.close()
        self._idle = []


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

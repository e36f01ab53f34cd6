"""The scoring pool of one server worker: a few threads, or processes forked once the model is
loaded, that run the CPU-bound scoring off the event loop, with bounds on the requests in progress,
on their wait and on the work a client waits for."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import struct
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, TypeVar

from scorer.engine import Scorer

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Overloaded(Exception):
    """Every scoring thread stayed busy for `queue_timeout` seconds."""


class ScoringTimeout(Exception):
    """A request's scoring did not finish within `timeout` seconds."""


# In a scoring process: the scorer it inherited from the server worker when it was forked.
_forked_scorer: Scorer | None = None

# A message on a pipe between the server and a scoring process: its length (8 bytes, little-endian),
# then a pickle of `(fn, args)` (a request) or `(ok, value)` (an answer).
_HEADER = struct.Struct("<Q")


def _fail(future: asyncio.Future[Any], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


def _ready(scorer: Scorer | None) -> bool:
    return scorer is not None


def _frame(obj: Any) -> bytes:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


def _scoring_process(requests: int, answers: int, inherited: list[int]) -> None:
    """The loop of a forked scoring process: read `(fn, args)` from the `requests` pipe, write
    `(True, fn(scorer, *args))` or `(False, exception)` to the `answers` pipe, in order, until the
    server closes its end of the requests pipe."""
    # Ctrl-C in a terminal reaches the whole process group: the server shuts down, closes the pipes
    # and this process ends then, having answered what it was on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in inherited:  # the server's ends of every process's pipes, this one's included
        with contextlib.suppress(OSError):
            os.close(fd)
    with open(requests, "rb") as inbox, open(answers, "wb") as outbox:
        while True:
            head = inbox.read(_HEADER.size)
            size = _HEADER.unpack(head)[0] if len(head) == _HEADER.size else -1
            body = inbox.read(size) if size >= 0 else b""
            if len(body) != size:
                return  # the server closed the pipe
            fn, args = pickle.loads(body)
            try:
                answer: tuple[bool, Any] = (True, fn(_forked_scorer, *args))
            except BaseException as e:  # the server re-raises it for its exception handlers
                answer = (False, e)
            try:
                message = _frame(answer)
            except Exception as e:  # an answer that cannot be pickled is a bug; the request gets a 500
                message = _frame((False, RuntimeError(f"unpicklable scoring answer: {type(e).__name__}")))
            try:
                outbox.write(message)
                outbox.flush()  # the whole message, however many writes the pipe takes
            except OSError:
                return


class _Process:
    """One forked scoring process, the server's ends of its two pipes, and the requests it holds.

    The server never blocks on the pipes: a request is written as far as the pipe takes it and the
    rest when the pipe is writable again; answers are read as they come and cut into messages."""

    # The server's ends of the pipes of every live process, which a newly forked process closes.
    _server_fds: ClassVar[set[int]] = set()

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        req_read, self.req_write = os.pipe()
        self.ans_read, ans_write = os.pipe()
        _Process._server_fds.update((self.req_write, self.ans_read))
        self.process = ctx.Process(
            target=_scoring_process,
            args=(req_read, ans_write, sorted(_Process._server_fds)),
            name="scoring",
            daemon=True,
        )
        try:
            self.process.start()
        except BaseException:
            for fd in (self.req_write, self.ans_read):
                _Process._server_fds.discard(fd)
                os.close(fd)
            raise
        finally:
            os.close(req_read)
            os.close(ans_write)
        # Requests sent and not yet answered, oldest first: the process answers in order.
        self.pending: deque[tuple[asyncio.Future[Any], bytes]] = deque()
        self._outgoing = bytearray()
        self._incoming = bytearray()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(scorer, *args)` in the process, waiting for the answer (before the pipes go non-blocking)."""
        os.write(self.req_write, _frame((fn, args)))
        head = self._read_exactly(_HEADER.size)
        ok, value = pickle.loads(self._read_exactly(_HEADER.unpack(head)[0]))
        if not ok:
            raise value
        return value

    def _read_exactly(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            chunk = os.read(self.ans_read, n - len(out))
            if not chunk:
                raise RuntimeError("the scoring process ended at start-up")
            out += chunk
        return bytes(out)

    def attach(
        self,
        loop: asyncio.AbstractEventLoop,
        on_answer: Callable[[_Process, bool, Any], None],
        on_end: Callable[[_Process], None],
    ) -> None:
        """Serve the pipes from `loop` from now on: `on_answer(self, ok, value)` per answer, in order,
        and `on_end(self)` once when the process's end of the pipe closes (it exited or died)."""
        os.set_blocking(self.req_write, False)
        os.set_blocking(self.ans_read, False)
        self._loop = loop
        self._on_answer, self._on_end = on_answer, on_end
        loop.add_reader(self.ans_read, self._readable)

    def send(self, future: asyncio.Future[Any], message: bytes) -> None:
        """Queue one framed request for the process; it is written without blocking the loop."""
        assert self._loop is not None
        self.pending.append((future, message))
        self._write(message)

    def _write(self, message: bytes) -> None:
        if self._outgoing:  # earlier bytes wait for the pipe: these go after them
            self._outgoing += message
            return
        try:
            sent = os.write(self.req_write, message)
        except BlockingIOError:
            sent = 0
        except OSError:  # the process is gone; its end of the answers pipe reports it
            return
        if sent < len(message):
            self._outgoing += message[sent:]
            assert self._loop is not None
            self._loop.add_writer(self.req_write, self._writable)

    def _writable(self) -> None:
        try:
            sent = os.write(self.req_write, self._outgoing)
        except BlockingIOError:
            return
        except OSError:
            sent = len(self._outgoing)
        del self._outgoing[:sent]
        if not self._outgoing:
            assert self._loop is not None
            self._loop.remove_writer(self.req_write)

    def _readable(self) -> None:
        try:
            chunk = os.read(self.ans_read, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.detach()
            self._on_end(self)
            return
        self._incoming += chunk
        while len(self._incoming) >= _HEADER.size:
            end = _HEADER.size + _HEADER.unpack_from(self._incoming)[0]
            if len(self._incoming) < end:
                break
            ok, value = pickle.loads(self._incoming[_HEADER.size : end])
            del self._incoming[:end]
            self._on_answer(self, ok, value)

    def detach(self) -> None:
        """Stop serving the pipes from the loop."""
        if self._loop is not None:
            self._loop.remove_reader(self.ans_read)
            self._loop.remove_writer(self.req_write)
            self._loop = None

    def close(self) -> None:
        """Close the server's ends; the process exits once it has answered what it already read."""
        self.detach()
        for fd in (self.req_write, self.ans_read):
            _Process._server_fds.discard(fd)
            with contextlib.suppress(OSError):
                os.close(fd)
        self.process.join(timeout=0.5)
        if self.process.is_alive():
            self.process.terminate()


class ScoringPool:
    """Runs scoring in a few threads, or in `processes` forked processes, with a bound on the requests
    in progress, on their wait and on the work a client waits for. A thread or process that overruns
    keeps its slot until it finishes, so overruns cannot pile up more work than there are slots.

    Each process holds up to `pipeline` requests: the one it is scoring and the next ones, already in
    its pipe, so that it starts the next as soon as it has answered instead of waiting for the event
    loop to be scheduled and send it (on 2 cores under load, that wait left ~8% of the CPU idle). A
    request goes to the process holding the fewest. The price: a request queued behind a long one in
    one process waits for it even if the other process frees up first.

    The processes are driven from the event loop itself, through non-blocking pipes. A
    ProcessPoolExecutor would add two threads to the server (its manager and its queue feeder) whose
    hand-offs of the GIL with the event loop cost more, under load, than the scoring they dispatch."""

    def __init__(
        self, threads: int, timeout: float, queue_timeout: float, processes: int = 0, pipeline: int = 2
    ) -> None:
        if pipeline < 1:
            raise ValueError("pipeline must be at least 1")
        # Requests in progress at a time: in the threads, or held by the processes.
        self.slots = processes * pipeline or threads
        self.processes = processes
        self.pipeline = pipeline
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self._executor: ThreadPoolExecutor | None = (
            None if processes else ThreadPoolExecutor(max_workers=threads, thread_name_prefix="scoring")
        )
        self._procs: list[_Process] = []
        self._loop: asyncio.AbstractEventLoop | None = None
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
        self._procs = [_Process() for _ in range(self.processes)]
        for proc in self._procs:
            if not proc.call(_ready):
                raise RuntimeError("a scoring process has no scorer")
        self._started = True
        with contextlib.suppress(RuntimeError):  # started on the serving loop: a death is seen at once
            self._attach(asyncio.get_running_loop())

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        for proc in self._procs:
            proc.attach(loop, self._answer, self._ended)

    async def run(self, fn: Callable[..., T], scorer: Scorer, *args: Any) -> T:
        """`fn(scorer, *args)` in a scoring thread or process; raises Overloaded or ScoringTimeout."""
        if (self._executor is None) and not self._started:
            raise RuntimeError("the scoring pool was not started")
        if self._slots is None:  # created on the serving loop, not at construction
            self._slots = asyncio.Semaphore(self.slots)
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
        if self._loop is not loop:  # started outside a loop: the pipes are served from this one from now on
            self._attach(loop)
        if not self._procs:
            raise RuntimeError("no scoring process is running")
        message = _frame((fn, args))
        # A slot was acquired, and there are `pipeline` slots per process: one holds fewer.
        proc = min(self._procs, key=lambda p: len(p.pending))
        future = loop.create_future()
        proc.send(future, message)
        return future

    def _answer(self, proc: _Process, ok: bool, value: Any) -> None:
        """The process answered its oldest request."""
        future, _ = proc.pending.popleft()
        if not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        if proc.closing and not proc.pending:  # the pool was closed: it ends now that it has answered
            proc.close()

    def _ended(self, proc: _Process) -> None:
        """The process's end of the pipe closed: it died (or exited after the pool was closed). The
        request it was on fails; a replacement is started and takes the ones waiting behind it."""
        proc.close()
        if proc in self._procs:
            self._procs.remove(proc)
        if self._started:
            logger.error("a scoring process died (exit code %s)", proc.process.exitcode)
        if proc.pending:
            future, _ = proc.pending.popleft()
            _fail(future, RuntimeError("the scoring process died"))
        replacement: _Process | None = None
        if self._started and self._loop is not None:
            try:
                replacement = _Process()
            except OSError as e:
                logger.error("no scoring process could be started to replace it: %s", e)
            else:
                replacement.attach(self._loop, self._answer, self._ended)
                self._procs.append(replacement)
        for future, message in proc.pending:
            if replacement is not None:
                replacement.send(future, message)
            else:
                _fail(future, RuntimeError("no scoring process is running"))
        proc.pending.clear()

    def close(self) -> None:
        """Stop accepting work; running scoring finishes in the background (a busy scoring process
        ends when it has answered what it holds, or with the server)."""
        self._started = False
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        for proc in self._procs:
            if proc.pending:
                proc.closing = True
            else:
                proc.close()
        self._procs = []

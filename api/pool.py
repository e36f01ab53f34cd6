"""The scoring pool of one server worker: a few threads, or processes forked once the model is
loaded, that run the CPU-bound scoring off the event loop, with bounds on the requests in progress,
on their wait and on the work a client waits for."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import pickle
import resource
import signal
import struct
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from scorer.engine import Scorer

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Overloaded(Exception):
    """Every scoring thread stayed busy for `queue_timeout` seconds."""


class ScoringTimeout(Exception):
    """A request's scoring did not finish within `timeout` seconds."""


class ScoringProcessDied(Exception):
    """The scoring process holding the request died (killed, out of memory, a crash in an extension)."""


# In a scoring process: the scorer it inherited from the server worker when it was forked.
_forked_scorer: Scorer | None = None

# A message on a pipe between the server and a scoring process: its length (8 bytes, little-endian),
# then a pickle of `(deadline, fn, args)` (a request) or `(ok, value)` (an answer).
_HEADER = struct.Struct("<Q")

# CPU seconds a scoring process may use past a request's deadline before the kernel ends it (SIGXCPU):
# the bound that holds even when the server cannot end it (its event loop stalled, or the server died).
CPU_GRACE_SECONDS = 2.0
# How long closing a process waits for it to exit before it is killed.
_EXIT_WAIT_SECONDS = 0.5


def _fail(future: asyncio.Future[Any], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


def _ready(scorer: Scorer | None) -> bool:
    return scorer is not None


def _frame(obj: Any) -> bytes:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


def _max_fd() -> int:
    try:
        return max(256, min(int(os.sysconf("SC_OPEN_MAX")), 1 << 20))
    except (ValueError, OSError):  # pragma: no cover - sysconf without that name
        return 1 << 16


def _close_inherited(keep: set[int]) -> None:
    """Close every descriptor but stdio and `keep`. A process forked mid-service inherits the server's
    listening socket and its clients' connections: held here, a connection the server closed would
    stay open (its client's next request hangs) and the port would stay taken after the server died."""
    low = 3
    for fd in sorted(keep | {_max_fd()}):
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1


def _bound_cpu(seconds: float) -> None:
    """Let this process use at most `seconds` more CPU before the kernel ends it (RLIMIT_CPU, soft)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + max(seconds, 0.0)) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _scoring_process(requests: int, answers: int) -> None:
    """The loop of a forked scoring process: read `(deadline, fn, args)` from the `requests` pipe, write
    `(True, fn(scorer, *args))` or `(False, exception)` to the `answers` pipe, in order, until the
    server closes its end of the requests pipe. A request read past its deadline is answered with
    ScoringTimeout unscored (its client already has its 503); each one runs under a CPU limit."""
    # The server's signal handling is not this process's: Ctrl-C in a terminal reaches the whole process
    # group (the server shuts down, closes the pipes and this process ends then, having answered what
    # it was on); SIGTERM ends it; the server's wake-up descriptor is closed below.
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_DFL)
    # A process the kernel ends for its CPU limit leaves no core file.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    _close_inherited({requests, answers})
    with open(requests, "rb") as inbox, open(answers, "wb") as outbox:
        while True:
            head = inbox.read(_HEADER.size)
            size = _HEADER.unpack(head)[0] if len(head) == _HEADER.size else -1
            body = inbox.read(size) if size >= 0 else b""
            if len(body) != size:
                return  # the server closed the pipe
            deadline, fn, args = pickle.loads(body)
            left = deadline - time.monotonic()
            answer: tuple[bool, Any]
            if left <= 0:
                answer = (False, ScoringTimeout())
            else:
                _bound_cpu(left + CPU_GRACE_SECONDS)
                try:
                    answer = (True, fn(_forked_scorer, *args))
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


def _fork_scoring_process() -> tuple[int, int, int]:
    """Fork a scoring process: its pid, and the server's ends of its requests and answers pipes."""
    req_read, req_write = os.pipe()
    ans_read, ans_write = os.pipe()
    try:
        pid = os.fork()
    except BaseException:
        for fd in (req_read, req_write, ans_read, ans_write):
            os.close(fd)
        raise
    if pid == 0:  # the scoring process: never returns into the server's code
        code = 0
        try:
            _scoring_process(req_read, ans_write)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(req_read)
    os.close(ans_write)
    return pid, req_write, ans_read


class _Process:
    """One forked scoring process, the server's ends of its two pipes, and the requests it holds.

    The server never blocks on the pipes: a request is written as far as the pipe takes it and the
    rest when the pipe is writable again; answers are read as they come and cut into messages."""

    def __init__(self) -> None:
        self.pid, self.req_write, self.ans_read = _fork_scoring_process()
        self.exitcode: int | None = None  # negative: the signal that ended it
        self.cpu_seconds = 0.0  # CPU time it used, once reaped
        # Requests sent and not yet answered, oldest first: the process answers in order.
        self.pending: deque[tuple[asyncio.Future[Any], bytes]] = deque()
        self._outgoing = bytearray()
        self._incoming = bytearray()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float = 60.0) -> Any:
        """`fn(scorer, *args)` in the process, waiting for the answer (before the pipes go non-blocking)."""
        os.write(self.req_write, _frame((time.monotonic() + timeout, fn, args)))
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

    def alive(self) -> bool:
        """Whether the process has not exited yet (reaping it if it has)."""
        if self.exitcode is not None:
            return False
        try:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            self.exitcode = -1
            return False
        if pid == 0:
            return True
        self.exitcode = os.waitstatus_to_exitcode(status)
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        return False

    def kill(self) -> None:
        """End the process now (SIGKILL): it overran its request's time, or the pool is closing."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def join(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the process to exit; whether it has."""
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

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
        """Close the server's ends; the process exits once it has answered what it already read (it
        is killed if it has not within a moment) and is reaped."""
        self.detach()
        for fd in (self.req_write, self.ans_read):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.req_write = self.ans_read = -1
        if not self.join(_EXIT_WAIT_SECONDS):
            self.kill()
            self.join(_EXIT_WAIT_SECONDS)


class ScoringPool:
    """Runs scoring in a few threads, or in `processes` forked processes, with a bound on the requests
    in progress, on their wait and on the work a client waits for.

    In processes the time bound is enforced: a request still scoring at its deadline has its process
    killed (the request gets ScoringTimeout, the ones queued behind it go to the replacement), and
    each request runs under a CPU limit (RLIMIT_CPU) that ends the process even if the server cannot.
    In threads it is advisory: a thread cannot be stopped, so one that overruns keeps its slot until it
    finishes (overruns cannot pile up more work than there are slots, but they hold the slots).

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
        """`fn(scorer, *args)` in a scoring thread or process; raises Overloaded, ScoringTimeout or
        ScoringProcessDied."""
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
            # shield: the wait stops at the deadline; the slot is released when the thread or process
            # is done with the request (a process: at once, since it is killed below).
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)  # type: ignore[no-any-return]
        except TimeoutError:
            if self.processes:
                self._overran(future)
                logger.warning(
                    "scoring exceeded %.1f s: its process was ended; the client got 503", self.timeout
                )
            else:
                logger.warning(
                    "scoring exceeded %.1f s; the client got 503 (a thread cannot be stopped: it keeps "
                    "its slot until it finishes)",
                    self.timeout,
                )
            raise ScoringTimeout() from None

    def _submit(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> asyncio.Future[Any]:
        if self._loop is not loop:  # started outside a loop: the pipes are served from this one from now on
            self._attach(loop)
        if not self._procs:
            raise ScoringProcessDied("no scoring process is running")
        message = _frame((time.monotonic() + self.timeout, fn, args))
        # A slot was acquired, and there are `pipeline` slots per process: one holds fewer.
        proc = min(self._procs, key=lambda p: len(p.pending))
        future = loop.create_future()
        proc.send(future, message)
        return future

    def _overran(self, future: asyncio.Future[Any]) -> None:
        """`future`'s request passed its deadline: the process scoring it is killed (its end is then
        handled by `_ended`). A request still waiting in a pipe is answered unscored by its process,
        which sees the deadline passed."""
        _fail(future, ScoringTimeout())
        for proc in self._procs:
            if proc.pending and proc.pending[0][0] is future:
                proc.kill()
                return

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
        """The process's end of the pipe closed: it died, was killed for overrunning, or exited after
        the pool was closed. The request it was on fails; a replacement is started and takes the ones
        waiting behind it."""
        proc.close()
        if proc in self._procs:
            self._procs.remove(proc)
        if self._started:
            overran = bool(proc.pending) and proc.pending[0][0].done()
            if not overran:
                logger.error("a scoring process died (exit code %s)", proc.exitcode)
        if proc.pending:
            future, _ = proc.pending.popleft()
            _fail(future, ScoringProcessDied("the scoring process died"))
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
            if future.done():  # its client already has its answer (a timeout)
                continue
            if replacement is not None:
                replacement.send(future, message)
            else:
                _fail(future, ScoringProcessDied("no scoring process is running"))
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

"""`--engine ray`: score a corpus on Ray, on a local Ray cluster or an existing one.

The driver reads the inputs with the readers of the default engine (`scorer.ingest.inputs.iter_items`,
so the same items in the same order with the same locations) and hands them out in blocks of `BATCH`
to long-lived scoring actors, one per worker CPU. Each actor builds its scorer once, when it starts
(`scorer.corpus.batch.process_scorer`: the model, the lexicons and spaCy's pipeline), and scores every
block it receives with `score_batch`; HTML extraction runs in the actors too. At most `AHEAD` blocks
wait on each actor and at most `BUFFERED` blocks per actor are held by the driver (scored, waiting for
an earlier block to come back), so memory stays bounded whatever the input size and results come back
in input order.

Why actors and not Ray Data: on the 2-CPU machine this engine is benchmarked on, a Ray Data pipeline
(`map_batches` over a callable class) spent 33-35 ms of CPU per document against 27-28 ms for the
process pool (its per-block bookkeeping in the actors, the driver's streaming executor, its statistics
actor), started three helper actors of its own, each a Python process importing Ray, and took twice
as long to return its first result; these actors spend 28 ms (see docs/scale.md).

Items and outcomes cross process (and machine) boundaries pickled by Ray: they are this package's
own dataclasses, produced by its own readers; nothing from the outside is unpickled.

Ray processes are started fresh, not forked, so each actor holds its own copy of the model and
lexicons (about 350 MB with spaCy's French pipeline; see docs/scale.md).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from scorer.config import Settings
from scorer.corpus.batch import Outcome, Record, score_batch
from scorer.corpus.parallel import available_cores
from scorer.errors import ScorerError
from scorer.ingest.inputs import DEFAULT_OPTIONS, InputFailure, Item, ReadOptions, iter_items

logger = logging.getLogger(__name__)

INSTALL_HINT = "the ray engine needs Ray: pip install 'article-scorer[ray]'"
# Documents per actor call: a call costs Ray about a millisecond (driver and actor together), a
# document about 30 ms of scoring, so 16 documents make the call's share negligible while a block of
# long articles is still small enough (~100 KB) to be sent inline, without the object store.
BATCH = 16
AHEAD = 2  # blocks queued per actor: the next block is there when one finishes, no more
BUFFERED = 4  # blocks per actor the driver may hold, scored, waiting for an earlier block
LOCAL_OBJECT_STORE = 512 * 1024 * 1024  # bytes: blocks go inline; do not reserve 30% of RAM
# Ray's own switches, set before it starts: no usage statistics collected or sent, no warning about
# container CPU limits (the CPU count is given).
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1"}
RETRIES = 1  # a block whose actor died is sent once more (to a restarted actor) before it is reported


def _import_ray(local: bool = False) -> Any:
    for key, value in RAY_ENV.items():
        os.environ.setdefault(key, value)
    if local and "ray" not in sys.modules:
        # Ray replaces a loopback node address by the machine's network address unless it treats the
        # cluster as single-machine, which this switch (read when Ray is imported) does on Linux too:
        # a local cluster then listens on 127.0.0.1 only.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    if local:
        # Ray runs its workers at nice 15 by default; the scoring actors are the job itself, and run at
        # the priority the process pool's workers have.
        os.environ.setdefault("RAY_worker_niceness", "0")
    try:
        import ray
    except ImportError as e:
        raise ScorerError(INSTALL_HINT) from e
    return ray


def available() -> bool:
    """Whether Ray can be imported."""
    try:
        _import_ray()
    except ScorerError:
        return False
    return True


# --- the scoring actor (runs in a Ray worker) ---------------------------------------------------------


class ScoringActor:
    """One per worker CPU: holds that process's scorer and scores the blocks it is sent."""

    def __init__(self, settings: Settings, options: ReadOptions, want_text: bool) -> None:
        from scorer.corpus.batch import process_scorer

        start = time.perf_counter()
        self.settings, self.options, self.want_text = settings, options, want_text
        process_scorer(settings)  # load the model now, before the first block arrives
        self.load_s = time.perf_counter() - start
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def ready(self) -> tuple[str, float]:
        """This actor's name and the seconds its scorer took to load."""
        return self.name, self.load_s

    def score(self, records: list[Record]) -> list[Outcome]:
        """Score one block of numbered items; one outcome per item, in order."""
        return score_batch(
            records,
            settings=self.settings,
            options=self.options,
            want_text=self.want_text,
        )


# --- the driver ---------------------------------------------------------------------------------------


class RayCluster:
    """A connection to Ray: the one this process already has (`ray.init` called by the caller), else
    the cluster at `address` or RAY_ADDRESS, else a new local cluster (loopback only, no dashboard).
    Leaving the block disconnects, and stops a local cluster, only when this block started it."""

    def __init__(self, address: str | None, workers: int) -> None:
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.workers = workers or available_cores()
        self.ray = _import_ray(local=not self.address)
        self.owned = False

    def __enter__(self) -> RayCluster:
        ray = self.ray
        if ray.is_initialized():
            return self
        self.owned = True
        # Ray's own notices (token authentication) only with -v: stderr stays the scorer's.
        quiet = logging.ERROR if logger.getEffectiveLevel() > logging.INFO else logging.INFO
        start = time.perf_counter()
        try:
            if self.address:
                ray.init(address=self.address, logging_level=quiet, log_to_driver=False)
            else:
                # One CPU per scoring actor and nothing more: Ray schedules no other work beside them.
                ray.init(
                    address="local",
                    num_cpus=self.workers,
                    include_dashboard=False,
                    _node_ip_address="127.0.0.1",
                    object_store_memory=LOCAL_OBJECT_STORE,
                    logging_level=quiet,
                    log_to_driver=False,
                )
        except (ConnectionError, RuntimeError, ValueError) as e:
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray cluster"
            raise ScorerError(f"cannot start or reach {where}: {e}") from e
        logger.info("Ray: connected in %.1f s", time.perf_counter() - start)
        return self

    def cpus(self) -> int:
        """The CPUs the cluster offers."""
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def __exit__(self, *exc: object) -> None:
        if self.owned:
            self.ray.shutdown()


@dataclass
class _Block:
    """One block sent out: its records, the actor scoring it, the pending result, the tries left."""

    records: list[Record]
    actor: int
    ref: Any
    tries: int = RETRIES
    outcomes: list[Outcome] | None = None


def score_items(
    paths: list[str],
    *,
    settings: Settings,
    jobs: int,
    options: ReadOptions = DEFAULT_OPTIONS,
    want_text: bool = False,
    address: str | None = None,
) -> Iterator[Outcome]:
    """Score every input under `paths` on Ray; yields a `Scored` or an `InputFailure` per item, in input
    order, numbered as the default engine numbers them (the corpus pass adds the MinHash signatures,
    `scorer.corpus.audit.with_signatures`). `jobs` is the number of scoring
    actors (0: one per CPU of the cluster; a local cluster gets one CPU per actor)."""
    numbered = enumerate(iter_items(paths, options))
    # Read the first block before Ray starts: stdin is read here, and an input with nothing in it
    # starts no cluster.
    head = list(islice(numbered, BATCH))
    if not head:
        return
    with RayCluster(address, jobs) as cluster:
        yield from _drive(cluster, head, numbered, jobs, settings, options, want_text)


def _drive(
    cluster: RayCluster,
    head: list[Record],
    numbered: Iterator[Record],
    jobs: int,
    settings: Settings,
    options: ReadOptions,
    want_text: bool,
) -> Iterator[Outcome]:
    ray = cluster.ray
    n_actors = jobs or cluster.cpus()
    # An actor that dies (a crash in a C extension, the out-of-memory killer) is restarted by Ray; the
    # block it was scoring is sent once more, then reported as failed, as the process pool does.
    remote = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(ScoringActor)
    actors = [remote.remote(settings, options, want_text) for _ in range(n_actors)]
    ready = [a.ready.remote() for a in actors]
    queued = [0] * n_actors  # blocks sent to each actor and not yet back
    order: deque[_Block] = deque()  # every block not yet yielded, in input order
    by_ref: dict[Any, _Block] = {}
    source: Iterator[Record] = chain(head, numbered)
    used: set[int] = set()
    seq = 0

    def send(block: _Block) -> None:
        block.actor = min(range(n_actors), key=queued.__getitem__)
        block.ref = actors[block.actor].score.remote(block.records)
        queued[block.actor] += 1
        by_ref[block.ref] = block

    try:
        while True:
            while len(order) < n_actors * BUFFERED and min(queued) < AHEAD:
                records = list(islice(source, BATCH))
                if not records:
                    break
                block = _Block(records, 0, None)
                send(block)
                order.append(block)
            while order and order[0].outcomes is not None:
                done = order.popleft()
                assert done.outcomes is not None
                yield from done.outcomes
                seq += len(done.outcomes)
            if not order:
                break
            # The head of `order` is still out (every earlier block was yielded): wait for any block.
            finished, _ = ray.wait(list(by_ref), num_returns=1)
            for ref in finished:
                block = by_ref.pop(ref)
                queued[block.actor] -= 1
                try:
                    block.outcomes = ray.get(ref)
                    used.add(block.actor)
                except ray.exceptions.RayActorError as e:
                    _check_started(ray, ready[block.actor])
                    if block.tries > 0:
                        block.tries -= 1
                        logger.warning(
                            "a Ray actor died; its block of %d documents is sent again", len(block.records)
                        )
                        send(block)
                    else:
                        logger.warning(
                            "a Ray actor died twice on one block; %d documents reported as failed (%s)",
                            len(block.records),
                            _first_line(e),
                        )
                        block.outcomes = [_crashed(item) for _, item in block.records]
        # Every actor that scored a block has answered `ready` (an actor runs its calls in order).
        loads = [s for _, s in ray.get([ready[i] for i in sorted(used)])]
    except ray.exceptions.RayError as e:
        raise ScorerError(f"the Ray job failed after {seq} documents: {_first_line(e)}") from e
    finally:
        for actor in actors:
            ray.kill(actor)
    logger.info(
        "Ray: %d outcomes from %d scoring actors (scorer loaded in %s s)",
        seq,
        len(used),
        "/".join(f"{s:.1f}" for s in loads),
    )


def _check_started(ray: Any, ready: Any) -> None:
    # An actor whose scorer could not be built (a missing model file) fails every block: end the run
    # with its error rather than report every document as crashed.
    try:
        ray.get(ready, timeout=0)
    except ray.exceptions.GetTimeoutError:
        pass  # still loading after a restart


def _crashed(item: Item | InputFailure) -> InputFailure:
    if isinstance(item, InputFailure):
        return item
    return item.failure("the Ray actor scoring this block died (out of memory or a crash); not scored")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# The last line of a remote traceback, which names the exception: "scorer.errors.ModelNotLoadedError: ..."
_EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(?:Error|Exception)\b[^\n]*")


def _first_line(e: BaseException) -> str:
    """What went wrong, in one line: the remote exception when Ray carries its traceback, else the
    first line of Ray's message (without its terminal colours)."""
    lines = [ln.strip() for ln in _ANSI.sub("", str(e)).splitlines() if ln.strip()]
    if not lines:
        return type(e).__name__
    if len(lines) > 1 and _EXCEPTION_LINE.fullmatch(lines[-1]):
        return lines[-1]
    return lines[0]

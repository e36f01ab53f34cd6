"""`--engine ray`: score a corpus with Ray Data, on a local Ray cluster or an existing one.

The pipeline is three Ray Data steps:

1. the input list (files after folder expansion, in the order `scorer.ingest.inputs.iter_paths` gives) split
   into small read units;
2. `map_batches` over a generator that reads each unit with the same readers as the default engine
   (`scorer.ingest.inputs.iter_items`), yielding small blocks of items, so a large JSONL file streams;
3. `map_batches` over a callable class, one `ScoreBatch` per actor: each actor builds its scorer once
   (`scorer.corpus.batch.process_scorer`) and scores every block it receives with `score_batch`.

Ray Data keeps the input order (`preserve_order`), so the outcomes come back in input order and the
caller (the summary, the JSON report, the JUnit file) sees exactly what the default engine gives.

Items and outcomes cross process (and machine) boundaries pickled in a binary column: they are this
package's own dataclasses, produced by its own readers; nothing from the outside is unpickled.

Ray processes are started fresh, not forked, so each actor holds its own copy of the model and
lexicons (about 400 MB with spaCy's French pipeline; see docs/scale.md).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import socket
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scorer.config import Settings
from scorer.corpus.batch import Outcome, Scored, score_batch
from scorer.corpus.parallel import available_cores
from scorer.errors import ScorerError
from scorer.ingest.inputs import DEFAULT_OPTIONS, InputFailure, Item, ReadOptions, iter_items, iter_paths

logger = logging.getLogger(__name__)

INSTALL_HINT = "the ray engine needs Ray: pip install 'article-scorer[ray]'"
BATCH = 8  # documents per actor call, as in the process pool: amortises the call over several documents
BLOCK_BYTES = 8 * 1024  # Ray Data block size: one to a few articles (a large page is a block of its own)
UNIT_FILES = 32  # files per read unit: a folder of small articles is read in a few tasks, not one per file
LOCAL_OBJECT_STORE = 512 * 1024 * 1024  # bytes: blocks in flight are small; do not reserve 30% of RAM
# Ray's own switches, set before it starts: no usage statistics collected or sent, no warning about
# container CPU limits (the CPU count is given).
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1"}


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
        import ray.data
    except ImportError as e:
        raise ScorerError(INSTALL_HINT) from e
    # Ray Data warns when the first step has fewer blocks than there are actors; the read step splits
    # its input into many blocks afterwards, so every actor gets work.
    warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)
    return ray


def available() -> bool:
    """Whether Ray Data can be imported."""
    try:
        _import_ray()
    except ScorerError:
        return False
    return True


# --- the two Ray Data steps (run in Ray workers) ----------------------------------------------------


def read_units(batch: dict[str, Any], options: ReadOptions) -> Iterator[dict[str, list[bytes]]]:
    """Read the units of `batch` with `scorer.ingest.inputs`; yield blocks of `BATCH` pickled items."""
    for raw in batch["unit"]:
        unit = pickle.loads(raw)
        block: list[bytes] = []
        for item in _unit_items(unit, options):
            block.append(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
            if len(block) >= BATCH:
                yield {"item": block}
                block = []
        if block:
            yield {"item": block}


def _unit_items(unit: list[tuple[str, Any]], options: ReadOptions) -> Iterator[Item | InputFailure]:
    for kind, value in unit:
        if kind == "item":  # read by the driver (stdin)
            yield value
            continue
        shown, absolute = value
        for item in iter_items([absolute], options):
            yield _renamed(item, absolute, shown)


def _renamed(item: Item | InputFailure, absolute: str, shown: str) -> Item | InputFailure:
    # Workers may run in another folder (or on another machine with the same mount): read the absolute
    # path, report the path as the user wrote it, as the default engine does.
    if absolute == shown:
        return item
    if isinstance(item, InputFailure):
        return dataclasses.replace(item, source=shown) if item.source == absolute else item
    return dataclasses.replace(item, path=shown) if item.path == absolute else item


class ScoreBatch:
    """The Ray Data callable class: one per actor, holding that process's scorer."""

    config: tuple[Settings, ReadOptions, bool] = (Settings(), DEFAULT_OPTIONS, False)

    def __init__(self) -> None:
        from scorer.corpus.batch import process_scorer

        settings, self.options, self.want_text = self.config
        self.settings = settings
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        process_scorer(settings)  # load the model now, before the first block arrives

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        """Score one block of pickled items; one pickled outcome per item, in order."""
        records = [(0, pickle.loads(raw)) for raw in batch["item"]]
        outcomes = score_batch(
            records, settings=self.settings, options=self.options, want_text=self.want_text
        )
        return {
            "outcome": [pickle.dumps(o, protocol=pickle.HIGHEST_PROTOCOL) for o in outcomes],
            "worker": [self.worker] * len(outcomes),
        }


def _actor_class(settings: Settings, options: ReadOptions, want_text: bool) -> type[ScoreBatch]:
    # The configuration travels with the class (pickled by value) rather than as constructor arguments,
    # which Ray would keep in its object store for actor restarts and warn about.
    return type("ScoreBatch", (ScoreBatch,), {"config": (settings, options, want_text)})


# --- the driver ---------------------------------------------------------------------------------------


def plan_units(paths: list[str]) -> list[list[tuple[str, Any]]]:
    """The read units, in input order: groups of up to `UNIT_FILES` files; stdin is read here."""
    units: list[list[tuple[str, Any]]] = []
    current: list[tuple[str, Any]] = []
    for source in iter_paths(paths):
        if source == "-":
            current.extend(("item", item) for item in iter_items(["-"]))
        else:
            current.append(("path", (source, str(Path(source).absolute()))))
        if len(current) >= UNIT_FILES:
            units.append(current)
            current = []
    if current:
        units.append(current)
    return units


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
        # Ray's own notices (token authentication, progress bars off) only with -v: stderr stays the
        # scorer's.
        quiet = logging.ERROR if logger.getEffectiveLevel() > logging.INFO else logging.INFO
        try:
            if self.address:
                ray.init(address=self.address, logging_level=quiet, log_to_driver=False)
            else:
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
        logging.getLogger("ray.data").setLevel(quiet)
        return self

    def cpus(self) -> int:
        """The CPUs the cluster offers."""
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def __exit__(self, *exc: object) -> None:
        if self.owned:
            self.ray.shutdown()


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
    order, numbered as the default engine numbers them. `jobs` is the number of scoring actors (0: one
    per CPU of the cluster; a local cluster gets one CPU per actor)."""
    units = plan_units(paths)  # before Ray starts: stdin is read here, a bad path fails fast
    with RayCluster(address, jobs) as cluster:
        ray = cluster.ray
        actors = jobs or cluster.cpus()
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        # Ray Data gathers a task's output into blocks of up to 128 MB: a whole JSONL file of articles
        # would be one block, scored by one actor, its results coming back at the end. Small blocks
        # spread the work over every actor and stream the results back as they are scored. (A
        # `repartition` step would do it by rows, but its tasks need a CPU that the actors hold.)
        ctx.target_max_block_size = BLOCK_BYTES
        if not units:
            return
        ds = ray.data.from_items([{"unit": pickle.dumps(u, protocol=pickle.HIGHEST_PROTOCOL)} for u in units])
        # Reading is light next to scoring: the read step asks for no CPU, so that it never waits for
        # a CPU the scoring actors hold (a 2-CPU cluster with 2 actors would otherwise stall).
        ds = ds.map_batches(read_units, batch_size=1, fn_kwargs={"options": options}, num_cpus=0)
        ds = ds.map_batches(
            _actor_class(settings, options, want_text),
            batch_size=BATCH,
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=1,
        )
        seq = 0
        workers: set[str] = set()
        try:
            for block in ds.iter_batches(batch_size=None, batch_format="numpy"):
                workers.update(block["worker"])
                for raw in block["outcome"]:
                    outcome: Outcome = pickle.loads(raw)
                    if isinstance(outcome, Scored):
                        outcome = dataclasses.replace(outcome, seq=seq)
                    yield outcome
                    seq += 1
        except ray.exceptions.RayError as e:
            raise ScorerError(f"the Ray job failed after {seq} documents: {_first_line(e)}") from e
        logger.info("Ray: %d outcomes from %d scoring actors", seq, len(workers))


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__

"""Score a stream of input items on several cores, in input order, in bounded memory.

The main process reads items (`scorer.ingest.inputs.iter_items`) and hands them out in small batches to a
process pool; each worker builds its `Scorer` once (in the pool initializer), turns items into
documents (HTML extraction runs in the workers too) and scores them. Results come back in input order
whatever the number of jobs, so every output is deterministic. At most `jobs * AHEAD` batches are in
flight: a fast reader never piles up the whole corpus in memory (which `Pool.imap` would do).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice

from scorer.config import Settings
from scorer.corpus import batch as core
from scorer.corpus.batch import (
    Outcome,
    Scored,
    build_scorer,
    release_free_memory,
    score_record,
)
from scorer.engine import Scorer
from scorer.ingest.inputs import DEFAULT_OPTIONS, InputFailure, Item, ReadOptions, load_item

__all__ = [
    "Outcome",
    "Scored",
    "build_scorer",
    "release_free_memory",
    "resolve_jobs",
    "score_items",
]

logger = logging.getLogger(__name__)

BATCH = 8  # items per task: amortises the inter-process round trip over several documents
AHEAD = 4  # batches in flight per worker: keeps workers busy without buffering the input


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None, settings: Settings) -> int:
    """The number of worker processes: the option, else the setting; 0 means every core."""
    n = settings.jobs if jobs is None else jobs
    return available_cores() if n <= 0 else n


# Per-process state of the workers (set by `_init_worker`).
_WORKER: tuple[Settings, ReadOptions, bool] | None = None
# A scorer built in the parent before the workers fork, with the settings it was built for: its lexicons
# and word-frequency tables (most of a scorer's memory) are then in memory once, shared copy-on-write by
# every worker, instead of once per worker.
_PRELOADED: tuple[Settings, Scorer] | None = None


def _init_worker(settings: Settings, options: ReadOptions, want_text: bool) -> None:
    global _WORKER
    # A forked worker inherits the CLI's SIGTERM handler, which unwinds the main process; a worker
    # told to terminate just ends (the parent reports its batch and shuts the pool down).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _PRELOADED is not None and _PRELOADED[0] == settings:
        core.install(settings, _PRELOADED[1])
    _WORKER = (settings, options, want_text)


def _score_batch(batch: list[tuple[int, Item | InputFailure]]) -> list[Outcome]:
    assert _WORKER is not None, "worker not initialised"
    settings, options, want_text = _WORKER
    return core.score_batch(batch, settings=settings, options=options, want_text=want_text)


_HTML_SUFFIXES = (".html", ".htm")
_HTML_WARM_UP_PAGES = 3  # a few pages: not every page reaches every lazily loaded part


def _warm_html(scorer: Scorer, head: list[tuple[int, Item | InputFailure]], options: ReadOptions) -> None:
    """Score (and discard) the first few HTML items of `head`, if any, to load the HTML machinery."""
    done = 0
    for _, item in head:
        if done >= _HTML_WARM_UP_PAGES:
            return
        if not isinstance(item, Item) or not (item.kind == "html" or item.suffix.lower() in _HTML_SUFFIXES):
            continue
        doc = load_item(item, options)
        if isinstance(doc, InputFailure):
            continue
        try:
            scorer.score(doc)
        except Exception:  # noqa: BLE001 - a warm-up only; the worker reports this item's failure
            logger.debug("warm-up scoring failed on %s", item.location, exc_info=True)
        done += 1


def _context() -> mp.context.BaseContext:
    # fork starts workers in milliseconds and shares the imported modules; elsewhere use the default.
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()


def score_items(
    items: Iterable[Item | InputFailure],
    *,
    settings: Settings,
    jobs: int = 1,
    options: ReadOptions = DEFAULT_OPTIONS,
    want_text: bool = False,
    scorer: Scorer | None = None,
) -> Iterator[Outcome]:
    """Score every item; yields a `Scored` or an `InputFailure` per item, in input order."""
    numbered = enumerate(items)
    if jobs <= 1:
        own = scorer or build_scorer(settings)
        for seq, item in numbered:
            yield score_record(own, options, want_text, seq, item)
        return
    yield from _score_parallel(
        numbered,
        settings=settings,
        jobs=jobs,
        options=options,
        want_text=want_text,
    )


def _score_parallel(
    numbered: Iterator[tuple[int, Item | InputFailure]],
    *,
    settings: Settings,
    jobs: int,
    options: ReadOptions,
    want_text: bool,
) -> Iterator[Outcome]:
    global _PRELOADED
    ctx = _context()
    if ctx.get_start_method() == "fork":
        _PRELOADED = (settings, build_scorer(settings))
        _PRELOADED[1].preload()
        # The first HTML page loads the extractor's data (justext stop lists, dateparser's locales,
        # compiled patterns: ~100 MB). When the first batches hold HTML, that happens here, once, in
        # memory the workers share, instead of once in each worker. A text-only input loads none of it.
        head = list(islice(numbered, jobs * AHEAD * BATCH))
        _warm_html(_PRELOADED[1], head, options)
        numbered = chain(head, numbered)
        # Objects the collector never visits are never written to, so their pages stay shared.
        gc.freeze()

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            jobs, mp_context=ctx, initializer=_init_worker, initargs=(settings, options, want_text)
        )

    pool = new_pool()
    pending: deque[tuple[list[tuple[int, Item | InputFailure]], Future[list[Outcome]]]] = deque()
    try:
        while True:
            while len(pending) < jobs * AHEAD:
                batch = list(islice(numbered, BATCH))
                if not batch:
                    break
                pending.append((batch, pool.submit(_score_batch, batch)))
            if not pending:
                return
            batch, future = pending.popleft()
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                # A worker died (out of memory, a crash in a C extension): report this batch, start a
                # new pool and resubmit the batches that were waiting, so the rest is still scored.
                logger.warning(
                    "a worker process died; %d documents reported as failed, the rest continue", len(batch)
                )
                outcomes = [_crashed(item) for _, item in batch]
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                pending = deque((b, pool.submit(_score_batch, b)) for b, _ in pending)
            yield from outcomes
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if _PRELOADED is not None:
            _PRELOADED = None
            gc.unfreeze()


def _crashed(item: Item | InputFailure) -> InputFailure:
    if isinstance(item, InputFailure):
        return item
    return item.failure("the worker process scoring this batch died (out of memory or a crash); not scored")

"""`scorer serve`: run the HTTP API (`api/`) with uvicorn, in one or several worker processes.

The API key comes from the environment variable `SCORER_API_KEY` (authentication is off when it is
unset or empty); it is read here, at the edge, and passed into the app factory. FastAPI and uvicorn
are imported only when the command runs, so the rest of the CLI does not pay for them.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from api.deps import ApiSettings

logger = logging.getLogger(__name__)

API_KEY_ENV = "SCORER_API_KEY"
# Scoring threads per worker: `scorer serve --threads` sets it for the worker processes it starts
# (uvicorn builds the app in each worker from an import string, so options travel by environment).
THREADS_ENV = "SCORER_API_THREADS"
PROCESSES_ENV = "SCORER_API_PROCESSES"
PIPELINE_ENV = "SCORER_API_PIPELINE"
# uvicorn starts every worker process from this import string (a factory: the app is built in each
# worker, and its lifespan loads the model there).
APP_FACTORY = "scorer.serve:app_factory"


def api_settings(environ: Mapping[str, str]) -> ApiSettings:
    """The API's settings from the environment: the API key, and how each worker scores, which
    `scorer serve` passes to its workers (threads, scoring processes, requests held per process)."""
    from api.deps import ApiSettings

    extra: dict[str, int] = {}
    for name, env in (("threads", THREADS_ENV), ("processes", PROCESSES_ENV), ("pipeline", PIPELINE_ENV)):
        if environ.get(env):
            extra[name] = int(environ[env])
    return ApiSettings(api_key=environ.get(API_KEY_ENV) or None, **extra)


def app_factory() -> FastAPI:
    """The application of one uvicorn worker."""
    from api.app import create_app

    return create_app(api_settings(os.environ))


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the API until interrupted."""
    import uvicorn

    auth = "on" if os.environ.get(API_KEY_ENV) else f"off ({API_KEY_ENV} unset)"
    # Read by app_factory in each worker.
    if args.threads is not None:
        os.environ[THREADS_ENV] = str(args.threads)
    if args.pipeline is not None:
        os.environ[PIPELINE_ENV] = str(args.pipeline)
    processes = args.scoring_processes
    if processes is None:  # one worker: one scoring process per core; several: threads in each
        processes = usable_cores() if args.workers == 1 else 0
    os.environ[PROCESSES_ENV] = str(processes)
    settings = api_settings(os.environ)
    scoring = (
        f"{settings.processes} scoring process(es), each holding up to {settings.pipeline} request(s)"
        if settings.processes
        else f"{settings.threads} scoring thread(s)"
    )
    logger.info(
        "serving on http://%s:%d with %d worker(s), each with %s; API key %s",
        args.host,
        args.port,
        args.workers,
        scoring,
        auth,
    )
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        log_level=args.log_level,
        # The API is reached through its own endpoints only; no server header to fingerprint.
        server_header=False,
    )
    return 0


def _int_in(low: int, high: int) -> Any:
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not an integer") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"{n} is not between {low} and {high}")
        return n

    return parse


def add_parser(sub: Any) -> None:
    """Add the `serve` subcommand."""
    p = sub.add_parser(
        "serve",
        help="run the HTTP API (POST /score, /score/batch; GET /health, /signals, /docs)",
        description=(
            "Run the HTTP API with uvicorn. Set the environment variable "
            f"{API_KEY_ENV} to require that key in the X-API-Key header (off when unset)."
        ),
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1, loopback only)"
    )
    p.add_argument("--port", type=_int_in(0, 65535), default=8000, help="TCP port (default: 8000)")
    p.add_argument(
        "--workers",
        type=_int_in(1, 64),
        default=1,
        help="server worker processes, each with its own model and its own connections (default: 1, "
        "which scores in one forked process per core: see --scoring-processes)",
    )
    p.add_argument(
        "--threads",
        type=_int_in(1, 16),
        default=None,
        help="scoring threads per worker when it scores in threads (default: 1; scoring holds the "
        "GIL, so a second thread only interleaves work)",
    )
    p.add_argument(
        "--scoring-processes",
        type=_int_in(0, 64),
        default=None,
        help="score in this many processes forked from each worker once the model is loaded (0: in "
        "threads of the worker). Default: one per core with one worker, threads with several. One "
        f"worker with one scoring process per core (here {usable_cores()}) queues every request for "
        "the first free core, whichever connection it came on; several workers each keep the "
        "connections they accepted, however unevenly the clients are split",
    )
    p.add_argument(
        "--pipeline",
        type=_int_in(1, 8),
        default=None,
        help="requests each scoring process holds: the one it scores and the next ones, waiting in its "
        "pipe so that it starts them as soon as it has answered (default: 2; 1: a process gets its "
        "next request only once it has answered)",
    )
    p.add_argument(
        "--access-log",
        action="store_true",
        help="log every request (off by default: it costs time under load)",
    )
    p.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default="info",
        help="server log level (default: info)",
    )
    p.set_defaults(func=cmd_serve)

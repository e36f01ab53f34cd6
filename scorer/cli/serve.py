"""`scorer serve`: run the HTTP API (`api/`) with uvicorn. The API is imported inside the command,
so that the rest of the CLI does not pay for FastAPI and uvicorn, and the scorer library never
imports the API."""

from __future__ import annotations

import argparse
import os
from typing import Any

from scorer.config import ENV_PREFIX, load_settings

API_KEY_ENV = ENV_PREFIX + "API_KEY"


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the API until interrupted."""
    from api.server import run

    overrides: dict[str, Any] = {}
    if args.threads is not None:
        overrides["api_threads"] = args.threads
    if args.pipeline is not None:
        overrides["api_pipeline"] = args.pipeline
    processes = args.scoring_processes
    if processes is None:  # one worker: one scoring process per core; several: threads in each
        processes = usable_cores() if args.workers == 1 else 0
    overrides["api_processes"] = processes
    run(
        load_settings().with_overrides(overrides),
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        log_level=args.log_level,
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

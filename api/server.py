"""Running the API with uvicorn, in one or several worker processes (`scorer serve` calls `run`).

uvicorn builds the app in each worker from an import string (`APP_FACTORY`), so a worker cannot be
handed its settings as an argument: the serving process resolves the scorer's `Settings` once (file,
`SCORER_*` environment, command-line options), writes the API's values to the environment
(`worker_environ`), and each worker reads them back through the same `Settings` (`api_settings`).
FastAPI and uvicorn are imported only here and in `api.app`, so the rest of the CLI does not pay
for them.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from api.settings import ApiSettings, from_settings
from scorer.config import ENV_PREFIX, Settings, load_settings

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

logger = logging.getLogger(__name__)

API_KEY_ENV = ENV_PREFIX + "API_KEY"
# Scoring threads per worker, scoring processes and requests held per process: `scorer serve` sets
# them for the worker processes it starts.
THREADS_ENV = ENV_PREFIX + "API_THREADS"
PROCESSES_ENV = ENV_PREFIX + "API_PROCESSES"
PIPELINE_ENV = ENV_PREFIX + "API_PIPELINE"
# uvicorn starts every worker process from this import string (a factory: the app is built in each
# worker, and its lifespan loads the model there).
APP_FACTORY = "api.server:app_factory"
# Exit code when the server did not start (uvicorn's own).
STARTUP_FAILURE = 3


def api_settings(environ: Mapping[str, str]) -> ApiSettings:
    """The API's settings from the scorer's settings (file, then `environ`): the API key, and how each
    worker scores, which `scorer serve` passes to its workers (threads, scoring processes, requests
    held per process)."""
    return from_settings(load_settings(environ=environ))


def worker_environ(settings: Settings) -> dict[str, str]:
    """The environment that carries `settings`' scoring options to the workers uvicorn starts (the API
    key is not copied: the workers read it where the serving process did)."""
    return {
        THREADS_ENV: str(settings.api_threads),
        PROCESSES_ENV: str(settings.api_processes),
        PIPELINE_ENV: str(settings.api_pipeline),
    }


def app_factory() -> FastAPI:
    """The application of one uvicorn worker."""
    from api.app import create_app

    return create_app(api_settings(os.environ))


def raise_descriptor_limit(connections: int) -> int:
    """Raise this process's descriptor limit (soft, up to the hard one) to hold `connections` plus a
    margin for the model's files, the pipes and the listening socket; the connections it can hold."""
    margin = 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + margin
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
            soft = new
        except (ValueError, OSError) as e:
            logger.warning("cannot raise the descriptor limit from %d: %s", soft, e)
    if soft == resource.RLIM_INFINITY:
        return connections
    return max(1, min(connections, soft - margin))


def uvicorn_config(
    app: str,
    api: ApiSettings,
    *,
    host: str,
    port: int,
    workers: int = 1,
    access_log: bool = False,
    log_level: str = "info",
) -> uvicorn.Config:
    """uvicorn's Config for the app factory `app` with the server limits of `api`: header size and
    time (`api.protocol`), idle keep-alive, connections in progress (`limit_concurrency`, 503 beyond)."""
    import uvicorn

    from api.protocol import HeadLimits, LimitedHttpToolsProtocol

    connections = raise_descriptor_limit(api.max_connections)
    if connections < api.max_connections:
        logger.warning(
            "the descriptor limit allows %d connections, not %d: raise it (ulimit -n)",
            connections,
            api.max_connections,
        )
    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level=log_level,
        http=LimitedHttpToolsProtocol,
        timeout_keep_alive=api.keep_alive,
        limit_concurrency=connections,
        # The API is reached through its own endpoints only; no server header to fingerprint.
        server_header=False,
    )
    # Read by LimitedHttpToolsProtocol in each worker (the Config is what uvicorn hands to them).
    config.scorer_limits = HeadLimits(  # type: ignore[attr-defined]
        max_header_bytes=api.max_header_bytes, header_timeout=api.header_timeout
    )
    return config


def serve(config: uvicorn.Config) -> None:
    """Run uvicorn with `config` until interrupted, as `uvicorn.run` does (one process, or a
    supervisor and `config.workers` worker processes sharing the listening socket)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    server = uvicorn.Server(config=config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:  # pragma: no cover - a second Ctrl-C during shutdown
        pass
    if config.workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)


def run(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    log_level: str,
) -> None:
    """Serve the API until interrupted, each worker scoring as `settings` say."""
    api = from_settings(settings)  # checked here, before any worker starts
    os.environ.update(worker_environ(settings))  # read by app_factory in each worker
    auth = "on" if api.api_key else f"off ({API_KEY_ENV} unset)"
    scoring = (
        f"{api.processes} scoring process(es), each holding up to {api.pipeline} request(s)"
        if api.processes
        else f"{api.threads} scoring thread(s)"
    )
    logger.info(
        "serving on http://%s:%d with %d worker(s), each with %s; API key %s",
        host,
        port,
        workers,
        scoring,
        auth,
    )
    config = uvicorn_config(
        APP_FACTORY,
        api,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level=log_level,
    )
    serve(config)

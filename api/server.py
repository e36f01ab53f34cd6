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
from collections.abc import Mapping
from typing import TYPE_CHECKING

from api.settings import ApiSettings, from_settings
from scorer.config import ENV_PREFIX, Settings, load_settings

if TYPE_CHECKING:
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
    import uvicorn

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
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level=log_level,
        # The API is reached through its own endpoints only; no server header to fingerprint.
        server_header=False,
    )

"""The limits and options of one API instance, and how they are built from the scorer's one
`Settings` (`SCORER_API_KEY`, `SCORER_API_THREADS`, `SCORER_API_PROCESSES`, `SCORER_API_PIPELINE`, or
the same names in a settings file)."""

from __future__ import annotations

from dataclasses import dataclass

from scorer.config import Settings


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
    # by the text caps of `scorer.ingest.documents`; this bounds what a client waits for).
    timeout: float = 20.0
    # Seconds a request may wait for a free scoring thread before the client gets 503 (overload).
    queue_timeout: float = 10.0
    # Scoring threads per worker process. Scoring holds the GIL most of the time, so a second thread
    # only interleaves work and costs more CPU per request (GIL hand-offs every switch interval: ~8%
    # more server CPU per request at 16 clients, bench/load_api.py); use worker processes for cores.
    threads: int = 1
    # Scoring processes forked from this worker once the model is loaded (0: score in `threads`
    # threads of this process). With one server worker and N scoring processes, every request waits
    # in one queue for a process, whichever connection it came on; with N server workers each keeps
    # the connections it accepted, and an uneven split of the clients shows in the latency.
    processes: int = 0
    # Requests each scoring process holds at a time: the one it is scoring and the next ones, waiting
    # in its pipe (1: a process gets its next request only once it has answered; see ScoringPool).
    pipeline: int = 2
    # Seconds the whole request body may take to arrive once its headers are in (else 408): a client
    # that sends slowly holds a connection and its buffer no longer than this.
    body_timeout: float = 30.0
    # Bytes of an over-limit or refused body read and thrown away before the answer (413, 401, 415),
    # so that a client that sends the whole body before reading gets the answer and not a connection
    # reset; a body declared larger than this gets the answer at once and the connection is closed.
    drain_bytes: int = 16_000_000
    # The server's own limits (`api.server`; uvicorn's connection handling, not the application's):
    # bytes of request line and headers (else 431), seconds from connecting (or from the first byte
    # of a next request) to the end of the headers (else 408), seconds an idle keep-alive connection
    # is kept, and connections and requests in progress at a time (beyond: 503).
    max_header_bytes: int = 64 * 1024
    header_timeout: float = 10.0
    keep_alive: int = 5
    max_connections: int = 512

    def __post_init__(self) -> None:
        if self.api_key is not None and not self.api_key:
            raise ValueError("api_key must be None (authentication off) or a non-empty string")
        for name in (
            "max_body_bytes",
            "max_batch",
            "threads",
            "pipeline",
            "drain_bytes",
            "max_header_bytes",
            "keep_alive",
            "max_connections",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.processes < 0:
            raise ValueError("processes must be 0 (threads) or more")
        for name in ("timeout", "queue_timeout", "body_timeout", "header_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")


def from_settings(settings: Settings) -> ApiSettings:
    """The API's settings from the scorer's: the API key and how each worker scores."""
    return ApiSettings(
        api_key=settings.api_key,
        threads=settings.api_threads,
        processes=settings.api_processes,
        pipeline=settings.api_pipeline,
    )

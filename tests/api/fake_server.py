"""A real API server for the loopback tests, started as `python -m tests.api.fake_server PORT`: the
same uvicorn configuration as `scorer serve` (`api.server.uvicorn_config`), with a stand-in scorer
whose time per document the text decides, and the API settings given as JSON in FAKE_SERVER_SETTINGS."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

from fastapi import FastAPI

from api import ApiSettings, create_app
from api.server import serve, uvicorn_config
from features import Document
from scorer.engine import Result, Scorer

SETTINGS_ENV = "FAKE_SERVER_SETTINGS"


class FakeScorer(Scorer):
    """Scores at once, but a text starting with "slow" takes 50 ms and one starting with "spin" never
    ends (a hostile document: it burns CPU in C calls until its process is ended)."""

    def __init__(self) -> None:
        super().__init__(features=[])

    def score(self, doc: Document, *, clean: bool = False, signals: Any = None) -> Result:
        if doc.text.startswith("spin"):
            while True:
                sum(range(1_000_000))
        if doc.text.startswith("slow"):
            time.sleep(0.05)
        return super().score(doc, clean=clean, signals=signals)


def settings() -> ApiSettings:
    """The API settings of this server, from FAKE_SERVER_SETTINGS."""
    return ApiSettings(**json.loads(os.environ.get(SETTINGS_ENV, "{}")))


def create() -> FastAPI:
    """The app factory uvicorn calls."""
    return create_app(settings(), load_scorer=FakeScorer, warm_up=False)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    port = int(argv[0])
    config = uvicorn_config(
        "tests.api.fake_server:create", settings(), host="127.0.0.1", port=port, log_level="warning"
    )
    serve(config)


if __name__ == "__main__":
    main(sys.argv[1:])

"""HTTP API of the scorer: `create_app(settings)` builds the FastAPI application; `scorer serve` runs it
(`api.server`)."""

from __future__ import annotations

import logging

from api.app import create_app
from api.settings import ApiSettings

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["ApiSettings", "create_app"]

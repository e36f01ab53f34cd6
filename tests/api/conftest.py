"""API fixtures: TestClients on apps built with `create_app`, with the real scorer or a stand-in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import ApiSettings, create_app
from features import Document
from scorer.engine import Result, Scorer, default_scorer

API_KEY = "test-key-0123456789abcdef"

FR_TEXT = (
    "Le conseil municipal de Rennes a adopté lundi soir son budget pour l'année prochaine, après trois heures "
    "de débat. « Nous maintenons l'investissement dans les écoles », a déclaré l'adjoint aux finances, "
    "Paul Lemaire, devant les élus.\n\n"
    "L'opposition a voté contre. Selon son porte-parole, Anne Roux, la hausse des tarifs de la cantine "
    "pèsera sur les familles. Le budget s'élève à 412 millions d'euros, en hausse de 3 % sur un an."
)
EN_HTML = (
    "<html><head><title>Harbour reopens</title><meta name='author' content='Sam Reed'></head><body>"
    "<nav><a href='/'>Home</a> &gt; <a href='/news'>News</a></nav><article><h1>Harbour reopens</h1>"
    "<p>The harbour reopened to fishing boats on Monday after two weeks of repairs, the port authority "
    "said in a statement. Its director, Maria Lopez, said the new quay would double the space for boats.</p>"
    '<p>Fishermen welcomed the news. "We lost a fortnight of work," said Tom Grant, who has fished here '
    "for twenty years. The repairs cost 1.2 million pounds, according to the council.</p></article>"
    "<footer>Share this article</footer></body></html>"
)


class SlowScorer(Scorer):
    """A scorer that takes `delay` seconds per document (for the time bound and the event-loop tests)."""

    def __init__(self, delay: float) -> None:
        super().__init__(features=[])
        self.delay = delay

    def score(self, doc: Document, *, clean: bool = False, signals: Any = None) -> Result:
        time.sleep(self.delay)
        return super().score(doc, clean=clean, signals=signals)


class BrokenScorer(Scorer):
    """A scorer with a bug: raises on documents whose text contains "boom"."""

    def __init__(self) -> None:
        super().__init__(features=[])

    def score(self, doc: Document, *, clean: bool = False, signals: Any = None) -> Result:
        if "boom" in doc.text:
            raise RuntimeError("a bug in a feature")
        return super().score(doc, clean=clean, signals=signals)


@pytest.fixture(scope="session")
def real_scorer() -> Scorer:
    """The process-wide scorer the CLI uses."""
    return default_scorer()


@pytest.fixture(scope="module")
def client(real_scorer: Scorer) -> Iterator[TestClient]:
    """The API with the real scorer, no API key and a 20 kB body limit (small, to test it cheaply)."""
    app = create_app(ApiSettings(max_body_bytes=20_000, max_batch=4), load_scorer=lambda: real_scorer)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def auth_client(real_scorer: Scorer) -> Iterator[TestClient]:
    """The API with an API key."""
    app = create_app(ApiSettings(api_key=API_KEY), load_scorer=lambda: real_scorer, warm_up=False)
    with TestClient(app) as c:
        yield c

"""What a client relies on besides scoring: documentation served offline, the OpenAPI document's
names, the identifier echoed back, authentication before any work, errors for dying or overrunning
scoring processes, near-empty input, and quiet logs."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

import features
from api import ApiSettings, create_app
from api.app import BodyGuard
from api.pool import CPU_GRACE_SECONDS, ScoringPool, ScoringTimeout, _Process
from features import Document
from scorer.engine import BANDS, Result, Scorer
from tests.api.conftest import API_KEY, FR_TEXT

# --- /docs without internet ------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_reference_only_local_assets_that_answer(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url:\s*'([^']+)'""", r.text)
    urls = [a or b for a, b in urls]
    assert urls and not [u for u in urls if not u.startswith("/")], urls  # no CDN, no other host
    assert "http://" not in r.text and "https://" not in r.text
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 100, url
    if page == "/docs":
        assert '"validatorUrl": null' in r.text  # no call to the online validator either


# --- the OpenAPI document ----------------------------------------------------------------------


def test_operations_have_tags_and_readable_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = {(path, method): op for path, item in spec["paths"].items() for method, op in item.items()}
    assert {k: op["operationId"] for k, op in ops.items()} == {
        ("/score", "post"): "score",
        ("/score/batch", "post"): "score_batch",
        ("/health", "get"): "health",
        ("/signals", "get"): "signals",
    }
    assert all(op["tags"] for op in ops.values())
    assert {t["name"] for t in spec["tags"]} == {tag for op in ops.values() for tag in op["tags"]}


def test_label_is_an_enum_of_the_engine_bands(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ScoreResponse"]
    assert schema["properties"]["label"]["enum"] == [name for _, name in BANDS]
    assert "id" in schema["required"] and "source" not in schema["properties"]


# --- id in, id out ---------------------------------------------------------------------------------


def test_request_id_comes_back_as_id_and_null_without_one(client: TestClient) -> None:
    with_id = client.post("/score", json={"text": FR_TEXT, "id": "art-7"}).json()
    without = client.post("/score", json={"text": FR_TEXT}).json()
    assert with_id["id"] == "art-7" and without["id"] is None
    assert "source" not in with_id and "source" not in without
    batch = client.post("/score/batch", json={"documents": [{"text": FR_TEXT, "id": "b"}, {"text": FR_TEXT}]})
    assert [item["result"]["id"] for item in batch.json()["results"]] == ["b", None]


# --- authentication before any work ----------------------------------------------------------------


def test_a_request_without_the_key_is_refused_before_its_body_is_parsed(auth_client: TestClient) -> None:
    broken = b'{"text": "not JSON at all'  # parsing it would give 422
    r = auth_client.post("/score", content=broken, headers={"Content-Type": "application/json"})
    assert r.status_code == 401 and "X-API-Key" in r.json()["detail"]
    assert r.headers["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'
    r = auth_client.post(
        "/score", content=broken, headers={"Content-Type": "application/json", "X-API-Key": API_KEY}
    )
    assert r.status_code == 422  # with the key, the body is read and found broken
    r = auth_client.get("/signals")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'


def test_the_guard_never_hands_an_unauthenticated_body_on() -> None:
    """At the ASGI level: without the key, the application is not called and nothing of the body is
    kept; what the client sends (up to the body limit) is read and thrown away so it reads the 401."""
    called: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(1)

    async def run(declared: int) -> tuple[int, int, dict[bytes, bytes]]:
        messages = [{"type": "http.request", "body": b"x" * 50, "more_body": i < 3} for i in range(4)]
        sent: list[dict[str, Any]] = []
        received = 0

        async def receive() -> dict[str, Any]:
            nonlocal received
            received += 1
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/score",
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(declared).encode())],
        }
        guard = BodyGuard(app, settings=ApiSettings(api_key=API_KEY, max_body_bytes=1_000))
        await guard(scope, receive, send)
        return sent[0]["status"], received, dict(sent[0]["headers"])

    status, received, headers = asyncio.run(run(200))
    assert (status, received, called) == (401, 4, [])
    assert headers[b"www-authenticate"] == b'ApiKey header="X-API-Key"' and b"connection" not in headers
    status, received, headers = asyncio.run(run(5_000_000))  # declared over the body limit: not read
    assert (status, received, called) == (401, 0, []) and headers[b"connection"] == b"close"


# --- scoring processes that die or overrun -----------------------------------------------------------


class DyingScorer(Scorer):
    """A scorer whose process dies on a text containing "die" (an extension crashing, the OOM killer)."""

    def __init__(self) -> None:
        super().__init__(features=[])

    def score(self, doc: Document, *, clean: bool = False, signals: Any = None) -> Result:
        if "die" in doc.text:
            os._exit(9)
        return super().score(doc, clean=clean, signals=signals)


def test_a_dying_scoring_process_is_a_503_with_a_sentence() -> None:
    app = create_app(ApiSettings(processes=1), load_scorer=DyingScorer, warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/score", json={"text": "die now"})
        assert r.status_code == 503 and "scoring process died" in r.json()["detail"]
        assert r.headers["Retry-After"] and "internal error" not in r.json()["detail"]
        assert c.post("/score", json={"text": FR_TEXT}).status_code == 200  # the replacement answers


def _spin(_: Any) -> None:
    while True:  # a document whose scoring never ends
        sum(range(1_000_000))


def _pid(_: Any) -> int:
    return os.getpid()


def test_a_scoring_process_past_its_deadline_is_killed_and_replaced() -> None:
    async def run() -> tuple[int, int, float]:
        pool = ScoringPool(threads=1, timeout=0.3, queue_timeout=1.0, processes=1)
        pool.start(object())  # type: ignore[arg-type]
        try:
            first = pool._procs[0].pid
            with pytest.raises(ScoringTimeout):
                await pool.run(_spin, None)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            after = await pool.run(_pid, None)  # type: ignore[arg-type]
            return first, after, time.perf_counter() - t0
        finally:
            pool.close()

    first, after, seconds = asyncio.run(run())
    assert after != first and seconds < 0.3  # a fresh process, at once: not queued behind the spin
    assert not os.path.exists(f"/proc/{first}/stat") or open(f"/proc/{first}/stat").read().split()[2] == "Z"


def test_the_kernel_ends_a_scoring_process_past_its_cpu_limit() -> None:
    """Even when the server does not kill it (here: nobody watches the deadline), a scoring process
    gets RLIMIT_CPU for each request: past its deadline plus CPU_GRACE_SECONDS the kernel ends it."""
    proc = _Process()
    try:
        with pytest.raises(RuntimeError, match="ended"):
            proc.call(_spin, timeout=0.2)
    finally:
        proc.close()
    assert proc.exitcode == -signal.SIGXCPU  # the kernel's CPU limit, not a kill from the server
    # The limit is whole seconds: deadline + grace, rounded up, plus one.
    assert proc.cpu_seconds <= 0.2 + CPU_GRACE_SECONDS + 2.0


def test_a_request_read_past_its_deadline_is_not_scored() -> None:
    proc = _Process()
    try:
        with pytest.raises(ScoringTimeout):
            proc.call(_spin, timeout=-1.0)
        assert proc.call(_pid) == proc.pid  # it did not spin: it answered the next one
    finally:
        proc.close()


def test_new_limits_are_checked() -> None:
    for bad in ({"body_timeout": 0}, {"header_timeout": -1}, {"max_header_bytes": 0}, {"drain_bytes": 0}):
        with pytest.raises(ValueError):
            ApiSettings(**bad)  # type: ignore[arg-type]


# --- near-empty input ----------------------------------------------------------------------------------


def test_empty_text_is_422_with_a_sentence(client: TestClient) -> None:
    for text in ("", "   \n"):
        r = client.post("/score", json={"text": text})
        assert r.status_code == 422 and "'text' is empty" in r.json()["detail"]


def test_a_two_letter_text_is_scored(client: TestClient) -> None:
    r = client.post("/score", json={"text": "ok"})
    assert r.status_code == 200 and 0 <= r.json()["score"] <= 100


def test_a_two_letter_text_is_not_labelled_high(client: TestClient) -> None:
    body = client.post("/score", json={"text": "ok"}).json()
    assert body["label"] != "high"
    assert "quality.too_short" in features.catalogue()
    assert "quality.too_short" in [s["code"] for s in body["signals"]]  # passed through with its evidence


# --- logs ------------------------------------------------------------------------------------------------


def test_trafilatura_no_article_lines_are_filtered(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("trafilatura.core").warning("discarding data: %s", None)
        logging.getLogger("trafilatura.utils").error("parsed tree length: %s, wrong data type", 0)
        logging.getLogger("trafilatura.core").warning("something else")
    messages = [r.getMessage() for r in caplog.records]
    assert "something else" in messages
    assert not [m for m in messages if m.startswith(("discarding data", "parsed tree length"))]

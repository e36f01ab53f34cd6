"""Every endpoint and every error of the HTTP API, through FastAPI's TestClient."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

import features
from api import ApiSettings, create_app
from api.app import BodyGuard
from api.pool import Overloaded, ScoringPool, ScoringProcessDied
from scorer.engine import Scorer
from scorer.errors import ModelNotLoadedError
from scorer.ingest.documents import from_html, from_text
from tests.api.conftest import API_KEY, EN_HTML, FR_TEXT, BrokenScorer, SlowScorer

RESULT_FIELDS = {
    "id",
    "score",
    "label",
    "probability",
    "language",
    "families",
    "reasons",
    "signals",
    "measures",
    "contributions",
    "model_version",
    "provisional",
}


def as_api(cli_result: dict[str, Any], id: str | None) -> Any:
    """The CLI's JSON object for a document as the API returns it: `id` in place of `source`."""
    out = {"id": id, **{k: v for k, v in cli_result.items() if k != "source"}}
    return json.loads(json.dumps(out, ensure_ascii=False))


def assert_error(r: httpx.Response, status: int, *words: str) -> str:
    """The response is a JSON error with `status` whose sentence contains `words`."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail
    for w in words:
        assert w in detail, detail
    return detail


# --- GET /health, GET /signals, docs -------------------------------------------------------------


def test_health_reports_the_model(client: TestClient, real_scorer: Scorer) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["model_version"] == real_scorer.model.version
    assert body["provisional"] is real_scorer.model.provisional


def test_signals_is_the_catalogue(client: TestClient) -> None:
    r = client.get("/signals")
    assert r.status_code == 200
    assert r.json() == features.catalogue()
    for code, info in r.json().items():
        assert code.split(".", 1)[0] == info["family"] and info["meaning"]


def test_openapi_documents_every_route_with_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/score", "/score/batch", "/health", "/signals"} <= set(schema["paths"])
    components = schema["components"]["schemas"]
    assert components["ScoreRequest"]["examples"]
    assert components["BatchRequest"]["examples"]
    for status in ("413", "415", "422"):
        assert status in schema["paths"]["/score"]["post"]["responses"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


# --- POST /score ---------------------------------------------------------------------------------


def test_score_text_is_the_cli_result(client: TestClient, real_scorer: Scorer) -> None:
    r = client.post("/score", json={"text": FR_TEXT})
    assert r.status_code == 200
    body = r.json()
    assert RESULT_FIELDS <= set(body)
    assert 0 <= body["score"] <= 100 and body["language"] == "fr"
    assert "clean_text" not in body
    # The same function as the CLI: identical JSON for the same document, but for the identifier:
    # the request's `id` (null without one) in place of the CLI's `source`.
    expected = real_scorer.score(from_text(FR_TEXT, origin="api")).to_dict()
    assert expected.pop("source") == "" and body.pop("id") is None and "source" not in body
    assert body == json.loads(json.dumps(expected, ensure_ascii=False))


def test_score_html_with_metadata(client: TestClient, real_scorer: Scorer) -> None:
    req = {"html": EN_HTML, "id": "a-1", "url": "https://example.org/harbour", "published": "2024-03-04"}
    r = client.post("/score", json=req)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == "a-1" and body["language"] == "en"
    assert body["document"]["origin"] == "html"
    assert body["document"]["url"] == "https://example.org/harbour"
    assert body["document"]["published"] == "2024-03-04"
    expected = real_scorer.score(
        from_html(EN_HTML, id="a-1", url=req["url"], published=req["published"])
    ).to_dict()
    assert body == as_api(expected, "a-1")


def test_score_text_metadata_and_language_are_used(client: TestClient) -> None:
    req = {
        "text": FR_TEXT,
        "title": "Budget",
        "author": "Léa Martin",
        "published": "2024-05-17T08:00:00Z",
        "language": "fr-FR",
    }
    body = client.post("/score", json=req).json()
    assert body["language"] == "fr-fr"
    assert body["document"]["title"] == "Budget"
    assert body["document"]["author"] == "Léa Martin"
    assert body["document"]["published"] == "2024-05-17"


def test_clean_adds_clean_text(client: TestClient) -> None:
    body = client.post("/score?clean=true", json={"text": FR_TEXT}).json()
    assert isinstance(body["clean_text"], str) and "Rennes" in body["clean_text"]


@pytest.mark.parametrize(
    "req, words",
    [
        ({"text": FR_TEXT, "html": EN_HTML}, ("exactly one", "'text'", "'html'")),
        ({}, ("neither",)),
        ({"title": "only a title"}, ("neither",)),
        ({"text": ""}, ("'text' is empty",)),
        ({"text": " \n\t "}, ("'text' is empty",)),
        ({"html": "   "}, ("'html' is empty",)),
        ({"text": 42}, ("text",)),
        ({"text": FR_TEXT, "published": "last Tuesday"}, ("'published' is not a date",)),
        ({"text": FR_TEXT, "language": "french!"}, ("language tag",)),
        ({"text": FR_TEXT, "colour": "red"}, ("colour", "unknown field")),
        ({"text": FR_TEXT, "url": "u" * 5000}, ("url",)),
    ],
    ids=[
        "both",
        "neither",
        "metadata-only",
        "empty",
        "blank",
        "blank-html",
        "not-a-string",
        "bad-date",
        "bad-language",
        "unknown-field",
        "long-url",
    ],
)
def test_invalid_requests_get_422_with_a_sentence(
    client: TestClient, req: dict[str, Any], words: tuple[str, ...]
) -> None:
    r = client.post("/score", json=req)
    assert_error(r, 422, *words)
    assert isinstance(r.json()["errors"], list)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>x</title></head><body></body></html>",
        "<html><body><script>var a = 1;</script><style>p {}</style></body></html>",
        "<p></p>",
    ],
    ids=["empty-body", "only-scripts", "empty-paragraph"],
)
def test_nothing_extractable_from_html_is_422(client: TestClient, html: str) -> None:
    assert_error(client.post("/score", json={"html": html}), 422, "no article text could be extracted")


@pytest.mark.parametrize(
    "content, words",
    [
        (b"{not json", ("not valid JSON",)),
        (b'{"text": "abc"', ("not valid JSON",)),
        (b"", ("body is missing",)),
        (b"[1, 2]", ("JSON object",)),
        (b'"a string"', ("JSON object",)),
        (b"null", ("JSON object",)),
    ],
    ids=["garbage", "truncated", "empty", "array", "string", "null"],
)
def test_not_json_or_not_an_object_is_422(client: TestClient, content: bytes, words: tuple[str, ...]) -> None:
    r = client.post("/score", content=content, headers={"Content-Type": "application/json"})
    assert_error(r, 422, *words)


def test_deeply_nested_json_is_a_client_error(client: TestClient) -> None:
    r = client.post(
        "/score", content=b"[" * 15_000 + b"]" * 15_000, headers={"Content-Type": "application/json"}
    )
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/html; charset=utf-8",
        "",
    ],
)
def test_wrong_content_type_is_415(client: TestClient, content_type: str) -> None:
    r = client.post(
        "/score", content=json.dumps({"text": FR_TEXT}).encode(), headers={"Content-Type": content_type}
    )
    assert_error(r, 415, "application/json")


def test_json_content_types_are_accepted(client: TestClient) -> None:
    for ctype in ("application/json; charset=utf-8", "application/vnd.api+json"):
        r = client.post(
            "/score", content=json.dumps({"text": FR_TEXT}).encode(), headers={"Content-Type": ctype}
        )
        assert r.status_code == 200, (ctype, r.text)


def test_body_over_limit_by_content_length_is_413(client: TestClient) -> None:
    body = json.dumps({"text": "mot " * 10_000}).encode()
    assert len(body) > 20_000
    assert_error(
        client.post("/score", content=body, headers={"Content-Type": "application/json"}), 413, "body exceeds"
    )


def test_streamed_body_over_limit_is_413(client: TestClient) -> None:
    """A chunked body has no Content-Length: the received bytes are counted."""
    chunks = [b'{"text": "', *([b"mot " * 1000] * 10), b'"}']
    r = client.post("/score", content=iter(chunks), headers={"Content-Type": "application/json"})
    assert_error(r, 413, "body exceeds")


def test_body_guard_counts_chunks_without_content_length() -> None:
    """At the ASGI level: several `http.request` messages, no Content-Length. Past the limit the body is
    no longer kept: it is read and thrown away up to `drain_bytes` (so that the client, still sending,
    can read the 413), and past that the answer goes at once with `Connection: close`."""
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((await receive())["body"])

    async def run(chunks: list[bytes], drain_bytes: int) -> tuple[int, int, dict[bytes, bytes]]:
        messages = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
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
            "headers": [(b"content-type", b"application/json")],
            "path": "/score",
        }
        settings = ApiSettings(max_body_bytes=100, drain_bytes=drain_bytes)
        await BodyGuard(app, settings=settings)(scope, receive, send)
        if not sent:
            return 0, received, {}
        return sent[0]["status"], received, dict(sent[0]["headers"])

    status, received, headers = asyncio.run(run([b"x" * 60] * 10, drain_bytes=1_000))
    assert status == 413 and received == 10 and not seen  # read to its end, kept nowhere
    assert b"connection" not in headers  # the whole body was read: the connection can go on
    status, received, headers = asyncio.run(run([b"x" * 60] * 10, drain_bytes=100))
    assert status == 413 and received == 4 and not seen  # thrown away past 100 bytes, then answered
    assert headers[b"connection"] == b"close"
    status, _, _ = asyncio.run(run([b"x" * 40, b"y" * 40], drain_bytes=1_000))
    assert status == 0 and seen == [b"x" * 40 + b"y" * 40]  # under the limit: replayed as one body


def test_unknown_route_and_wrong_method_are_json(client: TestClient) -> None:
    assert_error(client.get("/nope"), 404)
    assert_error(client.get("/score"), 405)


# --- POST /score/batch ---------------------------------------------------------------------------


def test_batch_scores_each_entry_and_reports_errors_in_place(client: TestClient, real_scorer: Scorer) -> None:
    docs = [
        {"id": "ok-fr", "text": FR_TEXT},
        {"text": FR_TEXT, "html": EN_HTML},
        {"id": "ok-en", "html": EN_HTML},
        {"html": "<html><body></body></html>"},
    ]
    r = client.post("/score/batch", json={"documents": docs})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["scored"], body["failed"]) == (2, 2)
    assert [item["index"] for item in body["results"]] == [0, 1, 2, 3]
    assert [item["status"] for item in body["results"]] == [200, 422, 200, 422]
    ok = body["results"][0]["result"]
    assert ok["id"] == "ok-fr"
    assert ok == as_api(real_scorer.score(from_text(FR_TEXT, id="ok-fr", origin="api")).to_dict(), "ok-fr")
    assert "exactly one" in body["results"][1]["error"]["detail"]
    assert "no article text could be extracted" in body["results"][3]["error"]["detail"]


def test_batch_non_object_entries_are_errors_in_place(client: TestClient) -> None:
    body = client.post("/score/batch", json={"documents": [5, "text", None, {"text": FR_TEXT}]}).json()
    assert [item["status"] for item in body["results"]] == [422, 422, 422, 200]
    assert "JSON object" in body["results"][0]["error"]["detail"]


def test_batch_clean(client: TestClient) -> None:
    body = client.post("/score/batch?clean=true", json={"documents": [{"text": FR_TEXT}]}).json()
    assert "clean_text" in body["results"][0]["result"]


def test_empty_batch(client: TestClient) -> None:
    assert client.post("/score/batch", json={"documents": []}).json() == {
        "scored": 0,
        "failed": 0,
        "results": [],
    }


def test_batch_over_the_maximum_is_413(client: TestClient) -> None:
    r = client.post("/score/batch", json={"documents": [{"text": "Un texte."}] * 5})
    assert_error(r, 413, "at most 4 documents", "5")


@pytest.mark.parametrize(
    "req",
    [{}, {"documents": "x"}, {"documents": {"text": "x"}}, {"documents": [], "extra": 1}, [{"text": "x"}]],
    ids=["no-documents", "string", "object", "extra-field", "bare-list"],
)
def test_malformed_batch_is_422(client: TestClient, req: Any) -> None:
    assert_error(client.post("/score/batch", json=req), 422)


def test_batch_wrong_content_type_and_size(client: TestClient) -> None:
    assert_error(
        client.post("/score/batch", content=b"documents", headers={"Content-Type": "text/plain"}), 415
    )
    big = json.dumps({"documents": [{"text": "mot " * 3000}] * 3}).encode()
    assert_error(client.post("/score/batch", content=big, headers={"Content-Type": "application/json"}), 413)


# --- authentication ------------------------------------------------------------------------------


def test_no_key_needed_when_off(client: TestClient) -> None:
    assert client.post("/score", json={"text": FR_TEXT}, headers={"X-API-Key": "anything"}).status_code == 200


@pytest.mark.parametrize(
    "path, method, body",
    [
        ("/score", "post", {"text": FR_TEXT}),
        ("/score/batch", "post", {"documents": [{"text": FR_TEXT}]}),
        ("/signals", "get", None),
    ],
)
def test_api_key_required(auth_client: TestClient, path: str, method: str, body: Any) -> None:
    def call(headers: dict[str, str]) -> httpx.Response:
        return auth_client.request(method, path, json=body, headers=headers)

    assert_error(call({}), 401, "X-API-Key")
    assert_error(call({"X-API-Key": "wrong"}), 401)
    assert_error(call({"X-API-Key": API_KEY[:-1]}), 401)
    assert_error(call({"X-API-Key": API_KEY + "x"}), 401)
    assert call({"X-API-Key": API_KEY}).status_code == 200


def test_health_and_docs_need_no_key(auth_client: TestClient) -> None:
    assert auth_client.get("/health").status_code == 200
    assert auth_client.get("/openapi.json").status_code == 200


def test_empty_api_key_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        ApiSettings(api_key="")


# --- model loading, time bound, overload, internal errors -----------------------------------------


def test_model_not_loaded_is_503() -> None:
    def fail() -> Scorer:
        raise ModelNotLoadedError("cannot read model file /nowhere/model.json")

    with TestClient(create_app(load_scorer=fail)) as c:
        r = c.get("/health")
        assert (
            r.status_code == 503 and r.json()["status"] == "unavailable" and r.json()["model_version"] is None
        )
        assert_error(c.post("/score", json={"text": FR_TEXT}), 503, "model not loaded", "/nowhere/model.json")
        assert_error(c.post("/score/batch", json={"documents": []}), 503, "model not loaded")


def test_model_is_loaded_once_at_startup_not_at_import() -> None:
    calls: list[int] = []

    def load() -> Scorer:
        calls.append(1)
        return Scorer(features=[])

    app = create_app(load_scorer=load, warm_up=False)
    assert calls == []  # building the app loads nothing
    with TestClient(app) as c:
        for _ in range(3):
            assert c.post("/score", json={"text": FR_TEXT}).status_code == 200
    assert calls == [1]


def test_scoring_over_the_time_bound_is_503() -> None:
    app = create_app(ApiSettings(timeout=0.2), load_scorer=lambda: SlowScorer(1.0), warm_up=False)
    with TestClient(app) as c:
        r = c.post("/score", json={"text": FR_TEXT})
        assert_error(r, 503, "did not finish within 0.2 s")
        assert r.headers["Retry-After"]


def test_pool_sheds_load_when_every_thread_stays_busy() -> None:
    async def run() -> tuple[list[Any], float]:
        pool = ScoringPool(threads=1, timeout=5.0, queue_timeout=0.1)
        t0 = time.perf_counter()
        outcomes = await asyncio.gather(
            pool.run(time.sleep, 0.5), pool.run(time.sleep, 0.5), return_exceptions=True
        )
        pool.close()
        return outcomes, time.perf_counter() - t0

    outcomes, elapsed = asyncio.run(run())
    assert outcomes[0] is None and isinstance(outcomes[1], Overloaded)
    assert elapsed < 1.0


def _exit_now(_: Any) -> None:
    os._exit(3)  # a scoring process killed mid-request (out of memory, a crash in an extension)


def _process_id(_: Any) -> int:
    return os.getpid()


def test_a_scoring_process_that_dies_is_replaced() -> None:
    async def run() -> tuple[int, int]:
        pool = ScoringPool(threads=1, timeout=5.0, queue_timeout=1.0, processes=1)
        pool.start(object())  # type: ignore[arg-type]
        try:
            first = await pool.run(_process_id, None)  # type: ignore[arg-type]
            with pytest.raises(ScoringProcessDied, match="died"):
                await pool.run(_exit_now, None)  # type: ignore[arg-type]
            return first, await pool.run(_process_id, None)  # type: ignore[arg-type]
        finally:
            pool.close()

    first, after = asyncio.run(run())
    assert first != os.getpid() and after not in (first, os.getpid())


def _nap(_: Any) -> str:
    time.sleep(0.3)
    return "done"


def test_a_scoring_process_busy_at_close_answers_then_ends() -> None:
    async def run() -> tuple[str, Any]:
        pool = ScoringPool(threads=1, timeout=5.0, queue_timeout=1.0, processes=1)
        pool.start(object())  # type: ignore[arg-type]
        proc = pool._procs[0]
        task = asyncio.ensure_future(pool.run(_nap, None))  # type: ignore[arg-type]
        await asyncio.sleep(0.05)  # the request is in the process
        pool.close()
        return await task, proc

    answer, proc = asyncio.run(run())
    assert answer == "done"
    assert proc.join(timeout=2.0) and not proc.alive()


def _length(_: Any, data: bytes) -> int:
    return len(data)


def test_a_scoring_process_holds_the_next_request_in_its_pipe() -> None:
    """With `pipeline=2`, one process takes a second request while it scores the first, answers both in
    order, and a third request waits for a slot (here: longer than the queue bound, so 503)."""

    async def run() -> tuple[list[Any], float]:
        pool = ScoringPool(threads=1, timeout=5.0, queue_timeout=0.2, processes=1, pipeline=2)
        pool.start(object())  # type: ignore[arg-type]
        try:
            t0 = time.perf_counter()
            outcomes = await asyncio.gather(
                pool.run(_nap, None),  # type: ignore[arg-type]
                pool.run(_process_id, None),  # type: ignore[arg-type]
                pool.run(_process_id, None),  # type: ignore[arg-type]
                return_exceptions=True,
            )
            return outcomes, time.perf_counter() - t0
        finally:
            pool.close()

    outcomes, elapsed = asyncio.run(run())
    assert outcomes[0] == "done"
    assert isinstance(outcomes[1], int) and outcomes[1] != os.getpid()
    assert isinstance(outcomes[2], Overloaded)
    assert elapsed < 2.0


def test_a_request_waiting_behind_one_that_kills_its_process_is_scored_by_the_replacement() -> None:
    async def run() -> tuple[int, list[Any]]:
        pool = ScoringPool(threads=1, timeout=5.0, queue_timeout=1.0, processes=1, pipeline=2)
        pool.start(object())  # type: ignore[arg-type]
        try:
            first = await pool.run(_process_id, None)  # type: ignore[arg-type]
            outcomes = await asyncio.gather(
                pool.run(_exit_now, None),  # type: ignore[arg-type]
                pool.run(_process_id, None),  # type: ignore[arg-type]
                return_exceptions=True,
            )
            return first, outcomes
        finally:
            pool.close()

    first, (died, after) = asyncio.run(run())
    assert isinstance(died, ScoringProcessDied) and "died" in str(died)
    assert isinstance(after, int) and after not in (first, os.getpid())


def test_a_scoring_process_that_dies_while_idle_is_replaced_before_the_next_request() -> None:
    async def run() -> tuple[int, int]:
        pool = ScoringPool(threads=1, timeout=5.0, queue_timeout=1.0, processes=1)
        pool.start(object())  # type: ignore[arg-type]
        try:
            first = pool._procs[0].pid
            os.kill(first, signal.SIGKILL)  # out of memory, say, between two requests
            for _ in range(100):
                await asyncio.sleep(0.02)
                if pool._procs and pool._procs[0].pid != first:
                    break
            return first, await pool.run(_process_id, None)  # type: ignore[arg-type]
        finally:
            pool.close()

    first, after = asyncio.run(run())
    assert after not in (first, os.getpid())


def test_a_large_request_for_a_busy_process_does_not_block_the_event_loop() -> None:
    """A request far larger than a pipe holds, sent while the process scores another, is written as the
    process reads it: the loop keeps running meanwhile, and the process gets every byte."""
    big = b"x" * 8_000_000

    async def run() -> tuple[list[Any], float]:
        pool = ScoringPool(threads=1, timeout=5.0, queue_timeout=1.0, processes=1, pipeline=2)
        pool.start(object())  # type: ignore[arg-type]
        lag = 0.0

        async def ticker() -> None:
            nonlocal lag
            for _ in range(20):
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                lag = max(lag, time.perf_counter() - t - 0.01)

        try:
            outcomes = await asyncio.gather(
                pool.run(_nap, None),  # type: ignore[arg-type]
                pool.run(_length, None, big),  # type: ignore[arg-type]
                ticker(),
            )
            return outcomes, lag
        finally:
            pool.close()

    (napped, length, _), lag = asyncio.run(run())
    assert (napped, length) == ("done", len(big))
    assert lag < 0.15  # the nap alone is 0.3 s: a write blocked on the pipe would stall the loop that long


def test_overloaded_is_503_with_retry_after() -> None:
    app = create_app(
        ApiSettings(threads=1, queue_timeout=0.05), load_scorer=lambda: SlowScorer(0.5), warm_up=False
    )

    async def run() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
                return list(
                    await asyncio.gather(*(ac.post("/score", json={"text": FR_TEXT}) for _ in range(2)))
                )

    statuses = sorted(r.status_code for r in asyncio.run(run()))
    assert statuses == [200, 503]


def test_scoring_does_not_block_the_event_loop() -> None:
    """While a slow document is being scored, /health still answers at once."""
    app = create_app(load_scorer=lambda: SlowScorer(1.0), warm_up=False)

    async def run() -> tuple[float, float]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
                t0 = time.perf_counter()
                slow = asyncio.create_task(ac.post("/score", json={"text": FR_TEXT}))
                await asyncio.sleep(0.1)
                health = await ac.get("/health")
                t_health = time.perf_counter() - t0
                assert health.status_code == 200
                assert (await slow).status_code == 200
                return t_health, time.perf_counter() - t0

    t_health, t_slow = asyncio.run(run())
    assert t_health < 0.5 < 1.0 <= t_slow


def test_internal_error_is_a_json_500_and_batch_keeps_the_rest() -> None:
    with TestClient(create_app(load_scorer=BrokenScorer, warm_up=False), raise_server_exceptions=False) as c:
        r = c.post("/score", json={"text": "boom boom"})
        detail = assert_error(r, 500, "internal error")
        assert "RuntimeError" not in detail and "a bug" not in detail
        body = c.post("/score/batch", json={"documents": [{"text": "boom"}, {"text": FR_TEXT}]}).json()
        assert [item["status"] for item in body["results"]] == [500, 200]
        assert (body["scored"], body["failed"]) == (1, 1)


def test_scoring_processes_answer_like_threads(real_scorer: Scorer) -> None:
    """With `processes`, documents are scored in processes forked after the model is loaded: the
    same results, errors in place in a batch, extraction errors as 422, and the time bound."""
    batch = {"documents": [{"text": FR_TEXT}, {"text": " "}, {"html": "<html><body></body></html>"}]}
    with TestClient(create_app(load_scorer=lambda: real_scorer, warm_up=False)) as c:
        expected = c.post("/score", json={"text": FR_TEXT}).json()
    with TestClient(
        create_app(ApiSettings(processes=2), load_scorer=lambda: real_scorer, warm_up=False)
    ) as c:
        assert c.post("/score", json={"text": FR_TEXT}).json() == expected
        assert_error(c.post("/score", json={"html": "<html><body></body></html>"}), 422, "extracted")
        body = c.post("/score/batch", json=batch).json()
        assert [item["status"] for item in body["results"]] == [200, 422, 422]
        assert body["results"][0]["result"] == expected
    slow = create_app(
        ApiSettings(processes=1, timeout=0.2), load_scorer=lambda: SlowScorer(1.0), warm_up=False
    )
    with TestClient(slow) as c:
        assert_error(c.post("/score", json={"text": FR_TEXT}), 503, "did not finish within 0.2 s")

"""Property test: at least 1,000 generated requests, well-formed or not, and never a 5xx.

Bodies are small (the point is shape, not size), so the run takes seconds. Nothing here asserts on
particular signal codes: only on the shape of every answer."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import ApiSettings, create_app
from scorer.engine import Scorer

MIN_REQUESTS = 1_000
LABELS = {"high", "medium", "low", "very_low"}

# Words of both languages and the artefacts the families look for, so that generated texts reach
# more of the scoring code than random characters would.
WORDS = (
    "le la les de des selon a déclaré « » Paris lundi 2024 millions XNUMX the said according to "
    "officials Monday Share Newsletter Date: Source link spot_img , . ! ? : ; 3,5 % € $ l' d' qu'"
).split()
word_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join)
any_text = st.one_of(st.text(max_size=120), word_text, st.lists(word_text, max_size=3).map("\n\n".join))
html_text = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda title, paras, tail: (
            f"<html><head><title>{title}</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in paras)
            + f"</article><footer>{tail}</footer></body></html>"
        ),
        st.text(max_size=30),
        st.lists(any_text, max_size=4),
        word_text,
    ),
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
optional_fields: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(st.text(max_size=20), json_scalars),
    "url": st.one_of(st.just("https://example.org/a"), st.text(max_size=40), json_scalars),
    "title": st.one_of(st.text(max_size=40), json_scalars),
    "author": st.one_of(st.text(max_size=40), json_scalars),
    "published": st.one_of(
        st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=20), json_scalars
    ),
    "language": st.one_of(
        st.sampled_from(["fr", "en", "de", "fr-CA", "en_GB", "xx", "FR"]), st.text(max_size=8), json_scalars
    ),
    "colour": json_scalars,  # an unknown field
}
documents = st.one_of(
    st.fixed_dictionaries({"text": any_text}, optional=optional_fields),
    st.fixed_dictionaries({"html": html_text}, optional=optional_fields),
    st.fixed_dictionaries({}, optional={"text": any_text, "html": html_text, **optional_fields}),
    json_scalars,
)
json_bodies = st.one_of(
    documents,
    st.fixed_dictionaries({"documents": st.lists(documents, max_size=4)}),
    st.recursive(
        json_scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    ),
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
        "application/ld+json",
    ]
)
paths = st.sampled_from(
    ["/score", "/score/batch", "/score?clean=true", "/score/batch?clean=1", "/score?clean=maybe"]
)


valid_fields: dict[str, st.SearchStrategy[Any]] = {
    "id": st.text(max_size=20),
    "url": st.just("https://example.org/a"),
    "title": st.text(max_size=40),
    "author": st.text(max_size=40),
    "published": st.dates().map(str),
    "language": st.sampled_from(["fr", "en", "de", "fr-CA"]),
}
valid_documents = st.one_of(
    st.fixed_dictionaries({"text": any_text.filter(str.strip)}, optional=valid_fields),
    st.fixed_dictionaries({"html": html_text.filter(str.strip)}, optional=valid_fields),
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    """A path, a body and headers: half well-formed requests (which mostly get scored), half anything
    (arbitrary JSON or bytes, any content type)."""
    if draw(st.booleans()):
        if draw(st.booleans()):
            path, payload = draw(st.sampled_from(["/score", "/score?clean=true"])), draw(valid_documents)
        else:
            path = draw(st.sampled_from(["/score/batch", "/score/batch?clean=true"]))
            payload = {"documents": draw(st.lists(st.one_of(valid_documents, documents), max_size=2))}
        return path, json.dumps(payload).encode("utf-8"), {"Content-Type": "application/json"}
    path = draw(paths)
    kind = draw(st.integers(0, 9))
    if kind == 0:
        body = draw(st.binary(max_size=300))
    elif kind == 1:  # around the body limit
        body = json.dumps({"text": "mot " * draw(st.integers(0, 1_500))}).encode("utf-8")
    else:
        body = json.dumps(draw(json_bodies), ensure_ascii=draw(st.booleans())).encode("utf-8")
    ctype = draw(content_types)
    return path, body, ({"Content-Type": ctype} if ctype is not None else {})


Post = Callable[[str, bytes, dict[str, str]], httpx.Response]


@pytest.fixture(scope="module")
def post(real_scorer: Scorer) -> Iterator[Post]:
    """POST into the app in-process on one event loop (httpx's ASGI transport): a few times cheaper
    per request than TestClient's thread hops, which matters for 1,000 requests. The app's lifespan
    runs once around the whole test."""
    # Small limits so that generated requests also reach the 413 paths; a generous time bound so that
    # a busy test machine does not turn into 503s.
    settings_ = ApiSettings(max_body_bytes=4_000, max_batch=3, timeout=120.0, queue_timeout=120.0)
    app = create_app(settings_, load_scorer=lambda: real_scorer)
    loop = asyncio.new_event_loop()
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    # raise_app_exceptions=False: a 500 is seen as a response (and fails the test with its body).
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://api"
    )

    def send(path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return loop.run_until_complete(client.post(path, content=body, headers=headers))

    try:
        yield send
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()


def check_answer(path: str, status: int, body: Any) -> None:
    """The shape every answer must have."""
    assert status < 500, body
    assert isinstance(body, dict)
    if status != 200:
        assert isinstance(body["detail"], str) and body["detail"]
        return
    results = (
        [body]
        if path.startswith("/score?") or path == "/score"
        else [i["result"] for i in body["results"] if i["status"] == 200]
    )
    if not path.startswith("/score?") and path != "/score":
        assert body["scored"] + body["failed"] == len(body["results"])
        assert all(i["status"] < 500 for i in body["results"]), body
    for r in results:
        assert 0 <= r["score"] <= 100 and r["label"] in LABELS
        assert all(0 <= v <= 100 for v in r["families"].values())


def test_no_generated_request_gets_a_5xx(post: Post) -> None:
    sent = 0
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=MIN_REQUESTS,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(requests())
    def one(request: tuple[str, bytes, dict[str, str]]) -> None:
        nonlocal sent
        path, body, headers = request
        r = post(path, body, headers)
        sent += 1
        statuses[r.status_code] += 1
        check_answer(path, r.status_code, r.json())

    one()
    assert sent >= MIN_REQUESTS
    # The generator reaches both the scoring path and every client error.
    print(f"{sent} requests, statuses: {dict(sorted(statuses.items()))}")
    assert {200, 413, 415, 422} <= set(statuses), statuses
    assert statuses[200] >= MIN_REQUESTS // 10, statuses

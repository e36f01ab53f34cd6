"""Property-based runs over the OpenAPI document (schemathesis): generated requests for every
operation, valid and not, against the app in-process with the real scorer: no server error, and
every answer as documented. Bounded and deterministic: at most 50 examples per operation,
derandomized, no example database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import ApiSettings, create_app
from scorer.engine import Scorer


@pytest.fixture(scope="module")
def api_schema(real_scorer: Scorer) -> Iterator[schemathesis.BaseSchema]:
    app = create_app(ApiSettings(max_body_bytes=200_000), load_scorer=lambda: real_scorer, warm_up=False)
    with TestClient(app):  # runs the lifespan: the scorer is loaded for the generated calls
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


# Each operation of the document (a test checks that it has no others). schemathesis's own pytest
# plugin (`from_fixture`) is not used: it does not run on pytest 9; its strategies are, per operation.
OPERATIONS = [("/score", "POST"), ("/score/batch", "POST"), ("/health", "GET"), ("/signals", "GET")]


def test_every_operation_is_exercised(api_schema: schemathesis.BaseSchema) -> None:
    found = {(r.ok().path, r.ok().method.upper()) for r in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_generated_requests_get_no_server_error(
    api_schema: schemathesis.BaseSchema, path: str, method: str
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=50,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        # No 5xx but the documented 503s (none here: the model is loaded and the pool is idle), and
        # every answer as documented: its status, its media type and its body's schema. (Not "every
        # schema-valid request is accepted": the schema cannot say "exactly one of text and html", nor
        # that an HTML page must hold an article.)
        case.call_and_validate(
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ]
        )

    run()

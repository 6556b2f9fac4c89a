"""Every error response is problem+json with the right status and no stack trace."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pydantic import BaseModel, ConfigDict

from api.problems import status_for, status_of
from portfolio.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    RateLimited,
    ValidationFailed,
)

PROBLEM = "application/problem+json"


class _Echo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: int


@pytest.fixture(scope="session", autouse=True)
def _probe_routes(app: FastAPI) -> None:
    """Two routes that exist only in this test app: one that echoes, one that fails."""

    async def echo(body: _Echo) -> _Echo:
        return body

    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    # Not in the OpenAPI document: the fuzz tests call every documented operation.
    app.add_api_route("/_test/echo", echo, methods=["POST"], include_in_schema=False)
    app.add_api_route("/_test/boom", boom, methods=["GET"], include_in_schema=False)


def assert_problem(response_json: dict[str, object], status: int) -> None:
    assert response_json["status"] == status
    for key in ("type", "title", "detail"):
        assert isinstance(response_json[key], str)
        assert response_json[key]


async def test_health_and_readiness(client: AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_unknown_route_is_404_problem(client: AsyncClient) -> None:
    response = await client.get("/no/such/route")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert_problem(response.json(), 404)
    assert "/no/such/route" in response.json()["detail"]


async def test_wrong_method_is_405_problem(client: AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["allow"] == "GET"


async def test_malformed_json_is_400_problem(client: AsyncClient) -> None:
    response = await client.post(
        "/_test/echo", content=b'{"name": "x", ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:portfolio:problem:malformed-json"


async def test_validation_failure_names_each_field_and_rule(client: AsyncClient) -> None:
    response = await client.post(
        "/_test/echo", json={"name": "x", "count": "many", "role": "admin"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    errors = {e["field"]: e["rule"] for e in response.json()["errors"]}
    assert errors == {"body.count": "int_parsing", "body.role": "extra_forbidden"}
    assert "many" not in response.text  # rejected input is never echoed


async def test_oversized_body_is_413_problem(client: AsyncClient) -> None:
    body = b'{"name": "' + b"x" * 2_000_000 + b'", "count": 1}'
    response = await client.post(
        "/_test/echo", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["limit_bytes"] == 1_000_000


async def test_oversized_body_without_length_is_413(client: AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 50_000
        yield b'", "count": 1}'

    response = await client.post(
        "/_test/echo", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_internal_error_is_500_problem_with_request_id(client: AsyncClient) -> None:
    response = await client.get("/_test/boom", headers={"x-request-id": "req-123"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["request_id"] == "req-123"
    assert response.headers["x-request-id"] == "req-123"
    assert "Traceback" not in response.text
    assert "secret internal detail" not in response.text


async def test_every_response_carries_a_request_id(client: AsyncClient) -> None:
    response = await client.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


def test_the_status_of_a_domain_error_is_one_public_table() -> None:
    """Page routes pick their status from the same table as the JSON problems."""
    cases = [
        (NotFound("x"), 404),
        (AuthenticationFailed("x"), 401),
        (Forbidden("x"), 403),
        (Conflict("x"), 409),
        (InvalidTransition("x", current_state="done"), 409),
        (ValidationFailed.single("f", "r", "m"), 422),
        (RateLimited("x", retry_after_seconds=1), 429),
        (DomainError("x"), 400),
    ]
    assert [status_for(error) for error, _ in cases] == [status for _, status in cases]
    assert status_of is status_for

"""NoSQL operator injection: operator objects and ``$``/dotted keys are refused with 422.

Generated from the app's OpenAPI: every JSON body's string fields (top level and the rows of
bulk bodies) are replaced by ``{"$gt": ""}``, and an extra ``$where`` / dotted key is added,
calling each route as a role it admits; every paginated list gets an operator-shaped cursor
and limit. Then the representative families are checked for the literal string too: it is
data, so it matches nothing where the operator would match everything.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from api.app import create_app
from portfolio.accounts.principal import Role, Seat, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import PLACEHOLDER, PUBLIC, SEATS
from tests.access.test_matrix import TABLE
from tests.helpers import LoggedIn, assert_problem, create_principal, log_in_as
from tests.workers.factories import registered_worker

OPERATOR = {"$gt": ""}
LITERAL = '{"$gt": ""}'

_SPEC = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return _resolve(defs[ref.rsplit("/", 1)[-1]], defs)
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _resolve(option, defs)
    return schema


def _is_string(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "string" for o in options)


def _string_fields(schema: dict[str, Any], defs: dict[str, Any]) -> list[tuple[str, ...]]:
    """Paths of string fields: top level, and inside the first item of arrays of objects."""
    found: list[tuple[str, ...]] = []
    for name, field in schema.get("properties", {}).items():
        if _is_string(field):
            found.append((name,))
            continue
        resolved = _resolve(field, defs)
        if resolved.get("type") == "array":
            item = _resolve(resolved.get("items", {}), defs)
            for inner, inner_field in item.get("properties", {}).items():
                if _is_string(inner_field):
                    found.append((name, "0", inner))
    return found


def _body_cases() -> list[tuple[str, str, tuple[str, ...]]]:
    cases = []
    defs = _SPEC["components"]["schemas"]
    for path, operations in _SPEC["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            raw = content["application/json"]["schema"]
            schema = _resolve(raw, {**defs, **raw.get("$defs", {})})
            for field in _string_fields(schema, {**defs, **raw.get("$defs", {})}):
                cases.append((method.upper(), path, field))
            cases.append((method.upper(), path, ("$where",)))
            cases.append((method.upper(), path, ("a.b",)))
    return cases


BODY_CASES = _body_cases()


def _with(field: tuple[str, ...], value: Any) -> dict[str, Any]:
    if len(field) == 1:
        return {field[0]: value}
    return {field[0]: [{field[2]: value}]}


def _seat_for(method: str, path: str) -> Seat | None:
    access = TABLE[(method, path)]
    if access == PUBLIC:
        return None
    return sorted(access)[0]


@pytest.fixture
async def sessions(client: AsyncClient, settings: Settings) -> dict[Seat, dict[str, str]]:
    """Headers per seat; the worker has a real archive (its lists look the archive up first)."""
    logged: dict[Seat, LoggedIn] = {
        (role, staff): await log_in_as(client, settings, role, staff_role=staff)
        for role, staff in SEATS
    }
    headers = {seat: session.headers for seat, session in logged.items()}
    agency_admin = logged[(Role.AGENCY, StaffRole.ADMIN)]
    headers[(Role.WORKER, None)] = (await registered_worker(client, agency_admin)).headers
    return headers


@pytest.mark.parametrize(
    ("method", "path", "field"),
    BODY_CASES,
    ids=[f"{m} {p} {'.'.join(f)}" for m, p, f in BODY_CASES],
)
async def test_operator_in_a_json_body_is_422(
    client: AsyncClient,
    sessions: dict[Seat, dict[str, str]],
    method: str,
    path: str,
    field: tuple[str, ...],
) -> None:
    seat = _seat_for(method, path)
    headers = sessions[seat] if seat is not None else {}
    value: Any = OPERATOR if field[-1] not in ("$where", "a.b") else "1"
    url = re.sub(r"\{[^}]+\}", PLACEHOLDER, path)
    if "{session_n}" in path:
        url = url.replace(f"/sessions/{PLACEHOLDER}/", "/sessions/1/")
    if "{n}" in path:
        url = url.replace(f"/changes/{PLACEHOLDER}/", "/changes/1/")
    response = await client.request(method, url, json=_with(field, value), headers=headers)
    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert "body." + ".".join(field) in fields, body


def _list_cases() -> list[tuple[str, str]]:
    return [
        ("GET", path)
        for path, operations in _SPEC["paths"].items()
        if "get" in operations
        and {"cursor", "limit"} <= {p["name"] for p in operations["get"].get("parameters", [])}
        and "{" not in path
    ]


@pytest.mark.parametrize(("method", "path"), _list_cases(), ids=[p for _, p in _list_cases()])
async def test_operator_shaped_cursor_and_limit_are_422(
    client: AsyncClient, sessions: dict[Seat, dict[str, str]], method: str, path: str
) -> None:
    seat = _seat_for(method, path)
    headers = sessions[seat] if seat is not None else {}
    for query in ({"cursor": LITERAL}, {"limit": '{"$gt": 0}'}, {"cursor": "$gt"}):
        response = await client.request(method, path, params=query, headers=headers)
        assert_problem(response, 422)
    # PHP-style nested keys are not parameters at all: ignored, never an operator.
    plain = await client.request(method, path, headers=headers)
    response = await client.request(method, path, params={"cursor[$gt]": ""}, headers=headers)
    assert response.status_code == plain.status_code < 500, response.text


async def test_login_form_refuses_operator_keys_and_takes_literals_as_data(
    client: AsyncClient, settings: Settings
) -> None:
    await create_principal(settings, Role.ADMIN, username="admin-x", password="a right password")
    nested = {"grant_type": "password", "username[$ne]": "x", "password[$ne]": "x"}
    assert_problem(await client.post("/auth/token", data=nested), 422)
    as_json = {"grant_type": "password", "username": OPERATOR, "password": OPERATOR}
    assert_problem(await client.post("/auth/token", json=as_json), 422)
    literal = {"grant_type": "password", "username": LITERAL, "password": "a right password"}
    assert_problem(await client.post("/auth/token", data=literal), 401)


async def test_worker_search_takes_a_literal_as_a_number_that_matches_nothing(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="51")
    registered = await client.post(
        "/workers",
        json={
            "name": "张三",
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
            "phone": "13800000000",
            "region_code": "510104",
        },
        headers=agency.headers,
    )
    assert registered.status_code == 201, registered.text
    for bad in ({"id_number": OPERATOR}, {"social_security_number": {"$ne": None}}):
        response = await client.post(
            "/workers/search", json={"purpose": "injection test", **bad}, headers=agency.headers
        )
        assert_problem(response, 422)
    literal = await client.post(
        "/workers/search",
        json={"purpose": "injection test", "id_type": "passport", "id_number": "$gt"},
        headers=agency.headers,
    )
    assert literal.status_code in (404, 422), literal.text


async def test_certificate_check_query_is_data(client: AsyncClient) -> None:
    literal = await client.get("/certificates/check", params={"number": LITERAL, "name": LITERAL})
    assert literal.status_code == 200, literal.text
    assert literal.json()["status"] == "unknown"
    # A PHP-style operator key is no parameter: the number is simply missing.
    nested = await client.get("/certificates/check", params={"number[$ne]": "x", "name": "x"})
    assert_problem(nested, 422)


async def test_deeply_nested_and_oversized_bodies_are_refused_cleanly(
    client: AsyncClient, app: FastAPI
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = await client.post(
        "/auth/activate", content=deep, headers={"content-type": "application/json"}
    )
    assert response.status_code in (400, 413, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    nested: Any = "x"
    for _ in range(200):
        nested = {"code": nested}
    response = await client.post("/auth/activate", json=nested)
    assert_problem(response, 422)
    long = {"code": "A" * 100_000, "password": "p" * 900_000}
    response = await client.post("/auth/activate", json=long)
    assert response.status_code in (413, 422)
    assert response.headers["content-type"] == "application/problem+json"

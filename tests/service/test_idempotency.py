"""Idempotency-Key: a retried registration replays the first answer, which is stored encrypted."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.archives.factories import fresh_resident_id
from tests.helpers import assert_problem, log_in_as
from tests.workers.factories import fresh_phone


async def test_replayed_registration_is_identical_and_its_code_is_not_stored_in_clear(
    client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    body = {
        "name": "孙八",
        "id_number": fresh_resident_id(),
        "phone": fresh_phone(),
        "region_code": "510104",
    }
    headers = {**agency.headers, "Idempotency-Key": "register-sun-ba"}
    first = await client.post("/workers", json=body, headers=headers)
    second = await client.post("/workers", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second.headers["idempotent-replayed"] == "true"
    code = first.json()["activation"]["code"]
    stored = await db_client[runtime.settings.database]["idempotency_records"].find().to_list()
    assert len(stored) == 1
    assert code.encode() not in repr(stored).encode()
    assert body["id_number"] not in repr(stored)

    other_key = {**agency.headers, "Idempotency-Key": "register-sun-ba-again"}
    duplicate = await client.post("/workers", json=body, headers=other_key)
    assert_problem(duplicate, 409)


async def test_a_malformed_key_is_refused(client: AsyncClient, runtime: Runtime) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    body = {
        "name": "周九",
        "id_number": fresh_resident_id(),
        "phone": fresh_phone(),
        "region_code": "510104",
    }
    response = await client.post(
        "/workers", json=body, headers={**agency.headers, "Idempotency-Key": "has space"}
    )
    errors = assert_problem(response, 422)["errors"]
    assert errors[0]["field"] == "header.Idempotency-Key"
    listed = await client.post(
        "/workers/search",
        json={"id_number": body["id_number"], "purpose": "核对是否已登记"},
        headers=agency.headers,
    )
    assert listed.status_code == 404

"""No answer is cached unless its route says so: personal data never lands in a cache."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.helpers import log_in_as
from tests.workers.factories import registered_worker


async def test_personal_data_answers_say_no_store(client: AsyncClient, runtime: Runtime) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    answers = [
        await client.get("/me/archive", headers=worker.headers),
        await client.get(f"/workers/{worker.archive_id}", headers=agency.headers),
        await client.get("/me/access-log", headers=worker.headers),
        await client.get("/workers/000000000000000000000000", headers=agency.headers),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 404]
    assert {a.headers["cache-control"] for a in answers} == {"no-store"}


async def test_a_route_that_may_be_cached_keeps_its_own_header(client: AsyncClient) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.headers["cache-control"] == "public, max-age=300"

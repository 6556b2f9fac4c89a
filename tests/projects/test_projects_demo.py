"""The project demo: Chengdu's officer bought a training project from provider A, its first
milestone paid once on the ledger from the employment subsidy fund, the second open; the demo
worker-1 is in its group (to attest it on ``/my/projects``)."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.projects.demo import NAME
from portfolio.vouchers.ledger import LedgerEntry
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_the_demo_shows_a_project_with_one_milestone_paid(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    chengdu = await _headers(client, "officer-chengdu")
    [project] = (await client.get("/projects", headers=chengdu)).json()
    assert project["funding_source"] == "employment_subsidy"
    assert [m["status"] for m in project["milestones"]] == ["paid", "open"]
    assert project["paid_fen"] == 800_000
    [entry] = await LedgerEntry.find({"kind": "milestone"}).to_list()
    assert entry.id == f"milestone:{project['id']}:1"
    assert entry.funding_source == "employment_subsidy"
    provider = await _headers(client, "provider-a")
    assert [p["id"] for p in (await client.get("/projects", headers=provider)).json()] == [
        project["id"]
    ]
    mianyang = await _headers(client, "agency-mianyang")
    assert (await client.get("/projects", headers=mianyang)).json() == []


async def test_the_demo_worker_1_is_in_the_project_group(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    mine = await client.get("/me/projects", headers=await _headers(client, "worker-1"))
    assert [p["name"] for p in mine.json()] == [NAME]
    other = await client.get("/me/projects", headers=await _headers(client, "worker-2"))
    assert other.json() == []

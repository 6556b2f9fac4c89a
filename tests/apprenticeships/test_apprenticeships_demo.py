"""The apprenticeship demo: worker-2's active apprenticeship, seen by each party."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_ENTERPRISE, DEMO_PASSWORD
from portfolio.apprenticeships.demo import DEMO_APPRENTICESHIP, DEMO_MENTOR_MASTER
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_worker_2_is_an_apprentice_and_loading_twice_changes_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    worker_2 = await _headers(client, "worker-2")
    mine = (await client.get("/me/apprenticeships", headers=worker_2)).json()["items"]
    assert [(a["id"], a["status"]) for a in mine] == [(DEMO_APPRENTICESHIP, "active")]
    assert mine[0]["employer_id"] == DEMO_ENTERPRISE
    summary = (await client.get("/me/archive", headers=worker_2)).json()["summary"]
    assert [a["status"] for a in summary["apprenticeships"]] == ["active"]
    verified = (await client.get("/me/archive/verify", headers=worker_2)).json()
    assert verified["ok"] is True

    chengdu = await _headers(client, "agency-chengdu")
    detail = (await client.get(f"/apprenticeships/{DEMO_APPRENTICESHIP}", headers=chengdu)).json()
    actions = [e["action"] for e in detail["history"]]
    assert actions == [
        "created",
        "approved",
        "approved",
        "approved",
        "confirmed",
        "started",
        "paused",
        "resumed",
    ]
    # Four months and more since the start, two weeks of them paused: at least 3 months owed.
    assert detail["subsidy"]["months"] >= 3
    assert detail["subsidy"]["owed_fen"] == 500_000 * detail["subsidy"]["months"] // 12

    # The enterprise's own login sees the apprenticeship it employs, and its mentors.
    enterprise = await _headers(client, "enterprise")
    theirs = (await client.get("/apprenticeships", headers=enterprise)).json()["items"]
    assert [(a["id"], a["employer_id"]) for a in theirs] == [(DEMO_APPRENTICESHIP, DEMO_ENTERPRISE)]
    assert (
        await client.get(f"/mentors/{DEMO_MENTOR_MASTER}", headers=enterprise)
    ).status_code == 200

    provider_b = await _headers(client, "provider-b")
    seen = (await client.get("/apprenticeships", headers=provider_b)).json()["items"]
    assert [a["id"] for a in seen] == [DEMO_APPRENTICESHIP]
    mianyang = await _headers(client, "agency-mianyang")
    assert (
        await client.get(f"/apprenticeships/{DEMO_APPRENTICESHIP}", headers=mianyang)
    ).status_code == 200
    mentor = (await client.get(f"/mentors/{DEMO_MENTOR_MASTER}", headers=chengdu)).json()
    assert mentor["active_apprentices"] == 1

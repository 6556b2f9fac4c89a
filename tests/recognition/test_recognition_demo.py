"""The recognition demo: every road visible from a demo login, loading twice changes nothing."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_PASSWORD
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_each_road_is_in_the_demo_and_loading_twice_changes_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    assessor = await _headers(client, "assessor")
    issued = (await client.get("/certificates", headers=assessor)).json()["items"]
    assert sorted(c["road"] for c in issued) == ["assessment", "special_ability"]
    enterprise = await _headers(client, "enterprise")
    own = (await client.get("/certificates", headers=enterprise)).json()["items"]
    assert [c["road"] for c in own] == ["enterprise"]
    chengdu = await _headers(client, "officer-chengdu")
    waiting = await client.get(
        "/direct-recognitions", params={"status": "proposed"}, headers=chengdu
    )
    assert [r["level"] for r in waiting.json()] == ["technician"]
    accredited = (await client.get("/accreditations", headers=chengdu)).json()["items"]
    assert sorted(a["kind"] for a in accredited) == ["assessment_body", "enterprise"]
    norms = (await client.get("/ability-norms", headers=chengdu)).json()
    assert len(norms) == 3
    # The demo workers' own records are left as the other demos made them.
    worker_1 = await _headers(client, "worker-1")
    entries = (await client.get("/me/entries", headers=worker_1)).json()["items"]
    assert all(not e["payload"].get("road") for e in entries)

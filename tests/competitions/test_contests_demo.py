"""The competitions and honours demo: worker-2's first place made her a technician, both
workers' honours are in their archives, each agency sees what its region covers."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_PASSWORD
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_the_demo_shows_a_published_competition_and_two_honours(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    worker_2 = await _headers(client, "worker-2")
    archive = (await client.get("/me/archive", headers=worker_2)).json()
    kinds = [e["kind"] for e in archive["entries"]["items"]]
    assert kinds.count("competition_result") == 1
    assert kinds.count("honour") == 1
    levels = {i["occupation_code"]: i["level"] for i in archive["summary"]["highest_levels"]}
    assert levels["6-18-02-04"] == "technician"
    assert (await client.get("/me/archive/verify", headers=worker_2)).json()["ok"] is True
    worker_1 = await _headers(client, "worker-1")
    entries = (await client.get("/me/archive", headers=worker_1)).json()["entries"]["items"]
    assert [e["payload"]["title"] for e in entries if e["kind"] == "honour"] == ["成都工匠"]

    province = await _headers(client, "agency-sichuan")
    [event] = (await client.get("/competitions", headers=province)).json()
    assert (event["status"], event["entrant_count"]) == ("published", 2)
    assert len((await client.get("/honours", headers=province)).json()) == 2
    chengdu = await _headers(client, "officer-chengdu")
    assert [h["title_text"] for h in (await client.get("/honours", headers=chengdu)).json()] == [
        "成都工匠"
    ]
    assert (await client.get("/competitions", headers=chengdu)).json() == []

"""The demo's recognitions across borders: worker-1's Chongqing certificate recognised (its
level in her summary) and her Japanese licence refused; worker-2's Australian certificate
recognised; loading twice changes nothing; the report counts what the records say."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_PASSWORD
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_the_demo_shows_one_of_each(client: AsyncClient, runtime: Runtime) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    worker_1 = await _headers(client, "worker-1")
    archive = (await client.get("/me/archive", headers=worker_1)).json()
    stated = [
        (e["payload"]["origin"], e["payload"]["decision"])
        for e in archive["entries"]["items"]
        if e["kind"] == "cross_border_recognition"
    ]
    assert sorted(stated) == [("chongqing", "recognised"), ("foreign", "refused")]
    levels = {i["occupation_code"]: i["level"] for i in archive["summary"]["highest_levels"]}
    assert levels["4-03-02-01"] == "junior"
    assert "4-03-02-03" not in levels
    assert (await client.get("/me/archive/verify", headers=worker_1)).json()["ok"] is True
    worker_2 = await _headers(client, "worker-2")
    [own] = (await client.get("/me/border-recognitions", headers=worker_2)).json()
    assert (own["country"], own["status"], own["recognised_level"]) == (
        "AUS",
        "recognised",
        "senior",
    )

    province = await _headers(client, "agency-sichuan")
    assert len((await client.get("/border-recognitions", headers=province)).json()) == 3
    chengdu = await _headers(client, "officer-chengdu")
    assert len((await client.get("/border-recognitions", headers=chengdu)).json()) == 2
    report = (await client.get("/reports/cross-border", headers=province)).json()
    assert report["counts_as_new_skilled"] is False
    counted = {(r["origin"], r["decision"], r["region_code"]): r["count"] for r in report["rows"]}
    assert counted == {
        ("chongqing", "recognised", "510104"): 1,
        ("foreign", "refused", "510104"): 1,
        ("foreign", "recognised", "510703"): 1,
    }

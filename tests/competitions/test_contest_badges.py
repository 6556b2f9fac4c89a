"""A result that granted a level and an honour are Open Badges credentials; voiding the
honour revokes its badge once the worker's badges are issued again."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import credentials
from portfolio.accounts.principal import Role, StaffRole
from tests.competitions.factories import create_event, enter, honour, key, worker_ref
from tests.helpers import log_in_as
from tests.workers.factories import registered_worker


async def _badges(client: AsyncClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = await client.get("/me/credentials", headers=headers)
    assert response.status_code == 200, response.text
    return {item["kind"]: item for item in response.json()["items"]}


async def _verdict(client: AsyncClient, token: str) -> bool:
    checked = await client.post("/credentials/verify", json={"credential": token})
    assert checked.status_code == 200, checked.text
    ok: bool = checked.json()["ok"]
    return ok


async def test_results_and_honours_become_badges(client: AsyncClient, runtime: Runtime) -> None:
    await credentials.reload_keys()
    province = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.OFFICER
    )
    worker = await registered_worker(client, province)
    created = await create_event(client, province, tier="provincial", region_code="510000")
    entrant = await enter(client, province, created["id"], worker.registered)
    headers = {**province.headers, **key()}
    rows = {"results": [{"entrant_id": entrant["id"], "rank": 1, "award": "金奖"}]}
    await client.post(f"/competitions/{created['id']}/results", json=rows, headers=headers)
    await client.post(f"/competitions/{created['id']}/publish", headers=province.headers)
    recorded = await client.post(
        "/honours",
        json={**worker_ref(worker.registered), **honour(title="sichuan_master")},
        headers=province.headers,
    )
    assert recorded.status_code == 201, recorded.text

    badges = await _badges(client, worker.headers)
    assert set(badges) == {"competition", "honour"}
    assert "金奖" in badges["competition"]["name"]
    assert badges["honour"]["name"] == "2025年度四川技能大师"
    assert await _verdict(client, badges["competition"]["token"])
    assert await _verdict(client, badges["honour"]["token"])

    voided = await client.post(
        f"/honours/{recorded.json()['id']}/void",
        json={"reason": "评选结果撤销"},
        headers=province.headers,
    )
    assert voided.status_code == 200, voided.text
    assert set(await _badges(client, worker.headers)) == {"competition"}
    assert not await _verdict(client, badges["honour"]["token"])

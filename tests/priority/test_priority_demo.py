"""The priority-groups demo: worker-1 a migrant worker and a village craftsman, worker-2 a
college graduate and (sensitive) a person with a disability; Chengdu's policy for migrant
workers finds worker-1 eligible; loading twice changes nothing."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_1, DEMO_ARCHIVE_WORKER_2, DEMO_PASSWORD
from portfolio.vouchers.demo import PRIORITY_POLICY
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_the_demo_shows_groups_a_sensitive_one_and_a_targeted_policy(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    worker_2 = await _headers(client, "worker-2")
    mine = (await client.get("/me/priority-groups", headers=worker_2)).json()
    assert sorted(m["group"] for m in mine["memberships"]) == ["college_graduate", "disabled"]
    province = await _headers(client, "officer-sichuan")
    path = f"/workers/{DEMO_ARCHIVE_WORKER_2}/priority-groups"
    plain = (await client.get(path, headers=province)).json()
    assert [m["group"] for m in plain["memberships"]] == ["college_graduate"]

    chengdu = await _headers(client, "officer-chengdu")
    worker_1 = f"/workers/{DEMO_ARCHIVE_WORKER_1}/priority-groups"
    groups = (await client.get(worker_1, headers=chengdu)).json()["memberships"]
    assert sorted(m["group"] for m in groups) == ["migrant_worker", "village_craftsman"]
    answer = await client.get(
        f"/voucher-policies/{PRIORITY_POLICY}/eligibility/{DEMO_ARCHIVE_WORKER_1}",
        headers=chengdu,
    )
    rule = next(r for r in answer.json()["rules"] if r["rule"] == "priority_group")
    assert rule["passed"] is True

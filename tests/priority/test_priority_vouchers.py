"""A voucher policy aimed at priority groups: only members are eligible, and the reason kept
with the voucher never names the worker's group."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.settings import Settings
from tests.priority.factories import officer, record
from tests.vouchers.factories import issue, make_policy
from tests.workers.factories import registered_worker


async def test_only_members_are_eligible_and_the_reason_names_no_group(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    policy = await make_policy(
        client, agency, rules={"priority_groups": ["disabled", "veteran", "disabled"]}
    )
    assert policy["rules"]["priority_groups"] == ["disabled", "veteran"]
    plain = await make_policy(client, agency, name="普通培训券")
    assert plain["rules"]["priority_groups"] == []
    worker = await registered_worker(client, agency)
    archive_id = worker.registered.archive_id
    path = f"/voucher-policies/{policy['id']}/eligibility/{archive_id}"

    before = (await client.get(path, headers=agency.headers)).json()
    assert before["eligible"] is False
    rule = next(r for r in before["rules"] if r["rule"] == "priority_group")
    assert rule["passed"] is False
    refused = await issue(client, agency, policy["id"], archive_id)
    assert refused.status_code == 422, refused.text

    await record(client, agency, archive_id, "disabled")
    after = (await client.get(path, headers=agency.headers)).json()
    assert after["eligible"] is True, after
    issued = await issue(client, agency, policy["id"], archive_id)
    assert issued.status_code == 201, issued.text
    grounds = issued.json()["grounds"]
    reasons = " ".join(g["reason_zh"] + g["reason_en"] for g in grounds)
    assert "重点群体" in reasons
    assert "残疾" not in reasons
    assert "disab" not in reasons.lower()

    mine = await client.get(
        f"/me/voucher-policies/{policy['id']}/eligibility", headers=worker.headers
    )
    assert mine.json()["eligible"] is False  # holds its unused voucher now
    assert next(r for r in mine.json()["rules"] if r["rule"] == "priority_group")["passed"]


async def test_an_ended_membership_no_longer_counts(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    policy = await make_policy(client, agency, rules={"priority_groups": ["veteran"]})
    worker = await registered_worker(client, agency)
    archive_id = worker.registered.archive_id
    veteran = await record(client, agency, archive_id, "veteran", since="2020-01-01")
    ended = await client.post(
        f"/priority-groups/{veteran['id']}/end",
        json={"until": "2024-01-01", "reason": "登记有误"},
        headers=agency.headers,
    )
    assert ended.status_code == 200, ended.text
    path = f"/voucher-policies/{policy['id']}/eligibility/{archive_id}"
    assert (await client.get(path, headers=agency.headers)).json()["eligible"] is False

"""Voucher policies over HTTP: publishing and its validation (money fields above all), reach
by region, and eligibility answered with a reason per rule, for an agency and for the worker."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.vouchers.factories import POLICY, issue, make_policy
from tests.workers.factories import registered_worker


async def _agency(client: AsyncClient, runtime: Runtime, prefix: str = "5101") -> LoggedIn:
    return await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix=prefix)


@pytest.mark.parametrize("field", ["face_value_fen", "quantity"])
@pytest.mark.parametrize(
    "value",
    [-1, 0, 1.5, 100.0, "100", "1e5", True, None, 10_000_001, 2**63],
    ids=repr,
)
async def test_money_and_counts_are_positive_integers_only(
    client: AsyncClient, runtime: Runtime, field: str, value: Any
) -> None:
    agency = await _agency(client, runtime)
    response = await client.post(
        "/voucher-policies", json={**POLICY, field: value}, headers=agency.headers
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == [f"body.{field}"]
    listed = await client.get("/voucher-policies", headers=agency.headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"validity_days": None}, "validity_days", "one_of"),
        ({"valid_until": "2099-12-31"}, "validity_days", "one_of"),
        ({"validity_days": None, "valid_until": "2020-01-01"}, "valid_until", "past"),
        ({"region_prefix": "5107"}, "region_prefix", "outside_scope"),
        ({"region_prefix": "51x"}, "region_prefix", "format"),
        ({"rules": {"region_prefix": "5107"}}, "rules.region_prefix", "outside_policy"),
        ({"rules": {"min_age": 40, "max_age": 30}}, "rules.max_age", "range"),
        ({"occupation_codes": ["4-03-02-01", "403"]}, "occupation_codes.1", "format"),
        ({"name": "   "}, "body.name", "string_too_short"),
        ({"rules": {"min_age": 15}}, "body.rules.min_age", "greater_than_equal"),
        ({"owner": "me"}, "body.owner", "extra_forbidden"),
    ],
)
async def test_a_policy_that_makes_no_sense_is_refused_naming_the_field(
    client: AsyncClient, runtime: Runtime, changes: dict[str, Any], field: str, rule: str
) -> None:
    agency = await _agency(client, runtime)
    response = await client.post(
        "/voucher-policies", json={**POLICY, **changes}, headers=agency.headers
    )
    problem = assert_problem(response, 422)
    assert (field, rule) in [(e["field"], e["rule"]) for e in problem["errors"]]


async def test_a_published_policy_states_what_it_pays_for(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(
        client,
        agency,
        region_prefix="510104",
        occupation_codes=["4-03-02-01S", "4-03-02-01"],
        brands=["sichuan_chef"],
        rules={"min_unemployment_insurance_months": 6},
    )
    assert policy["region_prefix"] == "510104"
    assert policy["occupation_codes"] == ["4-03-02-01"]  # flags dropped, duplicates merged
    assert policy["rules"] == {
        "registered_unemployed": False,
        "min_unemployment_insurance_months": 6,
        "min_age": None,
        "max_age": None,
        "region_prefix": "510104",
        "one_unused_voucher": True,
        "priority_groups": [],
    }
    assert (policy["version_no"], policy["current"], policy["remaining"]) == (1, True, 100)


async def test_reach_follows_regions(client: AsyncClient, runtime: Runtime) -> None:
    chengdu = await _agency(client, runtime, "5101")
    mianyang = await _agency(client, runtime, "5107")
    province = await _agency(client, runtime, "51")
    local = await make_policy(client, chengdu)
    wide = await make_policy(client, province, name="四川省培训券")
    assert_problem(
        await client.get(f"/voucher-policies/{local['id']}", headers=mianyang.headers), 404
    )

    async def listed(agency: LoggedIn) -> list[str]:
        page = await client.get("/voucher-policies", headers=agency.headers)
        assert page.status_code == 200, page.text
        return [p["id"] for p in page.json()["items"]]

    assert await listed(chengdu) == [local["id"], wide["id"]]
    assert await listed(mianyang) == [wide["id"]]
    assert await listed(province) == [local["id"], wide["id"]]
    # A city agency issues the province's vouchers to its workers, but does not change them.
    worker = await registered_worker(client, chengdu)
    assert (await issue(client, chengdu, wide["id"], worker.archive_id)).status_code == 201
    body = {**POLICY, "change_note": "改"}
    forbidden = await client.post(
        f"/voucher-policies/{wide['id']}/versions", json=body, headers=chengdu.headers
    )
    assert_problem(forbidden, 403)
    # Mianyang cannot issue Chengdu's policy, nor to Chengdu's workers.
    assert_problem(await issue(client, mianyang, local["id"], worker.archive_id), 404)
    assert_problem(await issue(client, mianyang, wide["id"], worker.archive_id), 404)


async def test_eligibility_gives_a_reason_for_every_rule(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(
        client,
        agency,
        rules={"registered_unemployed": True, "region_prefix": "510104"},
    )
    inside = await registered_worker(client, agency)
    outside = await registered_worker(client, agency, region_code="510105")

    async def answer(worker_id: str) -> dict[str, Any]:
        response = await client.get(
            f"/voucher-policies/{policy['id']}/eligibility/{worker_id}", headers=agency.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    first = await answer(inside.archive_id)
    assert first["eligible"] is False
    assert [(r["rule"], r["passed"], r["reason_en"]) for r in first["rules"]] == [
        (
            "registered_unemployed",
            False,
            "No open unemployment registration; the policy requires one.",
        ),
        (
            "region",
            True,
            "Registered in region 510104, which lies within the policy's region 510104.",
        ),
        ("no_unused_voucher", True, "Holds no unused voucher of this policy."),
    ]
    second = await answer(outside.archive_id)
    assert [(r["rule"], r["passed"], r["reason_zh"]) for r in second["rules"]][1] == (
        "region",
        False,
        "所在地区510105不属于本政策的地区510104。",
    )
    assert all(r["reason_zh"] and r["reason_en"] for r in first["rules"] + second["rules"])
    # A worker of another region is not found (the agency of 5101 does not reach 5107).
    elsewhere = await registered_worker(
        client, await _agency(client, runtime, "5107"), region_code="510703"
    )
    assert_problem(
        await client.get(
            f"/voucher-policies/{policy['id']}/eligibility/{elsewhere.archive_id}",
            headers=agency.headers,
        ),
        404,
    )


async def test_a_worker_asks_about_themself_and_lists_what_they_may_get(
    client: AsyncClient, runtime: Runtime
) -> None:
    chengdu = await _agency(client, runtime, "5101")
    province = await _agency(client, runtime, "51")
    mianyang = await _agency(client, runtime, "5107")
    open_to_all = await make_policy(client, chengdu, name="人人可领")
    for_unemployed = await make_policy(
        client, province, name="失业人员专项", rules={"registered_unemployed": True}
    )
    other_city = await make_policy(client, mianyang, name="绵阳专项")
    worker = await registered_worker(client, chengdu)

    async def mine(**params: Any) -> list[tuple[str, bool]]:
        response = await client.get("/me/voucher-policies", params=params, headers=worker.headers)
        assert response.status_code == 200, response.text
        return [(p["policy"]["name"], p["eligible"]) for p in response.json()["items"]]

    assert sorted(await mine()) == [("人人可领", True), ("失业人员专项", False)]
    assert await mine(eligible_only="true") == [("人人可领", True)]
    own = await client.get(
        f"/me/voucher-policies/{for_unemployed['id']}/eligibility", headers=worker.headers
    )
    assert own.status_code == 200, own.text
    assert own.json()["eligible"] is False
    assert own.json()["rules"][0]["reason_zh"] == "没有有效的失业登记，本政策要求办理失业登记。"
    assert own.json()["worker_id"] == worker.archive_id
    assert_problem(
        await client.get(
            f"/me/voucher-policies/{other_city['id']}/eligibility", headers=worker.headers
        ),
        404,
    )
    # Once the worker holds one, the policy answers why not again.
    assert (await issue(client, chengdu, open_to_all["id"], worker.archive_id)).status_code == 201
    assert sorted(await mine()) == [("人人可领", False), ("失业人员专项", False)]


async def test_a_workers_policies_come_in_pages(client: AsyncClient, runtime: Runtime) -> None:
    """``GET /me/voucher-policies`` pages like every list (it returned at most 200 unpaged);
    with ``eligible_only`` a page is filled from further policies, never skipping one."""
    chengdu = await _agency(client, runtime, "5101")
    for n in range(5):
        rules = {"registered_unemployed": True} if n % 2 else {}
        await make_policy(client, chengdu, name=f"政策{n}", rules=rules)
    worker = await registered_worker(client, chengdu)

    async def walk(**params: Any) -> list[list[tuple[str, bool]]]:
        pages: list[list[tuple[str, bool]]] = []
        cursor: str | None = None
        while True:
            query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
            response = await client.get(
                "/me/voucher-policies", params=query, headers=worker.headers
            )
            assert response.status_code == 200, response.text
            body = response.json()
            pages.append([(p["policy"]["name"], p["eligible"]) for p in body["items"]])
            cursor = body["next_cursor"]
            if cursor is None:
                return pages

    assert await walk() == [
        [("政策0", True), ("政策1", False)],
        [("政策2", True), ("政策3", False)],
        [("政策4", True)],
    ]
    assert await walk(eligible_only="true") == [
        [("政策0", True), ("政策2", True)],
        [("政策4", True)],
    ]
    assert_problem(
        await client.get(
            "/me/voucher-policies", params={"cursor": "not-a-cursor"}, headers=worker.headers
        ),
        422,
    )

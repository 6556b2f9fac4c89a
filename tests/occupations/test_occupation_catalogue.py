"""The occupation catalogue through the HTTP API: search, one code, additions, the rule that
new writes name a catalogued occupation, and the report of stored codes it lacks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from portfolio.audit import ChangeRecord
from portfolio.occupations import catalogue, published
from portfolio.seed.catalogue import TEMPLATES
from portfolio.training import Course
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.training.factories import COURSE, make_course, make_provider

NEW = {
    "code": "4-04-05-09",
    "name": "生成式人工智能系统应用员",
    "source_document": "人社部办公厅 2024年新职业信息公示",
    "reason": "新职业已发布",
    "digital": True,
}


async def _province(client: AsyncClient, runtime: Runtime, **kw: Any) -> LoggedIn:
    return await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="51", **kw)


async def _add(client: AsyncClient, who: LoggedIn, body: dict[str, Any], key: str) -> Any:
    return await client.post(
        "/occupations", json=body, headers={**who.headers, "Idempotency-Key": key}
    )


def test_the_file_holds_the_structure_and_every_code_the_service_uses() -> None:
    rows = published().rows
    majors = [row for row in rows.values() if row.tier is catalogue.Tier.MAJOR]
    assert [row.code for row in majors] == [str(n) for n in range(1, 9)]
    # The codes the seed generator, the demo and the tests write (see the brief's grep).
    for code in ["4-03-02-01", "6-31-01-03", "6-18-02-04", "4-04-05-05", "6-25-04-01"]:
        assert rows[code].tier is catalogue.Tier.OCCUPATION
    # Every course template of the synthetic province (portfolio seed) is catalogued.
    assert {t.occupation for t in TEMPLATES} <= set(rows)
    assert all(row.source for row in rows.values())
    # Every occupation's groups above it, where the file has them, come first in code order.
    assert list(rows) == sorted(rows)


def test_a_malformed_file_fails_loudly() -> None:
    row = {"code": "1", "name": "a", "source": "s"}
    twice = {"edition": "x", "sources": {"s": "s"}, "rows": [row, row]}
    with pytest.raises(ValueError, match="given twice"):
        catalogue.parse(json.dumps(twice))
    unknown = {"edition": "x", "sources": {}, "rows": [row]}
    with pytest.raises(ValueError, match="unknown source"):
        catalogue.parse(json.dumps(unknown))


async def test_anyone_searches_by_code_prefix_name_and_tier(client: AsyncClient) -> None:
    response = await client.get("/occupations", params={"q": "4-03-02"})
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["items"]]
    assert codes[0] == "4-03-02"
    assert "4-03-02-01" in codes
    assert all(code.startswith("4-03-02") for code in codes)

    by_name = (await client.get("/occupations", params={"q": "烹调"})).json()["items"]
    assert {row["code"] for row in by_name} >= {"4-03-02-01", "4-03-02-03"}

    majors = (await client.get("/occupations", params={"tier": "major"})).json()
    assert [row["name"] for row in majors["items"]][1] == "专业技术人员"
    assert len(majors["items"]) == 8


async def test_search_pages_in_code_order_to_the_end(client: AsyncClient) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 25, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/occupations", params=params)).json()
        seen += [row["code"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(published().rows)
    bad = await client.get("/occupations", params={"cursor": "{'$gt': ''}"})
    assert_problem(bad, 422)


async def test_one_code_of_any_tier_and_flags_ignored(client: AsyncClient) -> None:
    one = (await client.get("/occupations/4-04-05-05 (S)")).json()
    assert one["name"] == "人工智能训练师"
    assert one["tier"] == "occupation"
    assert one["parent_code"] == "4-04-05"
    assert one["digital"] is True
    group = (await client.get("/occupations/4-03")).json()
    assert group["tier"] == "middle"
    assert group["parent_code"] == "4"
    assert_problem(await client.get("/occupations/9-99-99-99"), 404)


async def test_a_province_agency_adds_an_occupation_once_with_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    officer = await _province(client, runtime, staff_role=StaffRole.OFFICER)
    response = await _add(client, officer, NEW, "add-1")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["source"], body["source_document"], body["digital"]) == (
        "added",
        NEW["source_document"],
        True,
    )
    assert body["added_at"] is not None
    # The same addition again (another key, or a colleague) returns the stored one.
    again = await _add(client, officer, NEW, "add-2")
    assert again.status_code == 201
    assert again.json()["added_at"] == body["added_at"]
    other = await _add(client, officer, {**NEW, "name": "另一个名字"}, "add-3")
    assert_problem(other, 409)
    found = (await client.get("/occupations", params={"q": "生成式"})).json()["items"]
    assert [row["code"] for row in found] == ["4-04-05-09"]

    records = await ChangeRecord.find({"object_kind": "occupation"}).to_list()
    assert [(r.object_id, r.version, r.principal_id) for r in records] == [
        ("4-04-05-09", 0, officer.id)
    ]
    assert records[0].after["source_document"] == NEW["source_document"]


async def test_only_a_province_agency_officer_or_admin_adds(
    client: AsyncClient, runtime: Runtime
) -> None:
    city = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    assert_problem(await _add(client, city, NEW, "city"), 403)
    reviewer = await _province(client, runtime, staff_role=StaffRole.REVIEWER)
    assert_problem(await _add(client, reviewer, NEW, "reviewer"), 403)
    admin = await _province(client, runtime)
    assert (await _add(client, admin, NEW, "admin")).status_code == 201


async def test_an_addition_is_checked_field_by_field(client: AsyncClient, runtime: Runtime) -> None:
    officer = await _province(client, runtime, staff_role=StaffRole.OFFICER)
    bad = await _add(client, officer, {**NEW, "code": "4-4-05-09"}, "bad")
    assert [(e["field"], e["rule"]) for e in assert_problem(bad, 422)["errors"]] == [
        ("code", "format")
    ]
    blank = await _add(client, officer, {**NEW, "name": "  ", "source_document": " "}, "blank")
    assert {e["field"] for e in assert_problem(blank, 422)["errors"]} == {
        "body.name",
        "body.source_document",
    }
    published_already = await _add(client, officer, {**NEW, "code": "4-03-02-01"}, "dup")
    assert_problem(published_already, 409)
    assert (await client.get("/occupations/4-04-05-09")).status_code == 404


async def test_new_writes_refuse_an_uncatalogued_code(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    refused = await client.post(
        "/courses",
        json={**COURSE, "occupation_code": "4-04-05-09"},
        headers=provider.user.headers,
    )
    body = assert_problem(refused, 422)
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [
        ("occupation_code", "not_catalogued")
    ]
    officer = await _province(client, runtime, staff_role=StaffRole.OFFICER)
    assert (await _add(client, officer, NEW, "then")).status_code == 201
    course = await make_course(client, provider, occupation_code="4-04-05-09")
    assert course["occupation_code"] == "4-04-05-09"


async def test_a_policy_names_each_uncatalogued_code(client: AsyncClient, runtime: Runtime) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = {
        "name": "成都市职业培训券",
        "occupation_codes": ["4-03-02-01", "9-9-9", "6-99-99-98"],
        "face_value_fen": 80000,
        "validity_days": 180,
        "quantity": 10,
    }
    response = await client.post("/voucher-policies", json=policy, headers=agency.headers)
    body = assert_problem(response, 422)
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("occupation_codes.1", "format"),
        ("occupation_codes.2", "not_catalogued"),
    }


async def test_a_stored_code_may_stay_and_is_reported(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    # A code stored before the catalogue existed (no write path stores one any more).
    await Course.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(course["id"])}, {"$set": {"occupation_code": "6-99-99-98"}}
    )
    edit = {
        "based_on": 0,
        "occupation_code": "6-99-99-98",
        "target_level": course["target_level"],
        "planned_hours": course["planned_hours"] + 8,
        "subsidy_standard_fen": course["subsidy_standard_fen"],
        "note": "more hours",
    }
    kept = await client.post(
        f"/courses/{course['id']}/versions", json=edit, headers=provider.user.headers
    )
    assert kept.status_code in (200, 201), kept.text
    changed = await client.post(
        f"/courses/{course['id']}/versions",
        json={**edit, "based_on": 1, "occupation_code": "6-99-99-97"},
        headers=provider.user.headers,
    )
    assert [e["rule"] for e in assert_problem(changed, 422)["errors"]] == ["not_catalogued"]

    chengdu = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    report = (await client.get("/occupations/uncatalogued", headers=chengdu.headers)).json()
    assert report["region_prefix"] == "5101"
    assert report["codes"] == [
        {
            "code": "6-99-99-98",
            "counts": {
                "courses": 1,
                "certificates": 0,
                "apprenticeships": 0,
                "voucher_policies": 0,
            },
            "total": 1,
        }
    ]
    mianyang = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    elsewhere = (await client.get("/occupations/uncatalogued", headers=mianyang.headers)).json()
    assert elsewhere["codes"] == []
    admin = await log_in_as(client, runtime.settings, Role.ADMIN)
    everything = (await client.get("/occupations/uncatalogued", headers=admin.headers)).json()
    assert everything["region_prefix"] is None
    assert [row["code"] for row in everything["codes"]] == ["6-99-99-98"]

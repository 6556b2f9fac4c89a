"""Platforms, targets and employed counts through the API: recorded by officers within their
region, refused with the field and the rule, corrected and closed with a reason, training
linked once; every write in the change trail, and a lost trail record restored by repair."""

from __future__ import annotations

from datetime import date, timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.audit import ChangeRecord
from portfolio.planning import Platform, PlatformKind, PlatformTier
from portfolio.repair import repair
from tests.helpers import assert_problem
from tests.planning.factories import TARGETS, create_platform, key, officer, platform
from tests.training.factories import make_course, make_provider


async def _trail(kind: str) -> list[ChangeRecord]:
    return await ChangeRecord.find({"object_kind": kind}).sort("+at").to_list()


async def test_a_platform_is_recorded_corrected_linked_and_closed(
    client: AsyncClient, runtime: Runtime
) -> None:
    chengdu = await officer(client, runtime.settings, "5101")
    made = await create_platform(client, chengdu)
    assert (made["kind_text"], made["tier_text"], made["status"]) == (
        "技能大师工作室",
        "省级",
        "open",
    )
    path = f"/platforms/{made['id']}"
    corrected = await client.post(
        f"{path}/correct",
        json={**platform(host="成都市焊接技师学院"), "reason": "依托单位更名"},
        headers={**chengdu.headers, **key()},
    )
    assert corrected.status_code == 200, corrected.text
    assert (corrected.json()["host"], corrected.json()["version"]) == ("成都市焊接技师学院", 1)
    moved = await client.post(
        f"{path}/correct",
        json={**platform(region_code="510106"), "reason": "x"},
        headers=chengdu.headers,
    )
    assert assert_problem(moved, 422)["errors"][0]["field"] == "region_code"

    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    link = {"kind": "course", "target_id": course["id"]}
    linked = await client.post(f"{path}/links", json=link, headers={**chengdu.headers, **key()})
    assert linked.status_code == 200, linked.text
    assert [k["title"] for k in linked.json()["links"]] == [course["title"]]
    assert_problem(await client.post(f"{path}/links", json=link, headers=chengdu.headers), 409)
    unknown = await client.post(
        f"{path}/links", json={"kind": "run", "target_id": course["id"]}, headers=chengdu.headers
    )
    assert assert_problem(unknown, 422)["errors"][0]["field"] == "target_id"

    closed = await client.post(
        f"{path}/close",
        json={"closed_on": clock.china_today().isoformat(), "reason": "期满未续"},
        headers={**chengdu.headers, **key()},
    )
    assert closed.json()["status"] == "closed"
    again = await client.post(
        f"{path}/close", json={"closed_on": "2025-01-01", "reason": "x"}, headers=chengdu.headers
    )
    assert_problem(again, 409)
    trail = await _trail("platform")
    assert [r.version for r in trail] == [0, 1, 2]
    assert len(await _trail("platform_link")) == 1
    # Another city's officer does not see it.
    mianyang = await officer(client, runtime.settings, "5107")
    assert_problem(await client.get(path, headers=mianyang.headers), 404)
    assert (await client.get("/platforms", headers=mianyang.headers)).json() == []


async def test_bad_platforms_are_refused_by_field_and_rule(
    client: AsyncClient, runtime: Runtime
) -> None:
    chengdu = await officer(client, runtime.settings, "5101")
    cases = {
        "region_code": platform(region_code="510703"),
        "leader": platform(leader=""),
        "valid_until": platform(valid_until="2020-01-01"),
        "approved_on": platform(approved_on=(clock.china_today() + timedelta(days=2)).isoformat()),
    }
    for field, body in cases.items():
        refused = await client.post("/platforms", json=body, headers=chengdu.headers)
        assert field in {e["field"] for e in assert_problem(refused, 422)["errors"]}, field
    assert await Platform.find_all().count() == 0


async def test_targets_need_the_province_and_counts_a_covered_region(
    client: AsyncClient, runtime: Runtime
) -> None:
    province = await officer(client, runtime.settings, "51")
    chengdu = await officer(client, runtime.settings, "5101")
    assert_problem(await client.post("/targets/14", json=TARGETS, headers=chengdu.headers), 403)
    unknown = await client.post("/targets/13", json=TARGETS, headers=province.headers)
    assert assert_problem(unknown, 422)["errors"][0]["field"] == "period"
    too_big = await client.post(
        "/targets/14", json={**TARGETS, "skilled_share_permille": 1200}, headers=province.headers
    )
    assert_problem(too_big, 422)
    entered = await client.post("/targets/15", json=TARGETS, headers={**province.headers, **key()})
    assert entered.json()["version"] == 0
    changed = await client.post(
        "/targets/15", json={**TARGETS, "honours": 60}, headers={**province.headers, **key()}
    )
    assert (changed.json()["honours"], changed.json()["version"]) == (60, 1)
    trail = await _trail("plan_targets")
    assert [r.version for r in trail] == [0, 1]

    count = {"region_code": "5107", "year": 2025, "employed": 10, "source": "统计年鉴"}
    outside = await client.post("/employed-counts", json=count, headers=chengdu.headers)
    assert assert_problem(outside, 422)["errors"][0]["field"] == "region_code"
    old = await client.post(
        "/employed-counts",
        json={**count, "region_code": "5101", "year": 2019},
        headers=chengdu.headers,
    )
    assert assert_problem(old, 422)["errors"][0]["field"] == "year"
    ok = await client.post(
        "/employed-counts",
        json={**count, "region_code": "5101"},
        headers={**chengdu.headers, **key()},
    )
    assert ok.status_code == 200, ok.text
    listed = (await client.get("/employed-counts", headers=province.headers)).json()
    assert [(c["region_code"], c["employed"]) for c in listed] == [("5101", 10)]
    assert len(await _trail("employed_count")) == 1


async def test_repair_restores_a_platform_s_lost_trail_record(
    client: AsyncClient, runtime: Runtime
) -> None:
    past = clock.now() - timedelta(minutes=10)
    # What a crash right after the insert leaves: the platform, no trail record.
    await Platform(
        kind=PlatformKind.PUBLIC_BASE,
        tier=PlatformTier.PARK,
        name="园区公共实训基地",
        host="园区管委会",
        leader="",
        approved_on=date(2025, 1, 1),
        region_code="510104",
        recorded_at=clock.truncate_to_millis(past),
        recorded_by="someone",
        changed_at_ms=clock.epoch_ms(past),
        changed_by="someone",
    ).insert()
    first = await repair(grace=timedelta(minutes=1))
    assert first.trail_records_restored >= 1
    assert len(await _trail("platform")) == 1
    again = await repair(grace=timedelta(minutes=1))
    assert again.trail_records_restored == 0

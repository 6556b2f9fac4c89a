"""Competitions through the API: an event, entrants, ranks, publication into the archives
with the level the event's rule grants, correction and voiding with a reason."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.competitions.factories import OCCUPATION, create_event, enter, event, key, worker_ref
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.workers.factories import register, registered_worker


async def _officer(client: AsyncClient, settings: Settings, prefix: str = "5101") -> LoggedIn:
    return await log_in_as(
        client, settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER
    )


async def _archive(client: AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/me/archive", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_published_results_reach_the_archive_with_the_rules_level(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await _officer(client, settings)
    first = await registered_worker(client, agency)
    second = await registered_worker(client, agency)
    third = await register(client, agency)
    created = await create_event(client, agency)
    assert created["status"] == "open"
    entrants = [
        await enter(client, agency, created["id"], worker)
        for worker in (first.registered, second.registered, third)
    ]
    ranks = [
        {"entrant_id": entrants[0]["id"], "rank": 1, "award": "一等奖"},
        {"entrant_id": entrants[1]["id"], "rank": 2, "award": "二等奖"},
        {"entrant_id": entrants[2]["id"], "rank": None, "award": ""},
    ]
    response = await client.post(
        f"/competitions/{created['id']}/results",
        json={"results": ranks},
        headers={**agency.headers, **key()},
    )
    assert response.status_code == 200, response.text
    published = await client.post(
        f"/competitions/{created['id']}/publish", headers={**agency.headers, **key()}
    )
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["status"] == "published"
    granted = [(e["rank"], e["level_granted"]) for e in body["entrants"]]
    assert granted == [(1, "technician"), (2, "junior"), (None, None)]
    assert all(e["entry_seq"] for e in body["entrants"])

    archive = await _archive(client, first.headers)
    result = next(e for e in archive["entries"]["items"] if e["kind"] == "competition_result")
    assert result["payload"]["rank"] == 1
    assert result["payload"]["level_granted"] == "technician"
    assert result["payload"]["competition_id"] == created["id"]
    assert archive["summary"]["highest_levels"] == [
        {"occupation_code": OCCUPATION, "level": "technician"}
    ]
    # Publishing again finishes nothing new and doubles nothing.
    again = await client.post(
        f"/competitions/{created['id']}/publish", headers={**agency.headers, **key()}
    )
    assert again.status_code == 200
    archive = await _archive(client, first.headers)
    assert [e["kind"] for e in archive["entries"]["items"]].count("competition_result") == 1
    # Closed: no entrant and no rank any more.
    late = await client.post(
        f"/competitions/{created['id']}/results",
        json={"results": ranks[:1]},
        headers={**agency.headers, **key()},
    )
    assert_problem(late, 409)


async def test_a_correction_and_a_void_are_new_entries_with_their_reasons(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await _officer(client, settings)
    worker = await registered_worker(client, agency)
    created = await create_event(client, agency)
    entrant = await enter(client, agency, created["id"], worker.registered)
    path = f"/competitions/{created['id']}/entrants/{entrant['id']}"
    early = await client.post(
        f"{path}/correct", json={"rank": 1, "reason": "x"}, headers=agency.headers
    )
    assert_problem(early, 409)  # not published yet
    await client.post(
        f"/competitions/{created['id']}/results",
        json={"results": [{"entrant_id": entrant["id"], "rank": 2}]},
        headers=agency.headers,
    )
    await client.post(f"/competitions/{created['id']}/publish", headers=agency.headers)

    corrected = await client.post(
        f"{path}/correct",
        json={"rank": 1, "award": "一等奖", "reason": "评分复核后名次更正"},
        headers={**agency.headers, **key()},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["level_granted"] == "technician"
    no_reason = await client.post(f"{path}/void", json={"reason": ""}, headers=agency.headers)
    assert_problem(no_reason, 422)
    voided = await client.post(
        f"{path}/void", json={"reason": "违规参赛，取消成绩"}, headers={**agency.headers, **key()}
    )
    assert voided.status_code == 200, voided.text
    assert voided.json()["result_status"] == "voided"

    archive = await _archive(client, worker.headers)
    kinds = [e["kind"] for e in archive["entries"]["items"]]
    assert kinds[:3] == [
        "competition_result_voided",
        "competition_result_corrected",
        "competition_result",
    ]
    entries = archive["entries"]["items"]
    assert entries[0]["corrects"] == entries[1]["seq"]
    assert entries[1]["corrects"] == entries[2]["seq"]
    assert entries[1]["payload"]["reason"] == "评分复核后名次更正"
    assert archive["summary"]["highest_levels"] == []
    gone = await client.post(f"{path}/void", json={"reason": "again"}, headers=agency.headers)
    assert_problem(gone, 409)


async def test_tiers_regions_workers_and_rules_are_checked(
    client: AsyncClient, settings: Settings
) -> None:
    city = await _officer(client, settings)
    province = await _officer(client, settings, "51")
    provincial = await client.post(
        "/competitions",
        json={
            "tier": "provincial",
            "name": "四川工匠杯",
            "occupation_code": OCCUPATION,
            "organiser": "四川省人力资源和社会保障厅",
            "start_date": "2026-06-01",
            "end_date": "2026-06-03",
            "region_code": "510000",
            "level_rule": [{"up_to_rank": 2, "grant": "one_up"}, {"up_to_rank": 1, "grant": "x"}],
        },
        headers=city.headers,
    )
    problem = assert_problem(provincial, 422)
    fields = {(e["field"], e["rule"]) for e in problem["errors"]}
    assert ("tier", "province_only") in fields
    assert ("level_rule.1.up_to_rank", "order") in fields
    assert ("level_rule.1.grant", "unknown") in fields
    outside = await client.post(
        "/competitions", json=event(region_code="510700"), headers=city.headers
    )
    assert_problem(outside, 404)
    held = await create_event(client, province, tier="provincial", region_code="510000")
    assert held["tier"] == "provincial"
    # A city agency does not see the provincial event.
    assert_problem(await client.get(f"/competitions/{held['id']}", headers=city.headers), 404)
    listed = await client.get("/competitions", headers=province.headers)
    assert [c["id"] for c in listed.json()] == [held["id"]]

    mianyang = await _officer(client, settings, "5107")
    mianyang_worker = await register(client, mianyang, region_code="510703")
    created = await create_event(client, city)
    outsider = await client.post(
        f"/competitions/{created['id']}/entrants",
        json=worker_ref(mianyang_worker),
        headers=city.headers,
    )
    wrong_name = await client.post(
        f"/competitions/{created['id']}/entrants",
        json={**worker_ref(mianyang_worker), "name": "李四"},
        headers=city.headers,
    )
    assert assert_problem(outsider, 422)["errors"] == assert_problem(wrong_name, 422)["errors"]
    local = await register(client, city)
    await enter(client, city, created["id"], local)
    twice = await client.post(
        f"/competitions/{created['id']}/entrants", json=worker_ref(local), headers=city.headers
    )
    assert_problem(twice, 409)
    elsewhere = await client.post(
        f"/competitions/{created['id']}/publish", headers=mianyang.headers
    )
    assert_problem(elsewhere, 404)
    reviewer = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.REVIEWER
    )
    assert_problem(
        await client.post(f"/competitions/{created['id']}/publish", headers=reviewer.headers), 403
    )

"""The competitions and honours report, checked against counts the test keeps itself: events
by their region and year, entrants, placed results and levels granted by the worker's region,
honours by title; a voided result and a voided honour count for nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from tests.competitions.factories import create_event, enter, honour, key, worker_ref
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.workers.factories import register


async def _post(client: AsyncClient, who: LoggedIn, path: str, body: Any = None) -> Any:
    response = await client.post(path, json=body, headers={**who.headers, **key()})
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_the_report_counts_what_was_recorded(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)
    province = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.OFFICER
    )
    expected: dict[str, Counter[str]] = {"5101": Counter(), "5107": Counter()}
    by_year: dict[str, Counter[str]] = {"2025": Counter(), "2026": Counter()}
    plan = [  # event region, year, the workers' city and their ranks
        ("510104", 2025, "510104", [1, 2, None]),
        ("510000", 2026, "510703", [1, 5]),
        ("510703", 2026, "510104", [3]),
    ]
    voided_one = False
    for event_region, year, worker_region, ranks in plan:
        tier = "provincial" if event_region == "510000" else "city"
        created = await create_event(
            client,
            province,
            tier=tier,
            region_code=event_region,
            start_date=f"{year}-05-10",
            end_date=f"{year}-05-11",
        )
        expected.setdefault(event_region[:4], Counter())["competitions"] += 1
        by_year[str(year)]["competitions"] += 1
        rows = []
        for rank in ranks:
            worker = await register(client, province, region_code=worker_region)
            entrant = await enter(client, province, created["id"], worker)
            rows.append({"entrant_id": entrant["id"], "rank": rank})
        await _post(client, province, f"/competitions/{created['id']}/results", {"results": rows})
        published = await _post(client, province, f"/competitions/{created['id']}/publish")
        for entrant in published["entrants"]:
            city, counted = worker_region[:4], [expected[worker_region[:4]], by_year[str(year)]]
            assert city in expected
            live = True
            if not voided_one and entrant["rank"] == 1:
                voided_one = live = False
                await _post(
                    client,
                    province,
                    f"/competitions/{created['id']}/entrants/{entrant['id']}/void",
                    {"reason": "取消成绩"},
                )
            for cell in counted:
                cell["entrants"] += 1
                cell["results"] += int(live and entrant["rank"] is not None)
                cell["levels_granted"] += int(live and entrant["level_granted"] is not None)
    for title, region, year, void in (
        ("tianfu_craftsman", "510104", 2025, False),
        ("sichuan_master", "510703", 2026, False),
        ("sichuan_expert", "510703", 2026, True),
    ):
        worker = await register(client, province, region_code=region)
        recorded = await _post(
            client, province, "/honours", {**worker_ref(worker), **honour(title=title, year=year)}
        )
        if void:
            await _post(client, province, f"/honours/{recorded['id']}/void", {"reason": "撤销"})
            continue
        for cell in (expected[region[:4]], by_year[str(year)]):
            cell["honours"] += 1
            cell[f"title.{title}"] += 1

    names = ("competitions", "entrants", "results", "levels_granted", "honours")
    params = {"from": "2025-01", "to": "2026-12"}
    regional = await client.get(
        "/reports/distinctions", params={**params, "group_by": "region"}, headers=province.headers
    )
    assert regional.status_code == 200, regional.text
    rows = {row["key"]: row for row in regional.json()["rows"]}
    for city, counts in expected.items():
        assert {n: rows[city][n] for n in names} == {n: counts[n] for n in names}, city
    assert rows["5107"]["honours_by_title"]["sichuan_master"] == 1
    assert rows["5107"]["honours_by_title"]["sichuan_expert"] == 0
    yearly = await client.get(
        "/reports/distinctions", params={**params, "group_by": "year"}, headers=province.headers
    )
    rows = {row["key"]: row for row in yearly.json()["rows"]}
    for year, counts in by_year.items():
        assert {n: rows[year][n] for n in names} == {n: counts[n] for n in names}, year
    total = yearly.json()["total"]
    assert total["entrants"] == sum(c["entrants"] for c in by_year.values())

    city = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    mine = await client.get("/reports/distinctions", params=params, headers=city.headers)
    assert mine.json()["total"]["honours"] == expected["5101"]["honours"]
    outside = await client.get(
        "/reports/distinctions", params={**params, "region": "5107"}, headers=city.headers
    )
    assert_problem(outside, 404)

"""The report of recognitions across borders counts what the records say: each record of the
region's workers once, by origin, decision, year of the decision and the worker's region;
voided ones left out; a region outside the caller's scope refused."""

from __future__ import annotations

from collections import Counter

from httpx import AsyncClient

from portfolio import clock
from portfolio.settings import Settings
from tests.crossborder.factories import chongqing, decide, foreign, key, officer, record
from tests.helpers import assert_problem
from tests.workers.factories import register


async def test_the_report_matches_the_records(client: AsyncClient, settings: Settings) -> None:
    province = await officer(client, settings, "51")
    chengdu = await register(client, province, region_code="510104")
    mianyang = await register(client, province, region_code="510703")
    made = [
        await record(client, province, chengdu, chongqing()),
        await record(client, province, chengdu, foreign()),
        await record(client, province, chengdu, foreign(country="JPN")),
        await record(client, province, mianyang, chongqing()),
        await record(client, province, mianyang, foreign(country="FRA")),
        await record(client, province, mianyang, chongqing()),
    ]
    await decide(client, province, made[0]["id"], recognised=True, check_reference="CQ-1")
    await decide(client, province, made[1]["id"], recognised=False, reason="无法核实")
    await decide(client, province, made[3]["id"], recognised=True, check_reference="CQ-2")
    await decide(client, province, made[4]["id"], recognised=True, level="junior")
    voided = await client.post(
        f"/border-recognitions/{made[5]['id']}/void",
        json={"reason": "重复录入"},
        headers={**province.headers, **key()},
    )
    assert voided.status_code == 200, voided.text

    # Counted independently: the records as the list shows them.
    listed = (await client.get("/border-recognitions", headers=province.headers)).json()
    year = clock.china_today().year
    expected = Counter(
        (r["origin"], r["status"], year, r["worker_region_code"])
        for r in listed
        if r["status"] != "voided"
    )
    report = await client.get("/reports/cross-border", headers=province.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["counts_as_new_skilled"] is False
    counted = Counter(
        {
            (r["origin"], r["decision"], r["year"], r["region_code"]): r["count"]
            for r in body["rows"]
        }
    )
    assert counted == expected
    assert counted[("chongqing", "recognised", year, "510104")] == 1
    assert counted[("foreign", "pending", year, "510104")] == 1
    assert sum(counted.values()) == 5

    # One city's agency sees its own; a year filter; another region is outside its scope.
    city = await officer(client, settings, "5107")
    own = (await client.get("/reports/cross-border", headers=city.headers)).json()
    assert {r["region_code"] for r in own["rows"]} == {"510703"}
    assert sum(r["count"] for r in own["rows"]) == 2
    earlier = await client.get(
        "/reports/cross-border", params={"year": year - 1}, headers=province.headers
    )
    assert earlier.json()["rows"] == []
    outside = await client.get(
        "/reports/cross-border", params={"region_prefix": "5101"}, headers=city.headers
    )
    assert_problem(outside, 404)

"""The competitions and honours pages over the in-process client: an officer records an
event through its form (errors said in the page's words), enters a worker, saves places,
checks and publishes; the worker's archive page shows the result; an honour is recorded and
voided; another region's officer gets 404."""

from __future__ import annotations

import re

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import DEFAULT_PASSWORD, create_principal, log_in_as
from tests.web.pages import post_form, sign_in
from tests.workers.factories import WORKER_PASSWORD, registered_worker


async def _as(web: AsyncClient, runtime: Runtime, prefix: str) -> None:
    officer = await create_principal(
        runtime.settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER
    )
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, officer.username, DEFAULT_PASSWORD)


EVENT = {
    "tier": "city",
    "name": "成都市焊工技能大赛",
    "occupation_code": "6-18-02-04",
    "organiser": "成都市人力资源和社会保障局",
    "start_date": "2026-05-10",
    "end_date": "2026-05-12",
    "region_code": "510104",
    "rank_1": "1",
    "grant_1": "technician",
    "rank_2": "3",
    "grant_2": "one_up",
}


async def test_an_officer_records_enters_ranks_and_publishes(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:

    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    await _as(web, runtime, "5101")
    new = "/agency/competitions/new"
    wrong = await post_form(web, new, page=new, data={**EVENT, "end_date": "2026-05-01"})
    assert wrong.headers["location"] == new
    assert "not before the first" in (await web.get(new)).text
    made = await post_form(web, new, page=new, data=EVENT)
    event = made.headers["location"].split("?")[0]
    assert re.fullmatch(r"/agency/competitions/[0-9a-f]{24}", event)
    page = await web.get(event)
    assert "Place 1: Technician" in page.text

    entered = await post_form(
        web,
        f"{event}/entrants",
        page=event,
        data={"id_number": worker.registered.id_number, "worker_name": "张三"},
    )
    assert entered.headers["location"].startswith(f"{event}?notice=entered")
    page = await web.get(event)
    entrant_id = re.search(r'name="rank_([0-9a-f]{24})"', page.text)
    assert entrant_id is not None
    eid = entrant_id.group(1)
    await post_form(
        web, f"{event}/results", page=event, data={f"rank_{eid}": "1", f"award_{eid}": "一等奖"}
    )
    check = await web.get(f"{event}/publish")
    assert "Place 1" in check.text
    done = await post_form(web, f"{event}/publish", page=f"{event}/publish")
    assert done.headers["location"] == f"{event}?notice=published"
    page = await web.get(done.headers["location"])
    assert "Technician" in page.text
    assert f"{event}/entrants/{eid}" in page.text

    web.cookies.clear()
    await sign_in(web, worker.username, WORKER_PASSWORD)
    archive = await web.get("/my/archive")
    assert "Competition result" in archive.text
    assert "成都市焊工技能大赛" in archive.text

    await _as(web, runtime, "5107")
    assert (await web.get(event)).status_code == 404
    assert (await web.get(f"{event}/entrants/{eid}")).status_code == 404


async def test_an_honour_is_recorded_and_voided_through_the_pages(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:

    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    await _as(web, runtime, "5101")
    new = "/agency/honours/new"
    data = {
        "id_number": worker.registered.id_number,
        "worker_name": "张三",
        "title": "city",
        "city_title": "",
        "year": "2025",
        "nominated_by": "锦江区人社局",
        "decision_number": "成人社发〔2025〕8号",
        "decision_date": "2025-12-01",
    }
    missing = await post_form(web, new, page=new, data=data)
    assert missing.headers["location"] == new
    assert "A city honour needs its title" in (await web.get(new)).text
    made = await post_form(web, new, page=new, data={**data, "city_title": "成都工匠"})
    honour = made.headers["location"].split("?")[0]
    assert "成都工匠" in (await web.get("/agency/honours")).text
    restated = {**data, "city_title": "成都工匠", "decision_number": "成人社发〔2025〕9号"}
    corrected = await post_form(
        web, f"{honour}/correct", page=honour, data={**restated, "reason": "文号录入有误"}
    )
    assert corrected.headers["location"] == f"{honour}?notice=corrected"
    assert "成人社发〔2025〕9号" in (await web.get(honour)).text
    voided = await post_form(web, f"{honour}/void", page=honour, data={"void_reason": "评选撤销"})
    assert voided.headers["location"] == f"{honour}?notice=voided"
    assert "Voided" in (await web.get(honour)).text


async def test_the_statistics_page_shows_competitions_and_honours_by_year(
    web: AsyncClient, runtime: Runtime
) -> None:
    await _as(web, runtime, "51")
    page = await web.get(
        "/agency/statistics",
        params={"report": "distinctions", "group_by": "year", "from": "2025-01", "to": "2026-12"},
    )
    assert page.status_code == 200, page.text
    assert "Competitions and honours" in page.text
    assert "Levels granted" in page.text
    assert "By year" in page.text
    csv = await web.get(
        "/agency/statistics/file",
        params={"report": "distinctions", "group_by": "year", "format": "csv"},
    )
    assert "晋升等级人数" in csv.content.decode("utf-8-sig")

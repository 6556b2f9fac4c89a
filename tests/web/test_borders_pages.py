"""The recognition-across-borders pages over the in-process client: an officer records a
Chongqing certificate through the form (errors said in the page's words), recognises it with
the check's reference, records a foreign qualification and refuses it, voids a record; the
counts show on the list; the worker submits theirs and sees the decisions in the archive;
another region's officer gets 404."""

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


CHONGQING = {
    "origin": "chongqing",
    "certificate_number": "S0000500112000777",
    "issuing_body": "重庆市渝北区职业技能鉴定中心",
    "issuer_region_code": "500112",
    "country": "",
    "title": "",
    "occupation_code": "6-18-02-04",
    "level": "intermediate",
    "issue_date": "2024-06-18",
    "scan_description": "",
}
FOREIGN = {
    **CHONGQING,
    "origin": "foreign",
    "certificate_number": "",
    "issuer_region_code": "",
    "country": "DEU",
    "title": "Schweißer Gesellenbrief",
    "issuing_body": "Handwerkskammer München",
    "level": "senior",
}
NEW = "/agency/borders/new"


async def test_an_officer_records_decides_and_voids_through_the_pages(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    named = {"id_number": worker.registered.id_number, "worker_name": "张三"}
    await _as(web, runtime, "5101")
    assert "/agency/borders" in (await web.get("/agency/levels")).text
    wrong = await post_form(
        web, NEW, page=NEW, data={**named, **CHONGQING, "issuer_region_code": "510104"}
    )
    assert wrong.headers["location"] == NEW
    assert "Chongqing region code, 50 and four digits" in (await web.get(NEW)).text
    made = await post_form(web, NEW, page=NEW, data={**named, **CHONGQING})
    item = made.headers["location"].split("?")[0]
    assert re.fullmatch(r"/agency/borders/[0-9a-f]{24}", item)
    page = await web.get(item)
    assert "Waiting for the decision" in page.text
    unchecked = await post_form(
        web, f"{item}/decide", page=item, data={"outcome": "recognised", "check_reference": ""}
    )
    assert unchecked.headers["location"] == item
    assert "reference of the check with Chongqing" in (await web.get(item)).text
    decided = await post_form(
        web,
        f"{item}/decide",
        page=item,
        data={"outcome": "recognised", "check_reference": "川渝核验-0031"},
    )
    assert decided.headers["location"] == f"{item}?notice=recognised"
    assert "川渝核验-0031" in (await web.get(item)).text

    made = await post_form(web, NEW, page=NEW, data={**named, **FOREIGN})
    other = made.headers["location"].split("?")[0]
    refused = await post_form(
        web, f"{other}/decide", page=other, data={"outcome": "refused", "reason": "无法核实"}
    )
    assert refused.headers["location"] == f"{other}?notice=refused"
    listing = (await web.get("/agency/borders")).text
    assert "Schweißer Gesellenbrief" in listing
    assert "Counts by origin, decision, year and region" in listing
    assert "Not recognised" in listing

    web.cookies.clear()
    await sign_in(web, worker.username, WORKER_PASSWORD)
    archive = (await web.get("/my/archive")).text
    assert "Certificate from outside Sichuan decided" in archive
    assert "Recognised as Intermediate worker" in archive
    assert "Reason: 无法核实" in archive
    mine = "/my/borders"
    missing = await post_form(
        web, mine, page=mine, data={**CHONGQING, "certificate_number": "S0000500112000999"}
    )
    assert missing.headers["location"] == mine
    assert "Describe the scan you hold" in (await web.get(mine)).text
    sent = await post_form(
        web,
        mine,
        page=mine,
        data={
            **CHONGQING,
            "certificate_number": "S0000500112000999",
            "scan_description": "证书正反面扫描件",
        },
    )
    assert sent.headers["location"] == f"{mine}?notice=submitted"
    own = (await web.get(mine)).text
    assert "S0000500112000999" in own
    assert "Waiting for the decision" in own

    await _as(web, runtime, "5107")
    assert (await web.get(item)).status_code == 404
    await _as(web, runtime, "5101")
    voided = await post_form(web, f"{item}/void", page=item, data={"void_reason": "重庆方撤销"})
    assert voided.headers["location"] == f"{item}?notice=voided"
    assert "Voided" in (await web.get(item)).text

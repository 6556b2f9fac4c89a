"""The plan's pages over the in-process client: the province's officer enters targets and an
employed count through the forms and reads them back on the dashboard; records a platform
(errors said in the page's words), links a course and closes it; a city's officer does not
get the targets form and another region's officer gets 404 for the platform."""

from __future__ import annotations

import re

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.planning.factories import TARGETS
from tests.training.factories import make_course, make_provider
from tests.web.pages import post_form, sign_in


async def _as(web: AsyncClient, runtime: Runtime, prefix: str) -> None:
    officer = await create_principal(
        runtime.settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER
    )
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, officer.username, DEFAULT_PASSWORD)


PLATFORM = {
    "kind": "master_studio",
    "tier": "provincial",
    "name": "王焊技能大师工作室",
    "host": "成都焊接职业培训学校",
    "leader": "王焊",
    "region_code": "510104",
    "approved_on": "2024-03-01",
    "valid_until": "",
}


async def test_an_officer_enters_targets_counts_and_a_platform(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    home = "/agency/targets"
    await _as(web, runtime, "51")
    entered = await post_form(
        web, home, page=home, data={**{k: str(v) for k, v in TARGETS.items()}, "period": "14"}
    )
    assert entered.headers["location"] == f"{home}?period=14&notice=targets"
    counted = await post_form(
        web,
        f"{home}/employed",
        page=home,
        data={"region_code": "51", "year": "2025", "employed": "1000", "source": "统计年鉴"},
    )
    assert counted.headers["location"] == f"{home}?notice=employed"
    page = await web.get(home, params={"period": "14", "year": "2025"})
    assert page.status_code == 200, page.text
    assert "2,800,000" in page.text
    assert "30.0%" in page.text
    assert "Employed count for 2025: 1,000" in page.text
    assert "first valid skill-level or special-ability certificate" in page.text

    wrong = await post_form(web, "/agency/platforms", page=home, data={**PLATFORM, "leader": ""})
    assert wrong.headers["location"] == home
    assert "A master studio names its master." in (await web.get(home)).text
    made = await post_form(web, "/agency/platforms", page=home, data=PLATFORM)
    where = made.headers["location"].split("?")[0]
    assert re.fullmatch(r"/agency/platforms/[0-9a-f]{24}", where)

    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    linked = await post_form(
        web,
        f"{where}/links",
        page=where,
        data={"link_kind": "course", "target_id": course["id"]},
    )
    assert linked.headers["location"] == f"{where}?notice=linked"
    assert course["title"] in (await web.get(where)).text
    no_reason = await post_form(
        web, f"{where}/correct", page=where, data={**PLATFORM, "change_reason": ""}
    )
    assert no_reason.headers["location"] == where
    assert "Give a reason." in (await web.get(where)).text
    corrected = await post_form(
        web,
        f"{where}/correct",
        page=where,
        data={**PLATFORM, "host": "成都市焊接技师学院", "change_reason": "依托单位更名"},
    )
    assert corrected.headers["location"] == f"{where}?notice=corrected"
    assert "成都市焊接技师学院" in (await web.get(where)).text
    closed = await post_form(
        web, f"{where}/close", page=where, data={"closed_on": "2025-01-01", "reason": "期满"}
    )
    assert closed.headers["location"] == f"{where}?notice=closed"
    assert "Closed" in (await web.get(where)).text

    await _as(web, runtime, "5101")
    city = await web.get(home)
    assert "Enter the province&#39;s targets" not in city.text
    assert "Enter the province's targets" not in city.text
    refused = await post_form(
        web, home, page=home, data={**{k: str(v) for k, v in TARGETS.items()}, "period": "14"}
    )
    assert refused.headers["location"] == f"{home}?period=14"
    assert "entered by the province agency" in (await web.get(f"{home}?period=14")).text
    await _as(web, runtime, "5107")
    assert (await web.get(where)).status_code == 404

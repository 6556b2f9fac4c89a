"""The priority-group pages over the in-process client: an officer records groups through
the form (errors said in the page's words), the sensitive one is hidden until a purpose is
stated (then logged), a group is ended with a reason; the worker sees their own on their
profile; another region's officer gets 404; the policy form takes the group rule."""

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


async def test_an_officer_records_reveals_and_ends_groups(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    home = f"/agency/workers/{worker.registered.archive_id}/priority-groups"
    await _as(web, runtime, "5101")
    new = f"{home}/new"
    wrong = await post_form(
        web, home, page=new, data={"group": "veteran", "source": "", "since": "2024-01-01"}
    )
    assert wrong.headers["location"] == new
    assert "Name the register or document" in (await web.get(new)).text
    for group, source in (("veteran", "退役军人优待证 川0012"), ("disabled", "残疾人证 第0042号")):
        made = await post_form(
            web, home, page=new, data={"group": group, "source": source, "since": "2024-01-01"}
        )
        assert made.headers["location"] == f"{home}?notice=recorded"
    page = (await web.get(home)).text
    assert "退役军人优待证" in page
    assert "残疾人证" not in page
    assert "Person with a disability" not in page

    shown = await post_form(web, f"{home}/reveal", page=home, data={"purpose": "subsidy_claim"})
    assert shown.status_code == 200
    assert "残疾人证 第0042号" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    log = await client.get("/me/access-log", headers=worker.headers)
    assert "核对职业技能提升补贴申领" in [line["purpose"] for line in log.json()["items"]]

    membership = re.search(r"priority-groups/([0-9a-f]{24})/end", page)
    assert membership is not None
    end = f"{home}/{membership.group(1)}/end"
    ended = await post_form(
        web, end, page=home, data={"until": "2025-12-31", "reason": "优待证到期"}
    )
    assert ended.headers["location"] == f"{home}?notice=ended"
    assert "优待证到期" in (await web.get(home)).text

    web.cookies.clear()
    await sign_in(web, worker.username, WORKER_PASSWORD)
    profile = (await web.get("/my/profile")).text
    assert "Veteran" in profile
    assert "Person with a disability" in profile

    await _as(web, runtime, "5107")
    assert (await web.get(home)).status_code == 404


async def test_the_policy_form_takes_the_group_rule(web: AsyncClient, runtime: Runtime) -> None:
    await _as(web, runtime, "5101")
    form = {
        "name": "退役军人专项培训券",
        "face_value": "1000",
        "quantity": "50",
        "validity_days": "180",
        "one_unused": "yes",
        "group_veteran": "yes",
    }
    check = await web.get("/agency/policies/new/check", params=form)
    assert check.status_code == 200, check.text
    assert "Veteran" in check.text

"""The agency's provider and staff pages over the in-process client: the region's providers,
suspending one through "check your answers" (a reason required, a colleague's change meanwhile
said and not doubled), reinstating it; the agency's admin adding and removing an officer; and
an officer of another region, who gets 404 on every page and form of another region's
provider and staff member."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role
from tests.helpers import DEFAULT_PASSWORD, create_principal, log_in_as
from tests.training.factories import make_provider
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in


async def _officer(web: AsyncClient, runtime: Runtime, prefix: str = "5101") -> None:
    officer = await create_principal(runtime.settings, Role.AGENCY, region_prefix=prefix)
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, officer.username, DEFAULT_PASSWORD)


async def test_suspend_and_reinstate_a_provider_through_check_your_answers(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    org = provider.organisation_id
    home = f"/agency/providers/{org}"
    await _officer(web, runtime)
    listed = await web.get("/agency/providers")
    assert f'href="{home}"' in listed.text

    bare = await post_form(web, home, page=home, data={"action": "suspend", "reason": " "})
    assert bare.headers["location"] == home
    assert "Give the reason" in (await web.get(home)).text

    to_check = await post_form(
        web, home, page=home, data={"action": "suspend", "reason": "出勤记录造假，待核查"}
    )
    check = to_check.headers["location"]
    assert check.startswith(f"{home}/status?action=suspend")
    shown = await web.get(check)
    assert "Check before you suspend" in shown.text
    assert "出勤记录造假，待核查" in shown.text
    # A colleague suspends it meanwhile through the API: the officer's button does nothing.
    colleague = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    first = await client.post(
        f"/providers/{org}/suspend", json={"reason": "同事先处理"}, headers=colleague.headers
    )
    assert first.status_code == 200, first.text
    late = await web.post(f"{home}/status", data=hidden_fields(shown.text), headers=ORIGIN)
    assert late.headers["location"] == home
    page = await web.get(home)
    assert "changed this provider" in page.text
    assert "同事先处理" in page.text  # the colleague's reason stands
    assert "Suspended" in page.text

    back = await post_form(web, home, page=home, data={"action": "reinstate", "reason": "已核实"})
    shown = await web.get(back.headers["location"])
    done = await web.post(f"{home}/status", data=hidden_fields(shown.text), headers=ORIGIN)
    assert done.headers["location"] == f"{home}?notice=reinstate"
    state = await client.get(f"/providers/{org}", headers=colleague.headers)
    assert state.json()["status"] == "active"

    await _officer(web, runtime, prefix="5107")
    assert f'href="{home}"' not in (await web.get("/agency/providers")).text
    assert (await web.get(home)).status_code == 404
    assert (await web.get(f"{check}")).status_code == 404
    refused = await post_form(
        web, f"{home}/status", page="/agency/providers", data={"action": "suspend", "reason": "x"}
    )
    assert refused.status_code == 404


async def test_the_agency_admin_adds_and_removes_an_officer(
    web: AsyncClient, runtime: Runtime
) -> None:
    await _officer(web, runtime)  # an agency login without a sub-role is its admin
    weak = await post_form(
        web,
        "/agency/staff",
        page="/agency/staff",
        data={"username": "officer.wang", "password": "short", "staff_role": "officer"},
    )
    assert weak.headers["location"] == "/agency/staff"
    assert "Enter a password of at least" in (await web.get("/agency/staff")).text
    added = await post_form(
        web,
        "/agency/staff",
        page="/agency/staff",
        data={
            "username": "officer.wang",
            "password": "a-long-enough-password",
            "staff_role": "reviewer",
            "region_prefix": "510104",
        },
    )
    assert added.headers["location"] == "/agency/staff?notice=added"
    member = await Principal.find_one({"username": "officer.wang"})
    assert member is not None
    assert (member.staff_role, member.region_prefix) == ("reviewer", "510104")
    page = await web.get(added.headers["location"])
    assert "Reviewer (second approvals)" in page.text
    remove = f"/agency/staff/{member.id}/remove"
    gone = await post_form(web, remove, page=remove)
    assert gone.headers["location"] == "/agency/staff?notice=removed"
    again = await Principal.get(member.id)
    assert again is not None
    assert again.removed

    await _officer(web, runtime, prefix="5107")
    assert (await web.get(remove)).status_code == 404
    assert "officer.wang" not in (await web.get("/agency/staff")).text

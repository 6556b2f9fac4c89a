"""The agency's apprenticeship approvals over the in-process client: the drafts waiting, an
agreement with the rules checked now (the employment check) and its change requests with
their answers; sending back with the change needed (the parties' approvals reset), approving
once both parties approved again, a colleague's decision a moment earlier (nothing is
doubled, the page says so), a rule broken since (refused), and another region (404)."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.apprenticeships.factories import create, make_apprentice, make_world, step, today
from tests.helpers import log_in_as
from tests.web.pages import ORIGIN, hidden_fields, sign_in


async def _page(web: AsyncClient, path: str) -> str:
    response = await web.get(path)
    assert response.status_code == 200, response.text
    return response.text


async def test_send_back_then_approve(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    created = await create(client, world, apprentice)
    ident = created.json()["id"]
    for party in (world.enterprise.user, world.institution.user):
        assert (await step(client, party, ident, "approve")).status_code == 200
    # The employer asks for a change; the institution answers it.
    proposed = await client.post(
        f"/apprenticeships/{ident}/changes",
        json={"institution_hours": 420, "note": "多二十学时"},
        headers=world.enterprise.user.headers,
    )
    assert proposed.status_code == 201, proposed.text
    n = proposed.json()["pending_change"]["n"]
    answered = await client.post(
        f"/apprenticeships/{ident}/changes/{n}/accept", headers=world.institution.user.headers
    )
    assert answered.status_code == 200, answered.text

    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)
    here = f"/agency/apprenticeships/{ident}"
    listed = await _page(web, "/agency/apprenticeships")
    assert here in listed
    shown = await _page(web, here)
    assert "Passes" in shown  # employed, a contract of a year: the rules hold
    assert "Hours at the institution" in shown
    assert "Accepted" in shown

    # The change needed is required, then the draft goes back with approvals reset.
    empty = await web.post(
        f"{here}/send-back", data={**hidden_fields(shown), "change_needed": ""}, headers=ORIGIN
    )
    assert 'href="#change_needed"' in await _page(web, empty.headers["location"])
    fields = hidden_fields(await _page(web, here))
    sent = await web.post(
        f"{here}/send-back",
        data={**fields, "change_needed": "请补充企业导师的资格证明"},
        headers=ORIGIN,
    )
    assert sent.headers["location"].endswith("?notice=sent_back")
    again = await web.post(
        f"{here}/send-back", data={**fields, "change_needed": "请补充"}, headers=ORIGIN
    )
    assert again.headers["location"] == sent.headers["location"]  # a double submit: once
    back = await _page(web, here)
    assert "Sent back by the agency" in back
    assert "请补充企业导师的资格证明" in back
    assert back.count("Sent back by the agency") == 1
    assert "/approve" not in back.split("Your decision", 1)[1].split("</section>", 1)[0]
    detail = await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)
    assert detail.json()["approvals"] == {"employer": False, "institution": False, "agency": False}

    # The parties approve again; the officer approves; a colleague's second press is told.
    for party in (world.enterprise.user, world.institution.user):
        assert (await step(client, party, ident, "approve")).status_code == 200
    ready = await _page(web, here)
    form = hidden_fields(ready)
    approved = await web.post(f"{here}/approve", data=form, headers=ORIGIN)
    assert approved.headers["location"].endswith("?notice=approved")
    colleague = await web.post(
        f"{here}/approve", data={**form, "form_key": "another-rendering-1"}, headers=ORIGIN
    )
    told = await _page(web, colleague.headers["location"])
    assert "Another officer decided this agreement a moment ago" in told
    assert (await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)).json()[
        "status"
    ] == "approved"


async def test_a_broken_rule_is_shown_and_refuses_the_approval(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await create(client, world, apprentice)).json()["id"]
    for party in (world.enterprise.user, world.institution.user):
        assert (await step(client, party, ident, "approve")).status_code == 200
    # The employment ends: the check says so, and the approval is refused.
    worker = await client.get(f"/workers/{apprentice.archive_id}", headers=world.agency.headers)
    registration = worker.json()["employment"]["registrations"][0]["id"]
    ended = await client.post(
        f"/workers/{apprentice.archive_id}/employment/{registration}/close",
        json={"end": (today() - timedelta(days=1)).isoformat()},
        headers=world.agency.headers,
    )
    assert ended.status_code == 200, ended.text
    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)
    here = f"/agency/apprenticeships/{ident}"
    shown = await _page(web, here)
    assert "Breaks a rule" in shown
    assert "No active employment registration with the employer" in shown
    refused = await web.post(f"{here}/approve", data=hidden_fields(shown), headers=ORIGIN)
    assert "breaks a rule today" in await _page(web, refused.headers["location"])


async def test_another_region_sees_nothing(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await create(client, world, apprentice)).json()["id"]
    other = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    web.headers["Accept-Language"] = "en"
    await sign_in(web, other.principal.username, other.password)
    here = f"/agency/apprenticeships/{ident}"
    listed = await _page(web, "/agency/apprenticeships")
    assert here not in listed
    assert (await web.get(here)).status_code == 404
    fields = hidden_fields(listed)
    for action in ("approve", "send-back"):
        posted = await web.post(
            f"{here}/{action}", data={**fields, "change_needed": "x"}, headers=ORIGIN
        )
        assert posted.status_code == 404, (action, posted.status_code)

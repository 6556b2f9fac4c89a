"""The agency's voucher policy pages over the in-process client: the list with the vouchers
by status, a new policy through "check your answers" (errors first, then published), a new
version, issuing to one worker (refused with the failing rule, then issued, and a double
submit issues once), and another region's officer who sees none of it (404)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.helpers import log_in_as
from tests.vouchers.factories import World, make_world
from tests.web.pages import ORIGIN, hidden_fields, sign_in

NEW = {
    "name": "绵阳市焊工培训券",
    "face_value": "1200.50",
    "quantity": "40",
    "validity_days": "90",
    "type_employment_skills": "yes",
    "min_age": "18",
    "max_age": "55",
    "one_unused": "yes",
    "funding_source": "employment_subsidy",
}


async def _officer(web: AsyncClient, world: World) -> None:
    web.cookies.clear()
    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)


async def _publish_from(web: AsyncClient, check_url: str, action: str) -> str:
    """Open the check page and press its button; the redirect's location."""
    check = await web.get(check_url)
    assert check.status_code == 200, check.text
    fields = hidden_fields(check.text)
    published = await web.post(action, data=fields, headers=ORIGIN)
    assert published.status_code == 303, published.text
    return published.headers["location"]


async def test_publish_check_edit_and_issue(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    await _officer(web, world)
    policy_id = world.policy["id"]

    listed = await web.get("/agency/policies")
    assert listed.status_code == 200, listed.text
    assert f"/agency/policies/{policy_id}" in listed.text

    # The form's errors come back on the form, each tied to its field.
    wrong = await web.get(
        "/agency/policies/new/check?"
        + urlencode({**NEW, "face_value": "12.345", "max_age": "17", "valid_until": "2030-01-01"})
    )
    assert wrong.status_code == 200
    assert 'href="#face_value"' in wrong.text
    assert 'href="#max_age"' in wrong.text
    assert 'href="#validity_days"' in wrong.text  # both days and a last day
    assert 'name="csrf_token"' not in wrong.text.split("<main", 1)[1].split("</form>", 1)[0]

    # Check your answers, then publish.
    location = await _publish_from(
        web, "/agency/policies/new/check?" + urlencode(NEW), "/agency/policies/new"
    )
    assert location.endswith("?notice=published")
    page = await web.get(location)
    assert "绵阳市焊工培训券" in page.text
    assert "¥1,200.50" in page.text
    assert "Employment subsidy fund" in page.text

    # A new version: the change note is required, then published; the old one says replaced.
    edit_url = location.split("?")[0] + "/edit"
    edit = await web.get(edit_url)
    assert 'value="1200.50"' in edit.text
    no_note = await web.get(edit_url + "/check?" + urlencode({**NEW, "quantity": "50"}))
    assert 'href="#change_note"' in no_note.text
    version = await _publish_from(
        web,
        edit_url + "/check?" + urlencode({**NEW, "quantity": "50", "change_note": "十个名额"}),
        edit_url,
    )
    assert version.endswith("?notice=version")
    old = await web.get(location.split("?")[0])
    assert "This version was replaced" in old.text

    # Issuing to one worker of the region: a wrong name is refused; the right one issued once.
    here = f"/agency/policies/{policy_id}"
    shown = await web.get(here)
    fields = hidden_fields(shown.text)
    registered = world.worker.registered
    refused = await web.post(
        f"{here}/issue",
        data={**fields, "id_number": registered.id_number, "worker_name": "某某某"},
        headers=ORIGIN,
    )
    assert refused.status_code == 303
    again = await web.get(refused.headers["location"])
    assert 'class="error-summary"' in again.text
    body = {
        **hidden_fields(again.text),
        "id_number": registered.id_number,
        "worker_name": "张三",
    }
    issued = await web.post(f"{here}/issue", data=body, headers=ORIGIN)
    assert issued.headers["location"].endswith("?notice=issued")
    twice = await web.post(f"{here}/issue", data=body, headers=ORIGIN)
    assert twice.headers["location"] == issued.headers["location"]
    counted = await web.get(here)
    assert "Issued in your region: 1" in counted.text

    # A second voucher is refused by the one-unused rule, in the page's language.
    refused_again = await web.post(
        f"{here}/issue",
        data={**hidden_fields(counted.text), **{k: body[k] for k in ("id_number", "worker_name")}},
        headers=ORIGIN,
    )
    shown_again = await web.get(refused_again.headers["location"])
    assert 'class="error-summary"' in shown_again.text


async def test_another_region_sees_no_policy_page(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    other = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    web.headers["Accept-Language"] = "en"
    await sign_in(web, other.principal.username, other.password)
    policy_id = world.policy["id"]
    here = f"/agency/policies/{policy_id}"
    listed = await web.get("/agency/policies")
    assert here not in listed.text
    for path in (here, f"{here}/edit", f"{here}/edit/check?" + urlencode(NEW)):
        assert (await web.get(path)).status_code == 404, path
    fields = hidden_fields(listed.text)
    for action in (f"{here}/edit", f"{here}/issue"):
        posted = await web.post(
            action,
            data={**fields, **NEW, "change_note": "x", "id_number": "1", "worker_name": "x"},
            headers=ORIGIN,
        )
        assert posted.status_code == 404, (action, posted.status_code)


async def test_a_new_version_keeps_what_the_form_does_not_show(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(
        client,
        runtime,
        brands=["tianfu_builder"],
        claim_terms={"two_approvals_above_fen": 50_000, "retroactive_days": 7},
    )
    await _officer(web, world)
    edit = f"/agency/policies/{world.policy['id']}/edit"
    shown = await web.get(edit)
    form = {
        name: value
        for name, value in re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', shown.text)
        if name not in ("csrf_token", "form_key", "unemployed", "one_unused")
        and not name.startswith("type_")
    }
    checked = re.findall(r'name="([a-z_]+)" type="checkbox" value="yes" checked', shown.text)
    given = {**form, **dict.fromkeys(checked, "yes"), "quantity": "120", "change_note": "加量"}
    location = await _publish_from(web, f"{edit}/check?{urlencode(given)}", edit)
    new_id = location.split("?")[0].rsplit("/", 1)[1]
    version = (await client.get(f"/voucher-policies/{new_id}", headers=world.agency.headers)).json()
    assert version["version_no"] == 2
    assert version["quantity"] == 120
    assert version["brands"] == ["tianfu_builder"]
    assert version["claim_terms"]["two_approvals_above_fen"] == 50_000
    assert version["claim_terms"]["retroactive_days"] == 7
    assert version["rules"]["min_age"] == 16
    assert version["training_types"] == ["employment_skills"]

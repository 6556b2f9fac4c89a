"""The cross-region matrix of the agency's worker, provider and staff pages (in-process): a
worker, a provider and a staff member of Chengdu (5101); Mianyang's officer (5107, its agency's
admin) gets 404 on every page and form naming one of them, with a form that would otherwise
pass, and nothing changes; Chengdu's officer reads every page. Every route of
``AGENCY_PEOPLE_PAGES`` with an object in its path is in the matrix (the test fails when a new
one is not)."""

from __future__ import annotations

import re

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role, StaffRole
from portfolio.archives.documents import Archive
from tests.archives.factories import fresh_resident_id
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.training.factories import make_provider
from tests.web.agency_people_access import AGENCY_PEOPLE_PAGES
from tests.web.pages import post_form, sign_in
from tests.web.test_agency_workers_pages import _register

# What each form would need to succeed in its own region.
FORMS: dict[str, dict[str, str]] = {
    "reveal": {"purpose": "counter"},
    "activation-code": {},
    "social-security": {"number": "", "card_number": "A1", "issuing_region": "510104"},
    "employment": {"kind": "unemployment", "start": "2024-01-01"},
    "close": {"end": "2024-06-30"},
    "transfer": {"to_region_code": "510105"},
    "remove": {},
    "status": {"action": "suspend", "reason": "跨地区"},
    "": {"action": "suspend", "reason": "跨地区"},
}


async def _sign_in(web: AsyncClient, runtime: Runtime, prefix: str) -> None:
    officer = await create_principal(runtime.settings, Role.AGENCY, region_prefix=prefix)
    web.cookies.clear()
    await sign_in(web, officer.username, DEFAULT_PASSWORD)


async def test_another_regions_officer_finds_nothing_on_any_page_or_form(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    await _sign_in(web, runtime, "5101")
    number = fresh_resident_id()
    archive_id = await _register(web, number)
    home = f"/agency/workers/{archive_id}"
    await post_form(
        web,
        f"{home}/employment",
        page=f"{home}/employment",
        data={
            "kind": "unemployment",
            "start": "2024-01-15",
            "certificate_number": "5101042024000077",
        },
    )
    page = (await web.get(home)).text
    registration_id = re.search(r"/employment/([0-9a-f]+)/close", page)
    assert registration_id is not None
    member = await create_principal(
        runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    values = {
        "archive_id": archive_id,
        "registration_id": registration_id.group(1),
        "organisation_id": provider.organisation_id,
        "principal_id": str(member.id),
    }
    routes = [(m, p) for (m, p) in AGENCY_PEOPLE_PAGES if "{" in p]

    def path_of(template: str) -> str:
        return re.sub(r"\{([a-z_]+)\}", lambda found: values[found.group(1)], template)

    for method, template in routes:  # the owner's region reads every page
        if method == "GET":
            path = path_of(template) + ("?action=suspend&reason=x" if "status" in template else "")
            assert (await web.get(path)).status_code == 200, template

    await _sign_in(web, runtime, "5107")
    before = await Archive.get(archive_id)
    for method, template in routes:
        path = path_of(template)
        if method == "GET":
            status = (await web.get(path)).status_code
        else:
            last = template.rstrip("/").split("/")[-1]
            form = FORMS.get(last, FORMS[""]) if not last.startswith("{") else FORMS[""]
            if last == "social-security":
                form = {**form, "number": number}
            status = (await post_form(web, path, page="/agency/workers", data=form)).status_code
        assert status == 404, f"{method} {template}: {status}"
    after = await Archive.get(archive_id)
    assert after is not None
    assert before is not None
    assert (after.version, after.head.seq, after.region_code) == (
        before.version,
        before.head.seq,
        before.region_code,
    )
    still = await Principal.get(member.id)
    assert still is not None
    assert not still.removed
    state = await client.get(
        f"/providers/{provider.organisation_id}", headers=provider.agency.headers
    )
    assert state.json()["status"] == "active"

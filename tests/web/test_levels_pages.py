"""The ways to a skill level over the in-process client: the agency officer accredits an
enterprise and publishes a norm on the hub; the enterprise records an assessment (and one
outside its accreditation, refused with the rule) and proposes a worker; the officer
confirms the recognition; a suspended accreditation is said."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from tests.recognition.factories import COOK, make_roads, today
from tests.web.pages import ORIGIN, hidden_fields, sign_in


async def _page(web: AsyncClient, path: str) -> str:
    response = await web.get(path)
    assert response.status_code == 200, response.text
    return response.text


async def _post(web: AsyncClient, path: str, form_page: str, **fields: str) -> str:
    shown = await _page(web, form_page)
    response = await web.post(path, data={**hidden_fields(shown), **fields}, headers=ORIGIN)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


async def test_accredit_assess_propose_and_confirm(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    roads = await make_roads(client, runtime.settings)
    web.headers["Accept-Language"] = "en"
    await sign_in(web, roads.officer.principal.username, roads.officer.password)
    hub = await _page(web, "/agency/levels")
    assert "No recognition is waiting." in hub
    where = await _post(
        web,
        "/agency/levels/accreditations",
        "/agency/levels",
        organisation_id=roads.enterprise.organisation_id,
        kind="enterprise",
        occupation_codes=f"{COOK}，6-18-02-04",
        low="intermediate",
        high="senior",
        valid_from=(today() - timedelta(days=10)).isoformat(),
        valid_until=(today() + timedelta(days=300)).isoformat(),
    )
    assert where == "/agency/levels?notice=accredited"
    hub = await _page(web, where)
    assert "The organisation is accredited." in hub
    assert "6-18-02-04" in hub

    web.cookies.clear()
    await sign_in(web, roads.enterprise.user.principal.username, roads.enterprise.user.password)
    page = await _page(web, "/provider/levels")
    accreditation_id = page.split('<option value="')[1].split('"')[0]
    common = {
        "accreditation_id": accreditation_id,
        "id_number": roads.worker.id_number,
        "name": roads.worker_name,
        "occupation_code": COOK,
        "passed": "yes",
        "assessed_on": today().isoformat(),
        "certificate_number": "QY5101260009",
    }
    refused = await _post(web, "/provider/levels", "/provider/levels", **common, level="technician")
    assert refused == "/provider/levels"
    shown = await _page(web, refused)
    assert "the accreditation has not this level" in shown
    done = await _post(web, "/provider/levels", "/provider/levels", **common, level="senior")
    shown = await _page(web, done)
    assert "The assessment is recorded and its certificate issued." in shown
    assert "QY5101260009" in shown
    proposed = await _post(
        web,
        "/provider/levels/propose",
        "/provider/levels/propose",
        **{k: common[k] for k in ("accreditation_id", "id_number", "name", "occupation_code")},
        level="technician",
        performance="连续三年考核优秀",
        posts="主厨",
        achievements="获奖",
        certificate_number="ZR5101260009",
    )
    assert "Waiting for the agency" in await _page(web, proposed)

    web.cookies.clear()
    await sign_in(web, roads.officer.principal.username, roads.officer.password)
    hub = await _page(web, "/agency/levels")
    recognition = hub.split('href="/agency/levels/recognitions/')[1].split('"')[0]
    here = f"/agency/levels/recognitions/{recognition}"
    assert "连续三年考核优秀" in await _page(web, here)
    confirmed = await _post(web, here, here, decision="confirmed", reason="材料属实")
    assert "The recognition is confirmed and its certificate issued." in await _page(web, confirmed)
    # The hub's link: the levels report on the statistics page, by road.
    report = await _page(web, "/agency/statistics?report=levels&group_by=road")
    assert "Ways to a skill level" in report
    assert "New skill levels" in report
    path = f"/agency/levels/accreditations/{accreditation_id}"
    moved = await _post(web, path, path, status="suspended", reason="投诉核查")
    assert "The accreditation is suspended" in await _page(web, moved)

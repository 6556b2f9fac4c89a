"""Past training records on the pages (in-process): the provider's form with its "check your
answers" step, its refusals beside the fields and its list with states and reasons; the
agency's queue, a record's page and the two decisions behind "check your answers"; a
colleague's decision a moment earlier wins and nothing is doubled; another provider and
another region's officer get 404 on every page and form naming a record, and change nothing."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from portfolio.training.documents import Enrolment, HistoricalImport
from tests.helpers import DEFAULT_PASSWORD, create_principal, log_in_as
from tests.training.factories import Person, Provider, make_course, make_person, make_provider
from tests.web.pages import ORIGIN, hidden_fields, post_form, set_session, sign_in


def _answers(person: Person, course: str, **changes: str) -> dict[str, str]:
    return {
        "id_number": person.id_number,
        "name": person.name,
        "course_id": course,
        "start_date": "2019-03-04",
        "end_date": "2019-03-29",
        "hours": "96",
        "result": "passed",
        "score": "86",
        "evidence_description": "2019年纸质培训台账及结业考核记录",
        "evidence_reference": "档案 2019-川培-0457",
        **changes,
    }


async def _as(web: AsyncClient, username: str) -> str:
    web.cookies.clear()
    secret = await sign_in(web, username, DEFAULT_PASSWORD)
    web.cookies.set("lang", "en")
    return secret


async def _officer(runtime: Runtime, prefix: str = "5101") -> str:
    officer = await create_principal(
        runtime.settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.OFFICER
    )
    return officer.username


async def _submit(web: AsyncClient, answers: dict[str, str]) -> Any:
    """Check the answers, then send them from the check page."""
    checked = await post_form(
        web, "/provider/imports/check", page="/provider/imports/new", data=answers
    )
    assert checked.status_code == 200, checked.headers.get("location")
    return await web.post("/provider/imports", data=hidden_fields(checked.text), headers=ORIGIN)


async def _scene(web: AsyncClient, runtime: Runtime) -> tuple[Provider, str, Person]:
    provider = await make_provider(web, runtime)
    course = await make_course(web, provider)
    person = await make_person(runtime, name="史料")
    return provider, course["id"], person


async def test_a_provider_submits_a_past_record_and_sees_its_state(
    web: AsyncClient, runtime: Runtime
) -> None:
    provider, course_id, person = await _scene(web, runtime)
    await _as(web, provider.user.principal.username)
    form = (await web.get("/provider/imports/new")).text
    assert "data-id-check" in form
    assert course_id in form
    assert 'href="/provider/imports" aria-current="page"' in form

    # Each field's refusal, beside it; nothing is stored.
    cases = {
        "id_number": {"id_number": "51010419900101123X"[:-1]},
        "hours": {"hours": "lots"},
        "course_id": {"course_id": "0" * 24},
        "evidence_reference": {"evidence_reference": ""},
        "score": {"score": "101"},
    }
    for field, change in cases.items():
        refused = await post_form(
            web,
            "/provider/imports/check",
            page="/provider/imports/new",
            data=_answers(person, course_id, **change),
        )
        assert refused.headers["location"] == "/provider/imports/new", field
        assert f'href="#{field}"' in (await web.get("/provider/imports/new")).text, field
    # The service's own rules: a future end, a wrong name (said as no match).
    for change, field, words in (
        ({"end_date": "2099-01-01"}, "end_date", "A past training ended before today"),
        ({"name": "别人"}, "id_number", "No worker matches this ID number and name"),
        ({"start_date": "1950-01-01"}, "start_date", "not yet 14"),
    ):
        sent = await _submit(web, _answers(person, course_id, **change))
        assert sent.headers["location"] == "/provider/imports/new"
        again = (await web.get("/provider/imports/new")).text
        assert f'href="#{field}"' in again, change
        assert words in again, change
    assert await HistoricalImport.find({"archive_id": person.archive_id}).count() == 0

    # Check your answers shows them; "change" goes back to the form with them.
    checked = await post_form(
        web,
        "/provider/imports/check",
        page="/provider/imports/new",
        data=_answers(person, course_id),
    )
    assert "档案 2019-川培-0457" in checked.text
    assert "Check the record" in checked.text
    back = await web.post(
        "/provider/imports/change", data=hidden_fields(checked.text), headers=ORIGIN
    )
    assert back.headers["location"] == "/provider/imports/new"
    assert 'value="2019-03-29"' in (await web.get("/provider/imports/new")).text
    fields = hidden_fields(checked.text)
    sent = await web.post("/provider/imports", data=fields, headers=ORIGIN)
    assert sent.headers["location"] == "/provider/imports?notice=submitted"
    replay = await web.post("/provider/imports", data=fields, headers=ORIGIN)
    assert replay.headers["location"] == sent.headers["location"]
    assert await HistoricalImport.find({"archive_id": person.archive_id}).count() == 1
    listed = (await web.get("/provider/imports?notice=submitted")).text
    assert "Waiting for the agency" in listed
    assert "史料" in listed
    assert person.id_number not in listed  # masked

    # Another provider lists none of it.
    other = await make_provider(web, runtime)
    await _as(web, other.user.principal.username)
    assert "史料" not in (await web.get("/provider/imports")).text


async def test_an_officer_decides_and_a_colleague_a_moment_later_is_told(
    web: AsyncClient, runtime: Runtime
) -> None:
    provider, course_id, person = await _scene(web, runtime)
    await _as(web, provider.user.principal.username)
    await _submit(web, _answers(person, course_id))
    refused_one = await make_person(runtime, name="退回")
    await _submit(web, _answers(refused_one, course_id, evidence_reference="档案 X-1"))
    found = await HistoricalImport.find_one({"archive_id": person.archive_id})
    other = await HistoricalImport.find_one({"archive_id": refused_one.archive_id})
    assert found is not None
    assert other is not None
    record = f"/agency/imports/{found.id}"

    first, second = await _officer(runtime), await _officer(runtime)
    await _as(web, first)
    queue = (await web.get("/agency/imports")).text
    assert record in queue
    assert f"/agency/imports/{other.id}" in queue
    shown = (await web.get(record)).text
    assert "2019年纸质培训台账及结业考核记录" in shown
    assert person.id_number not in shown
    # A refusal needs its reason; the check page says what will happen.
    empty = await web.get(f"/agency/imports/{other.id}/check?decision=refuse&reason=")
    assert empty.headers["location"] == f"/agency/imports/{other.id}"
    assert 'href="#reason"' in (await web.get(f"/agency/imports/{other.id}")).text
    check = f"/agency/imports/{other.id}/check?decision=refuse&reason=台账无此人"
    assert "Check the refusal" in (await web.get(check)).text
    refused = await post_form(web, f"/agency/imports/{other.id}/refuse", page=check)
    assert refused.headers["location"] == f"/agency/imports/{other.id}?notice=refused"

    approve_check = f"{record}/check?decision=approve&note=核对无误"
    page = (await web.get(approve_check)).text
    assert "marked as imported" in page
    # Both officers open the check page; the first approves, the second a moment later.
    second_session = await _as(web, second)
    late_fields = hidden_fields((await web.get(approve_check)).text)
    await _as(web, first)
    approved = await post_form(web, f"{record}/approve", page=approve_check)
    assert approved.headers["location"] == f"{record}?notice=approved"
    web.cookies.clear()
    set_session(web, second_session)
    web.cookies.set("lang", "en")
    late = await web.post(f"{record}/approve", data=late_fields, headers=ORIGIN)
    assert late.headers["location"] == record
    told = (await web.get(record)).text
    assert "Another officer decided this record a moment ago" in told
    assert "Approved: in the archive" in told
    assert 'action="' + record not in told
    assert await Enrolment.find({"archive_id": person.archive_id}).count() == 1

    # The provider reads both states, and the refusal's reason.
    await _as(web, provider.user.principal.username)
    listed = (await web.get("/provider/imports")).text
    assert "Approved: in the archive" in listed
    assert "台账无此人" in listed


async def test_another_provider_or_region_finds_no_record_on_any_page_or_form(
    web: AsyncClient, runtime: Runtime
) -> None:
    provider, course_id, person = await _scene(web, runtime)
    await _as(web, provider.user.principal.username)
    await _submit(web, _answers(person, course_id))
    found = await HistoricalImport.find_one({"archive_id": person.archive_id})
    assert found is not None
    record = f"/agency/imports/{found.id}"

    # Another provider cannot send a record on this provider's course.
    other = await make_provider(web, runtime)
    await _as(web, other.user.principal.username)
    refused = await post_form(
        web,
        "/provider/imports/check",
        page="/provider/imports/new",
        data=_answers(person, course_id),
    )
    assert refused.headers["location"] == "/provider/imports/new"
    # Mianyang's officer: 404 on every page and form naming the Chengdu record.
    await _as(web, await _officer(runtime, "5107"))
    assert record not in (await web.get("/agency/imports")).text
    for path in (
        record,
        f"{record}/check?decision=approve",
        f"{record}/check?decision=refuse&reason=x",
    ):
        assert (await web.get(path)).status_code == 404, path
    for action in ("approve", "refuse"):
        posted = await post_form(
            web, f"{record}/{action}", page="/agency/imports", data={"reason": "跨地区"}
        )
        assert posted.status_code == 404, action
    # Chengdu's reviewer reads the record but is not offered the decision, nor let make it.
    reviewer = await create_principal(
        runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.REVIEWER
    )
    await _as(web, reviewer.username)
    shown = (await web.get(record)).text
    assert "An officer of the agency decides this record." in shown
    assert f"{record}/check" not in shown
    posted = await post_form(web, f"{record}/approve", page=record)
    assert posted.status_code == 403
    after = await HistoricalImport.get(found.id)
    assert after is not None
    assert (after.status, after.version) == (found.status, found.version)


async def test_an_officer_does_not_approve_a_record_they_submitted(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    _, course_id, person = await _scene(web, runtime)
    officer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    body = {**person.ref(), **_answers(person, course_id), "hours": 96, "score": 86}
    sent = await client.post("/historical-imports", json=body, headers=officer.headers)
    assert sent.status_code == 201, sent.text
    record = f"/agency/imports/{sent.json()['id']}"
    await _as(web, officer.principal.username)
    refused = await post_form(web, f"{record}/approve", page=f"{record}/check?decision=approve")
    assert refused.headers["location"] == record
    assert "You submitted this record: another officer approves it." in (await web.get(record)).text
    stored = await HistoricalImport.get(sent.json()["id"])
    assert stored is not None
    assert stored.status.value == "pending"

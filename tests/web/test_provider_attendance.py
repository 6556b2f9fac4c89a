"""Attendance per session in the provider's console (in-process client): the class list with
masked numbers, "all present" with exceptions, hours per worker, voiding a record, the
printable sign-in sheet, and another provider's session answering "not found"."""

from __future__ import annotations

import re

from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.training.factories import during_session
from tests.web import training_arrange as arrange
from tests.web.pages import post_form, sign_in


async def test_recording_and_voiding_a_session(web: AsyncClient, settings: Settings) -> None:
    owner = await create_principal(settings, Role.WORKER)
    found = await arrange.enrolled_class(web, settings, owner, start=True)
    # Attendance is taken while the session runs (the time rules refuse it before).
    run = await web.get(f"/runs/{found.run_id}", headers=found.provider.headers)
    clock.travel_to(during_session(run.json(), 1))
    web.cookies.clear()
    await sign_in(web, found.provider.principal.username, DEFAULT_PASSWORD)
    page = f"/provider/runs/{found.run_id}/sessions/1"
    shown = await web.get(page)
    assert shown.status_code == 200
    assert "王测试" in shown.text
    assert re.search(r"\d{6}\*+\w{2}", shown.text)
    field = f"hours-{found.enrolment_id}"

    wrong = await post_form(
        web, page, page=page, data={"enrolments": found.enrolment_id, field: "x"}
    )
    assert wrong.headers["location"] == page
    assert f'href="#{field}"' in (await web.get(page)).text
    nobody = await post_form(
        web,
        page,
        page=page,
        data={"enrolments": found.enrolment_id, field: "4", f"absent-{found.enrolment_id}": "1"},
    )
    assert nobody.headers["location"] == page
    assert 'href="#record"' in (await web.get(page)).text

    recorded = await post_form(
        web, page, page=page, data={"enrolments": found.enrolment_id, field: "3.5"}
    )
    assert recorded.headers["location"] == f"{page}?notice=recorded&count=1"
    after = await web.get(recorded.headers["location"])
    assert "3.5" in after.text
    records = await web.get(
        f"/enrolments/{found.enrolment_id}/attendance", headers=found.provider.headers
    )
    [record] = records.json()
    assert (record["hours"], record["status"], record["capture_method"]) == (
        3.5,
        "unconfirmed",
        "manual",
    )

    void = f"/provider/attendance/{record['id']}/void"
    voided = await post_form(web, void, page=page, data={"run_id": found.run_id, "session_n": "1"})
    assert voided.headers["location"] == f"{page}?notice=voided"
    records = await web.get(
        f"/enrolments/{found.enrolment_id}/attendance", headers=found.provider.headers
    )
    assert [r["status"] for r in records.json()] == ["voided"]
    sheet = await web.get(f"{page}/sheet")
    assert sheet.status_code == 200
    assert "王测试" in sheet.text

    other = await create_principal(settings, Role.WORKER)
    elsewhere = await arrange.enrolled_class(web, settings, other, start=True)
    assert (await web.get(f"/provider/runs/{elsewhere.run_id}/sessions/1")).status_code == 404
    assert (await web.get(f"/provider/runs/{found.run_id}/sessions/9")).status_code == 404

"""Late attendance corrections: after the window, only an agency officer, with a reason."""

from __future__ import annotations

from datetime import date, timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import (
    china_moment,
    during_session,
    make_course,
    make_person,
    make_provider,
    make_run,
)

LATE = {"session_n": 1, "hours": 4, "capture_method": "manual"}


async def test_after_the_window_only_an_officer_records_a_late_correction(
    client: AsyncClient, runtime: Runtime
) -> None:
    clock.travel_to(china_moment(date(2026, 12, 5), "12:00"))
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"], start=date(2026, 12, 14), count=2)
    person = await make_person(runtime)
    enrolment = (
        await client.post(
            f"/runs/{run['id']}/enrolments",
            json={**person.ref(), "accept": True},
            headers=provider.user.headers,
        )
    ).json()
    await client.post(f"/enrolments/{enrolment['id']}/start", headers=provider.user.headers)
    clock.travel_to(during_session(run, 1) + timedelta(days=10))
    path = f"/enrolments/{enrolment['id']}/attendance"
    refused = assert_problem(await client.post(path, json=LATE, headers=provider.user.headers), 422)
    assert refused["errors"][0]["rule"] == "attendance_window_closed"

    officer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    reviewer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.REVIEWER
    )
    elsewhere = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5107", staff_role=StaffRole.OFFICER
    )
    body = {**LATE, "reason": "签到表漏记，已核对纸质签到表"}
    assert_problem(await client.post(f"{path}/late", json=body, headers=reviewer.headers), 403)
    assert_problem(await client.post(f"{path}/late", json=body, headers=provider.user.headers), 403)
    assert_problem(await client.post(f"{path}/late", json=body, headers=elsewhere.headers), 404)
    assert_problem(await client.post(f"{path}/late", json=LATE, headers=officer.headers), 422)

    approved = await client.post(f"{path}/late", json=body, headers=officer.headers)
    assert approved.status_code == 201, approved.text
    record = approved.json()
    assert (record["late"], record["late_reason"]) == (True, "签到表漏记，已核对纸质签到表")
    assert (record["status"], record["entered_by"]) == ("unconfirmed", "provider")
    # A session not yet started cannot be corrected, late or not.
    future = {**body, "session_n": 2}
    clock.travel_to(during_session(run, 2, minutes=-60))
    early = assert_problem(
        await client.post(f"{path}/late", json=future, headers=officer.headers), 422
    )
    assert early["errors"][0]["rule"] == "session_not_started"


async def test_within_the_window_the_provider_records_and_nothing_is_late(
    client: AsyncClient, runtime: Runtime
) -> None:
    clock.travel_to(china_moment(date(2026, 12, 5), "12:00"))
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"], start=date(2026, 12, 14), count=2)
    person = await make_person(runtime)
    enrolment = (
        await client.post(
            f"/runs/{run['id']}/enrolments",
            json={**person.ref(), "accept": True},
            headers=provider.user.headers,
        )
    ).json()
    await client.post(f"/enrolments/{enrolment['id']}/start", headers=provider.user.headers)
    clock.travel_to(during_session(run, 1) + timedelta(days=2))
    recorded = await client.post(
        f"/enrolments/{enrolment['id']}/attendance", json=LATE, headers=provider.user.headers
    )
    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["late"], recorded.json()["late_reason"]) == (False, "")

"""The time rules of issue 20: each rule refused when broken, and the honest case beside it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from tests.archives.factories import resident_id
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import (
    Provider,
    after_run,
    china_moment,
    during_session,
    make_course,
    make_person,
    make_provider,
    make_run,
    sessions,
    workers_confirm,
)

NOON = date(2026, 12, 5)


def _rules(response: Any) -> set[tuple[str, str]]:
    body = assert_problem(response, 422)
    return {(e["field"], e["rule"]) for e in body["errors"]}


async def _post_run(
    client: AsyncClient, provider: Provider, course_id: str, start: date, count: int = 2
) -> Any:
    return await client.post(
        f"/courses/{course_id}/runs",
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=count - 1)).isoformat(),
            "capacity": 10,
            "location": "成都市武侯区",
            "trainers": ["李师傅"],
            "sessions": sessions(start, count),
        },
        headers=provider.user.headers,
    )


async def _enrol(client: AsyncClient, provider: Provider, run_id: str, person: Any) -> Any:
    return await client.post(
        f"/runs/{run_id}/enrolments",
        json={**person.ref(), "accept": True},
        headers=provider.user.headers,
    )


async def test_runs_dated_in_the_past_far_ahead_or_at_year_9999_are_refused(
    client: AsyncClient, runtime: Runtime
) -> None:
    clock.travel_to(china_moment(NOON, "12:00"))
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    for start in (NOON - timedelta(days=60), NOON + timedelta(days=800), date(9999, 12, 30)):
        rules = _rules(await _post_run(client, provider, course["id"], start))
        assert ("start_date", "date_out_of_range") in rules
        assert ("sessions.0.day", "date_out_of_range") in rules
    # Honest: from yesterday (a class opened at midnight) to two years ahead.
    for start in (NOON - timedelta(days=1), NOON + timedelta(days=700)):
        response = await _post_run(client, provider, course["id"], start)
        assert response.status_code == 201, response.text


async def test_birth_dates_must_make_a_worker_of_14_to_100(
    client: AsyncClient, runtime: Runtime
) -> None:
    clock.travel_to(china_moment(NOON, "12:00"))
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")

    async def registered(birth: date, seq: int) -> Any:
        return await client.post(
            "/workers",
            json={
                "name": "张三",
                "id_number": resident_id("510104", birth, seq),
                "phone": f"1390000{seq:04d}",
                "region_code": "510104",
            },
            headers=agency.headers,
        )

    too_young = await registered(NOON - timedelta(days=13 * 365), 301)
    assert ("birth_date", "age_out_of_range") in _rules(too_young)
    too_old = await registered(date(1920, 1, 1), 302)
    assert ("birth_date", "age_out_of_range") in _rules(too_old)
    # Honest: fourteen today, and a hundred today.
    fourteen = await registered(date(2012, 12, 5), 303)
    assert fourteen.status_code == 201, fourteen.text
    hundred = await registered(date(1926, 12, 5), 304)
    assert hundred.status_code == 201, hundred.text


async def test_no_enrolment_into_a_run_that_has_ended(
    client: AsyncClient, runtime: Runtime
) -> None:
    clock.travel_to(china_moment(NOON, "12:00"))
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"], start=NOON + timedelta(days=7), count=2)
    person = await make_person(runtime)
    # Honest: on the run's last day it still takes a worker.
    clock.travel_to(china_moment(NOON + timedelta(days=8), "20:00"))
    assert (await _enrol(client, provider, run["id"], person)).status_code == 201
    clock.advance(timedelta(days=1))
    late = await _enrol(client, provider, run["id"], await make_person(runtime, name="迟到"))
    assert _rules(late) == {("run_id", "run_ended")}
    bulk = await client.post(
        f"/runs/{run['id']}/enrolments/bulk",
        json={"rows": [(await make_person(runtime, name="批量")).ref()]},
        headers=provider.user.headers,
    )
    assert _rules(bulk) == {("run_id", "run_ended")}


async def _in_training(
    client: AsyncClient, runtime: Runtime
) -> tuple[Provider, dict[str, Any], str]:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"], start=NOON + timedelta(days=7), count=2)
    person = await make_person(runtime)
    enrolment = (await _enrol(client, provider, run["id"], person)).json()
    started = await client.post(
        f"/enrolments/{enrolment['id']}/start", headers=provider.user.headers
    )
    assert started.status_code == 200, started.text
    return provider, run, enrolment["id"]


async def _attend(
    client: AsyncClient, provider: Provider, enrolment_id: str, *, confirmed: bool = False
) -> Any:
    body = {"session_n": 1, "hours": 4, "capture_method": "manual"}
    if confirmed:
        body.update(capture_method="face", check_in_ref="face-1")
    recorded = await client.post(
        f"/enrolments/{enrolment_id}/attendance",
        json=body,
        headers=provider.user.headers,
    )
    if confirmed and recorded.status_code == 201:
        await workers_confirm(recorded.json()["run_id"])  # the worker stands behind it
    return recorded


async def test_attendance_only_after_the_session_started_and_within_the_window(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, enrolment_id = await _in_training(client, runtime)
    clock.travel_to(during_session(run, 1, minutes=-5))
    early = await _attend(client, provider, enrolment_id)
    assert _rules(early) == {("session_n", "session_not_started")}
    # Honest: once it started, and up to three days after it ended.
    clock.travel_to(during_session(run, 1, minutes=5))
    assert (await _attend(client, provider, enrolment_id)).status_code == 201
    clock.travel_to(during_session(run, 1) + timedelta(days=3, hours=3))
    assert (await _attend(client, provider, enrolment_id)).status_code == 201
    clock.advance(timedelta(hours=1))
    late = await _attend(client, provider, enrolment_id)
    assert _rules(late) == {("session_n", "attendance_window_closed")}
    sheet = await client.post(
        f"/runs/{run['id']}/sessions/1/attendance",
        json={"rows": [{"enrolment_id": enrolment_id, "hours": 4, "capture_method": "manual"}]},
        headers=provider.user.headers,
    )
    assert sheet.status_code == 200, sheet.text
    [row] = sheet.json()["rows"]
    assert row["status"] == "error"
    assert [(e["field"], e["rule"]) for e in row["errors"]] == [
        ("rows.0.session_n", "attendance_window_closed")
    ]


async def test_a_completion_waits_for_the_last_session_to_end(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, enrolment_id = await _in_training(client, runtime)
    clock.travel_to(during_session(run, 1))
    assert (await _attend(client, provider, enrolment_id, confirmed=True)).status_code == 201
    # On the last day, but during its session: too early.
    clock.travel_to(during_session(run, 2))
    early = await client.post(
        f"/enrolments/{enrolment_id}/completion",
        json={"result": "passed", "score": 90},
        headers=provider.user.headers,
    )
    assert ("run", "run_not_ended") in _rules(early)
    clock.travel_to(after_run(run))
    done = await client.post(
        f"/enrolments/{enrolment_id}/completion",
        json={"result": "passed", "score": 90},
        headers=provider.user.headers,
    )
    assert done.status_code == 200, done.text


CERTIFICATE = {
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "issuing_body": "成都市职业技能鉴定指导中心",
}


async def test_a_certificate_is_not_above_the_course_level_nor_dated_year_1(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, enrolment_id = await _in_training(client, runtime)
    clock.travel_to(during_session(run, 1))
    assert (await _attend(client, provider, enrolment_id, confirmed=True)).status_code == 201
    clock.travel_to(after_run(run))
    completed = await client.post(
        f"/enrolments/{enrolment_id}/completion",
        json={"result": "passed", "score": 90},
        headers=provider.user.headers,
    )
    assert completed.status_code == 200, completed.text
    today = clock.china_today().isoformat()

    async def issue(number: str, level: str, issue_date: str) -> Any:
        return await client.post(
            "/certificates",
            json={
                **CERTIFICATE,
                "number": number,
                "level": level,
                "issue_date": issue_date,
                "enrolment_id": enrolment_id,
            },
            headers=provider.user.headers,
        )

    senior = await issue("T0001", "senior", today)
    assert _rules(senior) == {("level", "above_course_level")}
    ancient = await issue("T0002", "junior", "0001-01-01")
    assert ("issue_date", "date_out_of_range") in _rules(ancient)
    # Honest: at the course's own level (junior), dated today.
    issued = await issue("T0003", "junior", today)
    assert issued.status_code == 201, issued.text
    raised = await client.post(
        f"/certificates/{issued.json()['id']}/correct",
        json={
            **CERTIFICATE,
            "number": "T0003",
            "level": "senior",
            "issue_date": today,
            "reason": "等级",
        },
        headers=provider.user.headers,
    )
    assert _rules(raised) == {("level", "above_course_level")}
    future = await client.post(
        f"/certificates/{issued.json()['id']}/correct",
        json={
            **CERTIFICATE,
            "number": "T0003",
            "level": "junior",
            "issue_date": (clock.china_today() + timedelta(days=3)).isoformat(),
            "reason": "日期",
        },
        headers=provider.user.headers,
    )
    assert ("issue_date", "future") in _rules(future)


async def test_a_failed_result_gives_no_certificate(client: AsyncClient, runtime: Runtime) -> None:
    provider, run, enrolment_id = await _in_training(client, runtime)
    clock.travel_to(after_run(run))
    failed = await client.post(
        f"/enrolments/{enrolment_id}/completion",
        json={"result": "failed", "score": 30},
        headers=provider.user.headers,
    )
    assert failed.status_code == 200, failed.text
    refused = await client.post(
        "/certificates",
        json={
            **CERTIFICATE,
            "number": "T0009",
            "level": "junior",
            "issue_date": clock.china_today().isoformat(),
            "enrolment_id": enrolment_id,
        },
        headers=provider.user.headers,
    )
    assert_problem(refused, 409)

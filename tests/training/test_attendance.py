"""Attendance: hours within the session, confirmation by check-in or by the worker, corrections."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.training.documents import AttendanceRecord
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.training.factories import (
    Provider,
    make_course,
    make_person,
    make_provider,
    make_run,
    to_last_session,
)


async def _in_training(
    client: AsyncClient, runtime: Runtime
) -> tuple[Provider, dict[str, Any], dict[str, Any], LoggedIn]:
    """A run of four 4-hour sessions with one worker in training, and that worker logged in."""
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"])
    to_last_session(run)
    person = await make_person(runtime)
    enrolment = (
        await client.post(
            f"/runs/{run['id']}/enrolments",
            json={**person.ref(), "accept": True},
            headers=provider.user.headers,
        )
    ).json()
    started = await client.post(
        f"/enrolments/{enrolment['id']}/start", headers=provider.user.headers
    )
    assert started.status_code == 200, started.text
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    return provider, run, enrolment, worker


async def _record(client: AsyncClient, provider: Provider, enrolment_id: str, **fields: Any) -> Any:
    body = {"session_n": 1, "hours": 4, **fields}
    return await client.post(
        f"/enrolments/{enrolment_id}/attendance", json=body, headers=provider.user.headers
    )


async def _hours(client: AsyncClient, worker: LoggedIn) -> float:
    items = (await client.get("/me/enrolments", headers=worker.headers)).json()["items"]
    hours: float = items[0]["hours_confirmed"]
    return hours


async def test_provider_records_are_unconfirmed_until_the_worker_confirms(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, _, enrolment, worker = await _in_training(client, runtime)
    record = (await _record(client, provider, enrolment["id"])).json()
    assert record["status"] == "unconfirmed"
    mine = (await client.get("/me/enrolments", headers=worker.headers)).json()["items"][0]
    assert [r["id"] for r in mine["awaiting_confirmation"]] == [record["id"]]
    assert mine["hours_confirmed"] == 0
    confirmed = await client.post(f"/me/attendance/{record['id']}/confirm", headers=worker.headers)
    assert confirmed.json()["status"] == "confirmed"
    assert await _hours(client, worker) == 4
    again = await client.post(f"/me/attendance/{record['id']}/confirm", headers=worker.headers)
    assert assert_problem(again, 409)["current_state"] == "confirmed"


async def test_a_capture_method_the_provider_reports_does_not_confirm_by_itself(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, _, enrolment, worker = await _in_training(client, runtime)
    for n, method in ((1, "face"), (2, "e_id")):
        reported = await _record(
            client, provider, enrolment["id"], session_n=n, capture_method=method, check_in_ref="r"
        )
        assert reported.status_code == 201, reported.text
        assert (reported.json()["status"], reported.json()["entered_by"]) == (
            "unconfirmed",
            "provider",
        )
        assert reported.json()["confirmed_at"] is None
    unnamed = await _record(
        client, provider, enrolment["id"], session_n=3, capture_method="qr_code"
    )
    assert assert_problem(unnamed, 422)["errors"][0]["field"] == "check_in_ref"
    assert await _hours(client, worker) == 0
    mine = (await client.get("/me/enrolments", headers=worker.headers)).json()["items"][0]
    assert len(mine["awaiting_confirmation"]) == 2
    face_id = mine["awaiting_confirmation"][0]["id"]
    with clock.stopped_at(clock.now() + timedelta(hours=2)):
        confirmed = await client.post(f"/me/attendance/{face_id}/confirm", headers=worker.headers)
        moment = clock.epoch_ms(clock.now())
    assert confirmed.json()["status"] == "confirmed"
    assert await _hours(client, worker) == 4
    # The rules read when the worker confirmed on the clock seam (confirmed_at is the
    # database's own clock, written by $currentDate).
    stored = await AttendanceRecord.get(face_id)
    assert stored is not None
    assert stored.confirmed_at_ms == moment


async def test_hours_are_the_latest_confirmed_record_per_session(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, _, enrolment, worker = await _in_training(client, runtime)
    first = (
        await _record(client, provider, enrolment["id"], capture_method="e_id", check_in_ref="e1")
    ).json()
    await client.post(f"/me/attendance/{first['id']}/confirm", headers=worker.headers)
    correction = (await _record(client, provider, enrolment["id"], hours=2.5)).json()
    assert correction["supersedes"] == first["id"]
    assert await _hours(client, worker) == 4  # the correction is not confirmed yet
    await client.post(f"/me/attendance/{correction['id']}/confirm", headers=worker.headers)
    assert await _hours(client, worker) == 2.5
    second = (await _record(client, provider, enrolment["id"], session_n=2)).json()
    rejected = await client.post(f"/me/attendance/{second['id']}/reject", headers=worker.headers)
    assert rejected.json()["status"] == "rejected"
    third = (
        await _record(
            client, provider, enrolment["id"], session_n=3, capture_method="face", check_in_ref="f3"
        )
    ).json()
    voided = await client.post(f"/attendance/{third['id']}/void", headers=provider.user.headers)
    assert voided.json()["status"] == "voided"
    assert await _hours(client, worker) == 2.5
    history = await client.get(
        f"/enrolments/{enrolment['id']}/attendance", headers=provider.user.headers
    )
    assert [r["status"] for r in history.json()] == [
        "confirmed",
        "confirmed",
        "rejected",
        "voided",
    ]  # the provider voids its face entry though the worker never confirmed it


async def test_bad_attendance_is_refused(client: AsyncClient, runtime: Runtime) -> None:
    provider, _, enrolment, _ = await _in_training(client, runtime)
    above = await _record(client, provider, enrolment["id"], hours=4.5)
    assert assert_problem(above, 422)["errors"][0]["rule"] == "above_session"
    unknown = await _record(client, provider, enrolment["id"], session_n=9)
    assert assert_problem(unknown, 422)["errors"][0]["rule"] == "unknown_session"
    negative = await _record(client, provider, enrolment["id"], hours=-1)
    assert_problem(negative, 422)


async def test_attendance_waits_for_training_to_start(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"])
    to_last_session(run)
    person = await make_person(runtime)
    enrolment = (
        await client.post(
            f"/runs/{run['id']}/enrolments", json=person.ref(), headers=provider.user.headers
        )
    ).json()
    body = assert_problem(await _record(client, provider, enrolment["id"]), 409)
    assert body["current_state"] == "requested"


async def test_a_whole_session_at_once(client: AsyncClient, runtime: Runtime) -> None:
    provider, run, enrolment, worker = await _in_training(client, runtime)
    response = await client.post(
        f"/runs/{run['id']}/sessions/2/attendance",
        json={
            "rows": [
                {
                    "enrolment_id": enrolment["id"],
                    "hours": 3,
                    "capture_method": "face",
                    "check_in_ref": "f-2",
                },
                {"enrolment_id": "not-an-id", "hours": 4},
                {"enrolment_id": enrolment["id"], "hours": 9},
            ]
        },
        headers=provider.user.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["recorded"], body["failed"]) == (1, 2)
    assert body["rows"][1]["errors"][0]["rule"] == "not_in_run"
    assert await _hours(client, worker) == 0  # a face entry awaits the worker's word
    record = body["rows"][0]["record"]
    assert record["status"] == "unconfirmed"
    await client.post(f"/me/attendance/{record['id']}/confirm", headers=worker.headers)
    assert await _hours(client, worker) == 3


async def test_nobody_else_touches_attendance(client: AsyncClient, runtime: Runtime) -> None:
    provider, run, enrolment, worker = await _in_training(client, runtime)
    other = await make_provider(client, runtime)
    stranger = await log_in_as(client, runtime.settings, Role.WORKER)
    record = (await _record(client, provider, enrolment["id"])).json()
    assert_problem(await _record(client, other, enrolment["id"]), 404)
    assert_problem(
        await client.post(
            f"/runs/{run['id']}/sessions/1/attendance",
            json={"rows": [{"enrolment_id": enrolment["id"], "hours": 1}]},
            headers=other.user.headers,
        ),
        404,
    )
    assert_problem(
        await client.post(f"/me/attendance/{record['id']}/confirm", headers=stranger.headers), 404
    )
    assert_problem(
        await client.post(f"/attendance/{record['id']}/void", headers=other.user.headers), 404
    )
    assert_problem(
        await client.post(
            f"/enrolments/{enrolment['id']}/attendance",
            json={"session_n": 1, "hours": 4},
            headers=worker.headers,
        ),
        403,
    )
    suspend = await client.post(
        f"/providers/{provider.organisation_id}/suspend",
        json={"reason": "核查"},
        headers=provider.agency.headers,
    )
    assert suspend.status_code == 200
    assert_problem(await _record(client, provider, enrolment["id"], session_n=2), 403)

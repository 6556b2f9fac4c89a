"""Worker check-in by a rotating QR code (JSON API): the provider shows the session's code, the
worker checks in with it while it is fresh; each refusal next to its honest case."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.training.documents import AttendanceRecord
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.training.factories import (
    Person,
    Provider,
    china_moment,
    during_session,
    make_course,
    make_person,
    make_provider,
    make_run,
)


async def _class(
    client: AsyncClient, runtime: Runtime
) -> tuple[Provider, dict[str, Any], dict[str, Any], Person, LoggedIn]:
    """A run of two sessions from 14 December with one worker in training, who is signed in."""
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
    started = await client.post(
        f"/enrolments/{enrolment['id']}/start", headers=provider.user.headers
    )
    assert started.status_code == 200, started.text
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    return provider, run, enrolment, person, worker


async def _code(client: AsyncClient, provider: Provider, run: dict[str, Any], n: int = 1) -> Any:
    return await client.get(
        f"/runs/{run['id']}/sessions/{n}/checkin-code", headers=provider.user.headers
    )


async def _check_in(
    client: AsyncClient, worker: LoggedIn, token: str, device: str = "phone-1"
) -> Any:
    return await client.post(
        "/me/checkin", json={"token": token, "device_id": device}, headers=worker.headers
    )


async def test_a_worker_checks_in_with_the_code_shown_now(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, enrolment, _, worker = await _class(client, runtime)
    clock.travel_to(during_session(run, 1, minutes=5))
    shown = await _code(client, provider, run)
    assert shown.status_code == 200, shown.text
    code = shown.json()
    assert (code["session_n"], code["day"], code["start"]) == (1, "2026-12-14", "09:00")
    assert code["path"] == f"/checkin/{code['token']}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{46}", code["token"])
    assert code["refresh_seconds"] == 30

    clock.advance(timedelta(seconds=25))
    first = await _check_in(client, worker, code["token"])
    again = await _check_in(client, worker, code["token"])

    assert first.status_code == 201, first.text
    record = first.json()
    assert (record["entered_by"], record["status"], record["capture_method"]) == (
        "worker",
        "confirmed",
        "qr_code",
    )
    assert (record["session_n"], record["hours"], record["enrolment_id"]) == (
        1,
        4,
        enrolment["id"],
    )
    assert record["confirmed_at"] is not None
    assert again.json()["id"] == record["id"]  # checking in twice makes one record
    stored = await AttendanceRecord.find({"enrolment_id": enrolment["id"]}).to_list()
    assert len(stored) == 1
    assert re.fullmatch(r"[0-9a-f]{64}", stored[0].device_hash)
    assert stored[0].device_hash != hashlib.sha256(b"phone-1").hexdigest()  # keyed
    mine = (await client.get("/me/enrolments", headers=worker.headers)).json()["items"]
    assert mine[0]["hours_confirmed"] == 4


async def test_a_code_older_than_a_minute_is_refused(client: AsyncClient, runtime: Runtime) -> None:
    provider, run, _, _, worker = await _class(client, runtime)
    clock.travel_to(during_session(run, 1, minutes=5))
    token = (await _code(client, provider, run)).json()["token"]

    clock.advance(timedelta(seconds=61))
    stale = assert_problem(await _check_in(client, worker, token), 422)
    assert stale["errors"][0]["rule"] == "checkin_expired"

    fresh = (await _code(client, provider, run)).json()["token"]
    assert fresh != token
    assert (await _check_in(client, worker, fresh)).status_code == 201


async def test_a_made_up_or_altered_code_opens_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, _, _, worker = await _class(client, runtime)
    clock.travel_to(during_session(run, 1, minutes=5))
    token = (await _code(client, provider, run)).json()["token"]
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BA")
    for wrong in (altered, "x" * 46, "short"):
        assert_problem(await _check_in(client, worker, wrong), 404)
    assert (await _check_in(client, worker, token)).status_code == 201


async def test_only_a_worker_of_the_class_checks_in(client: AsyncClient, runtime: Runtime) -> None:
    provider, run, _, _, worker = await _class(client, runtime)
    stranger_person = await make_person(runtime, name="陌生人")
    stranger = await log_in_as(
        client, runtime.settings, Role.WORKER, archive_id=stranger_person.archive_id
    )
    clock.travel_to(during_session(run, 1, minutes=5))
    token = (await _code(client, provider, run)).json()["token"]

    refused = assert_problem(await _check_in(client, stranger, token), 422)
    assert refused["errors"][0]["rule"] == "not_in_class"
    assert (await _check_in(client, worker, token)).status_code == 201


async def test_check_in_is_open_from_half_an_hour_before_until_the_end(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, _, _, worker = await _class(client, runtime)
    session_1 = china_moment(date(2026, 12, 14), "09:00")

    clock.travel_to(session_1 - timedelta(minutes=31))
    early = assert_problem(await _code(client, provider, run), 422)
    assert early["errors"][0]["rule"] == "checkin_closed"
    clock.travel_to(session_1 + timedelta(hours=4, minutes=1))
    late = assert_problem(await _code(client, provider, run), 422)
    assert late["errors"][0]["rule"] == "checkin_closed"

    clock.travel_to(session_1 - timedelta(minutes=20))  # people arrive early
    token = (await _code(client, provider, run)).json()["token"]
    arrived = await _check_in(client, worker, token)
    assert arrived.status_code == 201, arrived.text
    # A code of session 1 does not open session 2, nor the other way round.
    clock.travel_to(china_moment(date(2026, 12, 15), "09:10"))
    second = (await _code(client, provider, run, 2)).json()
    assert second["session_n"] == 2
    assert (await _check_in(client, worker, second["token"])).json()["session_n"] == 2


async def test_another_provider_gets_no_code(client: AsyncClient, runtime: Runtime) -> None:
    provider, run, _, _, _ = await _class(client, runtime)
    other = await make_provider(client, runtime)
    clock.travel_to(during_session(run, 1, minutes=5))
    assert_problem(await _code(client, other, run), 404)
    assert_problem(await _code(client, provider, run, 9), 404)
    assert (await _code(client, provider, run)).status_code == 200


async def test_the_providers_entry_awaits_the_worker(client: AsyncClient, runtime: Runtime) -> None:
    provider, run, enrolment, _, worker = await _class(client, runtime)
    clock.travel_to(during_session(run, 1, minutes=5))
    entered = await client.post(
        f"/enrolments/{enrolment['id']}/attendance",
        json={"session_n": 1, "hours": 3, "capture_method": "manual"},
        headers=provider.user.headers,
    )
    assert entered.status_code == 201, entered.text
    assert (entered.json()["entered_by"], entered.json()["status"]) == ("provider", "unconfirmed")
    confirmed = await client.post(
        f"/me/attendance/{entered.json()['id']}/confirm", headers=worker.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_at"] is not None

"""The life cycle over HTTP: every allowed and forbidden transition, dates, archive entries,
the worker's and the mentors' guards under races, and the subsidy figure."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.archives.documents import Recorder
from portfolio.archives.entries import append_entry
from portfolio.archives.kinds import EntryKind
from tests.apprenticeships.factories import (
    Apprentice,
    World,
    certify,
    create,
    first_completion_day,
    make_apprentice,
    make_world,
    move_clock_to,
    ready_to_complete,
    step,
    today,
    walk,
)
from tests.helpers import LoggedIn, assert_problem

BODIES: dict[str, dict[str, Any]] = {
    "pause": {"reason": "病假"},
    "stop": {"reason": "解除劳动合同"},
    "complete": {"level_reached": "technician"},
}


def actor_for(world: World, apprentice: Apprentice, action: str) -> LoggedIn:
    """Who may take ``action``: the worker confirms, the employer does the rest here."""
    return apprentice.login if action == "confirm" else world.enterprise.user


async def _get(client: AsyncClient, world: World, ident: str) -> dict[str, Any]:
    response = await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _entries(client: AsyncClient, apprentice: Apprentice) -> list[dict[str, Any]]:
    response = await client.get("/me/entries", headers=apprentice.login.headers)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _mentor_load(client: AsyncClient, org_user: LoggedIn, mentor_id: str) -> int:
    response = await client.get(f"/mentors/{mentor_id}", headers=org_user.headers)
    assert response.status_code == 200, response.text
    load: int = response.json()["active_apprentices"]
    return load


async def test_the_whole_life_writes_the_archive_and_moves_the_guards(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    confirmed = await walk(client, world, apprentice, "confirmed")
    ident = confirmed["id"]
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 0

    started = await step(client, world.enterprise.user, ident, "start")
    assert started.status_code == 200, started.text
    assert (started.json()["status"], started.json()["started_on"]) == (
        "active",
        today().isoformat(),
    )
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 1
    assert await _mentor_load(client, world.institution.user, world.school_mentor) == 1
    entry = (await _entries(client, apprentice))[0]
    assert entry["kind"] == "apprenticeship_started"
    assert entry["payload"]["apprenticeship_id"] == ident
    assert entry["payload"]["target_level"] == "technician"
    assert entry["recorded_by"]["organisation"] == world.enterprise.organisation_id

    paused = await step(client, world.institution.user, ident, "pause", reason="脱产学习")
    assert paused.json()["status"] == "paused"
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 1
    resumed = await step(client, world.enterprise.user, ident, "resume")
    assert resumed.json()["status"] == "active"
    stopped = await step(client, world.institution.user, ident, "stop", reason="学徒离职")
    assert stopped.status_code == 200, stopped.text
    assert (stopped.json()["status"], stopped.json()["end_reason"]) == ("stopped", "学徒离职")
    assert stopped.json()["ended_on"] == today().isoformat()
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 0
    assert await _mentor_load(client, world.institution.user, world.school_mentor) == 0

    entry = (await _entries(client, apprentice))[0]
    assert (entry["kind"], entry["payload"]["reason"]) == ("apprenticeship_stopped", "学徒离职")
    archive = (await client.get("/me/archive", headers=apprentice.login.headers)).json()
    assert [
        (a["apprenticeship_id"], a["status"]) for a in archive["summary"]["apprenticeships"]
    ] == [(ident, "stopped")]
    verified = await client.get("/me/archive/verify", headers=apprentice.login.headers)
    assert verified.json()["ok"] is True

    # The guard is free again: a new agreement for the same worker can start.
    again = await walk(client, world, apprentice, "active")
    assert again["status"] == "active"
    detail = await _get(client, world, ident)
    assert [e["action"] for e in detail["history"]] == [
        "created",
        "approved",
        "approved",
        "approved",
        "confirmed",
        "started",
        "paused",
        "resumed",
        "stopped",
    ]


async def test_completion_names_the_level_and_its_certificate(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    agreement = await walk(client, world, apprentice, "active")
    ident = agreement["id"]
    move_clock_to(first_completion_day(agreement))
    certificate = await append_entry(
        archive_id=apprentice.archive_id,
        kind=EntryKind.CERTIFICATE_ISSUED,
        payload={
            "certificate_number": "S5101040000001",
            "certificate_type": "skill_level",
            "occupation_code": "6-18-02-04",
            "level": "technician",
        },
        recorded_by=Recorder(principal="assessor", role="provider"),
    )
    registered_entry = 1  # the registration entry: not a certificate
    wrong = await step(
        client,
        world.institution.user,
        ident,
        "complete",
        level_reached="technician",
        certificate_entry_seq=registered_entry,
    )
    assert assert_problem(wrong, 422)["errors"][0]["rule"] == "not_a_certificate"
    mismatch = await step(
        client,
        world.institution.user,
        ident,
        "complete",
        level_reached="senior_technician",
        certificate_entry_seq=certificate.seq,
    )
    assert assert_problem(mismatch, 422)["errors"][0]["rule"] == "level_mismatch"

    done = await step(
        client,
        world.institution.user,
        ident,
        "complete",
        level_reached="technician",
        certificate_entry_seq=certificate.seq,
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["level_reached"], body["certificate_entry_seq"]) == (
        "completed",
        "technician",
        certificate.seq,
    )
    entry = (await _entries(client, apprentice))[0]
    assert entry["kind"] == "apprenticeship_completed"
    assert (entry["payload"]["level_reached"], entry["payload"]["certificate_entry_seq"]) == (
        "technician",
        certificate.seq,
    )
    assert entry["recorded_by"]["organisation"] == world.institution.organisation_id
    summary = (await client.get("/me/archive", headers=apprentice.login.headers)).json()["summary"]
    assert summary["apprenticeships"][0]["status"] == "completed"
    assert summary["apprenticeships"][0]["level_reached"] == "technician"
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 0


@pytest.mark.parametrize(
    ("reached", "action", "body", "state"),
    [
        ("active", "stop", BODIES["stop"], "stopped"),
        ("paused", "stop", BODIES["stop"], "stopped"),
        ("active", "complete", BODIES["complete"], "completed"),
        ("paused", "complete", BODIES["complete"], "completed"),
        ("paused", "resume", {}, "active"),
        ("active", "pause", BODIES["pause"], "paused"),
    ],
)
async def test_allowed_transitions(
    client: AsyncClient,
    runtime: Runtime,
    reached: str,
    action: str,
    body: dict[str, Any],
    state: str,
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    agreement = await walk(client, world, apprentice, reached)
    ident = agreement["id"]
    if action == "complete":
        body = await ready_to_complete(apprentice, agreement)
    moved = await step(client, world.enterprise.user, ident, action, **body)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == state


ALL = ["approve", "confirm", "start", "pause", "resume", "stop", "complete"]


@pytest.mark.parametrize(
    ("reached", "finish", "forbidden"),
    [
        ("draft", None, ["confirm", "start", "pause", "resume", "stop", "complete"]),
        ("approved", None, ["approve", "start", "pause", "resume", "stop", "complete"]),
        ("confirmed", None, ["approve", "confirm", "pause", "resume", "stop", "complete"]),
        ("active", None, ["approve", "confirm", "start", "resume"]),
        ("paused", None, ["approve", "confirm", "start", "pause"]),
        ("active", "stop", ALL),
        ("active", "complete", ALL),
    ],
)
async def test_forbidden_agreement_transitions_are_409_and_change_nothing(
    client: AsyncClient,
    runtime: Runtime,
    reached: str,
    finish: str | None,
    forbidden: list[str],
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    agreement = await walk(client, world, apprentice, reached)
    ident = agreement["id"]
    if finish is not None:
        body = BODIES[finish]
        if finish == "complete":
            body = await ready_to_complete(apprentice, agreement)
        done = await step(client, world.enterprise.user, ident, finish, **body)
        assert done.status_code == 200, done.text
    before = await _get(client, world, ident)
    for action in forbidden:
        who = actor_for(world, apprentice, action)
        refused = await step(client, who, ident, action, **BODIES.get(action, {}))
        body = assert_problem(refused, 409)
        assert body["current_state"] == before["status"], action
        assert before["status"] in body["detail"]
    assert await _get(client, world, ident) == before


async def test_step_dates(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "confirmed"))["id"]
    planned_start = today() - timedelta(days=30)

    def rule(response: Any) -> tuple[str, str]:
        error = assert_problem(response, 422)["errors"][0]
        return error["field"], error["rule"]

    user = world.enterprise.user
    early = (planned_start - timedelta(days=1)).isoformat()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert rule(await step(client, user, ident, "start", on=early)) == (
        "on",
        "before_planned_start",
    )
    assert rule(await step(client, user, ident, "start", on=tomorrow)) == ("on", "future")
    started_on = today() - timedelta(days=20)
    started = await step(client, user, ident, "start", on=started_on.isoformat())
    assert started.json()["started_on"] == started_on.isoformat()

    before_start = (started_on - timedelta(days=1)).isoformat()
    assert rule(await step(client, user, ident, "pause", on=before_start, reason="x")) == (
        "on",
        "before_start",
    )
    assert rule(await step(client, user, ident, "pause", on=tomorrow, reason="x")) == (
        "on",
        "future",
    )
    paused_on = today() - timedelta(days=10)
    paused = await step(client, user, ident, "pause", on=paused_on.isoformat(), reason="x")
    assert paused.status_code == 200, paused.text
    before_pause = (paused_on - timedelta(days=1)).isoformat()
    assert rule(await step(client, user, ident, "resume", on=before_pause)) == (
        "on",
        "before_last_step",
    )
    assert rule(await step(client, user, ident, "stop", on=before_start, reason="x")) == (
        "on",
        "before_start",
    )
    assert rule(await step(client, user, ident, "stop", on=tomorrow, reason="x")) == (
        "on",
        "future",
    )
    stopped = await step(client, user, ident, "stop", on=paused_on.isoformat(), reason="x")
    assert stopped.json()["ended_on"] == paused_on.isoformat()


async def test_each_party_does_only_its_own_steps(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "confirmed"))["id"]
    refused = assert_problem(await step(client, world.institution.user, ident, "start"), 403)
    assert "employer" in refused["detail"]
    # The worker confirms only their own agreement; providers never confirm.
    assert_problem(
        await client.post(
            f"/me/apprenticeships/{ident}/confirm", headers=world.enterprise.user.headers
        ),
        403,
    )


async def test_two_starts_for_one_worker_at_once_one_wins(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    first = await walk(client, world, apprentice, "confirmed")
    second = await walk(client, world, apprentice, "confirmed")
    answers = await asyncio.gather(
        step(client, world.enterprise.user, first["id"], "start"),
        step(client, world.enterprise.user, second["id"], "start"),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status_code == 409)
    body = assert_problem(loser, 409)
    assert body["rule"] == "apprenticeship_overlap"
    assert "already has an active or paused apprenticeship" in body["detail"]
    states = sorted([(await _get(client, world, a["id"]))["status"] for a in (first, second)])
    assert states == ["active", "confirmed"]
    # The loser took no mentor slot (or gave it back).
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 1
    assert await _mentor_load(client, world.institution.user, world.school_mentor) == 1
    started = [
        e for e in await _entries(client, apprentice) if e["kind"] == "apprenticeship_started"
    ]
    assert len(started) == 1


async def test_the_same_start_sent_twice_at_once_starts_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "confirmed"))["id"]
    other = await walk(client, world, apprentice, "confirmed")
    answers = await asyncio.gather(
        *(step(client, world.enterprise.user, ident, "start") for _ in range(3))
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409]
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 1
    started = [
        e for e in await _entries(client, apprentice) if e["kind"] == "apprenticeship_started"
    ]
    assert len(started) == 1
    # The guard stayed with the started agreement: another one cannot start.
    refused = assert_problem(await step(client, world.enterprise.user, other["id"], "start"), 409)
    assert refused["rule"] == "apprenticeship_overlap"


async def test_a_mentor_guides_at_most_eight_even_under_racing_starts(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentices = [
        await make_apprentice(client, runtime.settings, world, name=f"学徒{i}") for i in range(9)
    ]
    agreements = [await walk(client, world, a, "confirmed") for a in apprentices]
    answers = await asyncio.gather(
        *(step(client, world.enterprise.user, a["id"], "start") for a in agreements)
    )
    assert sorted(a.status_code for a in answers) == [200] * 8 + [409]
    loser = assert_problem(next(a for a in answers if a.status_code == 409), 409)
    assert (loser["field"], loser["rule"]) == ("enterprise_mentor_id", "mentor_full")
    assert "already guides 8 apprentices" in loser["detail"]
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 8
    assert await _mentor_load(client, world.institution.user, world.school_mentor) == 8

    # A new agreement naming the full mentor is refused, named.
    extra = await make_apprentice(client, runtime.settings, world, name="学徒9")
    refused = assert_problem(await create(client, world, extra), 422)
    assert {(e["field"], e["rule"]) for e in refused["errors"]} == {
        ("enterprise_mentor_id", "mentor_full"),
        ("school_mentor_id", "mentor_full"),
    }

    # One ends; the waiting one can start now.
    winner = next(
        agreement
        for agreement, answer in zip(agreements, answers, strict=True)
        if answer.status_code == 200
    )
    waiting = next(
        agreement
        for agreement, answer in zip(agreements, answers, strict=True)
        if answer.status_code == 409
    )
    stopped = await step(client, world.enterprise.user, winner["id"], "stop", reason="离职")
    assert stopped.status_code == 200, stopped.text
    started = await step(client, world.enterprise.user, waiting["id"], "start")
    assert started.status_code == 200, started.text
    assert await _mentor_load(client, world.enterprise.user, world.enterprise_mentor) == 8


async def test_subsidy_with_a_pause_spanning_months_computed_by_hand(
    client: AsyncClient, runtime: Runtime
) -> None:
    # The past is built through the clock seam: each step is taken on its own day.
    clock.travel_to(datetime(2025, 1, 6, 1, 0, tzinfo=UTC))
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (
        await walk(
            client,
            world,
            apprentice,
            "confirmed",
            planned_start="2025-01-06",
            planned_end="2026-01-05",
        )
    )["id"]
    user = world.enterprise.user
    for day, action, body in (
        (date(2025, 1, 10), "start", {}),
        (date(2025, 3, 20), "pause", {"reason": "工伤休养"}),
        (date(2025, 5, 5), "resume", {}),
    ):
        move_clock_to(day)
        moved = await step(client, user, ident, action, **body)
        assert moved.status_code == 200, moved.text
        assert (await _get(client, world, ident))["history"][-1]["on"] == day.isoformat()
    paused_so_far = (await _get(client, world, ident))["subsidy"]
    assert paused_so_far["per_year_fen"] == 500_000
    seq = await certify(apprentice)
    # The first day it may complete: the planned end (5 Jan 2026) minus 30 days.
    move_clock_to(date(2025, 12, 6))
    done = await step(
        client, user, ident, "complete", level_reached="technician", certificate_entry_seq=seq
    )
    assert done.status_code == 200, done.text

    # By hand: active 10 Jan - 19 Mar 2025 (the pause day does not count) = 22 + 28 + 19 = 69
    # days; paused 20 Mar - 4 May; active 5 May - 6 Dec (the last day counts) = 27 + 30 + 31
    # + 31 + 30 + 31 + 30 + 6 = 216 days. 285 days / 30.4375 = 9.36 -> 9 whole months;
    # 500,000 fen a year * 9 / 12 = 375,000 fen (3,750 yuan).
    subsidy = (await _get(client, world, ident))["subsidy"]
    assert subsidy == {
        "per_year_fen": 500_000,
        "active_days": 285,
        "months": 9,
        "owed_fen": 375_000,
        "as_of": "2025-12-06",
    }

"""Completion rules over HTTP (issue 20): not before the planned end minus the tolerance, only
with a certificate of the level reached, recorded as below the plan when it is.

Each refused case sits next to the honest case that must pass, and a refusal writes nothing:
the agreement, its history and the worker's archive stay as they were.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.archives import EntryKind, Recorder, append_entry
from tests.apprenticeships.factories import (
    WELDER,
    Apprentice,
    World,
    certify,
    first_completion_day,
    make_apprentice,
    make_world,
    move_clock_to,
    step,
    walk,
)
from tests.helpers import assert_problem


async def _running(
    client: AsyncClient, runtime: Runtime, until: str = "active"
) -> tuple[World, Apprentice, dict[str, Any]]:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    return world, apprentice, await walk(client, world, apprentice, until)


async def _state(client: AsyncClient, world: World, apprentice: Apprentice, ident: str) -> Any:
    """What a refused completion must leave untouched: the agreement (with its history) and
    the worker's archive entries."""
    detail = await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)
    entries = await client.get("/me/entries", headers=apprentice.login.headers)
    return detail.json(), entries.json()["items"]


def _rule(response: Any) -> tuple[str, str]:
    error = assert_problem(response, 422)["errors"][0]
    return error["field"], error["rule"]


async def test_not_before_the_planned_end_minus_the_tolerance(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, apprentice, agreement = await _running(client, runtime)
    ident = agreement["id"]
    seq = await certify(apprentice)
    earliest = first_completion_day(agreement)
    body = {"level_reached": "technician", "certificate_entry_seq": seq}
    user = world.enterprise.user

    # Today (the default day) is one day short of the window: refused, nothing written.
    move_clock_to(earliest - timedelta(days=1))
    before = await _state(client, world, apprentice, ident)
    refused = await step(client, user, ident, "complete", **body)
    assert _rule(refused) == ("on", "before_completion_window")
    assert earliest.isoformat() in assert_problem(refused, 422)["errors"][0]["message"]
    assert await _state(client, world, apprentice, ident) == before
    # The same when the day is named.
    move_clock_to(earliest)
    before = await _state(client, world, apprentice, ident)
    day_before = str(earliest - timedelta(days=1))
    named = await step(client, user, ident, "complete", on=day_before, **body)
    assert _rule(named) == ("on", "before_completion_window")
    assert await _state(client, world, apprentice, ident) == before

    # Ending early stays possible as a stop with a reason: see test_apprenticeships_lifecycle.
    # Exactly on the boundary: completed.
    done = await step(client, user, ident, "complete", on=str(earliest), **body)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["ended_on"]) == ("completed", str(earliest))


async def test_the_tolerance_is_a_setting(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "apprenticeship_completion_tolerance_days", 0)
    world, apprentice, agreement = await _running(client, runtime, "paused")
    ident = agreement["id"]
    body = {"level_reached": "technician", "certificate_entry_seq": await certify(apprentice)}
    move_clock_to(first_completion_day(agreement))  # 30 days before the planned end
    refused = await step(client, world.institution.user, ident, "complete", **body)
    assert _rule(refused) == ("on", "before_completion_window")
    move_clock_to(first_completion_day(agreement) + timedelta(days=30))  # the planned end
    done = await step(client, world.institution.user, ident, "complete", **body)
    assert done.status_code == 200, done.text


async def test_a_completion_needs_a_certificate_of_the_level_reached(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, apprentice, agreement = await _running(client, runtime)
    ident = agreement["id"]
    move_clock_to(first_completion_day(agreement))
    senior = await certify(apprentice, "senior")
    cook = await certify(apprentice, "technician", occupation="4-03-02-01")
    user = world.enterprise.user
    before = await _state(client, world, apprentice, ident)

    missing = await step(client, user, ident, "complete", level_reached="technician")
    assert _rule(missing) == ("certificate_entry_seq", "required")
    registration = 1  # the worker's registration entry: not a certificate
    for seq, rule in (
        (registration, "not_a_certificate"),
        (999, "not_a_certificate"),
        (senior, "level_mismatch"),  # a certificate of another level
        (cook, "occupation_mismatch"),  # the right level in another occupation
    ):
        refused = await step(
            client, user, ident, "complete", level_reached="technician", certificate_entry_seq=seq
        )
        assert _rule(refused) == ("certificate_entry_seq", rule), seq
    assert await _state(client, world, apprentice, ident) == before

    technician = await certify(apprentice, "technician")
    done = await step(
        client,
        user,
        ident,
        "complete",
        level_reached="technician",
        certificate_entry_seq=technician,
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["level_reached"], body["certificate_entry_seq"], body["below_plan"]) == (
        "technician",
        technician,
        False,
    )


async def test_below_the_plan_is_allowed_and_recorded_as_such(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, apprentice, agreement = await _running(client, runtime)
    ident = agreement["id"]
    move_clock_to(first_completion_day(agreement))
    senior = await certify(apprentice, "senior")  # 高级工, below the target 技师
    done = await step(
        client,
        world.institution.user,
        ident,
        "complete",
        level_reached="senior",
        certificate_entry_seq=senior,
    )
    assert done.status_code == 200, done.text
    assert (done.json()["level_reached"], done.json()["below_plan"]) == ("senior", True)

    detail = (await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)).json()
    assert detail["below_plan"] is True
    completed = detail["history"][-1]
    assert completed["action"] == "completed"
    assert completed["details"] == {
        "level_reached": "senior",
        "certificate_entry_seq": senior,
        "below_plan": True,
    }
    mine = await client.get(f"/apprenticeships/{ident}", headers=apprentice.login.headers)
    assert mine.json()["below_plan"] is True
    entry = (await client.get("/me/entries", headers=apprentice.login.headers)).json()["items"][0]
    assert entry["kind"] == "apprenticeship_completed"
    assert (entry["payload"]["level_reached"], entry["payload"]["below_plan"]) == ("senior", True)
    assert entry["payload"]["target_level"] == "technician"
    archive = (await client.get("/me/archive", headers=apprentice.login.headers)).json()
    summary = archive["summary"]["apprenticeships"]
    assert [(a["status"], a["level_reached"], a["below_plan"]) for a in summary] == [
        ("completed", "senior", True)
    ]


async def test_above_the_plan_is_not_below_it(client: AsyncClient, runtime: Runtime) -> None:
    world, apprentice, agreement = await _running(client, runtime)
    ident = agreement["id"]
    move_clock_to(first_completion_day(agreement) + timedelta(days=45))  # late is fine
    seq = await certify(apprentice, "senior_technician")
    done = await step(
        client,
        world.enterprise.user,
        ident,
        "complete",
        level_reached="senior_technician",
        certificate_entry_seq=seq,
    )
    assert done.status_code == 200, done.text
    assert done.json()["below_plan"] is False
    entry = (await client.get("/me/entries", headers=apprentice.login.headers)).json()["items"][0]
    assert entry["payload"]["below_plan"] is False


async def test_a_voided_certificate_attests_nothing_a_corrected_one_as_corrected(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, apprentice, agreement = await _running(client, runtime)
    ident = agreement["id"]
    move_clock_to(first_completion_day(agreement))
    assessor = Recorder(principal="assessor", role="provider")
    voided = await certify(apprentice, "technician")
    await append_entry(
        archive_id=apprentice.archive_id,
        kind=EntryKind.CERTIFICATE_VOIDED,
        payload={"reason": "鉴定作弊，证书撤销"},
        recorded_by=assessor,
        corrects=voided,
    )
    # Issued as senior, corrected to technician: the certificate as corrected counts.
    senior = await certify(apprentice, "senior")
    await append_entry(
        archive_id=apprentice.archive_id,
        kind=EntryKind.CERTIFICATE_CORRECTED,
        payload={
            "certificate_number": "S5101040000099",
            "certificate_type": "skill_level",
            "occupation_code": WELDER,
            "level": "technician",
        },
        recorded_by=assessor,
        corrects=senior,
    )
    user = world.enterprise.user
    before = await _state(client, world, apprentice, ident)
    for seq, level, rule in (
        (voided, "technician", "certificate_voided"),
        (senior, "senior", "level_mismatch"),  # no longer senior
    ):
        refused = await step(
            client, user, ident, "complete", level_reached=level, certificate_entry_seq=seq
        )
        assert _rule(refused) == ("certificate_entry_seq", rule), seq
    assert await _state(client, world, apprentice, ident) == before
    done = await step(
        client, user, ident, "complete", level_reached="technician", certificate_entry_seq=senior
    )
    assert done.status_code == 200, done.text
    assert (done.json()["certificate_entry_seq"], done.json()["below_plan"]) == (senior, False)

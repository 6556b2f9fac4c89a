"""Organisations, runs, trainers and attendance records are in the change trail: who, the
state before and after, the reason; a class sheet's records written in one batch."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from tests.audit_trail.trail_reading import auditor_of, lose_and_restore, records_of
from tests.helpers import log_in_as
from tests.training.factories import (
    during_session,
    make_course,
    make_provider,
    make_run,
    trained_class,
)


async def test_an_organisation_registered_suspended_and_reinstated_is_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    path = f"/providers/{provider.organisation_id}"
    for action, reason in (("suspend", "资质到期"), ("reinstate", "资质已续")):
        done = await client.post(
            f"{path}/{action}", json={"reason": reason}, headers=provider.agency.headers
        )
        assert done.status_code == 200, done.text
    auditor = await auditor_of(client, runtime)
    records = await records_of(client, auditor, "organisation", provider.organisation_id)
    assert [(r["version"], r["reason"]) for r in records] == [
        (2, "资质已续"),
        (1, "资质到期"),
        (0, "organisation registered"),
    ]
    assert records[2]["before"] is None
    assert records[2]["after"]["status"] == "active"
    assert (records[1]["before"]["status"], records[1]["after"]["status"]) == (
        "active",
        "suspended",
    )
    assert records[0]["after"]["status_reason"] == "资质已续"
    assert all(r["principal_id"] == provider.agency.id for r in records)
    # Another province's auditor does not reach it.
    elsewhere = await auditor_of(client, runtime, "44")
    assert await _count(client, elsewhere, "organisation", provider.organisation_id) == 0


async def _count(client: AsyncClient, reader: object, kind: str, object_id: str) -> int:
    answer = await client.get(
        "/audit/changes",
        params={"object_kind": kind, "object_id": object_id},
        headers=reader.headers,  # type: ignore[attr-defined]
    )
    return len(answer.json().get("items", []))


async def test_a_run_and_its_trainers_are_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    headers = provider.user.headers
    trainer = await client.post(
        "/trainers",
        json={"name": "李大厨", "qualification": "高级技师", "certificate_number": "Q-1"},
        headers=headers,
    )
    assert trainer.status_code == 201, trainer.text
    trainer_id = trainer.json()["id"]
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"])
    removed = await client.post(f"/trainers/{trainer_id}/remove", headers=headers)
    assert removed.status_code == 200, removed.text

    auditor = await auditor_of(client, runtime)
    [scheduled] = await records_of(client, auditor, "run", run["id"])
    assert (scheduled["version"], scheduled["reason"]) == (0, "run scheduled")
    assert scheduled["after"]["capacity"] == run["capacity"]
    assert scheduled["after"]["trainers"] == ["李**"]
    assert scheduled["principal_id"] == provider.user.id
    records = await records_of(client, auditor, "trainer", trainer_id)
    assert [(r["version"], r["reason"]) for r in records] == [
        (1, "trainer removed"),
        (0, "trainer registered"),
    ]
    assert (records[0]["before"]["status"], records[0]["after"]["status"]) == (
        "active",
        "removed",
    )
    assert records[1]["after"]["name"] == "李**"
    # The service admin reads no personal keys: the trainer's (masked) name is hidden.
    root = await log_in_as(client, runtime.settings, Role.ADMIN)
    seen = await records_of(client, root, "trainer", trainer_id)
    assert all("name" not in r["after"] for r in seen)

    # Records a crash lost are restored by the repair routine from the objects themselves.
    run_record, trainer_record, organisation_record = await lose_and_restore(
        [
            f"run:{run['id']}:v0",
            f"trainer:{trainer_id}:v1",
            f"organisation:{provider.organisation_id}:v0",
        ]
    )
    assert run_record.after["capacity"] == run["capacity"]
    assert trainer_record.after["status"] == "removed"
    assert organisation_record.after["status"] == "active"


async def test_attendance_records_and_their_moves_are_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, [first, second], people = await trained_class(client, runtime, people=2)
    headers = provider.user.headers
    auditor = await auditor_of(client, runtime)
    # trained_class recorded session 1 one by one (a face check-in the provider reports: it
    # waits for the worker, who then confirmed it).
    single = (await client.get(f"/enrolments/{first['id']}/attendance", headers=headers)).json()
    confirmed_once, entered = await records_of(client, auditor, "attendance", single[0]["id"])
    assert (entered["version"], entered["reason"], entered["before"]) == (
        0,
        "attendance recorded",
        None,
    )
    assert entered["after"]["status"] == "unconfirmed"
    assert entered["after"]["hours"] == 4
    assert (confirmed_once["version"], confirmed_once["after"]["status"]) == (1, "confirmed")
    # No device hash, and no worker named: the enrolment names them.
    assert "device_hash" not in entered["after"]
    assert "archive_id" not in entered["after"]

    # Session 2 by the class sheet: two records, their trail in one batch.
    with clock.stopped_at(during_session(run, 2)):
        sheet = await client.post(
            f"/runs/{run['id']}/sessions/2/attendance",
            json={
                "rows": [
                    {"enrolment_id": first["id"], "hours": 3},
                    {"enrolment_id": second["id"], "hours": 2},
                ]
            },
            headers=headers,
        )
        assert sheet.status_code == 200, sheet.text
        mine, theirs = (row["record"]["id"] for row in sheet.json()["rows"])
        worker = await log_in_as(
            client, runtime.settings, Role.WORKER, archive_id=people[0].archive_id
        )
        other = await log_in_as(
            client, runtime.settings, Role.WORKER, archive_id=people[1].archive_id
        )
        confirmed = await client.post(f"/me/attendance/{mine}/confirm", headers=worker.headers)
        assert confirmed.status_code == 200, confirmed.text
        rejected = await client.post(f"/me/attendance/{theirs}/reject", headers=other.headers)
        assert rejected.status_code == 200, rejected.text
        voided = await client.post(f"/attendance/{mine}/void", headers=headers)
        assert voided.status_code == 200, voided.text
    batch = [await records_of(client, auditor, "attendance", i) for i in (mine, theirs)]
    assert batch[0][-1]["request_id"] == batch[1][-1]["request_id"]
    assert [(r["before"] or {}).get("status") for r in reversed(batch[0])] == [
        None,
        "unconfirmed",
        "confirmed",
    ]
    assert [r["after"]["status"] for r in reversed(batch[0])] == [
        "unconfirmed",
        "confirmed",
        "voided",
    ]
    assert batch[0][1]["principal_id"] == worker.id
    assert batch[0][0]["principal_id"] == provider.user.id
    assert [r["after"]["status"] for r in batch[1]] == ["rejected", "unconfirmed"]

    # Past the window, an agency officer's late correction, with its reason.
    officer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    with clock.stopped_at(during_session(run, 3) + timedelta(days=10)):
        late = await client.post(
            f"/enrolments/{second['id']}/attendance/late",
            json={"session_n": 3, "hours": 4, "reason": "签到表漏记"},
            headers=officer.headers,
        )
    assert late.status_code == 201, late.text
    [corrected] = await records_of(client, auditor, "attendance", late.json()["id"])
    assert corrected["reason"] == "late correction: 签到表漏记"
    assert corrected["after"]["late"] is True
    assert corrected["principal_id"] == officer.id

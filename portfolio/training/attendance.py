"""Use cases of attendance: record (one or a whole session), confirm, reject, void, count.

Records are statements, never edited in substance: a correction is a new record that
supersedes the latest one for that session. A provider-entered record is ``unconfirmed`` until
the worker confirms it, whatever capture method the provider reports (face, e-ID: named in the
record, still the provider's word); only the worker's own QR check-in (``checkin.py``) is
confirmed as it is made. ``confirmed_at_ms`` is when the worker stood behind it, on the domain
clock (``confirmed_at`` is the database's clock).
Hours attended = the latest confirmed record of each session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portfolio import clock, ids
from portfolio.accounts import Actor, Role
from portfolio.archives import log_reads
from portfolio.errors import (
    DomainError,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from portfolio.lookups import find_each
from portfolio.training.bulk import RowResult
from portfolio.training.changes_runs import attendance_entered, attendance_moved
from portfolio.training.documents import AttendanceRecord, Enrolment, Run
from portfolio.training.enums import (
    REAL_NAME_CAPTURE,
    AttendanceStatus,
    CaptureMethod,
    EnrolmentStatus,
)
from portfolio.training.lifecycle import visible_enrolment
from portfolio.training.organisations import acting_organisation
from portfolio.training.timerules import DEFAULT_ATTENDANCE_WINDOW_DAYS, attendance_window_error
from portfolio.training.views import AttendanceView, SessionAttendanceView

# Attendance is taken while a class runs; a completed enrolment may still get corrections.
RECORDABLE = frozenset({EnrolmentStatus.IN_TRAINING, EnrolmentStatus.COMPLETED})


@dataclass(frozen=True)
class Presence:
    """One statement of presence as the provider enters it."""

    session_n: int
    hours: float
    capture_method: CaptureMethod
    check_in_ref: str = ""


def _initial_status(entered_by: str) -> AttendanceStatus:
    """Only the worker's own check-in is confirmed as it is written: what the provider enters
    (face and e-ID included) awaits the worker's confirmation."""
    if entered_by == "worker":
        return AttendanceStatus.CONFIRMED
    return AttendanceStatus.UNCONFIRMED


def check_presence(
    presence: Presence, run: Run, *, now: datetime, window_days: int, prefix: str = ""
) -> None:
    """``presence`` fits ``run``: a known session that has started, within the window after
    it, hours within the session's, a real-name capture naming its record."""
    errors: list[FieldError] = []
    session = next((s for s in run.sessions if s.n == presence.session_n), None)
    if session is None:
        errors.append(FieldError(f"{prefix}session_n", "unknown_session", "no such session"))
    elif (
        late := attendance_window_error(
            run,
            presence.session_n,
            now=now,
            window_days=window_days,
            field=f"{prefix}session_n",
        )
    ) is not None:
        errors.append(late)
    elif not 0 <= presence.hours <= session.hours:
        errors.append(
            FieldError(
                f"{prefix}hours",
                "above_session",
                f"must be between 0 and the session's {session.hours} hours",
            )
        )
    if presence.capture_method in REAL_NAME_CAPTURE and not presence.check_in_ref:
        errors.append(
            FieldError(
                f"{prefix}check_in_ref",
                "required",
                "a real-name check-in must name its record (check_in_ref)",
            )
        )
    if errors:
        raise ValidationFailed(errors)


async def latest_record(enrolment_id: str, session_n: int) -> AttendanceRecord | None:
    """The record of one session that counts now (the latest; None when there is none)."""
    return (
        await AttendanceRecord.find({"enrolment_id": enrolment_id, "session_n": session_n})
        .sort("-recorded_at", "-_id")
        .limit(1)
        .first_or_none()
    )


async def write_record(
    *,
    actor: Actor,
    enrolment: Enrolment,
    run: Run,
    presence: Presence,
    now: datetime,
    late_reason: str = "",
    entered_by: str = "provider",
    device_hash: str = "",
    trail: bool = True,
) -> AttendanceRecord:
    """Write one record of ``presence`` superseding the latest of its session (checked before);
    ``late_reason`` marks a late correction approved by ``actor``, an agency officer;
    ``entered_by`` "worker" is the worker's own check-in, from the device ``device_hash``.
    ``trail`` False: the caller records it in the change trail with the rest of its batch."""
    if enrolment.status not in RECORDABLE:
        raise InvalidTransition(
            f"attendance is recorded once training has started; the enrolment is "
            f"{enrolment.status.value}",
            current_state=enrolment.status.value,
        )
    assert enrolment.id is not None
    previous = await latest_record(str(enrolment.id), presence.session_n)
    status = _initial_status(entered_by)
    confirmed = status is AttendanceStatus.CONFIRMED
    record = AttendanceRecord(
        enrolment_id=str(enrolment.id),
        run_id=enrolment.run_id,
        organisation_id=enrolment.organisation_id,
        archive_id=enrolment.archive_id,
        session_n=presence.session_n,
        hours=presence.hours,
        status=status,
        capture_method=presence.capture_method,
        check_in_ref=presence.check_in_ref,
        supersedes=str(previous.id) if previous else None,
        recorded_by=actor.principal_id,
        recorded_at=now,
        confirmed_at=now if confirmed else None,
        confirmed_at_ms=clock.epoch_ms(now) if confirmed else 0,
        late=bool(late_reason),
        late_approved_by=actor.principal_id if late_reason else "",
        late_reason=late_reason,
        entered_by=entered_by,
        device_hash=device_hash,
        region_code=run.region_code,
    )
    await record.insert()
    if trail:
        await attendance_entered([record])
    return record


async def record(
    *,
    actor: Actor,
    enrolment_id: str,
    presence: Presence,
    window_days: int = DEFAULT_ATTENDANCE_WINDOW_DAYS,
) -> AttendanceView:
    """A provider records one worker's presence at one session of its own run: a session that
    has started, within ``window_days`` after it (the ``attendance_window_days`` setting)."""
    organisation = await acting_organisation(actor)
    enrolment = await visible_enrolment(actor, enrolment_id)
    run = await Run.get(ids.parse(enrolment.run_id, "run"))
    if run is None or run.organisation_id != str(organisation.id):
        raise NotFound("no such enrolment")
    now = clock.now()
    check_presence(presence, run, now=now, window_days=window_days)
    written = await write_record(
        actor=actor, enrolment=enrolment, run=run, presence=presence, now=now
    )
    return AttendanceView.of(written)


@dataclass(frozen=True)
class SessionRow:
    """One row of a whole-session attendance sheet."""

    enrolment_id: str
    hours: float
    capture_method: CaptureMethod
    check_in_ref: str = ""


async def record_session(
    *,
    actor: Actor,
    run_id: str,
    session_n: int,
    rows: Sequence[SessionRow],
    window_days: int = DEFAULT_ATTENDANCE_WINDOW_DAYS,
) -> SessionAttendanceView:
    """A provider records a whole session at once; valid rows are kept when others fail."""
    organisation = await acting_organisation(actor)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    if run is None:
        raise NotFound("no such run")
    if not any(s.n == session_n for s in run.sessions):
        raise NotFound("no such session")
    # A malformed id matches nothing here and is reported on its own row below.
    wanted = [oid for r in rows if (oid := ids.parse_or_none(r.enrolment_id)) is not None]
    class_list = {
        str(e.id): e async for e in Enrolment.find({"run_id": run_id, "_id": {"$in": wanted}})
    }
    now = clock.now()
    results: list[RowResult[AttendanceRecord]] = []
    written_all: list[AttendanceRecord] = []
    for index, row in enumerate(rows):
        prefix = f"rows.{index}."
        enrolment = class_list.get(row.enrolment_id)
        presence = Presence(session_n, row.hours, row.capture_method, row.check_in_ref)
        try:
            if enrolment is None:
                raise ValidationFailed.single(
                    f"{prefix}enrolment_id", "not_in_run", "no such enrolment in this run"
                )
            check_presence(presence, run, now=now, window_days=window_days, prefix=prefix)
            written = await write_record(
                actor=actor, enrolment=enrolment, run=run, presence=presence, now=now, trail=False
            )
        except DomainError as error:
            results.append(RowResult.failed(index, error))
        else:
            results.append(RowResult(index, "recorded", item=written))
            written_all.append(written)
    # The sheet's change records in one batch (a crash before it: the repair routine).
    await attendance_entered(written_all)
    return SessionAttendanceView.of(results)


async def _own_record(actor: Actor, record_id: str) -> AttendanceRecord:
    found = await AttendanceRecord.get(ids.parse(record_id, "attendance record"))
    mine = found is not None and (
        (actor.role is Role.WORKER and actor.archive_id == str(found.archive_id))
        or (actor.role is Role.PROVIDER and actor.organisation_id == str(found.organisation_id))
    )
    if not mine or found is None:
        raise NotFound("no such attendance record")
    return found


async def _move(
    found: AttendanceRecord, source: AttendanceStatus, target: AttendanceStatus
) -> AttendanceView:
    if found.status is not source:
        raise InvalidTransition(
            f"the record is {found.status.value}", current_state=found.status.value
        )
    changed_at_ms = clock.epoch_ms(clock.now())
    update: dict[str, Any] = {
        "$set": {"status": target.value, "changed_at_ms": changed_at_ms},
        "$inc": {"version": 1},
    }
    if target is AttendanceStatus.CONFIRMED:
        # $currentDate, not $set: nx-27017 stores a $set datetime as a naive string. That is
        # the database's clock; the rules read ``confirmed_at_ms``, the domain clock's.
        update["$currentDate"] = {"confirmed_at": True}
        update["$set"]["confirmed_at_ms"] = clock.epoch_ms(clock.now())
    result = await AttendanceRecord.get_pymongo_collection().update_one(
        {"_id": found.id, "status": source.value, "version": found.version}, update
    )
    fresh = await AttendanceRecord.get(found.id)
    assert fresh is not None
    if result.modified_count != 1:
        raise InvalidTransition(
            f"the record is {fresh.status.value}", current_state=fresh.status.value
        )
    await attendance_moved(found, fresh)
    return AttendanceView.of(fresh)


async def confirm(*, actor: Actor, record_id: str) -> AttendanceView:
    """The worker confirms a record of their own presence."""
    found = await _own_record(actor, record_id)
    return await _move(found, AttendanceStatus.UNCONFIRMED, AttendanceStatus.CONFIRMED)


async def confirm_as_worker(record_id: str) -> AttendanceView:
    """The record's worker confirms it, as on their page (for the demo writers, which act
    for the demo workers without their sessions)."""
    found = await AttendanceRecord.get(ids.parse(record_id, "attendance record"))
    if found is None:
        raise NotFound("no such attendance record")
    worker = Actor(
        principal_id=f"worker-of-{found.archive_id}",
        username="worker",
        role=Role.WORKER,
        archive_id=found.archive_id,
    )
    return await confirm(actor=worker, record_id=record_id)


async def reject(*, actor: Actor, record_id: str) -> AttendanceView:
    """The worker disputes a record of their presence; it will never count."""
    found = await _own_record(actor, record_id)
    return await _move(found, AttendanceStatus.UNCONFIRMED, AttendanceStatus.REJECTED)


async def void(*, actor: Actor, record_id: str) -> AttendanceView:
    """The provider withdraws a record it entered by mistake (unconfirmed or confirmed)."""
    found = await _own_record(actor, record_id)
    await acting_organisation(actor)
    if found.status in (AttendanceStatus.REJECTED, AttendanceStatus.VOIDED):
        raise InvalidTransition(
            f"the record is {found.status.value}", current_state=found.status.value
        )
    return await _move(found, found.status, AttendanceStatus.VOIDED)


def hours_attended(records: Sequence[AttendanceRecord]) -> float:
    """Sum over sessions of the latest confirmed record's hours."""
    latest: dict[int, AttendanceRecord] = {}
    for item in records:
        if item.status is not AttendanceStatus.CONFIRMED:
            continue
        known = latest.get(item.session_n)
        if known is None or (item.recorded_at, str(item.id)) > (known.recorded_at, str(known.id)):
            latest[item.session_n] = item
    return sum(item.hours for item in latest.values())


async def records_by_enrolment(enrolment_ids: Sequence[str]) -> dict[str, list[AttendanceRecord]]:
    """The attendance records of several enrolments at once, oldest first, by enrolment."""
    grouped: dict[str, list[AttendanceRecord]] = {i: [] for i in enrolment_ids}
    for item in await find_each(AttendanceRecord, "enrolment_id", enrolment_ids, sort="+_id"):
        grouped[item.enrolment_id].append(item)
    return grouped


async def records_of(enrolment_id: str) -> list[AttendanceRecord]:
    """Every attendance record of one enrolment, oldest first."""
    return await AttendanceRecord.find({"enrolment_id": enrolment_id}).sort("+_id").to_list()


async def list_for_enrolment(*, actor: Actor, enrolment_id: str) -> list[AttendanceView]:
    """The attendance records of an enrolment within the caller's reach, oldest first."""
    enrolment = await visible_enrolment(actor, enrolment_id)
    records = await records_of(str(enrolment.id))
    await log_reads(actor, [enrolment.archive_id], what="attendance")
    return [AttendanceView.of(r) for r in records]

"""More of the training area's records in the change trail: organisations, runs, trainers and
attendance (courses, certificates and enrolments are in ``changes.py``).

* Organisations: registered (version 0), suspended, reinstated, with the reason given.
* Runs: scheduled (version 0). A run has no other change yet (no rescheduling, trainer change
  or cancellation exists); its seat counter moves with the enrolments, which the trail holds,
  and the repair routine recounts it.
* Trainers: registered (version 0), removed from new runs.
* Attendance records: entered (version 0: by the provider, the worker's own check-in, an
  agency's late correction with its reason), confirmed or rejected by the worker, voided by
  the provider. A class sheet writes its records' trail in one batch (``attendance_entered``).

Trainers are people: their names are kept masked and marked personal (the service admin sees
none), as are the free-text trainer names of older runs. An attendance record names no worker
(its enrolment does); the device hash of a check-in is never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from portfolio import audit, clock
from portfolio.training.documents import AttendanceRecord, Organisation, Run, Trainer

ORGANISATION = "organisation"
RUN = "run"
TRAINER = "trainer"
ATTENDANCE = "attendance"
NAMES = ("name",)
RUN_PERSONAL = ("trainers",)


def _window_ms(field: str, since: datetime, until: datetime) -> dict[str, Any]:
    return {field: {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}


def _created(field: str, since: datetime, until: datetime) -> dict[str, Any]:
    return {field: {"$gte": since, "$lt": until}, "version": 0}


# Organisations.


def shown_organisation(organisation: Organisation) -> dict[str, Any]:
    """An organisation as the trail keeps it (a legal person: nothing personal)."""
    return {
        "name": organisation.name,
        "credit_code": organisation.credit_code,
        "credit_code_override_reason": organisation.credit_code_override_reason,
        "kind": organisation.kind.value,
        "region_code": organisation.region_code,
        "status": organisation.status.value,
        "status_reason": organisation.status_reason,
    }


async def organisation_changed(
    before: Organisation | None, after: Organisation, *, reason: str
) -> None:
    """Record an organisation registered (``before`` None), suspended or reinstated."""
    await audit.changed(
        ORGANISATION,
        str(after.id),
        after.version,
        None if before is None else shown_organisation(before),
        shown_organisation(after),
        reason=reason,
        region=after.region_code,
    )


def _organisation_snapshot(organisation: Organisation) -> audit.Snapshot:
    return audit.Snapshot(
        str(organisation.id),
        organisation.version,
        shown_organisation(organisation),
        organisation.region_code,
    )


audit.register_documents(
    ORGANISATION,
    Organisation,
    lambda since, until: [
        _created("created_at", since, until),
        _window_ms("changed_at_ms", since, until),
    ],
    _organisation_snapshot,
)


# Runs.


def shown_run(run: Run) -> dict[str, Any]:
    """A run as the trail keeps it: its schedule, capacity, place and trainers."""
    return {
        "course_id": run.course_id,
        "course_version": run.course_version,
        "organisation_id": run.organisation_id,
        "start_date": run.start_date.isoformat(),
        "end_date": run.end_date.isoformat(),
        "capacity": run.capacity,
        "location": run.location,
        "trainers": [audit.mask_name(name) for name in run.trainers],
        "trainer_ids": list(run.trainer_ids),
        "sessions": [s.model_dump(mode="json") for s in run.sessions],
    }


async def run_scheduled(run: Run) -> None:
    """Record a run scheduled (version 0)."""
    await audit.changed(
        RUN,
        str(run.id),
        0,
        None,
        shown_run(run),
        reason="run scheduled",
        region=run.region_code,
        personal=RUN_PERSONAL,
    )


audit.register_documents(
    RUN,
    Run,
    lambda since, until: [{"created_at": {"$gte": since, "$lt": until}}],
    lambda run: audit.Snapshot(str(run.id), 0, shown_run(run), run.region_code, RUN_PERSONAL),
)


# Trainers.


def shown_trainer(trainer: Trainer) -> dict[str, Any]:
    """A trainer as the trail keeps it (the name masked)."""
    return {
        "name": audit.mask_name(trainer.name),
        "qualification": trainer.qualification,
        "certificate_number": trainer.certificate_number,
        "organisation_id": trainer.organisation_id,
        "status": trainer.status,
    }


async def trainer_changed(before: Trainer | None, after: Trainer, *, reason: str) -> None:
    """Record a trainer registered (``before`` None) or removed."""
    await audit.changed(
        TRAINER,
        str(after.id),
        after.version,
        None if before is None else shown_trainer(before),
        shown_trainer(after),
        reason=reason,
        region=after.region_code or None,
        personal=NAMES,
    )


audit.register_documents(
    TRAINER,
    Trainer,
    lambda since, until: [
        _created("created_at", since, until),
        _window_ms("changed_at_ms", since, until),
    ],
    lambda trainer: audit.Snapshot(
        str(trainer.id),
        trainer.version,
        shown_trainer(trainer),
        trainer.region_code or None,
        NAMES,
    ),
)


# Attendance.


def shown_attendance(record: AttendanceRecord) -> dict[str, Any]:
    """An attendance record as the trail keeps it (never the device hash)."""
    return {
        "enrolment_id": record.enrolment_id,
        "run_id": record.run_id,
        "organisation_id": record.organisation_id,
        "session_n": record.session_n,
        "hours": record.hours,
        "status": record.status.value,
        "capture_method": record.capture_method.value,
        "check_in_ref": record.check_in_ref,
        "supersedes": record.supersedes,
        "entered_by": record.entered_by,
        "late": record.late,
        "late_reason": record.late_reason,
        "late_approved_by": record.late_approved_by,
    }


def _entered_reason(record: AttendanceRecord) -> str:
    if record.late:
        return f"late correction: {record.late_reason}"
    if record.entered_by == "worker":
        return "checked in by the worker"
    return "attendance recorded"


async def attendance_entered(records: Sequence[AttendanceRecord]) -> int:
    """Record new attendance records (version 0), one batch for a whole sheet."""
    return await audit.changed_many(
        ATTENDANCE,
        [
            audit.Change(
                str(record.id),
                0,
                None,
                shown_attendance(record),
                reason=_entered_reason(record),
                region=record.region_code or None,
            )
            for record in records
        ],
    )


async def attendance_moved(before: AttendanceRecord, after: AttendanceRecord) -> None:
    """Record a record confirmed, rejected or voided (``after`` as its update stored it)."""
    await audit.changed(
        ATTENDANCE,
        str(after.id),
        after.version,
        shown_attendance(before),
        shown_attendance(after),
        reason=after.status.value,
        region=after.region_code or None,
    )


audit.register_documents(
    ATTENDANCE,
    AttendanceRecord,
    lambda since, until: [
        _created("recorded_at", since, until),
        _window_ms("changed_at_ms", since, until),
    ],
    lambda record: audit.Snapshot(
        str(record.id), record.version, shown_attendance(record), record.region_code or None
    ),
)

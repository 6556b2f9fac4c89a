"""Enrolments of workers in runs, and their attendance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.bulk import openapi_body, parse_bulk
from api.deps import (
    AUTH_RESPONSES,
    CurrentPrincipal,
    Idempotent,
    ProviderUser,
    WorkerUser,
    require_roles,
)
from api.paging import IdCursor, Limit, next_cursor
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role
from portfolio.errors import FieldError
from portfolio.training import attendance, enrolments
from portfolio.training.documents import AttendanceRecord, Enrolment
from portfolio.training.enrolments import WorkerRef
from portfolio.training.enums import AttendanceStatus
from schemas.common import Page
from schemas.enrolments import (
    AttendanceIn,
    AttendanceOut,
    AttendanceRowOut,
    BulkEnrolmentIn,
    BulkEnrolmentOut,
    EnrolmentIn,
    EnrolmentOut,
    EnrolmentRowOut,
    FieldErrorOut,
    MyEnrolmentOut,
    ReasonIn,
    SessionAttendanceIn,
    SessionAttendanceOut,
    WithdrawIn,
    WorkerRefIn,
)

router = APIRouter(tags=["enrolments"])

Responses = dict[int | str, dict[str, Any]]
READ_ERRORS: Responses = {**AUTH_RESPONSES, 404: {"description": "Not within your reach"}}
WRITE_ERRORS: Responses = {
    **READ_ERRORS,
    403: {"description": "Wrong role, or your organisation is suspended"},
    409: {"description": "Not allowed in the current state (problem names it)"},
    422: {"description": "Invalid input (fields and rules named)"},
}
ClassReader = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.ADMIN))]
Withdrawer = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.WORKER, Role.AGENCY))]


def enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    """The response shape of an enrolment (masked number only)."""
    return EnrolmentOut(
        id=str(enrolment.id),
        run_id=str(enrolment.run_id),
        course_id=str(enrolment.course_id),
        organisation_id=str(enrolment.organisation_id),
        worker_name=enrolment.worker_name,
        worker_masked_id=enrolment.worker_masked_id,
        status=enrolment.status,
        status_reason=enrolment.status_reason,
        withdraw_reason=enrolment.withdraw_reason,
        result=enrolment.result,
        score=enrolment.score,
        hours_attended=enrolment.hours_attended,
        completed_at=enrolment.completed_at,
        created_at=enrolment.created_at,
        updated_at=enrolment.updated_at,
    )


def attendance_out(record: AttendanceRecord) -> AttendanceOut:
    """The response shape of an attendance record."""
    return AttendanceOut(
        id=str(record.id),
        enrolment_id=str(record.enrolment_id),
        run_id=str(record.run_id),
        session_n=record.session_n,
        hours=record.hours,
        status=record.status,
        capture_method=record.capture_method,
        check_in_ref=record.check_in_ref,
        supersedes=str(record.supersedes) if record.supersedes else None,
        recorded_at=record.recorded_at,
        confirmed_at=record.confirmed_at,
    )


def errors_out(errors: tuple[FieldError, ...]) -> list[FieldErrorOut]:
    return [FieldErrorOut(field=e.field, rule=e.rule, message=e.message) for e in errors]


def _ref(row: WorkerRefIn) -> WorkerRef:
    return WorkerRef(row.id_type, row.id_number, row.name, row.nationality)


@router.post(
    "/runs/{run_id}/enrolments",
    status_code=201,
    summary="Enrol a worker (by ID number and name) in a run",
    response_model=EnrolmentOut,
    responses=WRITE_ERRORS,
)
async def enrol_worker(
    run_id: str, body: EnrolmentIn, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """Takes a seat; refused when the run is full, the worker is already in it, or booked in
    an overlapping session of another run (the answer names the clash). A worker who withdrew
    from the run, or was refused, is enrolled again: the same enrolment, reopened."""

    async def act() -> EnrolmentOut:
        enrolment = await enrolments.enrol(
            actor=actor,
            keyring=runtime.keyring,
            run_id=run_id,
            worker=_ref(body),
            accept=body.accept,
        )
        return enrolment_out(enrolment)

    return await idem.run(act, status_code=201)


_BULK_OPENAPI = openapi_body(BulkEnrolmentIn, "id_type,id_number,name\n")


@router.post(
    "/runs/{run_id}/enrolments/bulk",
    summary="Enrol a whole class (JSON rows or CSV)",
    response_model=BulkEnrolmentOut,
    responses=WRITE_ERRORS,
    openapi_extra=_BULK_OPENAPI,
)
async def enrol_class(
    run_id: str, request: Request, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """Per-row results; valid rows are enrolled even when others fail."""
    accept = request.query_params.get("accept", "true").lower() != "false"
    body = await parse_bulk(request, BulkEnrolmentIn, accept=accept)

    async def act() -> BulkEnrolmentOut:
        results = await enrolments.enrol_many(
            actor=actor,
            keyring=runtime.keyring,
            run_id=run_id,
            workers=[_ref(row) for row in body.rows],
            accept=body.accept,
        )
        rows = [
            EnrolmentRowOut(
                row=r.row,
                status="enrolled" if r.item else "error",
                enrolment=enrolment_out(r.item) if r.item else None,
                errors=errors_out(r.errors),
                detail=r.detail,
            )
            for r in results
        ]
        enrolled = sum(1 for r in rows if r.status == "enrolled")
        return BulkEnrolmentOut(enrolled=enrolled, failed=len(rows) - enrolled, rows=rows)

    return await idem.run(act)


@router.get("/runs/{run_id}/enrolments", summary="The class list of a run", responses=READ_ERRORS)
async def list_run_enrolments(
    run_id: str, actor: ClassReader, limit: Limit = 50, cursor: IdCursor = None
) -> Page[EnrolmentOut]:
    """The run's provider, or an agency of the run's region."""
    found = await enrolments.list_for_run(actor=actor, run_id=run_id, after=cursor, limit=limit)
    return Page(
        items=[enrolment_out(e) for e in found],
        next_cursor=next_cursor([e.id for e in found], limit),
    )


@router.get("/enrolments/{enrolment_id}", summary="One enrolment", responses=READ_ERRORS)
async def get_enrolment(enrolment_id: str, actor: CurrentPrincipal) -> EnrolmentOut:
    """Its provider, its worker, or an agency of the worker's region."""
    return enrolment_out(await enrolments.get_visible(actor=actor, enrolment_id=enrolment_id))


def _provider_step(action: str, summary: str) -> None:
    async def step(
        enrolment_id: str, actor: ProviderUser, idem: Idempotent, body: ReasonIn | None = None
    ) -> Response:
        async def act() -> EnrolmentOut:
            moved = await enrolments.transition(
                actor=actor,
                enrolment_id=enrolment_id,
                action=action,
                reason=body.reason if body else "",
            )
            return enrolment_out(moved)

        return await idem.run(act)

    step.__doc__ = f"{summary} (the provider running the class)."
    step.__name__ = f"{action}_enrolment"
    router.add_api_route(
        f"/enrolments/{{enrolment_id}}/{action}",
        step,
        methods=["POST"],
        summary=summary,
        response_model=EnrolmentOut,
        responses=WRITE_ERRORS,
    )


_provider_step("accept", "Accept a requested enrolment")
_provider_step("refuse", "Refuse a requested enrolment")
_provider_step("start", "Start training for an accepted enrolment")


@router.post(
    "/enrolments/{enrolment_id}/withdraw",
    summary="Withdraw an enrolment (with a reason code)",
    response_model=EnrolmentOut,
    responses=WRITE_ERRORS,
)
async def withdraw_enrolment(
    enrolment_id: str, body: WithdrawIn, actor: Withdrawer, idem: Idempotent
) -> Response:
    """The provider, the worker or an agency of the worker's region; frees the seat."""

    async def act() -> EnrolmentOut:
        moved = await enrolments.transition(
            actor=actor,
            enrolment_id=enrolment_id,
            action="withdraw",
            reason=body.reason,
            withdraw_reason=body.reason_code,
        )
        return enrolment_out(moved)

    return await idem.run(act)


@router.post(
    "/enrolments/{enrolment_id}/attendance",
    status_code=201,
    summary="Record a worker's presence at one session",
    response_model=AttendanceOut,
    responses=WRITE_ERRORS,
)
async def record_attendance(
    enrolment_id: str, body: AttendanceIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """Unconfirmed unless captured by a named real-name check-in; a second record for the same
    session supersedes the first."""

    async def act() -> AttendanceOut:
        written = await attendance.record(
            actor=actor,
            enrolment_id=enrolment_id,
            presence=attendance.Presence(
                body.session_n, body.hours, body.capture_method, body.check_in_ref
            ),
        )
        return attendance_out(written)

    return await idem.run(act, status_code=201)


@router.get(
    "/enrolments/{enrolment_id}/attendance",
    summary="Attendance records of an enrolment",
    responses=READ_ERRORS,
)
async def list_attendance(enrolment_id: str, actor: CurrentPrincipal) -> list[AttendanceOut]:
    """Every record, oldest first, for whoever may see the enrolment."""
    records = await attendance.list_for_enrolment(actor=actor, enrolment_id=enrolment_id)
    return [attendance_out(r) for r in records]


@router.post(
    "/runs/{run_id}/sessions/{session_n}/attendance",
    summary="Record a whole session's attendance",
    response_model=SessionAttendanceOut,
    responses=WRITE_ERRORS,
)
async def record_session_attendance(
    run_id: str, session_n: int, body: SessionAttendanceIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """Per-row results; valid rows are recorded even when others fail."""

    async def act() -> SessionAttendanceOut:
        results = await attendance.record_session(
            actor=actor,
            run_id=run_id,
            session_n=session_n,
            rows=[
                attendance.SessionRow(r.enrolment_id, r.hours, r.capture_method, r.check_in_ref)
                for r in body.rows
            ],
        )
        rows = [
            AttendanceRowOut(
                row=r.row,
                status="recorded" if r.item else "error",
                record=attendance_out(r.item) if r.item else None,
                errors=errors_out(r.errors),
                detail=r.detail,
            )
            for r in results
        ]
        recorded = sum(1 for r in rows if r.status == "recorded")
        return SessionAttendanceOut(recorded=recorded, failed=len(rows) - recorded, rows=rows)

    return await idem.run(act)


@router.post(
    "/attendance/{record_id}/void",
    summary="Void an attendance record entered by mistake",
    response_model=AttendanceOut,
    responses=WRITE_ERRORS,
)
async def void_attendance(record_id: str, actor: ProviderUser, idem: Idempotent) -> Response:
    """The provider that entered it; a voided record never counts."""

    async def act() -> AttendanceOut:
        return attendance_out(await attendance.void(actor=actor, record_id=record_id))

    return await idem.run(act)


@router.post(
    "/me/attendance/{record_id}/confirm",
    summary="Confirm a record of my presence",
    response_model=AttendanceOut,
    responses=WRITE_ERRORS,
)
async def confirm_attendance(record_id: str, actor: WorkerUser, idem: Idempotent) -> Response:
    """The worker confirms an unconfirmed record; from then on its hours count."""

    async def act() -> AttendanceOut:
        return attendance_out(await attendance.confirm(actor=actor, record_id=record_id))

    return await idem.run(act)


@router.post(
    "/me/attendance/{record_id}/reject",
    summary="Dispute a record of my presence",
    response_model=AttendanceOut,
    responses=WRITE_ERRORS,
)
async def reject_attendance(record_id: str, actor: WorkerUser, idem: Idempotent) -> Response:
    """The worker says they were not there; a rejected record never counts."""

    async def act() -> AttendanceOut:
        return attendance_out(await attendance.reject(actor=actor, record_id=record_id))

    return await idem.run(act)


@router.get("/me/enrolments", summary="My enrolments", responses=AUTH_RESPONSES)
async def list_my_enrolments(
    actor: WorkerUser, limit: Limit = 50, cursor: IdCursor = None
) -> Page[MyEnrolmentOut]:
    """Newest first, each with the hours confirmed so far and what awaits my confirmation."""
    assert actor.archive_id is not None
    found = await enrolments.list_for_worker(archive_id=actor.archive_id, after=cursor, limit=limit)
    by_enrolment = await attendance.records_by_enrolment([str(e.id) for e in found])
    items = []
    for enrolment in found:
        records = by_enrolment[str(enrolment.id)]
        items.append(
            MyEnrolmentOut(
                **enrolment_out(enrolment).model_dump(),
                hours_confirmed=attendance.hours_attended(records),
                awaiting_confirmation=[
                    attendance_out(r) for r in records if r.status is AttendanceStatus.UNCONFIRMED
                ],
            )
        )
    return Page(items=items, next_cursor=next_cursor([e.id for e in found], limit))

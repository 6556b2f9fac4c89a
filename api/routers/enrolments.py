"""Enrolments of workers in runs, and their attendance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.bulk import openapi_body, parse_bulk
from api.deps import Idempotent, ProviderUser, WorkerUser, require_roles
from api.paging import Paged
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.training import attendance, checkin, enrolments, late, lifecycle, rosters
from portfolio.training.lifecycle import Action
from schemas.common import Page
from schemas.enrolments import (
    AttendanceIn,
    AttendanceOut,
    BulkEnrolmentIn,
    BulkEnrolmentOut,
    CheckInCodeOut,
    CheckInIn,
    EnrolmentIn,
    EnrolmentOut,
    LateAttendanceIn,
    MyEnrolmentOut,
    ReasonIn,
    SessionAttendanceIn,
    SessionAttendanceOut,
    WithdrawIn,
)

router = APIRouter(tags=["enrolments"])

# Class lists, enrolments and attendance name workers: not for an admin (no worker data).
ClassReader = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]
EnrolmentReader = Annotated[Actor, Depends(require_roles(Role.WORKER, Role.PROVIDER, Role.AGENCY))]
Withdrawer = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.WORKER, Role.AGENCY))]


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
        enrolled = await enrolments.enrol(
            actor=actor,
            keyring=runtime.keyring,
            run_id=run_id,
            worker=body.to_domain(),
            accept=body.accept,
        )
        return EnrolmentOut.from_view(enrolled)

    return await idem.run(act, status_code=201)


@router.post(
    "/runs/{run_id}/enrolments/bulk",
    summary="Enrol a whole class (JSON rows or CSV)",
    response_model=BulkEnrolmentOut,
    responses=WRITE_ERRORS,
    openapi_extra=openapi_body(BulkEnrolmentIn, "id_type,id_number,name\n"),
)
async def enrol_class(
    run_id: str, request: Request, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """Per-row results; valid rows are enrolled even when others fail."""
    accept = request.query_params.get("accept", "true").lower() != "false"
    body = await parse_bulk(request, BulkEnrolmentIn, accept=accept)

    async def act() -> BulkEnrolmentOut:
        outcome = await enrolments.enrol_many(
            actor=actor,
            keyring=runtime.keyring,
            run_id=run_id,
            workers=body.to_domain(),
            accept=body.accept,
        )
        return BulkEnrolmentOut.from_view(outcome)

    return await idem.run(act)


@router.get("/runs/{run_id}/enrolments", summary="The class list of a run", responses=READ_ERRORS)
async def list_run_enrolments(run_id: str, actor: ClassReader, page: Paged) -> Page[EnrolmentOut]:
    """The run's provider, or an agency of the run's region."""
    found = await rosters.list_for_run(actor=actor, run_id=run_id, page=page)
    return Page[EnrolmentOut].from_view(found)


@router.get("/enrolments/{enrolment_id}", summary="One enrolment", responses=READ_ERRORS)
async def get_enrolment(enrolment_id: str, actor: EnrolmentReader) -> EnrolmentOut:
    """Its provider, its worker, or an agency of the worker's region."""
    found = await lifecycle.get_enrolment(actor=actor, enrolment_id=enrolment_id)
    return EnrolmentOut.from_view(found)


def _provider_step(action: Action, summary: str) -> None:
    async def step(
        enrolment_id: str, actor: ProviderUser, idem: Idempotent, body: ReasonIn | None = None
    ) -> Response:
        move = (body or ReasonIn()).to_domain(action)

        async def act() -> EnrolmentOut:
            moved = await lifecycle.move(actor=actor, enrolment_id=enrolment_id, step=move)
            return EnrolmentOut.from_view(moved)

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
        moved = await lifecycle.move(actor=actor, enrolment_id=enrolment_id, step=body.to_domain())
        return EnrolmentOut.from_view(moved)

    return await idem.run(act)


@router.post(
    "/enrolments/{enrolment_id}/attendance",
    status_code=201,
    summary="Record a worker's presence at one session",
    response_model=AttendanceOut,
    responses=WRITE_ERRORS,
)
async def record_attendance(
    enrolment_id: str,
    body: AttendanceIn,
    actor: ProviderUser,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """Unconfirmed unless captured by a named real-name check-in; a second record for the same
    session supersedes the first."""

    async def act() -> AttendanceOut:
        written = await attendance.record(
            actor=actor,
            enrolment_id=enrolment_id,
            presence=body.to_domain(),
            window_days=runtime.settings.attendance_window_days,
        )
        return AttendanceOut.from_view(written)

    return await idem.run(act, status_code=201)


# Late corrections are approved by an agency's officers (not its reviewers or auditors).
Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]


@router.post(
    "/enrolments/{enrolment_id}/attendance/late",
    status_code=201,
    summary="Record a late attendance correction (agency officer)",
    response_model=AttendanceOut,
    responses=WRITE_ERRORS,
)
async def record_late_attendance(
    enrolment_id: str, body: LateAttendanceIn, actor: Officer, idem: Idempotent
) -> Response:
    """After the attendance window: an officer of an agency covering the class records the
    correction with a reason; it stays marked late and awaits the worker's confirmation."""

    async def act() -> AttendanceOut:
        written = await late.record_late(
            actor=actor,
            enrolment_id=enrolment_id,
            presence=body.to_domain(),
            reason=body.late_reason(),
        )
        return AttendanceOut.from_view(written)

    return await idem.run(act, status_code=201)


@router.get(
    "/enrolments/{enrolment_id}/attendance",
    summary="Attendance records of an enrolment",
    responses=READ_ERRORS,
)
async def list_attendance(enrolment_id: str, actor: EnrolmentReader) -> list[AttendanceOut]:
    """Every record, oldest first, for whoever may see the enrolment."""
    records = await attendance.list_for_enrolment(actor=actor, enrolment_id=enrolment_id)
    return [AttendanceOut.from_view(r) for r in records]


@router.post(
    "/runs/{run_id}/sessions/{session_n}/attendance",
    summary="Record a whole session's attendance",
    response_model=SessionAttendanceOut,
    responses=WRITE_ERRORS,
)
async def record_session_attendance(
    run_id: str,
    session_n: int,
    body: SessionAttendanceIn,
    actor: ProviderUser,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """Per-row results; valid rows are recorded even when others fail."""

    async def act() -> SessionAttendanceOut:
        outcome = await attendance.record_session(
            actor=actor,
            run_id=run_id,
            session_n=session_n,
            rows=body.to_domain(),
            window_days=runtime.settings.attendance_window_days,
        )
        return SessionAttendanceOut.from_view(outcome)

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
        return AttendanceOut.from_view(await attendance.void(actor=actor, record_id=record_id))

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
        return AttendanceOut.from_view(await attendance.confirm(actor=actor, record_id=record_id))

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
        return AttendanceOut.from_view(await attendance.reject(actor=actor, record_id=record_id))

    return await idem.run(act)


@router.get(
    "/runs/{run_id}/sessions/{session_n}/checkin-code",
    summary="The session's current check-in code (for its QR code)",
    responses=READ_ERRORS,
)
async def checkin_code(
    run_id: str, session_n: int, actor: ProviderUser, runtime: RuntimeDep
) -> CheckInCodeOut:
    """While check-in is open (from 30 minutes before the session until its end); the code
    changes every ``refresh_seconds`` and works for about a minute."""
    code = await checkin.code_for(
        actor=actor, keyring=runtime.keyring, run_id=run_id, session_n=session_n
    )
    return CheckInCodeOut.from_view(code)


@router.post(
    "/me/checkin",
    status_code=201,
    summary="Check in to a session with its code",
    response_model=AttendanceOut,
    responses=WRITE_ERRORS,
)
async def check_in(
    body: CheckInIn, actor: WorkerUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """A confirmed record of the session, entered by the worker; checking in again for the
    same session answers with the same record."""

    async def act() -> AttendanceOut:
        written = await checkin.check_in(
            actor=actor, keyring=runtime.keyring, token=body.token, device_id=body.device_id
        )
        return AttendanceOut.from_view(written)

    return await idem.run(act, status_code=201)


@router.get("/me/enrolments", summary="My enrolments", responses=AUTH_ERRORS)
async def list_my_enrolments(actor: WorkerUser, page: Paged) -> Page[MyEnrolmentOut]:
    """Newest first, each with the hours confirmed so far and what awaits my confirmation."""
    return Page[MyEnrolmentOut].from_view(await rosters.list_for_worker(actor=actor, page=page))

"""Enterprise new-type apprenticeships: mentors, agreements, approvals, life cycle, changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

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
from portfolio.apprenticeships import agreements, changes, lifecycle, mentors
from portfolio.apprenticeships.agreements import Detail, Terms
from portfolio.apprenticeships.changes import ChangeRequest, changes_of
from portfolio.apprenticeships.documents import Apprenticeship, Mentor, MentorRef, Plan
from portfolio.apprenticeships.enums import ApprenticeshipStatus
from portfolio.apprenticeships.rules import MENTOR_CAP
from portfolio.training.enrolments import WorkerRef
from schemas.apprenticeships import (
    ApprenticeshipDetailOut,
    ApprenticeshipIn,
    ApprenticeshipOut,
    ApprovalsOut,
    ChangeIn,
    ChangeOut,
    CompleteIn,
    EventOut,
    MentorIn,
    MentorOut,
    MentorRefOut,
    PauseIn,
    PendingChangeOut,
    PlanOut,
    RejectIn,
    StepIn,
    StopIn,
    SubsidyOut,
)
from schemas.common import Page

router = APIRouter(tags=["apprenticeships"])

Responses = dict[int | str, dict[str, Any]]
READ_ERRORS: Responses = {**AUTH_RESPONSES, 404: {"description": "Not within your reach"}}
WRITE_ERRORS: Responses = {
    **READ_ERRORS,
    403: {"description": "Wrong role or party, or your organisation is suspended"},
    409: {"description": "Not allowed in the current state, or a lost race (problem names it)"},
    422: {"description": "Invalid input or a broken rule (each field and rule named)"},
}
Staff = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.ADMIN))]
Approver = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]


def _now() -> datetime:
    return datetime.now(UTC)


def _day(raw: str) -> date | None:
    return date.fromisoformat(raw) if raw else None


def mentor_out(mentor: Mentor) -> MentorOut:
    """The response shape of a mentor."""
    return MentorOut(
        id=str(mentor.id),
        name=mentor.name,
        level=mentor.level,
        organisation_id=mentor.organisation_id,
        active_apprentices=mentor.active_apprentices,
        cap=MENTOR_CAP,
    )


def _mentor_ref_out(mentor: MentorRef) -> MentorRefOut:
    return MentorRefOut(id=mentor.id, name=mentor.name, level=mentor.level)


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        planned_start=date.fromisoformat(plan.planned_start),
        planned_end=date.fromisoformat(plan.planned_end),
        extension_reason=plan.extension_reason,
        enterprise_hours=plan.enterprise_hours,
        institution_hours=plan.institution_hours,
        enterprise_mentor=_mentor_ref_out(plan.enterprise_mentor),
        school_mentor=_mentor_ref_out(plan.school_mentor),
    )


def apprenticeship_out(apprenticeship: Apprenticeship) -> ApprenticeshipOut:
    """The response shape of an agreement (the worker's number masked)."""
    pending = apprenticeship.pending_change
    return ApprenticeshipOut(
        id=str(apprenticeship.id),
        status=apprenticeship.status,
        employer_id=apprenticeship.employer_id,
        employer_name=apprenticeship.employer_name,
        employer_credit_code=apprenticeship.employer_credit_code,
        region_code=apprenticeship.region_code,
        institution_id=apprenticeship.institution_id,
        institution_name=apprenticeship.institution_name,
        worker_name=apprenticeship.worker_name,
        worker_masked_id=apprenticeship.worker_masked_id,
        occupation_code=apprenticeship.occupation_code,
        target_level=apprenticeship.target_level,
        plan=_plan_out(apprenticeship.plan),
        subsidy_fen_per_year=apprenticeship.subsidy_fen_per_year,
        approvals=ApprovalsOut(
            employer=apprenticeship.employer_approved,
            institution=apprenticeship.institution_approved,
            agency=apprenticeship.agency_approved,
        ),
        started_on=_day(apprenticeship.started_on),
        ended_on=_day(apprenticeship.ended_on),
        end_reason=apprenticeship.end_reason,
        level_reached=apprenticeship.level_reached,
        certificate_entry_seq=apprenticeship.certificate_entry_seq or None,
        pending_change=(
            PendingChangeOut(
                n=pending.n,
                proposed_by=pending.proposed_by,
                fields=pending.fields,
                plan=_plan_out(pending.plan),
                note=pending.note,
                proposed_at=pending.proposed_at,
            )
            if pending
            else None
        ),
        created_at=apprenticeship.created_at,
        updated_at=apprenticeship.updated_at,
    )


def detail_out(detail: Detail) -> ApprenticeshipDetailOut:
    """An agreement with its subsidy figure, history and change requests."""
    figure = detail.subsidy
    return ApprenticeshipDetailOut(
        **apprenticeship_out(detail.apprenticeship).model_dump(),
        subsidy=SubsidyOut(
            per_year_fen=figure.per_year_fen,
            active_days=figure.active_days,
            months=figure.months,
            owed_fen=figure.owed_fen,
            as_of=figure.as_of,
        ),
        history=[
            EventOut(
                version=e.version,
                action=e.action,
                party=e.party,
                on=_day(e.on),
                reason=e.reason,
                details=e.details,
                at=e.at,
            )
            for e in detail.events
        ],
        changes=[
            ChangeOut(
                n=c.n,
                proposed_by=c.proposed_by,
                fields=c.fields,
                changes=c.changes,
                note=c.note,
                proposed_at=c.proposed_at,
                status=c.status,
                answered_by=c.answered_by,
                answered_at=c.answered_at,
                reason=c.reason,
            )
            for c in changes_of(detail.apprenticeship, detail.events)
        ],
    )


@router.post(
    "/mentors",
    status_code=201,
    summary="Register a mentor of your organisation",
    response_model=MentorOut,
    responses=WRITE_ERRORS,
)
async def register_mentor(body: MentorIn, actor: ProviderUser, idem: Idempotent) -> Response:
    """An enterprise registers its masters (师傅), a school its teachers; each guides at most
    eight apprentices at once."""

    async def act() -> MentorOut:
        return mentor_out(
            await mentors.register(actor=actor, name=body.name, level=body.level, now=_now())
        )

    return await idem.run(act, status_code=201)


@router.get("/mentors", summary="Mentors within your reach", responses=AUTH_RESPONSES)
async def list_mentors(actor: Staff, limit: Limit = 50, cursor: IdCursor = None) -> Page[MentorOut]:
    """A provider's own mentors; an agency's region's; all for an admin."""
    found = await mentors.list_visible(actor=actor, after=cursor, limit=limit)
    return Page(
        items=[mentor_out(m) for m in found], next_cursor=next_cursor([m.id for m in found], limit)
    )


@router.get("/mentors/{mentor_id}", summary="One mentor", responses=READ_ERRORS)
async def get_mentor(mentor_id: str, actor: Staff) -> MentorOut:
    """A mentor within your reach, with the apprentices they guide now."""
    return mentor_out(await mentors.get_visible(actor=actor, mentor_id=mentor_id))


@router.post(
    "/apprenticeships",
    status_code=201,
    summary="Propose an apprenticeship agreement (the employer)",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def create_apprenticeship(
    body: ApprenticeshipIn, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """An enterprise's user proposes a draft: the worker must have an active employment
    registration with the enterprise and a labour contract of at least a year, no other
    active or paused apprenticeship; each mentor must have room; the institution must be
    active. Every broken rule is named (422)."""
    apprentice = body.apprentice

    async def act() -> ApprenticeshipOut:
        created = await agreements.create(
            actor=actor,
            keyring=runtime.keyring,
            settings=runtime.settings,
            terms=Terms(
                institution_id=body.institution_id,
                apprentice=WorkerRef(
                    apprentice.id_type,
                    apprentice.id_number,
                    apprentice.name,
                    apprentice.nationality,
                ),
                occupation_code=body.occupation_code,
                target_level=body.target_level,
                planned_start=body.planned_start,
                planned_end=body.planned_end,
                extension_reason=body.extension_reason,
                enterprise_hours=body.enterprise_hours,
                institution_hours=body.institution_hours,
                enterprise_mentor_id=body.enterprise_mentor_id,
                school_mentor_id=body.school_mentor_id,
            ),
            now=_now(),
        )
        return apprenticeship_out(created)

    return await idem.run(act, status_code=201)


@router.get("/apprenticeships", summary="Agreements within your reach", responses=AUTH_RESPONSES)
async def list_apprenticeships(
    actor: Staff,
    limit: Limit = 50,
    cursor: IdCursor = None,
    status: ApprenticeshipStatus | None = None,
) -> Page[ApprenticeshipOut]:
    """A provider's (as employer or institution); an agency's (employers in its region: its
    approval queue, e.g. ``?status=draft``); all for an admin. Oldest first."""
    found = await agreements.list_visible(actor=actor, after=cursor, limit=limit, status=status)
    return Page(
        items=[apprenticeship_out(a) for a in found],
        next_cursor=next_cursor([a.id for a in found], limit),
    )


@router.get(
    "/apprenticeships/{apprenticeship_id}",
    summary="One agreement with its subsidy figure and history",
    responses=READ_ERRORS,
)
async def get_apprenticeship(
    apprenticeship_id: str, actor: CurrentPrincipal
) -> ApprenticeshipDetailOut:
    """Its parties, its apprentice, agencies of the employer's or the worker's region. The
    subsidy owed counts whole months of active days (pauses excluded), as of today or the
    last day."""
    return detail_out(
        await agreements.detail(actor=actor, apprenticeship_id=apprenticeship_id, now=_now())
    )


@router.post(
    "/apprenticeships/{apprenticeship_id}/approve",
    summary="Approve an agreement (employer, institution, then agency)",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def approve_apprenticeship(
    apprenticeship_id: str, actor: Approver, idem: Idempotent
) -> Response:
    """The employer and the institution in any order, then an agency covering the employer's
    region; the rules are checked again at each approval."""

    async def act() -> ApprenticeshipOut:
        approved = await agreements.approve(
            actor=actor, apprenticeship_id=apprenticeship_id, now=_now()
        )
        return apprenticeship_out(approved)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/start",
    summary="Start a confirmed agreement (the employer)",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def start_apprenticeship(
    apprenticeship_id: str, actor: ProviderUser, idem: Idempotent, body: StepIn | None = None
) -> Response:
    """Writes "apprenticeship started" to the worker's archive. 409 when the worker has
    another active or paused apprenticeship or a mentor guides eight already."""

    async def act() -> ApprenticeshipOut:
        started = await lifecycle.start(
            actor=actor,
            apprenticeship_id=apprenticeship_id,
            on=body.on if body else None,
            now=_now(),
        )
        return apprenticeship_out(started)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/pause",
    summary="Pause an active agreement",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def pause_apprenticeship(
    apprenticeship_id: str, body: PauseIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """The employer or the institution; paused days earn no subsidy."""

    async def act() -> ApprenticeshipOut:
        paused = await lifecycle.pause(
            actor=actor,
            apprenticeship_id=apprenticeship_id,
            on=body.on,
            reason=body.reason,
            now=_now(),
        )
        return apprenticeship_out(paused)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/resume",
    summary="Resume a paused agreement",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def resume_apprenticeship(
    apprenticeship_id: str, actor: ProviderUser, idem: Idempotent, body: StepIn | None = None
) -> Response:
    """The employer or the institution; active again from ``on``."""

    async def act() -> ApprenticeshipOut:
        resumed = await lifecycle.resume(
            actor=actor,
            apprenticeship_id=apprenticeship_id,
            on=body.on if body else None,
            now=_now(),
        )
        return apprenticeship_out(resumed)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/stop",
    summary="End an agreement early, with a reason",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def stop_apprenticeship(
    apprenticeship_id: str, body: StopIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """The employer or the institution; the last day is not in the future nor before the
    start. Writes "apprenticeship stopped" to the worker's archive."""

    async def act() -> ApprenticeshipOut:
        stopped = await lifecycle.stop(
            actor=actor,
            apprenticeship_id=apprenticeship_id,
            on=body.on,
            reason=body.reason,
            now=_now(),
        )
        return apprenticeship_out(stopped)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/complete",
    summary="Record the completion and the level reached",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def complete_apprenticeship(
    apprenticeship_id: str, body: CompleteIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """The employer or the institution; optionally names the certificate entry that attests
    the level. Writes "apprenticeship completed" to the worker's archive."""

    async def act() -> ApprenticeshipOut:
        completed = await lifecycle.complete(
            actor=actor,
            apprenticeship_id=apprenticeship_id,
            level_reached=body.level_reached,
            on=body.on,
            certificate_entry_seq=body.certificate_entry_seq,
            now=_now(),
        )
        return apprenticeship_out(completed)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/changes",
    status_code=201,
    summary="Propose a change of dates, hours or mentors",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def propose_change(
    apprenticeship_id: str, body: ChangeIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """The employer or the institution; it takes effect only when the other accepts. One
    change at a time awaits an answer (``pending_change``)."""

    async def act() -> ApprenticeshipOut:
        proposed = await changes.propose(
            actor=actor,
            apprenticeship_id=apprenticeship_id,
            request=ChangeRequest(
                planned_start=body.planned_start,
                planned_end=body.planned_end,
                extension_reason=body.extension_reason,
                enterprise_hours=body.enterprise_hours,
                institution_hours=body.institution_hours,
                enterprise_mentor_id=body.enterprise_mentor_id,
                school_mentor_id=body.school_mentor_id,
                note=body.note,
            ),
            now=_now(),
        )
        return apprenticeship_out(proposed)

    return await idem.run(act, status_code=201)


@router.post(
    "/apprenticeships/{apprenticeship_id}/changes/{n}/accept",
    summary="Accept the other party's change",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def accept_change(
    apprenticeship_id: str, n: int, actor: ProviderUser, idem: Idempotent
) -> Response:
    """The party that did not propose it; the change is checked again and takes effect."""

    async def act() -> ApprenticeshipOut:
        accepted = await changes.accept(
            actor=actor, apprenticeship_id=apprenticeship_id, n=n, now=_now()
        )
        return apprenticeship_out(accepted)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/changes/{n}/reject",
    summary="Reject a change (or withdraw your own)",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def reject_change(
    apprenticeship_id: str, n: int, body: RejectIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """Either party, with a reason; the plan stays as it was."""

    async def act() -> ApprenticeshipOut:
        rejected = await changes.reject(
            actor=actor, apprenticeship_id=apprenticeship_id, n=n, reason=body.reason, now=_now()
        )
        return apprenticeship_out(rejected)

    return await idem.run(act)


@router.get("/me/apprenticeships", summary="My apprenticeships", responses=AUTH_RESPONSES)
async def list_my_apprenticeships(
    actor: WorkerUser, limit: Limit = 50, cursor: IdCursor = None
) -> Page[ApprenticeshipOut]:
    """Newest first, drafts included; an approved one awaits my confirmation."""
    assert actor.archive_id is not None
    found = await agreements.list_for_worker(archive_id=actor.archive_id, after=cursor, limit=limit)
    return Page(
        items=[apprenticeship_out(a) for a in found],
        next_cursor=next_cursor([a.id for a in found], limit),
    )


@router.post(
    "/me/apprenticeships/{apprenticeship_id}/confirm",
    summary="Confirm my approved agreement",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def confirm_apprenticeship(
    apprenticeship_id: str, actor: WorkerUser, idem: Idempotent
) -> Response:
    """The apprentice confirms the agreement the three parties approved; the employer may
    then start it."""

    async def act() -> ApprenticeshipOut:
        confirmed = await agreements.confirm(
            actor=actor, apprenticeship_id=apprenticeship_id, now=_now()
        )
        return apprenticeship_out(confirmed)

    return await idem.run(act)

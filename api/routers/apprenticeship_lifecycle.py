"""A running apprenticeship agreement: start, pause, resume, stop, complete; change requests.

Only the parties act here (the employer, and for most steps the institution), each step one
use case of ``portfolio.apprenticeships.lifecycle`` or ``changes``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import Idempotent, ProviderUser
from api.responses import WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.apprenticeships import changes, lifecycle
from schemas.apprenticeships import (
    ApprenticeshipOut,
    ChangeIn,
    CompleteIn,
    PauseIn,
    RejectIn,
    StepIn,
    StopIn,
)

router = APIRouter(tags=["apprenticeships"])


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
    step = (body or StepIn()).to_domain()

    async def act() -> ApprenticeshipOut:
        started = await lifecycle.start(actor=actor, apprenticeship_id=apprenticeship_id, step=step)
        return ApprenticeshipOut.from_view(started)

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
            actor=actor, apprenticeship_id=apprenticeship_id, step=body.to_domain()
        )
        return ApprenticeshipOut.from_view(paused)

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
    step = (body or StepIn()).to_domain()

    async def act() -> ApprenticeshipOut:
        resumed = await lifecycle.resume(
            actor=actor, apprenticeship_id=apprenticeship_id, step=step
        )
        return ApprenticeshipOut.from_view(resumed)

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
            actor=actor, apprenticeship_id=apprenticeship_id, step=body.to_domain()
        )
        return ApprenticeshipOut.from_view(stopped)

    return await idem.run(act)


@router.post(
    "/apprenticeships/{apprenticeship_id}/complete",
    summary="Record the completion and the level reached",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def complete_apprenticeship(
    apprenticeship_id: str,
    body: CompleteIn,
    actor: ProviderUser,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """The employer or the institution, on or after the planned end minus the tolerance
    (422 ``on``: ``before_completion_window``; earlier, the agreement is stopped with a
    reason), naming the certificate entry that attests the level reached (422
    ``certificate_entry_seq``: ``required``, ``not_a_certificate``, ``certificate_voided``,
    ``occupation_mismatch``, ``level_mismatch``). A level below the target is recorded as
    ``below_plan``. Writes "apprenticeship completed" to the worker's archive."""

    async def act() -> ApprenticeshipOut:
        completed = await lifecycle.complete(
            actor=actor,
            apprenticeship_id=apprenticeship_id,
            completion=body.to_domain(),
            tolerance_days=runtime.settings.apprenticeship_completion_tolerance_days,
        )
        return ApprenticeshipOut.from_view(completed)

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
            actor=actor, apprenticeship_id=apprenticeship_id, request=body.to_domain()
        )
        return ApprenticeshipOut.from_view(proposed)

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
        accepted = await changes.accept(actor=actor, apprenticeship_id=apprenticeship_id, n=n)
        return ApprenticeshipOut.from_view(accepted)

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
            actor=actor, apprenticeship_id=apprenticeship_id, n=n, rejection=body.to_domain()
        )
        return ApprenticeshipOut.from_view(rejected)

    return await idem.run(act)

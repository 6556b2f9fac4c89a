"""Priority groups (重点群体) and village craftsmen: an agency officer records a worker's
membership with its source and dates, and ends it with a reason. Disability and poverty are
sensitive: an officer reads them only by stating a purpose (written to the worker's access
log); the worker reads their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent, WorkerUser, require_roles
from api.responses import READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.priority import reading, service
from schemas.priority import MembershipEndIn, MembershipIn, MembershipOut, WorkerGroupsOut
from schemas.workers import RevealIn

router = APIRouter(tags=["priority groups"])

Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
_NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/workers/{archive_id}/priority-groups",
    status_code=201,
    summary="Record a worker's membership of a priority group",
    response_model=MembershipOut,
    responses=WRITE_ERRORS,
)
async def record_membership(
    archive_id: str, body: MembershipIn, actor: Officer, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """For a worker of the officer's region; an open membership of the same group: 409."""

    async def act() -> MembershipOut:
        found = await service.record(
            actor=actor,
            keyring=runtime.keyring,
            archive_id=archive_id,
            group=body.group,
            source=body.source,
            since=body.since,
            until=body.until,
        )
        return MembershipOut.from_view(found)

    return await idem.run(act, status_code=201)


@router.get(
    "/workers/{archive_id}/priority-groups",
    summary="A worker's priority groups (not the sensitive ones)",
    responses=READ_ERRORS,
)
async def list_memberships(
    archive_id: str, actor: AgencyUser, runtime: RuntimeDep
) -> WorkerGroupsOut:
    """Every membership but disability and poverty (``/reveal`` with a purpose shows those);
    the look is written to the worker's access log."""
    view = await reading.for_agency(actor=actor, keyring=runtime.keyring, archive_id=archive_id)
    return WorkerGroupsOut.from_view(view)


@router.post(
    "/workers/{archive_id}/priority-groups/reveal",
    summary="A worker's priority groups, sensitive ones included, stating why",
    responses={**READ_ERRORS, 422: {"description": "No usable purpose"}},
)
async def reveal_memberships(
    archive_id: str, body: RevealIn, actor: Officer, runtime: RuntimeDep, response: Response
) -> WorkerGroupsOut:
    """An officer only; the read and its purpose go to the worker's access log first."""
    view = await reading.for_agency(
        actor=actor, keyring=runtime.keyring, archive_id=archive_id, purpose=body.purpose
    )
    response.headers.update(_NO_STORE)
    return WorkerGroupsOut.from_view(view)


@router.post(
    "/priority-groups/{membership_id}/end",
    summary="End a membership, with a reason",
    response_model=MembershipOut,
    responses=WRITE_ERRORS,
)
async def end_membership(
    membership_id: str,
    body: MembershipEndIn,
    actor: Officer,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """Ended on ``until`` (not before its start); an ended one: 409."""

    async def act() -> MembershipOut:
        found = await service.end(
            actor=actor,
            keyring=runtime.keyring,
            membership_id=membership_id,
            until=body.until,
            reason=body.reason,
        )
        return MembershipOut.from_view(found)

    return await idem.run(act)


@router.get(
    "/me/priority-groups",
    summary="My priority groups",
    responses=READ_ERRORS,
)
async def my_memberships(actor: WorkerUser, runtime: RuntimeDep) -> WorkerGroupsOut:
    """All of them, sensitive ones included (they are the worker's own)."""
    view = await reading.mine(actor=actor, keyring=runtime.keyring)
    return WorkerGroupsOut.from_view(view)

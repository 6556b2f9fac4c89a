"""Project-based training (项目制培训): an agency buys a training project from a provider for
a group and pays it by milestone; the provider claims a milestone, an officer decides it, the
workers of the group attest that they took part."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import Idempotent, ProviderUser, WorkerUser, require_roles
from api.responses import READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio import projects
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.integrity import Thresholds
from schemas.projects import (
    MilestoneClaimIn,
    MilestoneDecisionIn,
    ProjectAttestationIn,
    ProjectIn,
    ProjectOut,
)

router = APIRouter(tags=["projects"])

Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
Reader = Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.PROVIDER))]


@router.post(
    "/projects",
    status_code=201,
    summary="Buy a training project from a provider for a group",
    response_model=ProjectOut,
    responses=WRITE_ERRORS,
)
async def create_project(body: ProjectIn, actor: Officer, idem: Idempotent) -> Response:
    """The provider's runs it covers, the group (the runs' enrolled workers, or a named list
    of them), the fund, the budget and the milestones (their amounts add up to at most the
    budget: 422 ``over_budget``)."""

    async def act() -> ProjectOut:
        return ProjectOut.from_view(await projects.create(actor=actor, content=body.to_domain()))

    return await idem.run(act, status_code=201)


@router.get("/projects", summary="Training projects of my region, or my own", responses=READ_ERRORS)
async def list_projects(actor: Reader) -> list[ProjectOut]:
    """An agency: its region's projects; a provider: the projects bought from it. Newest
    first, at most 200."""
    return [ProjectOut.from_view(p) for p in await projects.list_visible(actor=actor)]


@router.get("/projects/{project_id}", summary="One training project", responses=READ_ERRORS)
async def get_project(project_id: str, actor: Reader) -> ProjectOut:
    """For an agency whose region covers it and for its provider (404 otherwise); the
    provider sees no flags nor disputes."""
    return ProjectOut.from_view(await projects.get(actor=actor, project_id=project_id))


@router.post(
    "/projects/{project_id}/milestones/{n}/claim",
    summary="Claim a milestone of a project",
    response_model=ProjectOut,
    responses=WRITE_ERRORS,
)
async def claim_milestone(
    project_id: str,
    n: int,
    body: MilestoneClaimIn,
    actor: ProviderUser,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """The project's provider, when the records meet the milestone's condition (422
    ``condition_not_met`` with what they measure); the fraud rules' flags go with the claim."""

    async def act() -> ProjectOut:
        found = await projects.claim(
            actor=actor,
            project_id=project_id,
            n=n,
            note=body.note,
            min_share=runtime.settings.claim_min_attendance_share,
            limits=Thresholds.of(runtime.settings),
        )
        return ProjectOut.from_view(found)

    return await idem.run(act)


@router.post(
    "/projects/{project_id}/milestones/{n}/decision",
    summary="Approve or reject a claimed milestone",
    response_model=ProjectOut,
    responses=WRITE_ERRORS,
)
async def decide_milestone(
    project_id: str,
    n: int,
    body: MilestoneDecisionIn,
    actor: Officer,
    runtime: RuntimeDep,
    idem: Idempotent,
) -> Response:
    """Approve: measured again, flags and disputes acknowledged, a second officer above the
    project's amount; then paid once on the ledger with the project's fund, never above the
    budget. Reject: with a reason; the milestone opens again. A decision that lost a race: 409."""

    async def act() -> ProjectOut:
        found = await projects.decide(
            actor=actor,
            project_id=project_id,
            n=n,
            approve=body.decision == "approve",
            note=body.note,
            acknowledge_flags=body.acknowledge_flags,
            min_share=runtime.settings.claim_min_attendance_share,
        )
        return ProjectOut.from_view(found)

    return await idem.run(act)


@router.get("/me/projects", summary="Training projects I am in", responses=READ_ERRORS)
async def my_projects(actor: WorkerUser) -> list[ProjectOut]:
    """The projects whose group the worker is in (to attest them)."""
    return [ProjectOut.from_view(p) for p in await projects.projects_of_worker(actor=actor)]


@router.post(
    "/me/projects/{project_id}/attestation",
    summary="Say whether I took part in a training project",
    response_model=ProjectOut,
    responses=WRITE_ERRORS,
)
async def attest_project(
    project_id: str, body: ProjectAttestationIn, actor: WorkerUser, idem: Idempotent
) -> Response:
    """Once per worker: ``confirmed`` counts towards an attested-share milestone, ``disputed``
    goes to the officer who decides a milestone."""

    async def act() -> ProjectOut:
        found = await projects.attest(
            actor=actor, project_id=project_id, answer=body.answer, words=body.words
        )
        return ProjectOut.from_view(found)

    return await idem.run(act)

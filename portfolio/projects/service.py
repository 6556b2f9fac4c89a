"""Project-based training (项目制培训): an agency buys a training project from a provider for
a group of workers, paid by milestone instead of per voucher.

A project names the provider, the fund (``FundingSource``), the budget (integer fen), the
provider's runs it covers, its group (the workers enrolled in those runs when it is created,
or a named list of workers enrolled in them) and its milestones, each with an amount and a
condition measured from the records (``measuring.py``). The milestones' amounts together stay
within the budget. Claims, decisions and payment are ``milestones.py``; the workers'
attestations are here.

Every change is one conditional update of the project's document (``version`` precondition)
followed by its change-trail record (``audit.changed``); a record missing after a crash is
restored by the repair routine from the document (``audit.register_documents``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio import audit, clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from portfolio.once import insert_once
from portfolio.projects.documents import (
    Condition,
    Milestone,
    ProjectAttestation,
    TrainingProject,
    attestation_id,
)
from portfolio.projects.measuring import CONFIRMED, DISPUTED, Measures, measure
from portfolio.projects.views import ProjectView
from portfolio.training import EnrolmentStatus, enrolments_of_runs, find_organisation, runs_by_ids
from portfolio.vocabulary import FundingSource

PROJECT = "training_project"
MAX_NAME = 200
MAX_RUNS = 50
MAX_GROUP = 2_000
MAX_MILESTONES = 10
MAX_FEN = 100_000_000_000
MAX_LISTED = 200
PERCENT = frozenset({Condition.ATTENDANCE_RATE, Condition.ATTESTED_SHARE})
# Enrolments that put a worker in a project's group (a refused or withdrawn one does not).
_IN_GROUP = frozenset(
    {
        EnrolmentStatus.REQUESTED,
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.IN_TRAINING,
        EnrolmentStatus.COMPLETED,
    }
)


@dataclass(frozen=True)
class MilestoneContent:
    """One milestone as the agency states it."""

    name: str
    amount_fen: int
    condition: Condition
    threshold: int


@dataclass(frozen=True)
class ProjectContent:
    """A project as the agency states it (``worker_ids`` empty: the runs' enrolled workers)."""

    name: str
    organisation_id: str
    funding_source: FundingSource
    budget_fen: int
    run_ids: Sequence[str]
    milestones: Sequence[MilestoneContent]
    worker_ids: Sequence[str] = ()
    two_approvals_above_fen: int | None = None


def shown(project: TrainingProject) -> dict[str, Any]:
    """A project as the change trail keeps it (the group by its size: no personal data)."""
    return {
        "name": project.name,
        "region_code": project.region_code,
        "organisation_id": project.organisation_id,
        "funding_source": project.funding_source.value,
        "budget_fen": project.budget_fen,
        "paid_fen": project.paid_fen,
        "run_ids": list(project.run_ids),
        "group_size": len(project.group_archive_ids),
        "two_approvals_above_fen": project.two_approvals_above_fen,
        "milestones": [
            {
                "n": m.n,
                "name": m.name,
                "amount_fen": m.amount_fen,
                "condition": m.condition.value,
                "threshold": m.threshold,
                "status": m.status.value,
                "measured": m.measured,
                "flags": sorted(f.code.value for f in m.flags),
                "first_approved_by": m.first_approved_by,
                "rejected_reason": m.rejected_reason,
                "paid_by": m.paid_by,
            }
            for m in project.milestones
        ],
    }


async def trail(before: TrainingProject | None, after: TrainingProject, reason: str = "") -> None:
    """The change's record in the trail (after the conditional update that made it)."""
    await audit.changed(
        PROJECT,
        str(after.id),
        after.version,
        None if before is None else shown(before),
        shown(after),
        reason=reason or None,
        region=after.region_code,
    )


audit.register_documents(
    PROJECT,
    TrainingProject,
    lambda since, until: [
        {"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}
    ],
    lambda found: audit.Snapshot(str(found.id), found.version, shown(found), found.region_code, ()),
)


def _require_agency(actor: Actor) -> str:
    if actor.role is not Role.AGENCY or not actor.region_prefix:
        raise Forbidden("an agency buys training projects")
    return actor.region_prefix


def _milestone_errors(content: ProjectContent, group: int) -> list[FieldError]:
    errors: list[FieldError] = []
    if not 1 <= len(content.milestones) <= MAX_MILESTONES:
        errors.append(FieldError("milestones", "count", f"1 to {MAX_MILESTONES} milestones"))
    for i, item in enumerate(content.milestones):
        if not 0 < len(item.name.strip()) <= MAX_NAME:
            errors.append(FieldError(f"milestones.{i}.name", "required", "1 to 200 characters"))
        if not 0 < item.amount_fen <= MAX_FEN:
            errors.append(FieldError(f"milestones.{i}.amount_fen", "range", "above 0"))
        high = 100 if item.condition in PERCENT else max(group, 1)
        if not 1 <= item.threshold <= high:
            errors.append(FieldError(f"milestones.{i}.threshold", "range", f"from 1 to {high}"))
    total = sum(max(m.amount_fen, 0) for m in content.milestones)
    if total > content.budget_fen:
        errors.append(
            FieldError(
                "milestones",
                "over_budget",
                f"the milestones add up to {total} fen, above the budget of "
                f"{content.budget_fen} fen",
            )
        )
    return errors


async def _group(content: ProjectContent, errors: list[FieldError]) -> list[str]:
    """The group's archive ids: the named workers (each enrolled in a run of the project), or
    every worker enrolled in the runs."""
    enrolled = {
        e.archive_id for e in await enrolments_of_runs(content.run_ids) if e.status in _IN_GROUP
    }
    if not content.worker_ids:
        if not enrolled:
            errors.append(FieldError("worker_ids", "empty", "no worker is enrolled in the runs"))
        return sorted(enrolled)
    named = list(dict.fromkeys(content.worker_ids))
    for i, worker in enumerate(named):
        if worker not in enrolled:
            errors.append(
                FieldError(f"worker_ids.{i}", "not_in_runs", "not enrolled in a run of the project")
            )
    return named


async def create(*, actor: Actor, content: ProjectContent) -> ProjectView:
    """The agency buys a project from a provider for its region."""
    region = _require_agency(actor)
    errors: list[FieldError] = []
    name = " ".join(content.name.split())
    if not 0 < len(name) <= MAX_NAME:
        errors.append(FieldError("name", "required", f"1 to {MAX_NAME} characters"))
    organisation = await find_organisation(content.organisation_id)
    if organisation is None:
        errors.append(FieldError("organisation_id", "unknown", "no such provider"))
    if not 0 < content.budget_fen <= MAX_FEN:
        errors.append(FieldError("budget_fen", "range", "above 0"))
    if content.two_approvals_above_fen is not None and content.two_approvals_above_fen < 0:
        errors.append(FieldError("two_approvals_above_fen", "range", "0 or more"))
    run_ids = list(dict.fromkeys(content.run_ids))
    if not 1 <= len(run_ids) <= MAX_RUNS:
        errors.append(FieldError("run_ids", "count", f"1 to {MAX_RUNS} runs"))
    runs = await runs_by_ids(run_ids)
    for i, run_id in enumerate(run_ids):
        run = runs.get(run_id)
        if run is None or run.organisation_id != content.organisation_id:
            errors.append(
                FieldError(f"run_ids.{i}", "not_provider_run", "not a run of the provider")
            )
    group = await _group(content, errors) if not errors else []
    if len(group) > MAX_GROUP:
        errors.append(FieldError("worker_ids", "too_many", f"at most {MAX_GROUP} workers"))
    errors += _milestone_errors(content, len(group))
    if errors:
        raise ValidationFailed(errors)
    assert organisation is not None
    now = clock.truncate_to_millis(clock.now())
    project = TrainingProject(
        id=PydanticObjectId(),
        name=name,
        region_code=region,
        organisation_id=content.organisation_id,
        provider_name=organisation.name,
        funding_source=content.funding_source,
        budget_fen=content.budget_fen,
        run_ids=run_ids,
        group_archive_ids=group,
        milestones=[
            Milestone(
                n=n,
                name=" ".join(m.name.split()),
                amount_fen=m.amount_fen,
                condition=m.condition,
                threshold=m.threshold,
            )
            for n, m in enumerate(content.milestones, start=1)
        ],
        two_approvals_above_fen=content.two_approvals_above_fen,
        changed_at_ms=clock.epoch_ms(now),
        created_at=now,
        created_by=actor.principal_id,
    )
    await insert_once(project)
    await trail(None, project)
    return ProjectView.of(project, viewer=actor)


def _scope(actor: Actor) -> dict[str, Any]:
    if actor.role is Role.AGENCY and actor.region_prefix:
        return {"region_code": region_range(actor.region_prefix)}
    if actor.role is Role.PROVIDER and actor.organisation_id:
        return {"organisation_id": actor.organisation_id}
    raise Forbidden("an agency or the provider reads training projects")


async def list_visible(*, actor: Actor) -> list[ProjectView]:
    """The agency's region's projects, or the provider's own; newest first, at most 200."""
    found = await TrainingProject.find(_scope(actor)).sort("-_id").limit(MAX_LISTED).to_list()
    return [ProjectView.of(p, viewer=actor) for p in found]


async def visible(actor: Actor, project_id: str) -> TrainingProject:
    """The project, if ``actor`` reaches it (404 otherwise, as if it did not exist)."""
    oid = ids.parse_or_none(project_id)
    found = await TrainingProject.get(oid) if oid is not None else None
    if found is None:
        raise NotFound("no such project")
    if actor.role is Role.AGENCY and actor.covers_region(found.region_code):
        return found
    if actor.role is Role.PROVIDER and actor.organisation_id == found.organisation_id:
        return found
    if actor.role is Role.WORKER and actor.archive_id in found.group_archive_ids:
        return found
    raise NotFound("no such project")


async def get(*, actor: Actor, project_id: str) -> ProjectView:
    """One project as ``actor`` may see it."""
    return ProjectView.of(await visible(actor, project_id), viewer=actor)


async def measured(*, actor: Actor, project_id: str, min_share: float) -> Measures:
    """What the group's records measure now (the figures each milestone's condition reads)."""
    if actor.role not in (Role.AGENCY, Role.PROVIDER):
        raise Forbidden("an agency or the provider reads a project's figures")
    return await measure(await visible(actor, project_id), min_share=min_share)


async def attest(*, actor: Actor, project_id: str, answer: str, words: str = "") -> ProjectView:
    """A worker of the group says they took part (``confirmed``) or not (``disputed``); once."""
    if actor.role is not Role.WORKER or not actor.archive_id:
        raise Forbidden("a worker of the project's group attests it")
    if answer not in (CONFIRMED, DISPUTED):
        raise ValidationFailed.single("answer", "one_of", "confirmed or disputed")
    project = await visible(actor, project_id)
    written = await insert_once(
        ProjectAttestation(
            id=attestation_id(str(project.id), actor.archive_id),
            project_id=str(project.id),
            archive_id=actor.archive_id,
            answer=answer,
            words=" ".join(words.split())[:500],
            at_ms=clock.epoch_ms(clock.now()),
        )
    )
    if not written:
        raise Conflict("you have answered for this project already")
    return ProjectView.of(project, viewer=actor)


async def projects_of_worker(*, actor: Actor) -> list[ProjectView]:
    """The projects whose group the worker is in."""
    if actor.role is not Role.WORKER or not actor.archive_id:
        raise Forbidden("a worker reads their own projects")
    found = TrainingProject.find({"group_archive_ids": {"$all": [actor.archive_id]}})
    return [ProjectView.of(p, viewer=actor) async for p in found]


def moment_ms(now: datetime | None) -> int:
    """The domain clock's moment (epoch ms), or ``now``'s."""
    return clock.epoch_ms(clock.truncate_to_millis(now or clock.now()))

"""What a caller may see of a project: the agency everything, the provider not the fraud
rules' flags nor the workers' disputes (a rule a provider can see is one it can steer
around), only that a claim is under review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.integrity import Flag
from portfolio.projects.documents import (
    Condition,
    Milestone,
    MilestoneStatus,
    TrainingProject,
)
from portfolio.vocabulary import FundingSource


def _moment(ms: int) -> datetime | None:
    return clock.from_epoch_ms(ms) if ms else None


@dataclass(frozen=True)
class MilestoneView:
    """One milestone with its claim, review and payment."""

    n: int
    name: str
    amount_fen: int
    condition: Condition
    threshold: int
    status: MilestoneStatus
    claimed_at: datetime | None
    claim_note: str
    measured: int
    under_review: bool
    flags: tuple[Flag, ...]
    disputed: int
    first_approved_by: str
    needs_two_approvals: bool
    rejected_reason: str
    paid_at: datetime | None

    @classmethod
    def of(cls, item: Milestone, project: TrainingProject, *, viewer: Actor) -> MilestoneView:
        """The milestone as ``viewer`` may see it."""
        agency = viewer.role is Role.AGENCY
        limit = project.two_approvals_above_fen
        return cls(
            n=item.n,
            name=item.name,
            amount_fen=item.amount_fen,
            condition=item.condition,
            threshold=item.threshold,
            status=item.status,
            claimed_at=_moment(item.claimed_at_ms),
            claim_note=item.claim_note,
            measured=item.measured,
            under_review=bool(item.flags) or item.disputed > 0,
            flags=tuple(item.flags) if agency else (),
            disputed=item.disputed if agency else 0,
            first_approved_by=item.first_approved_by if agency else "",
            needs_two_approvals=limit is not None and item.amount_fen > limit,
            rejected_reason=item.rejected_reason,
            paid_at=_moment(item.paid_at_ms),
        )


@dataclass(frozen=True)
class ProjectView:
    """A project with its milestones, as ``viewer`` may see it."""

    id: str
    name: str
    region_code: str
    organisation_id: str
    provider_name: str
    funding_source: FundingSource
    budget_fen: int
    paid_fen: int
    run_ids: tuple[str, ...]
    group_size: int
    group_archive_ids: tuple[str, ...]
    two_approvals_above_fen: int | None
    milestones: tuple[MilestoneView, ...]
    version: int
    created_at: datetime

    @property
    def remaining_fen(self) -> int:
        """What the budget still allows."""
        return self.budget_fen - self.paid_fen

    @classmethod
    def of(cls, project: TrainingProject, *, viewer: Actor) -> ProjectView:
        """The view of ``project`` for ``viewer``."""
        return cls(
            id=str(project.id),
            name=project.name,
            region_code=project.region_code,
            organisation_id=project.organisation_id,
            provider_name=project.provider_name,
            funding_source=project.funding_source,
            budget_fen=project.budget_fen,
            paid_fen=project.paid_fen,
            run_ids=tuple(project.run_ids),
            group_size=len(project.group_archive_ids),
            group_archive_ids=tuple(project.group_archive_ids),
            two_approvals_above_fen=project.two_approvals_above_fen,
            milestones=tuple(
                MilestoneView.of(m, project, viewer=viewer) for m in project.milestones
            ),
            version=project.version,
            created_at=project.created_at,
        )

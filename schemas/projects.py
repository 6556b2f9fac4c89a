"""Requests and responses of project-based training (项目制培训)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from portfolio.projects import (
    Condition,
    MilestoneContent,
    MilestoneStatus,
    ProjectContent,
)
from portfolio.vocabulary import FundingSource
from schemas.claims import FlagOut
from schemas.common import Input, Output

Money = Annotated[StrictInt, Field(ge=1, le=100_000_000_000)]
Note = Annotated[str, Field(max_length=500)]
ObjectIdText = Annotated[str, Field(min_length=1, max_length=40)]


class MilestoneIn(Input):
    """One milestone: its amount and the condition measured from the records."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    amount_fen: Money = Field(description="integer fen (分)")
    condition: Condition = Field(
        description="attendance_rate and attested_share: per cent of the group; completions "
        "and certificates: a number of workers"
    )
    threshold: Annotated[StrictInt, Field(ge=1, le=100_000)]

    def to_domain(self) -> MilestoneContent:
        """The milestone as the service takes it."""
        return MilestoneContent(self.name, self.amount_fen, self.condition, self.threshold)


class ProjectIn(Input):
    """A training project bought from a provider for a group."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    organisation_id: ObjectIdText = Field(description="the provider")
    funding_source: FundingSource
    budget_fen: Money = Field(description="integer fen (分); the milestones add up to at most it")
    run_ids: Annotated[list[ObjectIdText], Field(min_length=1, max_length=50)] = Field(
        description="the provider's runs the project covers"
    )
    worker_ids: Annotated[list[ObjectIdText], Field(max_length=2_000)] = Field(
        default_factory=list,
        description="the group by archive id (each enrolled in a run); empty: every worker "
        "enrolled in the runs",
    )
    milestones: Annotated[list[MilestoneIn], Field(min_length=1, max_length=10)]
    two_approvals_above_fen: Annotated[StrictInt, Field(ge=0)] | None = Field(
        default=None, description="a milestone above this amount needs two officers"
    )

    def to_domain(self) -> ProjectContent:
        """The project as ``projects.create`` takes it."""
        return ProjectContent(
            name=self.name,
            organisation_id=self.organisation_id,
            funding_source=self.funding_source,
            budget_fen=self.budget_fen,
            run_ids=self.run_ids,
            milestones=[m.to_domain() for m in self.milestones],
            worker_ids=self.worker_ids,
            two_approvals_above_fen=self.two_approvals_above_fen,
        )


class MilestoneClaimIn(Input):
    """The provider's claim of a milestone."""

    note: Note = ""


class MilestoneDecisionIn(Input):
    """An officer's decision on a claimed milestone (a rejection says why)."""

    decision: Literal["approve", "reject"]
    note: Note = ""
    acknowledge_flags: bool = False


class ProjectAttestationIn(Input):
    """A worker of the group: I took part (confirmed) or I did not (disputed)."""

    answer: Literal["confirmed", "disputed"]
    words: Note = ""


class MilestoneOut(Output):
    """One milestone with its claim, review and payment (the provider sees no flags)."""

    n: int
    name: str
    amount_fen: int
    condition: Condition
    threshold: int
    status: MilestoneStatus
    claimed_at: datetime | None
    claim_note: str
    measured: int = Field(description="what the records measured at the claim (or payment)")
    under_review: bool
    flags: list[FlagOut]
    disputed: int
    first_approved_by: str
    needs_two_approvals: bool
    rejected_reason: str
    paid_at: datetime | None


class ProjectOut(Output):
    """A training project as the caller may see it."""

    id: str
    name: str
    region_code: str
    organisation_id: str
    provider_name: str
    funding_source: FundingSource
    budget_fen: int
    paid_fen: int
    remaining_fen: int
    run_ids: list[str]
    group_size: int
    two_approvals_above_fen: int | None
    milestones: list[MilestoneOut]
    version: int
    created_at: datetime

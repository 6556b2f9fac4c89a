"""Requests and responses of mentors and apprenticeship agreements.

Requests convert themselves into the domain's inputs (``to_domain()``, the dataclasses of
``portfolio.apprenticeships.views``), so a JSON body and a form post reach the use cases
alike. Responses are read from the domain's views by attribute name (``from_view``): they list
every field they show, and nothing else of a view leaves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StrictInt

from portfolio.apprenticeships.enums import (
    ApprenticeshipStatus,
    ChangeStatus,
    EventAction,
    Party,
)
from portfolio.apprenticeships.views import (
    ChangeRequest,
    Completion,
    DatedStep,
    NewMentor,
    Rejection,
    Terms,
)
from portfolio.archives import WorkerRef
from portfolio.vocabulary import SkillLevel
from schemas.common import Input, Output
from schemas.enrolments import WorkerRefIn

Id = Annotated[str, Field(min_length=1, max_length=64)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Hours = Annotated[StrictInt, Field(ge=0, le=10_000)]


class MentorIn(Input):
    """Register a mentor of the caller's own organisation."""

    name: Annotated[str, Field(min_length=1, max_length=64)]
    level: SkillLevel

    def to_domain(self) -> NewMentor:
        """The mentor as the domain registers it."""
        return NewMentor(name=self.name, level=self.level)


class MentorOut(Output):
    """A mentor and how many apprentices they guide now (active or paused)."""

    id: str
    name: str
    level: SkillLevel
    organisation_id: str
    active_apprentices: int
    cap: int = Field(description="the most apprentices a mentor may guide at once")


class ApprenticeshipIn(Input):
    """The employer's proposal: institution, apprentice, occupation, target, plan, mentors."""

    institution_id: Id = Field(description="the training organisation (技工院校, 培训机构 …)")
    apprentice: WorkerRefIn = Field(description="the worker, by ID number and name together")
    occupation_code: Annotated[str, Field(min_length=1, max_length=20)]
    target_level: SkillLevel = Field(description="intermediate (中级工) to senior_technician")
    planned_start: date
    planned_end: date = Field(description="the last day: 1 to 2 years, up to 3 with a reason")
    extension_reason: Annotated[str, Field(max_length=500)] = Field(
        default="", description="required when the plan is longer than 2 years"
    )
    enterprise_hours: Hours = Field(description="planned hours of on-the-job training")
    institution_hours: Hours = Field(description="planned hours at the institution")
    enterprise_mentor_id: Id
    school_mentor_id: Id

    def to_domain(self) -> Terms:
        """The proposal as the domain checks it."""
        apprentice = self.apprentice
        return Terms(
            institution_id=self.institution_id,
            apprentice=WorkerRef(
                apprentice.id_type, apprentice.id_number, apprentice.name, apprentice.nationality
            ),
            occupation_code=self.occupation_code,
            target_level=self.target_level,
            planned_start=self.planned_start,
            planned_end=self.planned_end,
            extension_reason=self.extension_reason,
            enterprise_hours=self.enterprise_hours,
            institution_hours=self.institution_hours,
            enterprise_mentor_id=self.enterprise_mentor_id,
            school_mentor_id=self.school_mentor_id,
        )


class StepIn(Input):
    """The day a step takes effect (today, in China, when omitted)."""

    on: date | None = None

    def to_domain(self) -> DatedStep:
        """The step as the domain takes it."""
        return DatedStep(on=self.on)


class PauseIn(StepIn):
    """Pause from ``on`` (that day no longer counts as active), with a reason."""

    reason: Reason

    def to_domain(self) -> DatedStep:
        """The pause as the domain takes it."""
        return DatedStep(on=self.on, reason=self.reason)


class StopIn(StepIn):
    """End early; ``on`` is the last day (not in the future, not before the start)."""

    reason: Reason

    def to_domain(self) -> DatedStep:
        """The stop as the domain takes it."""
        return DatedStep(on=self.on, reason=self.reason)


class CompleteIn(Input):
    """The apprenticeship is completed; ``on`` is the last day, no earlier than the planned
    end minus the tolerance (``apprenticeship_completion_tolerance_days``, 30 by default)."""

    on: date | None = None
    level_reached: SkillLevel
    certificate_entry_seq: Annotated[StrictInt | None, Field(ge=1)] = Field(
        default=None,
        description="seq of the certificate entry in the worker's archive attesting the level"
        " reached (same occupation and level); required, 422 certificate_entry_seq: required"
        " without it",
    )

    def to_domain(self) -> Completion:
        """The completion as the domain records it."""
        return Completion(
            level_reached=self.level_reached,
            on=self.on,
            certificate_entry_seq=self.certificate_entry_seq,
        )


class ChangeIn(Input):
    """A change of dates, hours or mentors; omitted fields stay as they are."""

    planned_start: date | None = None
    planned_end: date | None = None
    extension_reason: Annotated[str | None, Field(max_length=500)] = None
    enterprise_hours: Hours | None = None
    institution_hours: Hours | None = None
    enterprise_mentor_id: Id | None = None
    school_mentor_id: Id | None = None
    note: Annotated[str, Field(max_length=500)] = ""

    def to_domain(self) -> ChangeRequest:
        """The change as the domain checks it."""
        return ChangeRequest(
            planned_start=self.planned_start,
            planned_end=self.planned_end,
            extension_reason=self.extension_reason,
            enterprise_hours=self.enterprise_hours,
            institution_hours=self.institution_hours,
            enterprise_mentor_id=self.enterprise_mentor_id,
            school_mentor_id=self.school_mentor_id,
            note=self.note,
        )


class RejectIn(Input):
    """Why a change is rejected (or withdrawn by its proposer)."""

    reason: Reason

    def to_domain(self) -> Rejection:
        """The rejection as the domain records it."""
        return Rejection(reason=self.reason)


class MentorRefOut(Output):
    """A mentor as an agreement names them."""

    id: str
    name: str
    level: SkillLevel


class PlanOut(Output):
    """Dates, hours and mentors as agreed (and changed)."""

    planned_start: date
    planned_end: date
    extension_reason: str
    enterprise_hours: int
    institution_hours: int
    enterprise_mentor: MentorRefOut
    school_mentor: MentorRefOut


class ApprovalsOut(Output):
    """Which parties have approved."""

    employer: bool
    institution: bool
    agency: bool


class PendingChangeOut(Output):
    """A change awaiting the other party's answer."""

    n: int
    proposed_by: Party
    fields: list[str]
    plan: PlanOut = Field(description="the plan as it would be after the change")
    note: str
    proposed_at: datetime


class ApprenticeshipOut(Output):
    """An agreement as its parties, the apprentice and agencies see it (number masked)."""

    id: str
    status: ApprenticeshipStatus
    employer_id: str
    employer_name: str
    employer_credit_code: str
    region_code: str = Field(description="the employer's region: its agency approves")
    institution_id: str
    institution_name: str
    worker_name: str
    worker_masked_id: str
    occupation_code: str
    target_level: SkillLevel
    plan: PlanOut
    subsidy_fen_per_year: int
    approvals: ApprovalsOut
    started_on: date | None
    ended_on: date | None
    end_reason: str
    level_reached: SkillLevel | None
    certificate_entry_seq: int | None
    below_plan: bool = Field(
        description="completed at a level below the target level (a certificate attests it)"
    )
    pending_change: PendingChangeOut | None
    created_at: datetime
    updated_at: datetime


class SubsidyOut(Output):
    """The subsidy owed so far: whole months of active days (pauses excluded)."""

    per_year_fen: int
    active_days: int
    months: int = Field(description="floor(active_days / 30.4375)")
    owed_fen: int = Field(description="floor(per_year_fen * months / 12)")
    as_of: date


class EventOut(Output):
    """One step of the agreement's history."""

    version: int
    action: EventAction
    party: Party
    on: date | None
    reason: str
    details: dict[str, Any]
    at: datetime


class ChangeOut(Output):
    """One change request and what became of it."""

    n: int
    proposed_by: Party
    fields: list[str]
    changes: dict[str, Any]
    note: str
    proposed_at: datetime
    status: ChangeStatus
    answered_by: Party | None
    answered_at: datetime | None
    reason: str


class ApprenticeshipDetailOut(ApprenticeshipOut):
    """One agreement with its subsidy figure, history and change requests."""

    subsidy: SubsidyOut
    history: list[EventOut]
    changes: list[ChangeOut]

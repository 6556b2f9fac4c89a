"""What the apprenticeship services return and accept: plain values, never stored documents.

Who reaches an agreement or a mentor at all is ``access.py``'s rule; what a reader then sees is
decided here, once, for the JSON API and the pages alike:

* the apprentice appears by name and masked ID number only (the agreement never holds more);
* no principal id leaves: who took a step or proposed a change is named by party (employer,
  institution, agency, worker), never by account;
* dates kept as ISO strings come out as dates, "" as None; a certificate seq of 0 ("none")
  as None;
* ``updated_at`` is the moment of the last change by the domain clock (the ``at`` of the
  agreement's ``last_event``, written in the same conditional update), so it agrees with
  ``created_at`` and the history however the clock was set.

Every party that reaches an agreement sees the same view of it; the roles differ in what they
may do, not in what they read.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from portfolio.apprenticeships.documents import (
    Apprenticeship,
    ApprenticeshipEvent,
    Mentor,
    MentorRef,
    PendingChange,
    Plan,
)
from portfolio.apprenticeships.enums import (
    ApprenticeshipStatus,
    ChangeStatus,
    EventAction,
    Party,
)
from portfolio.apprenticeships.rules import MENTOR_CAP, Subsidy
from portfolio.archives import WorkerRef
from portfolio.vocabulary import SkillLevel

T = TypeVar("T")


def day_or_none(raw: str) -> date | None:
    """A stored ISO date, or None for "" (not yet, or none)."""
    return date.fromisoformat(raw) if raw else None


# Inputs: what the use cases accept (request models convert themselves into these).


@dataclass(frozen=True)
class NewMentor:
    """A mentor an organisation registers."""

    name: str
    level: SkillLevel


@dataclass(frozen=True)
class Terms:
    """What the employer proposes: the institution, the apprentice and the plan."""

    institution_id: str
    apprentice: WorkerRef
    occupation_code: str
    target_level: SkillLevel
    planned_start: date
    planned_end: date
    enterprise_hours: int
    institution_hours: int
    enterprise_mentor_id: str
    school_mentor_id: str
    extension_reason: str = ""


@dataclass(frozen=True)
class DatedStep:
    """A step of a running agreement: the day it takes effect (None: today) and why."""

    on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class Completion:
    """The end of an apprenticeship: the level reached, the last day, the attesting
    certificate entry (required: the use case refuses a completion without it)."""

    level_reached: SkillLevel
    on: date | None = None
    certificate_entry_seq: int | None = None


@dataclass(frozen=True)
class ChangeRequest:
    """What a party wants changed; None leaves a field as it is."""

    planned_start: date | None = None
    planned_end: date | None = None
    extension_reason: str | None = None
    enterprise_hours: int | None = None
    institution_hours: int | None = None
    enterprise_mentor_id: str | None = None
    school_mentor_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Rejection:
    """Why a change is rejected (or withdrawn by its proposer)."""

    reason: str


# Views: what the use cases return.


@dataclass(frozen=True)
class ViewPage(Generic[T]):
    """One page of a list, oldest or newest first; ``next_cursor`` None on the last page."""

    items: list[T]
    next_cursor: str | None


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def page_of(items: list[K], limit: int) -> ViewPage[K]:
    """The page of ``items`` read with ``limit``: a full page points past its last item."""
    return ViewPage(items, items[-1].id if items and len(items) == limit else None)


@dataclass(frozen=True)
class MentorView:
    """A mentor and how many apprentices they guide now (active or paused)."""

    id: str
    name: str
    level: SkillLevel
    organisation_id: str
    active_apprentices: int
    cap: int

    @classmethod
    def of(cls, mentor: Mentor) -> MentorView:
        """The view of a stored mentor (region and creator stay inside)."""
        return cls(
            id=str(mentor.id),
            name=mentor.name,
            level=mentor.level,
            organisation_id=mentor.organisation_id,
            active_apprentices=mentor.active_apprentices,
            cap=MENTOR_CAP,
        )


@dataclass(frozen=True)
class MentorRefView:
    """A mentor as an agreement names them."""

    id: str
    name: str
    level: SkillLevel

    @classmethod
    def of(cls, mentor: MentorRef) -> MentorRefView:
        """The view of a mentor named on an agreement."""
        return cls(id=mentor.id, name=mentor.name, level=mentor.level)


@dataclass(frozen=True)
class PlanView:
    """Dates, hours and mentors as agreed (and changed); ``planned_end`` is the last day."""

    planned_start: date
    planned_end: date
    extension_reason: str
    enterprise_hours: int
    institution_hours: int
    enterprise_mentor: MentorRefView
    school_mentor: MentorRefView

    @classmethod
    def of(cls, plan: Plan) -> PlanView:
        """The view of a stored plan."""
        return cls(
            planned_start=date.fromisoformat(plan.planned_start),
            planned_end=date.fromisoformat(plan.planned_end),
            extension_reason=plan.extension_reason,
            enterprise_hours=plan.enterprise_hours,
            institution_hours=plan.institution_hours,
            enterprise_mentor=MentorRefView.of(plan.enterprise_mentor),
            school_mentor=MentorRefView.of(plan.school_mentor),
        )


@dataclass(frozen=True)
class ApprovalsView:
    """Which parties have approved."""

    employer: bool
    institution: bool
    agency: bool


@dataclass(frozen=True)
class PendingChangeView:
    """A change awaiting the other party's answer (by party: the proposer's account stays)."""

    n: int
    proposed_by: Party
    fields: list[str]
    plan: PlanView
    note: str
    proposed_at: datetime

    @classmethod
    def of(cls, pending: PendingChange) -> PendingChangeView:
        """The view of the change an agreement holds."""
        return cls(
            n=pending.n,
            proposed_by=pending.proposed_by,
            fields=list(pending.fields),
            plan=PlanView.of(pending.plan),
            note=pending.note,
            proposed_at=pending.proposed_at,
        )


@dataclass(frozen=True)
class ApprenticeshipView:
    """An agreement as its parties, the apprentice and agencies see it (number masked)."""

    id: str
    status: ApprenticeshipStatus
    employer_id: str
    employer_name: str
    employer_credit_code: str
    region_code: str
    institution_id: str
    institution_name: str
    worker_name: str
    worker_masked_id: str
    occupation_code: str
    target_level: SkillLevel
    plan: PlanView
    subsidy_fen_per_year: int
    approvals: ApprovalsView
    started_on: date | None
    ended_on: date | None
    end_reason: str
    level_reached: SkillLevel | None
    certificate_entry_seq: int | None
    below_plan: bool
    pending_change: PendingChangeView | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, apprenticeship: Apprenticeship) -> ApprenticeshipView:
        """The view of a stored agreement (see the module docstring for what stays inside)."""
        pending = apprenticeship.pending_change
        return cls(
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
            plan=PlanView.of(apprenticeship.plan),
            subsidy_fen_per_year=apprenticeship.subsidy_fen_per_year,
            approvals=ApprovalsView(
                employer=apprenticeship.employer_approved,
                institution=apprenticeship.institution_approved,
                agency=apprenticeship.agency_approved,
            ),
            started_on=day_or_none(apprenticeship.started_on),
            ended_on=day_or_none(apprenticeship.ended_on),
            end_reason=apprenticeship.end_reason,
            level_reached=apprenticeship.level_reached,
            certificate_entry_seq=apprenticeship.certificate_entry_seq or None,
            below_plan=apprenticeship.below_plan,
            pending_change=PendingChangeView.of(pending) if pending else None,
            created_at=apprenticeship.created_at,
            updated_at=apprenticeship.last_event.at,
        )


@dataclass(frozen=True)
class EventView:
    """One step of the agreement's history (by party; the account that took it stays)."""

    version: int
    action: EventAction
    party: Party
    on: date | None
    reason: str
    details: dict[str, Any]
    at: datetime

    @classmethod
    def of(cls, event: ApprenticeshipEvent) -> EventView:
        """The view of a stored event."""
        return cls(
            version=event.version,
            action=event.action,
            party=event.party,
            on=day_or_none(event.on),
            reason=event.reason,
            details=dict(event.details),
            at=event.at,
        )


@dataclass(frozen=True)
class ChangeView:
    """One change request and what became of it."""

    n: int
    proposed_by: Party
    fields: list[str]
    changes: dict[str, Any]
    note: str
    proposed_at: datetime
    status: ChangeStatus
    answered_by: Party | None = None
    answered_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class ApprenticeshipDetailView(ApprenticeshipView):
    """One agreement with the subsidy owed so far, its history and its change requests."""

    subsidy: Subsidy
    history: list[EventView]
    changes: list[ChangeView]

    @classmethod
    def with_story(
        cls,
        agreement: ApprenticeshipView,
        *,
        subsidy: Subsidy,
        history: list[EventView],
        changes: list[ChangeView],
    ) -> ApprenticeshipDetailView:
        """``agreement``'s view with its subsidy figure, history and change requests."""
        shown = {f.name: getattr(agreement, f.name) for f in fields(ApprenticeshipView)}
        return cls(**shown, subsidy=subsidy, history=history, changes=changes)

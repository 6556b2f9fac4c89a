"""Storage of the apprenticeship area. Documents only: rules live in rules.py, queries in the
services.

Two nx-27017 traps shape these documents (see tests/storage/):

* references to other documents are hex strings, not ObjectIds (ObjectId equality outside
  ``_id`` matches nothing);
* a top-level date or datetime given to ``$set`` is stored as a naive string, so every date
  an agreement gains after its insert (start, end, planned dates) is kept as an ISO string
  ``YYYY-MM-DD`` everywhere, inserted and updated alike: one type, ordered like the dates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction, Party
from portfolio.vocabulary import SkillLevel


class Mentor(Document):
    """A registered mentor (师傅 / 导师) of an organisation.

    ``active_apprentices`` counts the agreements that are active or paused with this mentor;
    it moves only by conditional ``$inc`` (below the cap), so the cap holds under races.
    """

    name: str
    level: SkillLevel
    organisation_id: str
    region_code: str
    active_apprentices: int = 0
    created_at: datetime
    created_by: str

    class Settings:
        name = "mentors"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            # The repair routine finds the mentors registered since its last run.
            IndexModel([("created_at", ASCENDING)]),
        ]


class MentorRef(BaseModel):
    """A mentor as an agreement names them (copied, so a read needs no second query)."""

    id: str
    name: str
    level: SkillLevel


class Plan(BaseModel):
    """What the parties agreed and may change together: dates, hours, mentors.

    Dates are ISO strings (see the module docstring); ``planned_end`` is the last day.
    """

    planned_start: str
    planned_end: str
    extension_reason: str
    enterprise_hours: int
    institution_hours: int
    enterprise_mentor: MentorRef
    school_mentor: MentorRef


class PendingChange(BaseModel):
    """A change one party proposed; it takes effect only when the other party accepts."""

    n: int
    proposed_by: Party
    proposed_by_principal: str
    fields: list[str]
    plan: Plan  # the whole plan as it would be after the change
    note: str
    proposed_at: datetime


class EventNote(BaseModel):
    """The latest event, written by the same conditional update as the state change.

    The event document is inserted right after; if that insert is lost (a crash), the next
    change of the agreement inserts it first, and reads merge it in, so no event is lost.
    """

    version: int
    action: EventAction
    party: Party
    on: str  # the date the event takes effect (ISO), "" when it has none
    reason: str
    details: dict[str, Any]
    by: str
    at: datetime


class Apprenticeship(Document):
    """One three-party apprenticeship agreement (employer, institution, apprentice).

    ``region_code`` is the employer's: an agency of that region approves it. Every state change
    is one conditional update on ``status`` and ``version``.
    """

    employer_id: str
    employer_name: str
    employer_credit_code: str
    region_code: str
    institution_id: str
    institution_name: str
    archive_id: str
    # Copied at creation so parties never need the archive (and never more than the mask).
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    occupation_code: str
    target_level: SkillLevel
    plan: Plan
    subsidy_fen_per_year: int
    status: ApprenticeshipStatus = ApprenticeshipStatus.DRAFT
    employer_approved: bool = False
    institution_approved: bool = False
    agency_approved: bool = False
    started_on: str = ""
    ended_on: str = ""
    # The date of the latest start, pause or resumption: later steps may not precede it.
    last_step_on: str = ""
    end_reason: str = ""
    level_reached: SkillLevel | None = None
    certificate_entry_seq: int = 0
    # Completed at a level below ``target_level`` (allowed, with a certificate of that level).
    below_plan: bool = False
    # Seqs of the archive entries written on start and on stop / completion (0: none yet).
    start_entry_seq: int = 0
    end_entry_seq: int = 0
    pending_change: PendingChange | None = None
    changes_count: int = 0
    last_event: EventNote
    version: int = 0
    created_at: datetime
    created_by: str
    # Written by the store's clock ($currentDate, see the module docstring); the domain reads
    # the moment of the last change from ``last_event.at`` instead.
    updated_at: datetime

    class Settings:
        name = "apprenticeships"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("employer_id", ASCENDING)]),
            IndexModel([("institution_id", ASCENDING)]),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            # An agency reaches the agreements of its region's workers too (access.py).
            IndexModel([("worker_region_code", ASCENDING)]),
            # The repair routine looks at the agreements changed since its last run.
            IndexModel([("updated_at", ASCENDING)]),
        ]


class ApprenticeshipEvent(Document):
    """One step of an agreement's history; insert-only.

    ``_id`` is ``"<apprenticeship id>:<version>"`` (the version the step produced), so writing
    the same event twice is a harmless duplicate. Pauses and resumptions are kept here, not in
    a list on the agreement (no sub-document ``$push``); the subsidy is computed from them.
    """

    id: str  # type: ignore[assignment]
    apprenticeship_id: str
    version: int
    action: EventAction
    party: Party
    on: str
    reason: str
    details: dict[str, Any] = Field(default_factory=dict)
    by: str
    at: datetime

    class Settings:
        name = "apprenticeship_events"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("apprenticeship_id", ASCENDING)])]


class ApprenticeGuard(Document):
    """One per worker who ever started an apprenticeship: which one is active or paused.

    ``apprenticeship_id`` is "" while none is; it is claimed and released by conditional
    updates on ``version`` (like ``training.documents.WorkerSchedule``), so of two starts for
    one worker exactly one wins. ``claimed_at_ms`` (epoch milliseconds: an int, not a datetime,
    because of the ``$set`` trap) lets a claim left behind by a crashed start be taken over.
    """

    id: PydanticObjectId  # the archive id
    apprenticeship_id: str = ""
    # A random token per claim: a failed start gives back exactly its own claim.
    claim: str = ""
    claimed_at_ms: int = 0
    version: int = 0

    class Settings:
        name = "apprentice_guards"

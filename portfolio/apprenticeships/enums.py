"""The apprenticeship area's vocabularies (stored values and wire values alike)."""

from __future__ import annotations

from enum import StrEnum


class ApprenticeshipStatus(StrEnum):
    """draft -> approved -> confirmed -> active <-> paused -> stopped | completed.

    ``draft`` collects the employer's and the institution's approvals (any order); the
    agency's approval makes it ``approved``; the worker's confirmation ``confirmed``; the
    employer starts it.
    """

    DRAFT = "draft"
    APPROVED = "approved"
    CONFIRMED = "confirmed"
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


class Party(StrEnum):
    """Who acts on an agreement."""

    EMPLOYER = "employer"
    INSTITUTION = "institution"
    AGENCY = "agency"
    WORKER = "worker"


class EventAction(StrEnum):
    """What an event of an agreement's history records."""

    CREATED = "created"
    APPROVED = "approved"
    CONFIRMED = "confirmed"
    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    STOPPED = "stopped"
    COMPLETED = "completed"
    CHANGE_PROPOSED = "change_proposed"
    CHANGE_ACCEPTED = "change_accepted"
    CHANGE_REJECTED = "change_rejected"
    # The agency returned a draft to its parties with the change it needs (approvals reset).
    SENT_BACK = "sent_back"


class ChangeStatus(StrEnum):
    """A change request awaits the other party's answer, then is accepted or rejected.

    ``lapsed``: still unanswered when the agreement was stopped or completed.
    """

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LAPSED = "lapsed"

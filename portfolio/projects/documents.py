"""The project-based training area's stored documents (storage only).

* ``training_projects``: one document per project, its milestones inside it (a short list,
  rewritten whole with ``$set`` under the ``version`` precondition: nx-27017 cannot update a
  sub-document in place). Every change of a project, a milestone's claim, approval or payment
  included, is one conditional update of this document, so the budget ceiling
  (``paid_fen + amount <= budget_fen``) holds in the same update that pays.
* ``project_attestations``: insert-only, one per worker and project (``_id`` =
  ``"<project id>:<archive id>"``): the worker's word that they took part.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from portfolio.integrity import Flag
from portfolio.vocabulary import FundingSource


class Condition(StrEnum):
    """What a milestone's condition measures from the records of the project's group."""

    # Confirmed hours of the group over their planned hours, in per cent.
    ATTENDANCE_RATE = "attendance_rate"
    # Workers of the group with a passed completion and enough confirmed hours (a count).
    COMPLETIONS = "completions"
    # Workers of the group holding a valid certificate from the project's runs (a count).
    CERTIFICATES = "certificates"
    # Workers of the group who confirmed they took part, in per cent of the group.
    ATTESTED_SHARE = "attested_share"


class MilestoneStatus(StrEnum):
    """open -> claimed -> paid; claimed -> open again when the agency rejects the claim."""

    OPEN = "open"
    CLAIMED = "claimed"
    PAID = "paid"


class Milestone(BaseModel):
    """One payment of the project, due when its condition is met and the agency approves."""

    n: int
    name: str
    amount_fen: int
    condition: Condition
    threshold: int
    status: MilestoneStatus = MilestoneStatus.OPEN
    # The claim: when, what the provider said, what the records measured then, the flags.
    claimed_at_ms: int = 0
    claimed_by: str = ""
    claim_note: str = ""
    measured: int = 0
    flags: list[Flag] = Field(default_factory=list)
    disputed: int = 0
    # The first of two approvals when the amount needs two officers.
    first_approved_by: str = ""
    first_approved_at_ms: int = 0
    # The last rejection (cleared by nothing: the next claim's note stands beside it).
    rejected_reason: str = ""
    paid_at_ms: int = 0
    paid_by: str = ""


class TrainingProject(Document):
    """A training project an agency bought from a provider for a group of workers."""

    name: str
    # The buying agency's region (its scope reaches the project) and the provider.
    region_code: str
    organisation_id: str
    provider_name: str
    funding_source: FundingSource
    budget_fen: int
    run_ids: list[str]
    group_archive_ids: list[str]
    milestones: list[Milestone]
    # A milestone above this amount needs two officers (None: one decides).
    two_approvals_above_fen: int | None = None
    # Moved only by the paying update: never above ``budget_fen``.
    paid_fen: int = 0
    # Milestones paid whose ledger entry is not yet known written (repair finishes them).
    unposted: list[int] = Field(default_factory=list)
    unposted_count: int = 0
    version: int = 0
    changed_at_ms: int = 0
    created_at: datetime
    created_by: str

    class Settings:
        name = "training_projects"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            # A worker's projects (the attestation page): one entry per worker of the group.
            IndexModel([("group_archive_ids", ASCENDING)]),
            IndexModel([("unposted_count", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class ProjectAttestation(Document):
    """A worker's word on a project: they took part ("confirmed") or did not ("disputed")."""

    id: str  # type: ignore[assignment]
    project_id: str
    archive_id: str
    answer: str
    words: str
    at_ms: int

    class Settings:
        name = "project_attestations"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("project_id", ASCENDING)])]


def attestation_id(project_id: str, archive_id: str) -> str:
    """The deterministic id of a worker's attestation of a project (one per worker)."""
    return f"{project_id}:{archive_id}"


def milestone_entry_id(project_id: str, n: int) -> str:
    """The deterministic id of the ledger entry paying milestone ``n`` of a project."""
    return f"milestone:{project_id}:{n}"

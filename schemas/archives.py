"""Responses of the worker's archive: entries, summary, access log and chain check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from portfolio.archives.documents import AccessAction
from portfolio.vocabulary import SkillLevel
from schemas.common import Output, Page
from schemas.workers import WorkerOut


class RecorderOut(Output):
    """Who recorded an entry: a principal, its role and its organisation or region."""

    principal: str
    role: str
    organisation: str | None
    region: str | None


class EntryOut(Output):
    """One archive entry (payloads carry masked numbers only)."""

    seq: int
    kind: str
    recorded_at: datetime
    recorded_by: RecorderOut
    payload: dict[str, Any]
    corrects: int | None = Field(description="The seq this entry corrects, if it is a correction")
    hash: str


class OccupationLevelOut(Output):
    """The highest certified level in one occupation."""

    occupation_code: str
    level: SkillLevel


class ApprenticeshipSummaryOut(Output):
    """One apprenticeship as the archive tells it."""

    apprenticeship_id: str
    occupation_code: str
    target_level: str
    status: str
    level_reached: str | None
    below_plan: bool = Field(description="completed at a level below the target level")


class ArchiveSummaryOut(Output):
    """What the entries add up to (corrections and voids applied)."""

    highest_levels: list[OccupationLevelOut]
    training_hours: float
    trainings_completed: int
    certificate_count: int
    apprenticeships: list[ApprenticeshipSummaryOut]
    vouchers_redeemed: int
    voucher_amount_fen: int
    awards: int


class ArchiveOut(Output):
    """The worker's archive: header (masked), entries newest first, summary."""

    worker: WorkerOut
    entries: Page[EntryOut]
    summary: ArchiveSummaryOut


class AccessLogItemOut(Output):
    """Someone looked the worker up or read full numbers, and why."""

    id: str
    at: datetime
    principal_id: str
    username: str
    role: str
    organisation_id: str | None
    region_prefix: str | None
    action: AccessAction
    purpose: str
    fields: list[str] = Field(description="Which full values were shown (empty: masked only)")


class ChainReportOut(Output):
    """The result of recomputing the archive's hash chain."""

    archive_id: str
    ok: bool
    first_broken_seq: int | None = Field(description="The first entry that does not verify")
    entries_checked: int
    head_seq: int

"""What callers of the cross-border area see (the worker's number masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portfolio.crossborder.documents import BorderRecognition, BorderStatus, Origin, Submitter
from portfolio.stated import NOT_STATED, PENDING
from portfolio.vocabulary import SkillLevel


@dataclass(frozen=True)
class BorderView:
    """A cross-border record as its agency (or its worker) sees it."""

    id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    origin: Origin
    certificate_number: str
    issuing_body: str
    issuer_region_code: str
    country: str
    title: str
    occupation_code: str
    level: SkillLevel
    issue_date: date
    scan_description: str
    submitted_by: Submitter
    status: BorderStatus
    recognised_level: SkillLevel | None
    decision_reason: str
    check_reference: str
    void_reason: str
    change_reason: str
    entry_seq: int | None
    version: int
    recorded_at: datetime

    @classmethod
    def of(cls, found: BorderRecognition) -> BorderView:
        """The view of a stored record."""
        return cls(
            id=str(found.id),
            archive_id=found.archive_id,
            worker_name=found.worker_name,
            worker_masked_id=found.worker_masked_id,
            worker_region_code=found.worker_region_code,
            origin=found.origin,
            certificate_number=found.certificate_number,
            issuing_body=found.issuing_body,
            issuer_region_code=found.issuer_region_code,
            country=found.country,
            title=found.title,
            occupation_code=found.occupation_code,
            level=found.level,
            issue_date=found.issue_date,
            scan_description=found.scan_description,
            submitted_by=found.submitted_by,
            status=found.status,
            recognised_level=found.recognised_level,
            decision_reason=found.decision_reason,
            check_reference=found.check_reference,
            void_reason=found.void_reason,
            change_reason=found.change_reason,
            entry_seq=None if found.entry_seq in (NOT_STATED, PENDING) else found.entry_seq,
            version=found.version,
            recorded_at=found.recorded_at,
        )

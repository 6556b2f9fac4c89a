"""What callers of the honours area see (the worker's number masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio.honours.documents import Honour, HonourStatus, HonourTitle
from portfolio.honours.rules import title_text


@dataclass(frozen=True)
class HonourView:
    """An honour as its agency sees it."""

    id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    title: HonourTitle
    city_title: str
    title_text: str
    year: int
    nominated_by: str
    decision_number: str
    decision_date: date
    region_code: str
    status: HonourStatus
    void_reason: str
    change_reason: str
    entry_seq: int | None
    version: int

    @classmethod
    def of(cls, found: Honour) -> HonourView:
        """The view of a stored honour."""
        return cls(
            id=str(found.id),
            archive_id=found.archive_id,
            worker_name=found.worker_name,
            worker_masked_id=found.worker_masked_id,
            worker_region_code=found.worker_region_code,
            title=found.title,
            city_title=found.city_title,
            title_text=title_text(found.title, found.city_title),
            year=found.year,
            nominated_by=found.nominated_by,
            decision_number=found.decision_number,
            decision_date=found.decision_date,
            region_code=found.region_code,
            status=found.status,
            void_reason=found.void_reason,
            change_reason=found.change_reason,
            entry_seq=found.entry_seq or None,
            version=found.version,
        )

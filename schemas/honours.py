"""Requests and responses of honours."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from portfolio.honours.documents import HonourStatus, HonourTitle
from portfolio.honours.service import HonourContent
from schemas.common import Input, Output
from schemas.enrolments import WorkerRefIn

Text = Annotated[str, Field(min_length=1, max_length=120)]


class HonourContentIn(Input):
    """What an honour states: title (a city's own title for ``city``), year, the nominating
    body and the selection (decision document number and date)."""

    title: HonourTitle
    city_title: Annotated[str, Field(max_length=120)] = ""
    year: Annotated[int, Field(ge=1900, le=2200)]
    nominated_by: Text
    decision_number: Annotated[str, Field(min_length=1, max_length=60)]
    decision_date: date

    def content(self) -> HonourContent:
        """The honour as the domain checks it."""
        return HonourContent(
            title=self.title,
            city_title=self.city_title,
            year=self.year,
            nominated_by=self.nominated_by,
            decision_number=self.decision_number,
            decision_date=self.decision_date,
        )


class HonourIn(WorkerRefIn, HonourContentIn):
    """An honour for a worker named by ID number and name (both must match)."""


class HonourCorrectionIn(HonourContentIn):
    """An honour restated, and why."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class HonourOut(Output):
    """An honour as its agency sees it (the ID number masked)."""

    id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    title: HonourTitle
    city_title: str
    title_text: str = Field(description="the honour's name as the archive states it")
    year: int
    nominated_by: str
    decision_number: str
    decision_date: date
    region_code: str = Field(description="the recording agency's region")
    status: HonourStatus
    void_reason: str
    change_reason: str
    entry_seq: int | None
    version: int

"""Requests and responses of recognition across borders (Chongqing certificates and foreign
qualifications)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from portfolio.crossborder.documents import BorderStatus, Origin, Submitter
from portfolio.crossborder.rules import BorderContent, Decision
from portfolio.vocabulary import SkillLevel
from schemas.common import Input, Output
from schemas.enrolments import WorkerRefIn

Text = Annotated[str, Field(max_length=200)]
Long = Annotated[str, Field(max_length=1000)]


class BorderContentIn(Input):
    """What the certificate or qualification states. Chongqing: ``certificate_number`` and the
    issuing body's ``issuer_region_code`` (50....); foreign: ``country`` (ISO 3166-1 alpha-3)
    and ``title``. Both: the issuing body, a catalogued ``occupation_code`` (for a foreign one,
    the occupation it is taken as) and ``level`` (Chongqing: on the certificate; foreign: the
    equivalent claimed)."""

    origin: Origin
    certificate_number: Text = ""
    issuing_body: Text
    issuer_region_code: Annotated[str, Field(max_length=12)] = ""
    country: Annotated[str, Field(max_length=8)] = ""
    title: Text = ""
    occupation_code: Annotated[str, Field(max_length=40)]
    level: SkillLevel
    issue_date: date
    scan_description: Long = Field(
        "", description="what the scan the worker holds shows (required from a worker)"
    )

    def content(self) -> BorderContent:
        """The record as the domain checks it."""
        return BorderContent(
            origin=self.origin,
            certificate_number=self.certificate_number,
            issuing_body=self.issuing_body,
            issuer_region_code=self.issuer_region_code,
            country=self.country,
            title=self.title,
            occupation_code=self.occupation_code,
            level=self.level,
            issue_date=self.issue_date,
            scan_description=self.scan_description,
        )


class BorderIn(WorkerRefIn, BorderContentIn):
    """A certificate or qualification for a worker named by ID number and name."""


class DecisionIn(Input):
    """Recognised (a foreign one at ``level``, the claimed one if left out; a Chongqing one
    with the ``check_reference`` of the check with Chongqing) or refused with a ``reason``."""

    recognised: bool
    level: SkillLevel | None = None
    check_reference: Text = ""
    reason: Long = ""

    def decision(self) -> Decision:
        """The decision as the domain checks it."""
        return Decision(self.recognised, self.level, self.check_reference, self.reason)


class BorderCorrectionIn(BorderContentIn):
    """A decided record restated (what it states and the decision), and why."""

    decision: DecisionIn
    change_reason: Annotated[str, Field(min_length=1, max_length=1000)]


class BorderOut(Output):
    """A record as its agency or its worker sees it (the ID number masked)."""

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
    level: SkillLevel = Field(description="on the certificate, or the equivalent claimed")
    issue_date: date
    scan_description: str
    submitted_by: Submitter
    status: BorderStatus
    recognised_level: SkillLevel | None
    decision_reason: str
    check_reference: str
    void_reason: str
    change_reason: str
    entry_seq: int | None = Field(description="the archive entry stating the decision")
    version: int
    recorded_at: datetime


class BorderCountOut(Output):
    """How many records of one origin and decision, in one year and region."""

    origin: Origin
    decision: BorderStatus
    year: int
    region_code: str
    count: int


class BorderReportOut(Output):
    """The counts by origin, decision, year (of the decision) and region (the worker's)."""

    region_prefix: str
    counts_as_new_skilled: bool = Field(
        description="whether a recognised one counts among the new skilled workers (it does not)"
    )
    rows: list[BorderCountOut]

"""Certificates without a course: the plan's other roads to a level (四.(一).3-4).

An accredited assessment body, an enterprise assessing its own staff, an agency confirming an
enterprise's direct recognition, or a body assessing against a special-ability norm issues
the certificate; the recognition area decides whether it may (its accreditation) and keeps
the evidence (``assessment_id`` names its record). From here on it is a certificate like any
other: the same document, archive entry (with its road), events, repair, check, correction,
voiding and credentials (``portfolio.training.certificates``).

A retry of an issue whose answer was lost finds the certificate of the same number and the
same evidence and answers with it, so a road's multi-step use case converges without a
second certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio import clock
from portfolio.errors import Conflict
from portfolio.faults import crash_point
from portfolio.identity import normalise
from portfolio.once import insert_once
from portfolio.training.certificates import (
    CertificateContent,
    _checked,
    _publish,
    _reload,
    _write_entry,
)
from portfolio.training.changes import record_certificate_change
from portfolio.training.documents import Certificate
from portfolio.training.views import CertificateView
from portfolio.vocabulary import LevelRoad


@dataclass(frozen=True)
class Holder:
    """The worker a certificate is issued to, as their archive names them."""

    archive_id: str
    name: str
    region_code: str


@dataclass(frozen=True)
class Evidence:
    """The road and the record behind a certificate without a course, and who records it."""

    road: LevelRoad
    assessment_id: str
    organisation_id: str
    recorded_by: str
    recorder_role: str = "provider"
    norm_code: str = ""


def checked_content(content: CertificateContent, now: datetime | None = None) -> None:
    """Raise every broken rule of ``content`` (the recognition area checks before it writes
    its own record, so nothing is written for bad input)."""
    _checked(content, now or clock.now())


async def issue_off_course(
    *, holder: Holder, evidence: Evidence, content: CertificateContent, now: datetime | None = None
) -> CertificateView:
    """Issue a certificate on ``evidence`` (not a course): the archive entry states its road."""
    now = now or clock.now()
    checked = _checked(content, now)
    certificate = Certificate(
        number=checked.number,
        certificate_type=checked.certificate_type,
        occupation_code=checked.occupation_code,
        level=checked.level,
        issuing_body=checked.issuing_body,
        issue_date=checked.issue_date,
        archive_id=holder.archive_id,
        holder_name=holder.name,
        holder_region_code=holder.region_code,
        enrolment_id="",
        organisation_id=evidence.organisation_id,
        road=evidence.road,
        assessment_id=evidence.assessment_id,
        norm_code=evidence.norm_code,
        recorder_role=evidence.recorder_role,
        recorded_at=now,
        recorded_by=evidence.recorded_by,
    )
    if not await insert_once(certificate):
        earlier = await Certificate.find_one({"number": normalise(checked.number)})
        if earlier is not None and earlier.assessment_id == evidence.assessment_id:
            return CertificateView.of(earlier)  # a retry: issued already
        raise Conflict("a certificate with this number is already recorded")
    crash_point("certificate:after_insert")
    await record_certificate_change(
        None, certificate, reason=f"certificate issued ({evidence.road})"
    )
    await _publish(certificate, None)
    await _write_entry(certificate)
    return CertificateView.of(await _reload(certificate.id))

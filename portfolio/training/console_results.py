"""What the provider's console shows of results and certificates: a run's completion sheet
(its class with each worker's result and certificates) and one certificate with its holder.

Results are recorded through ``completions.complete_class`` and certificates through
``certificates.issue``/``correct``/``void``, as through the JSON API; this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio import ids
from portfolio.accounts import Actor
from portfolio.archives import log_reads
from portfolio.errors import NotFound
from portfolio.training.console import CLASS_SHOWN
from portfolio.training.documents import Certificate, Course, Enrolment, Run
from portfolio.training.enums import EnrolmentStatus
from portfolio.training.organisations import acting_organisation
from portfolio.training.views import CertificateView, CourseView, EnrolmentView, RunView

# Who is on a completion sheet: those in training (to record) and those completed (recorded).
ON_SHEET = (EnrolmentStatus.IN_TRAINING, EnrolmentStatus.COMPLETED)


@dataclass(frozen=True)
class ResultRow:
    """A worker of the class, their result (if recorded) and the certificates they hold."""

    enrolment: EnrolmentView
    certificates: list[CertificateView]


@dataclass(frozen=True)
class CompletionSheet:
    """A run, its course, and its workers in training or completed."""

    run: RunView
    course: CourseView
    rows: list[ResultRow]


@dataclass(frozen=True)
class CompletedEnrolment:
    """An enrolment and its course: what a new certificate's form starts from."""

    enrolment: EnrolmentView
    course: CourseView


@dataclass(frozen=True)
class CertificateDetail:
    """A certificate, the enrolment it follows and that enrolment's course."""

    certificate: CertificateView
    enrolment: EnrolmentView
    course: CourseView


async def completion_sheet(*, actor: Actor, run_id: str) -> CompletionSheet:
    """The completion sheet of one of the provider's runs."""
    organisation = await acting_organisation(actor, to_record=False)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    if run is None:
        raise NotFound("no such run")
    course = await Course.get(ids.parse(run.course_id, "course"))
    assert course is not None  # a run's course is never deleted
    enrolments = (
        await Enrolment.find(
            {"run_id": str(run.id), "status": {"$in": [s.value for s in ON_SHEET]}}
        )
        .sort("+_id")
        .limit(CLASS_SHOWN)
        .to_list()
    )
    held: dict[str, list[CertificateView]] = {str(e.id): [] for e in enrolments}
    if enrolments:
        found = Certificate.find(
            {"enrolment_id": {"$in": list(held)}, "organisation_id": str(organisation.id)}
        ).sort("+_id")
        async for certificate in found:
            held[certificate.enrolment_id].append(CertificateView.of(certificate))
    await log_reads(actor, [e.archive_id for e in enrolments], what="completion sheet")
    return CompletionSheet(
        run=RunView.of(run),
        course=CourseView.of(course),
        rows=[ResultRow(EnrolmentView.of(e), held[str(e.id)]) for e in enrolments],
    )


async def completed_enrolment(*, actor: Actor, enrolment_id: str) -> CompletedEnrolment:
    """One of the provider's enrolments with its course (for the form issuing a certificate;
    whether one may be issued is ``certificates.issue``'s rule)."""
    organisation = await acting_organisation(actor, to_record=False)
    enrolment = await Enrolment.find_one(
        {"_id": ids.parse(enrolment_id, "enrolment"), "organisation_id": str(organisation.id)}
    )
    if enrolment is None:
        raise NotFound("no such enrolment")
    course = await Course.get(ids.parse(enrolment.course_id, "course"))
    assert course is not None
    await log_reads(actor, [enrolment.archive_id], what="enrolment")
    return CompletedEnrolment(EnrolmentView.of(enrolment), CourseView.of(course))


async def certificate_detail(*, actor: Actor, certificate_id: str) -> CertificateDetail:
    """One of the provider's certificates with its enrolment and course."""
    organisation = await acting_organisation(actor, to_record=False)
    certificate = await Certificate.find_one(
        {
            "_id": ids.parse(certificate_id, "certificate"),
            "organisation_id": str(organisation.id),
        }
    )
    if certificate is None:
        raise NotFound("no such certificate")
    enrolment = await Enrolment.get(ids.parse(certificate.enrolment_id, "enrolment"))
    assert enrolment is not None  # a certificate follows a stored enrolment
    course = await Course.get(ids.parse(enrolment.course_id, "course"))
    assert course is not None
    await log_reads(actor, [certificate.archive_id], what="certificate")
    return CertificateDetail(
        certificate=CertificateView.of(certificate),
        enrolment=EnrolmentView.of(enrolment),
        course=CourseView.of(course),
    )

"""The training area's domain events: what it tells other areas, and how each is derived.

Each payload states facts at the moment of the change, so a subscriber never reads a document
that may have moved on since. Every event is derived from stored state alone (the request that
made the change, or the repair routine after a crash, derive the same event under the same id):

* ``training.completions_recorded``: the completions one request recorded in one run (one
  worker, or a class sheet), ``_id`` ``run:<run id>:completions:<batch>``; the enrolments of the
  batch carry ``completion_batch`` (the reports count them);
* ``training.certificate_changed``: a certificate issued, corrected or voided, with the
  counted facts before and after, ``_id`` ``certificate:<id>:v<version>`` (the reports count
  certificates by level); the facts before are those the archive entry the change corrects
  states (``corrects_seq``), which is how the repair routine derives them again;
* ``training.enrolment_ended``: an enrolment withdrawn or refused, ``_id``
  ``enrolment:<id>:v<version>`` (the vouchers give a voucher bound to it back).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from pydantic import BaseModel

from portfolio import events
from portfolio.archives import Recorder
from portfolio.training.documents import Certificate, Course, Enrolment, Run
from portfolio.training.enums import CertificateStatus, CompletionResult, EnrolmentStatus
from portfolio.vocabulary import LevelRoad, SkillBrand, SkillLevel, TrainingType


class CertificateFacts(BaseModel):
    """What the reports count of one version of a certificate."""

    status: CertificateStatus
    occupation_code: str
    level: SkillLevel | None
    issue_date: date

    @classmethod
    def of(cls, certificate: Certificate) -> CertificateFacts:
        """The counted facts of ``certificate`` as it stands."""
        return cls(
            status=certificate.status,
            occupation_code=certificate.occupation_code,
            level=certificate.level,
            issue_date=certificate.issue_date,
        )

    @classmethod
    def stated(cls, payload: dict[str, object]) -> CertificateFacts:
        """The facts a valid certificate's archive entry (issued or corrected) states."""
        return cls(
            status=CertificateStatus.VALID,
            occupation_code=str(payload["occupation_code"]),
            level=SkillLevel(str(payload["level"])) if payload.get("level") else None,
            issue_date=date.fromisoformat(str(payload["issue_date"])),
        )


class CompletedEnrolment(BaseModel):
    """One completion as recorded: whose, the result and the hours attended."""

    enrolment_id: str
    archive_id: str
    result: CompletionResult
    hours_attended: float


class CompletionsRecorded(BaseModel):
    """Completions recorded in one run by one request, with where and what the training was."""

    NAME: ClassVar[str] = "training.completions_recorded"

    run_id: str
    course_id: str
    # The run's region (where the training was given) and last day.
    region_code: str
    run_end_date: date
    training_type: TrainingType
    brand: SkillBrand | None
    occupation_code: str
    enrolments: list[CompletedEnrolment]


class CertificateChanged(BaseModel):
    """A certificate issued (``before`` None), corrected or voided (``after`` voided), with
    the training it followed."""

    NAME: ClassVar[str] = "training.certificate_changed"

    certificate_id: str
    version: int
    archive_id: str
    enrolment_id: str
    # The run's region and the course's type and brand (off the course road: the holder's
    # region, no type, no brand; the training report counts only course certificates).
    region_code: str
    training_type: TrainingType | None
    brand: SkillBrand | None
    before: CertificateFacts | None
    after: CertificateFacts
    # The way to it and the holder's region (the levels report: by road and the worker's
    # region). Events stored before the roads existed are course certificates.
    road: LevelRoad = LevelRoad.COURSE
    holder_region_code: str = ""


class EnrolmentEnded(BaseModel):
    """An enrolment withdrawn or refused before its training ended."""

    NAME: ClassVar[str] = "training.enrolment_ended"

    enrolment_id: str
    version: int
    status: EnrolmentStatus
    reason: str
    by: Recorder


def completions_event_id(run_id: str, batch: str) -> str:
    """The ``_id`` of the event of the completions recorded in ``run_id`` by ``batch``."""
    return f"run:{run_id}:completions:{batch}"


def completions_recorded(
    run: Run, course: Course, enrolments: Sequence[Enrolment]
) -> CompletionsRecorded:
    """The event of completed ``enrolments`` of one run (each listed once)."""
    unique = {str(e.id): e for e in enrolments}
    return CompletionsRecorded(
        run_id=str(run.id),
        course_id=str(course.id),
        region_code=run.region_code,
        run_end_date=run.end_date,
        training_type=course.training_type,
        brand=course.brand,
        occupation_code=course.occupation_code,
        enrolments=[
            CompletedEnrolment(
                enrolment_id=key,
                archive_id=e.archive_id,
                result=e.result or CompletionResult.FAILED,
                hours_attended=e.hours_attended,
            )
            for key, e in unique.items()
        ],
    )


async def publish_completions(
    run: Run, course: Course, batch: str, enrolments: Sequence[Enrolment]
) -> None:
    """Publish the completions one batch recorded (nothing when it recorded none)."""
    if enrolments:
        facts = completions_recorded(run, course, enrolments)
        await events.publish(completions_event_id(str(run.id), batch), facts.NAME, facts)


def certificate_event_id(certificate_id: str, version: int) -> str:
    """The ``_id`` of the event of a certificate's change to ``version``."""
    return f"certificate:{certificate_id}:v{version}"


def certificate_changed(
    certificate: Certificate,
    before: CertificateFacts | None,
    run: Run | None,
    course: Course | None,
) -> CertificateChanged:
    """The event of the certificate's last change, from the facts ``before`` it (``run`` and
    ``course`` None for a certificate that followed no course)."""
    return CertificateChanged(
        certificate_id=str(certificate.id),
        version=certificate.version,
        archive_id=certificate.archive_id,
        enrolment_id=certificate.enrolment_id,
        region_code=run.region_code if run else certificate.holder_region_code,
        training_type=course.training_type if course else None,
        brand=course.brand if course else None,
        before=before,
        after=CertificateFacts.of(certificate),
        road=certificate.road,
        holder_region_code=certificate.holder_region_code,
    )


def enrolment_event_id(enrolment_id: str, version: int) -> str:
    """The ``_id`` of the event of an enrolment's move to ``version``."""
    return f"enrolment:{enrolment_id}:v{version}"


async def publish_enrolment_ended(enrolment: Enrolment, by: Recorder) -> None:
    """Publish that ``enrolment`` (as stored after its move) ended before its training."""
    facts = EnrolmentEnded(
        enrolment_id=str(enrolment.id),
        version=enrolment.version,
        status=enrolment.status,
        reason=enrolment.status_reason,
        by=by,
    )
    await events.publish(
        enrolment_event_id(str(enrolment.id), enrolment.version), facts.NAME, facts
    )

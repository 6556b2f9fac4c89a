"""The training area's vocabularies (stored values and wire values alike)."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    """What kind of body an organisation is."""

    TECHNICAL_SCHOOL = "technical_school"  # 技工院校
    VOCATIONAL_COLLEGE = "vocational_college"  # 职业院校
    TRAINING_INSTITUTION = "training_institution"  # 培训机构
    ENTERPRISE = "enterprise"  # 企业
    PUBLIC_TRAINING_BASE = "public_training_base"  # 公共实训基地
    MASTER_STUDIO = "master_studio"  # 技能大师工作室


class OrganisationStatus(StrEnum):
    """A suspended organisation can read but not record."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class Delivery(StrEnum):
    """How a course is delivered."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    BLENDED = "blended"


class EnrolmentStatus(StrEnum):
    """requested -> accepted | refused -> in_training -> completed | withdrawn."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    IN_TRAINING = "in_training"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class WithdrawReason(StrEnum):
    """Why an enrolment was withdrawn."""

    WORKER = "worker"
    PROVIDER = "provider"
    AGENCY = "agency"
    NO_SHOW = "no_show"
    OTHER = "other"


class AttendanceStatus(StrEnum):
    """Only ``confirmed`` records count towards hours attended."""

    UNCONFIRMED = "unconfirmed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    VOIDED = "voided"


class CaptureMethod(StrEnum):
    """How presence was captured. A real-name method names its check-in record; none confirms
    a record the provider enters (only the worker's own check-in or confirmation does)."""

    MANUAL = "manual"
    FACE = "face"
    QR_CODE = "qr_code"
    E_ID = "e_id"


class ImportStatus(StrEnum):
    """A historical import: pending -> approved | refused (an agency officer decides)."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class CompletionResult(StrEnum):
    """The outcome of a completed training."""

    PASSED = "passed"
    FAILED = "failed"


class CertificateType(StrEnum):
    """The three kinds of evaluation."""

    QUALIFICATION = "qualification"  # 职业资格评价
    SKILL_LEVEL = "skill_level"  # 职业技能等级认定
    SPECIAL_ABILITY = "special_ability"  # 专项职业能力考核


class CertificateStatus(StrEnum):
    """A certificate is valid until voided (a correction keeps it valid, with new content)."""

    VALID = "valid"
    VOIDED = "voided"


# The methods whose record must name its check-in (``check_in_ref``).
REAL_NAME_CAPTURE = frozenset({CaptureMethod.FACE, CaptureMethod.QR_CODE, CaptureMethod.E_ID})

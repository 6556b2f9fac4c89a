"""Providers (organisations), courses, runs (classes), enrolments and attendance.

The public face of the area: what other areas may use (they import from ``portfolio.training``,
never from its modules). The documents are exported as types to read; every query and write of
them stays in this area (``queries.py`` answers other areas' questions). The area tells others
what happened through its events (``events.py``): completions and certificates (counted by the
reports), enrolments that ended early (their vouchers go back).
"""

from portfolio.training import evidence as evidence  # the integrity rules' reading
from portfolio.training.attendance import (
    Presence,
    hours_attended,
    records_by_enrolment,
)
from portfolio.training.attendance import confirm_as_worker as confirm_attendance
from portfolio.training.attendance import record as record_attendance
from portfolio.training.catalogue_terms import CourseFacts, PayingVoucherView
from portfolio.training.certificates import CertificateContent
from portfolio.training.certificates_roads import (
    Evidence,
    Holder,
    checked_content,
    issue_off_course,
)
from portfolio.training.completions import Outcome, complete_one
from portfolio.training.counted import (
    LevelHolding,
    RunTraining,
    TrainingPlace,
    course_place,
    level_holdings,
    run_place,
    training_of,
)
from portfolio.training.course_versions import terms_of_enrolments
from portfolio.training.courses import create_run
from portfolio.training.documents import (
    AttendanceRecord,
    Certificate,
    Course,
    Enrolment,
    Organisation,
    Run,
    Session,
)
from portfolio.training.enrolments import enrol
from portfolio.training.enums import (
    AttendanceStatus,
    CaptureMethod,
    CertificateStatus,
    CertificateType,
    CompletionResult,
    Delivery,
    EnrolmentStatus,
    OrganisationKind,
    OrganisationStatus,
    WithdrawReason,
)
from portfolio.training.events import (
    CertificateChanged,
    CertificateFacts,
    CompletedEnrolment,
    CompletionsRecorded,
    EnrolmentEnded,
    completions_recorded,
)
from portfolio.training.historical import finish_approved as finish_historical_imports
from portfolio.training.late import record_late as record_late_attendance
from portfolio.training.lifecycle import transition
from portfolio.training.occupation_codes import stored_occupation_codes
from portfolio.training.organisations import acting_organisation
from portfolio.training.queries import (
    certificates_of_enrolments,
    certificates_off_course,
    certificates_to_count,
    completions_to_count,
    course_of,
    courses_by_ids,
    courses_of_organisation,
    enrolment_ids_of_course,
    enrolment_times,
    enrolments_by_ids,
    enrolments_of_runs,
    enrolments_of_worker,
    find_course,
    find_enrolment,
    find_organisation,
    is_enrolled_with,
    organisations_by_ids,
    runs_by_ids,
    runs_of_organisation,
)
from portfolio.training.recount import SEAT_COUNTER as SEAT_COUNTER
from portfolio.training.repair import (
    finish_certificates,
    finish_completion_entries,
    publish_missing_completions,
    publish_missing_endings,
)

__all__ = [
    "AttendanceRecord",
    "AttendanceStatus",
    "CaptureMethod",
    "Certificate",
    "CertificateChanged",
    "CertificateContent",
    "CertificateFacts",
    "CertificateStatus",
    "CertificateType",
    "CompletedEnrolment",
    "CompletionResult",
    "CompletionsRecorded",
    "Course",
    "CourseFacts",
    "Delivery",
    "Enrolment",
    "EnrolmentEnded",
    "EnrolmentStatus",
    "Evidence",
    "Holder",
    "LevelHolding",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "Outcome",
    "PayingVoucherView",
    "Presence",
    "Run",
    "RunTraining",
    "Session",
    "TrainingPlace",
    "WithdrawReason",
    "acting_organisation",
    "certificates_of_enrolments",
    "certificates_off_course",
    "certificates_to_count",
    "checked_content",
    "complete_one",
    "completions_recorded",
    "completions_to_count",
    "confirm_attendance",
    "course_of",
    "course_place",
    "courses_by_ids",
    "courses_of_organisation",
    "create_run",
    "enrol",
    "enrolment_ids_of_course",
    "enrolment_times",
    "enrolments_by_ids",
    "enrolments_of_runs",
    "enrolments_of_worker",
    "find_course",
    "find_enrolment",
    "find_organisation",
    "finish_certificates",
    "finish_completion_entries",
    "finish_historical_imports",
    "hours_attended",
    "is_enrolled_with",
    "issue_off_course",
    "level_holdings",
    "organisations_by_ids",
    "publish_missing_completions",
    "publish_missing_endings",
    "record_attendance",
    "record_late_attendance",
    "records_by_enrolment",
    "run_place",
    "runs_by_ids",
    "runs_of_organisation",
    "stored_occupation_codes",
    "terms_of_enrolments",
    "training_of",
    "transition",
]

"""The provider console's pages in the page access matrix (tests/web/test_page_access.py)."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

PROVIDER_PAGES: dict[Route, Access] = {
    ("GET", "/provider/dashboard"): only(Role.PROVIDER),
    ("GET", "/provider/courses"): only(Role.PROVIDER),
    ("GET", "/provider/courses/new"): only(Role.PROVIDER),
    ("POST", "/provider/courses/new"): only(Role.PROVIDER),
    ("GET", "/provider/courses/{course_id}"): only(Role.PROVIDER),
    ("GET", "/provider/courses/{course_id}/edit"): only(Role.PROVIDER),
    ("GET", "/provider/courses/{course_id}/edit/check"): only(Role.PROVIDER),
    ("POST", "/provider/courses/{course_id}/edit"): only(Role.PROVIDER),
    ("GET", "/provider/courses/{course_id}/runs/new"): only(Role.PROVIDER),
    ("POST", "/provider/courses/{course_id}/runs/new"): only(Role.PROVIDER),
    ("GET", "/provider/trainers"): only(Role.PROVIDER),
    ("POST", "/provider/trainers"): only(Role.PROVIDER),
    ("GET", "/provider/trainers/{trainer_id}/remove"): only(Role.PROVIDER),
    ("POST", "/provider/trainers/{trainer_id}/remove"): only(Role.PROVIDER),
    ("GET", "/provider/runs/{run_id}"): only(Role.PROVIDER),
    ("POST", "/provider/runs/{run_id}/enrol"): only(Role.PROVIDER),
    ("POST", "/provider/enrolments/{enrolment_id}/accept"): only(Role.PROVIDER),
    ("POST", "/provider/enrolments/{enrolment_id}/refuse"): only(Role.PROVIDER),
    ("GET", "/provider/runs/{run_id}/sessions/{session_n}"): only(Role.PROVIDER),
    ("POST", "/provider/runs/{run_id}/sessions/{session_n}"): only(Role.PROVIDER),
    ("GET", "/provider/runs/{run_id}/sessions/{session_n}/sheet"): only(Role.PROVIDER),
    ("POST", "/provider/attendance/{record_id}/void"): only(Role.PROVIDER),
    ("GET", "/provider/staff"): only(Role.PROVIDER, staff=(StaffRole.ADMIN,)),
    ("POST", "/provider/staff"): only(Role.PROVIDER, staff=(StaffRole.ADMIN,)),
    ("GET", "/provider/staff/{principal_id}/remove"): only(Role.PROVIDER, staff=(StaffRole.ADMIN,)),
    ("POST", "/provider/staff/{principal_id}/remove"): only(
        Role.PROVIDER, staff=(StaffRole.ADMIN,)
    ),
    ("GET", "/provider/class-file-template.{file_format}"): only(Role.PROVIDER),
    ("GET", "/provider/runs/{run_id}/class-file"): only(Role.PROVIDER),
    ("POST", "/provider/runs/{run_id}/class-file"): only(Role.PROVIDER),
    ("GET", "/provider/class-files/{reference}"): only(Role.PROVIDER),
    ("POST", "/provider/class-files/{reference}/enrol"): only(Role.PROVIDER),
    ("GET", "/provider/class-files/{reference}/result.{file_format}"): only(Role.PROVIDER),
    ("GET", "/provider/runs/{run_id}/results"): only(Role.PROVIDER),
    ("POST", "/provider/runs/{run_id}/results"): only(Role.PROVIDER),
    ("GET", "/provider/enrolments/{enrolment_id}/certificate"): only(Role.PROVIDER),
    ("POST", "/provider/enrolments/{enrolment_id}/certificate"): only(Role.PROVIDER),
    ("GET", "/provider/certificates/{certificate_id}"): only(Role.PROVIDER),
    ("GET", "/provider/certificates/{certificate_id}/correct"): only(Role.PROVIDER),
    ("GET", "/provider/certificates/{certificate_id}/correct/check"): only(Role.PROVIDER),
    ("POST", "/provider/certificates/{certificate_id}/correct"): only(Role.PROVIDER),
    ("GET", "/provider/certificates/{certificate_id}/void"): only(Role.PROVIDER),
    ("GET", "/provider/certificates/{certificate_id}/void/check"): only(Role.PROVIDER),
    ("POST", "/provider/certificates/{certificate_id}/void"): only(Role.PROVIDER),
    ("GET", "/provider/claims"): only(Role.PROVIDER),
    ("GET", "/provider/claims/statement"): only(Role.PROVIDER),
    ("GET", "/provider/claims/{voucher_id}"): only(Role.PROVIDER),
    ("GET", "/provider/claims/{voucher_id}/check"): only(Role.PROVIDER),
    ("POST", "/provider/claims/{voucher_id}"): only(Role.PROVIDER),
}

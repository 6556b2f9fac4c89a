"""Access rules of organisations, courses, runs, enrolments and attendance."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import ANY_ROLE, PUBLIC, Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn

STAFF = only(Role.PROVIDER, Role.AGENCY, Role.ADMIN)
# What names workers (class lists, enrolments, attendance) is not for an admin.
WORKER_DATA_STAFF = only(Role.PROVIDER, Role.AGENCY)
WORKER_DATA_READERS = only(Role.WORKER, Role.PROVIDER, Role.AGENCY)

ROUTES: dict[Route, Access] = {
    ("POST", "/providers"): only(Role.ADMIN, Role.AGENCY),
    ("GET", "/providers"): ANY_ROLE,
    ("GET", "/providers/{organisation_id}"): ANY_ROLE,
    ("POST", "/providers/{organisation_id}/suspend"): only(Role.ADMIN, Role.AGENCY),
    ("POST", "/providers/{organisation_id}/reinstate"): only(Role.ADMIN, Role.AGENCY),
    ("POST", "/courses"): only(Role.PROVIDER),
    ("GET", "/courses"): STAFF,
    ("GET", "/courses/{course_id}"): STAFF,
    ("POST", "/courses/{course_id}/runs"): only(Role.PROVIDER),
    ("POST", "/courses/{course_id}/versions"): only(Role.PROVIDER),
    ("GET", "/courses/{course_id}/versions"): only(Role.PROVIDER),
    ("GET", "/runs/{run_id}"): STAFF,
    ("POST", "/runs/{run_id}/enrolments"): only(Role.PROVIDER),
    ("GET", "/runs/{run_id}/enrolments"): WORKER_DATA_STAFF,
    ("POST", "/runs/{run_id}/enrolments/bulk"): only(Role.PROVIDER),
    ("GET", "/enrolments/{enrolment_id}"): WORKER_DATA_READERS,
    ("POST", "/enrolments/{enrolment_id}/accept"): only(Role.PROVIDER),
    ("POST", "/enrolments/{enrolment_id}/refuse"): only(Role.PROVIDER),
    ("POST", "/enrolments/{enrolment_id}/start"): only(Role.PROVIDER),
    ("POST", "/enrolments/{enrolment_id}/withdraw"): only(Role.AGENCY, Role.PROVIDER, Role.WORKER),
    ("POST", "/enrolments/{enrolment_id}/attendance"): only(Role.PROVIDER),
    ("GET", "/enrolments/{enrolment_id}/attendance"): WORKER_DATA_READERS,
    ("POST", "/enrolments/{enrolment_id}/attendance/late"): only(
        Role.AGENCY, staff=(StaffRole.OFFICER,)
    ),
    ("POST", "/trainers"): only(Role.PROVIDER),
    ("GET", "/trainers"): only(Role.PROVIDER),
    ("POST", "/trainers/{trainer_id}/remove"): only(Role.PROVIDER),
    ("POST", "/runs/{run_id}/sessions/{session_n}/attendance"): only(Role.PROVIDER),
    ("POST", "/attendance/{record_id}/void"): only(Role.PROVIDER),
    ("POST", "/me/attendance/{record_id}/confirm"): only(Role.WORKER),
    ("POST", "/me/attendance/{record_id}/reject"): only(Role.WORKER),
    ("GET", "/runs/{run_id}/sessions/{session_n}/checkin-code"): only(Role.PROVIDER),
    ("POST", "/me/checkin"): only(Role.WORKER),
    ("GET", "/me/enrolments"): only(Role.WORKER),
    ("POST", "/enrolments/{enrolment_id}/completion"): only(Role.PROVIDER),
    ("POST", "/runs/{run_id}/completions"): only(Role.PROVIDER),
    ("GET", "/completions"): only(Role.PROVIDER),
    ("POST", "/certificates"): only(Role.PROVIDER),
    ("POST", "/certificates/{certificate_id}/correct"): only(Role.PROVIDER),
    ("POST", "/certificates/{certificate_id}/void"): only(Role.PROVIDER),
    ("GET", "/certificates"): only(Role.PROVIDER),
    ("GET", "/certificates/check"): PUBLIC,
    # Training from before the service: sent by a provider or an agency, decided by an officer.
    ("POST", "/historical-imports"): only(Role.AGENCY, Role.PROVIDER),
    ("GET", "/historical-imports"): WORKER_DATA_READERS,
    ("GET", "/historical-imports/{import_id}"): WORKER_DATA_READERS,
    ("POST", "/historical-imports/{import_id}/approve"): only(
        Role.AGENCY, staff=(StaffRole.OFFICER,)
    ),
    ("POST", "/historical-imports/{import_id}/refuse"): only(
        Role.AGENCY, staff=(StaffRole.OFFICER,)
    ),
    ("GET", "/certificates/links/{token}"): PUBLIC,
    ("GET", "/catalogue/runs"): PUBLIC,
    ("GET", "/catalogue/runs/{run_id}"): PUBLIC,
    ("POST", "/me/applications"): only(Role.WORKER),
    ("POST", "/me/applications/{enrolment_id}/withdraw"): only(Role.WORKER),
}


async def _own_organisation(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    """An agency's view of an organisation it registered in its region."""
    from tests.training.factories import credit_code

    response = await client.post(
        "/providers",
        json={
            "name": "矩阵测试学校",
            "credit_code": credit_code(),
            "kind": "training_institution",
            "region_code": "510104",
        },
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return Call("GET", f"/providers/{response.json()['id']}")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        name="read an organisation of another region",
        roles=(Role.AGENCY,),
        arrange=_own_organisation,
        other_binding={Role.AGENCY: {"region_prefix": "5107"}},
    ),
]

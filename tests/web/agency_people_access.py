"""The agency's worker, provider and staff pages in the page access matrix
(tests/web/test_page_access.py)."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_AGENCY = only(Role.AGENCY)
_AGENCY_ADMIN = only(Role.AGENCY, staff=(StaffRole.ADMIN,))

AGENCY_PEOPLE_PAGES: dict[Route, Access] = {
    ("GET", "/agency/workers"): _AGENCY,
    ("POST", "/agency/workers/search"): _AGENCY,
    ("GET", "/agency/workers/new"): _AGENCY,
    ("POST", "/agency/workers/new"): _AGENCY,
    ("POST", "/agency/workers/register"): _AGENCY,
    ("GET", "/agency/workers/{archive_id}/letter"): _AGENCY,
    ("POST", "/agency/workers/{archive_id}/activation-code"): _AGENCY,
    ("GET", "/agency/workers/{archive_id}"): _AGENCY,
    ("POST", "/agency/workers/{archive_id}/reveal"): _AGENCY,
    ("GET", "/agency/workers/{archive_id}/archive.pdf"): _AGENCY,
    ("GET", "/agency/workers/{archive_id}/social-security"): _AGENCY,
    ("POST", "/agency/workers/{archive_id}/social-security"): _AGENCY,
    ("GET", "/agency/workers/{archive_id}/employment"): _AGENCY,
    ("POST", "/agency/workers/{archive_id}/employment"): _AGENCY,
    ("POST", "/agency/workers/{archive_id}/employment/{registration_id}/close"): _AGENCY,
    ("GET", "/agency/workers/{archive_id}/transfer"): _AGENCY,
    ("POST", "/agency/workers/{archive_id}/transfer"): _AGENCY,
    ("GET", "/agency/providers"): _AGENCY,
    ("GET", "/agency/providers/{organisation_id}"): _AGENCY,
    ("POST", "/agency/providers/{organisation_id}"): _AGENCY,
    ("GET", "/agency/providers/{organisation_id}/status"): _AGENCY,
    ("POST", "/agency/providers/{organisation_id}/status"): _AGENCY,
    ("GET", "/agency/staff"): _AGENCY_ADMIN,
    ("POST", "/agency/staff"): _AGENCY_ADMIN,
    ("GET", "/agency/staff/{principal_id}/remove"): _AGENCY_ADMIN,
    ("POST", "/agency/staff/{principal_id}/remove"): _AGENCY_ADMIN,
}

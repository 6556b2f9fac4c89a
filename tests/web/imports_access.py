"""The historical import pages (provider_imports.py, agency_imports.py) in the page access
matrix (tests/web/test_page_access.py); the cross-owner rows are in test_imports_pages.py."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))

IMPORT_PAGES: dict[Route, Access] = {
    ("GET", "/provider/imports"): only(Role.PROVIDER),
    ("GET", "/provider/imports/new"): only(Role.PROVIDER),
    ("POST", "/provider/imports/check"): only(Role.PROVIDER),
    ("POST", "/provider/imports/change"): only(Role.PROVIDER),
    ("POST", "/provider/imports"): only(Role.PROVIDER),
    ("GET", "/agency/imports"): only(Role.AGENCY),
    ("GET", "/agency/imports/{import_id}"): only(Role.AGENCY),
    ("GET", "/agency/imports/{import_id}/check"): _OFFICER,
    ("POST", "/agency/imports/{import_id}/approve"): _OFFICER,
    ("POST", "/agency/imports/{import_id}/refuse"): _OFFICER,
}

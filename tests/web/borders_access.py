"""The recognition-across-borders pages (agency_borders.py, worker_borders.py) in the page
access matrix (tests/web/test_page_access.py): officers write, every agency seat reads; the
worker reads and submits their own."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
_AGENCY = only(Role.AGENCY)

BORDER_PAGES: dict[Route, Access] = {
    ("GET", "/agency/borders"): _AGENCY,
    ("GET", "/agency/borders/new"): _OFFICER,
    ("POST", "/agency/borders/new"): _OFFICER,
    ("GET", "/agency/borders/{border_id}"): _AGENCY,
    ("POST", "/agency/borders/{border_id}/decide"): _OFFICER,
    ("POST", "/agency/borders/{border_id}/void"): _OFFICER,
    ("GET", "/my/borders"): only(Role.WORKER),
    ("POST", "/my/borders"): only(Role.WORKER),
}

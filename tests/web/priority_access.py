"""The priority-group pages (agency_priority.py) in the page access matrix
(tests/web/test_page_access.py): officers record, end and reveal; every agency seat reads the
non-sensitive groups."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
_AGENCY = only(Role.AGENCY)

PRIORITY_PAGES: dict[Route, Access] = {
    ("GET", "/agency/workers/{archive_id}/priority-groups"): _AGENCY,
    ("POST", "/agency/workers/{archive_id}/priority-groups/reveal"): _OFFICER,
    ("GET", "/agency/workers/{archive_id}/priority-groups/new"): _OFFICER,
    ("POST", "/agency/workers/{archive_id}/priority-groups"): _OFFICER,
    ("POST", "/agency/workers/{archive_id}/priority-groups/{membership_id}/end"): _OFFICER,
}

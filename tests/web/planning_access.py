"""The plan's pages (agency_targets.py) in the page access matrix (tests/web/test_page_access.py):
officers write, every agency seat reads (the targets form needs a province officer: the rule
says so, the route admits every officer)."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
_AGENCY = only(Role.AGENCY)

PLANNING_PAGES: dict[Route, Access] = {
    ("GET", "/agency/targets"): _AGENCY,
    ("POST", "/agency/targets"): _OFFICER,
    ("POST", "/agency/targets/employed"): _OFFICER,
    ("POST", "/agency/platforms"): _OFFICER,
    ("GET", "/agency/platforms/{platform_id}"): _AGENCY,
    ("POST", "/agency/platforms/{platform_id}/links"): _OFFICER,
    ("POST", "/agency/platforms/{platform_id}/correct"): _OFFICER,
    ("POST", "/agency/platforms/{platform_id}/close"): _OFFICER,
}

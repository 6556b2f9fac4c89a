"""The training project pages (agency_projects.py, provider_projects.py) in the page access
matrix (tests/web/test_page_access.py): agency officers buy and decide, every agency seat
reads; the provider's console reads and claims; a worker of the group attests."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, Route, only

_OFFICER = only(Role.AGENCY, staff=(StaffRole.OFFICER,))
_AGENCY = only(Role.AGENCY)
_PROVIDER = only(Role.PROVIDER)

PROJECT_PAGES: dict[Route, Access] = {
    ("GET", "/agency/projects"): _AGENCY,
    ("GET", "/agency/projects/new"): _OFFICER,
    ("POST", "/agency/projects/new"): _OFFICER,
    ("GET", "/agency/projects/{project_id}"): _AGENCY,
    ("POST", "/agency/projects/{project_id}/milestones/{n}/decision"): _OFFICER,
    ("GET", "/provider/projects"): _PROVIDER,
    ("GET", "/provider/projects/{project_id}"): _PROVIDER,
    ("POST", "/provider/projects/{project_id}/milestones/{n}/claim"): _PROVIDER,
    ("GET", "/my/projects"): only(Role.WORKER),
    ("POST", "/my/projects/{project_id}/attestation"): only(Role.WORKER),
}

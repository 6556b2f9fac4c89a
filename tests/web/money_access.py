"""The agency's policies, apprenticeships and statistics pages and the administrator's pages
in the page access matrix (tests/web/test_page_access.py)."""

from __future__ import annotations

from portfolio.accounts.principal import Role
from tests.access.matrix import Access, Route, only

MONEY_PAGES: dict[Route, Access] = {
    # Voucher policies (api/web/routes/agency_policies.py).
    ("GET", "/agency/policies"): only(Role.AGENCY),
    ("GET", "/agency/policies/new"): only(Role.AGENCY),
    ("GET", "/agency/policies/new/check"): only(Role.AGENCY),
    ("POST", "/agency/policies/new"): only(Role.AGENCY),
    ("GET", "/agency/policies/{policy_id}"): only(Role.AGENCY),
    ("GET", "/agency/policies/{policy_id}/edit"): only(Role.AGENCY),
    ("GET", "/agency/policies/{policy_id}/edit/check"): only(Role.AGENCY),
    ("POST", "/agency/policies/{policy_id}/edit"): only(Role.AGENCY),
    ("POST", "/agency/policies/{policy_id}/issue"): only(Role.AGENCY),
    ("POST", "/agency/policies/{policy_id}/issue-all"): only(Role.AGENCY),
    ("GET", "/agency/policies/{policy_id}/runs/{run_id}"): only(Role.AGENCY),
    ("POST", "/agency/policies/{policy_id}/runs/{run_id}/resume"): only(Role.AGENCY),
    # Apprenticeship approvals (agency_apprenticeships.py).
    ("GET", "/agency/apprenticeships"): only(Role.AGENCY),
    ("GET", "/agency/apprenticeships/{apprenticeship_id}"): only(Role.AGENCY),
    ("POST", "/agency/apprenticeships/{apprenticeship_id}/approve"): only(Role.AGENCY),
    ("POST", "/agency/apprenticeships/{apprenticeship_id}/send-back"): only(Role.AGENCY),
    # Statistics (agency_statistics.py).
    ("GET", "/agency/statistics"): only(Role.AGENCY),
    ("GET", "/agency/statistics/file"): only(Role.AGENCY),
    # The service administrator (admin_pages.py).
    ("GET", "/admin"): only(Role.ADMIN),
    ("GET", "/admin/accounts"): only(Role.ADMIN),
    ("POST", "/admin/accounts/{principal_id}/disable"): only(Role.ADMIN),
    ("POST", "/admin/accounts/{principal_id}/enable"): only(Role.ADMIN),
    ("GET", "/admin/keys"): only(Role.ADMIN),
    ("POST", "/admin/keys/rotate"): only(Role.ADMIN),
    ("GET", "/admin/audit"): only(Role.ADMIN),
}

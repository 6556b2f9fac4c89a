"""Access rules of the audit trail: security events for admins, changes for auditors too."""

from __future__ import annotations

from portfolio.accounts.principal import Role, StaffRole
from tests.access.matrix import Access, CrossOwnerCase, Route, only

ROUTES: dict[Route, Access] = {
    ("GET", "/admin/audit-events"): only(Role.ADMIN),
    ("GET", "/audit/changes"): only(Role.ADMIN, Role.AGENCY, staff=(StaffRole.AUDITOR,)),
}

# One trail for the whole service: there is no owner to cross.
CROSS_OWNER_CASES: list[CrossOwnerCase] = []

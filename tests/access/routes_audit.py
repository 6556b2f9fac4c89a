"""Access rules of the audit trail: admins only, read only."""

from __future__ import annotations

from portfolio.accounts.principal import Role
from tests.access.matrix import Access, CrossOwnerCase, Route, only

ROUTES: dict[Route, Access] = {
    ("GET", "/admin/audit-events"): only(Role.ADMIN),
}

# One trail for the whole service: there is no owner to cross.
CROSS_OWNER_CASES: list[CrossOwnerCase] = []

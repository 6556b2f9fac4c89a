"""Access rules of challenges: workers file them, providers and agencies answer them.

Reach inside the roles (another organisation's or region's challenge is a 404) is tested in
``tests/challenges``.
"""

from __future__ import annotations

from portfolio.accounts.principal import Role
from tests.access.matrix import Access, CrossOwnerCase, Route, only

ROUTES: dict[Route, Access] = {
    ("POST", "/me/challenges"): only(Role.WORKER),
    ("GET", "/me/challenges"): only(Role.WORKER),
    ("GET", "/challenges"): only(Role.PROVIDER, Role.AGENCY),
    ("GET", "/challenges/{challenge_id}"): only(Role.WORKER, Role.PROVIDER, Role.AGENCY),
    ("POST", "/challenges/{challenge_id}/answer"): only(Role.PROVIDER, Role.AGENCY),
}

CROSS_OWNER_CASES: list[CrossOwnerCase] = []

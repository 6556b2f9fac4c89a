"""Access rules of share links: the worker's ``/me/shares`` routes take no archive id (a
worker reaches only their own links; another worker's link id is 404, tested in
tests/sharing), and ``/shared/{token}`` is public: the token is the credential."""

from __future__ import annotations

from portfolio.accounts.principal import Role
from tests.access.matrix import PUBLIC, Access, CrossOwnerCase, Route, only

WORKER = only(Role.WORKER)

ROUTES: dict[Route, Access] = {
    ("GET", "/me/shares"): WORKER,
    ("GET", "/me/shares/items"): WORKER,
    ("POST", "/me/shares"): WORKER,
    ("GET", "/me/shares/{link_id}"): WORKER,
    ("POST", "/me/shares/{link_id}/revoke"): WORKER,
    ("GET", "/shared/{token}"): PUBLIC,
    ("POST", "/shared/{token}"): PUBLIC,
}

CROSS_OWNER_CASES: list[CrossOwnerCase] = []

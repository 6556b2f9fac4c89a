"""Access rules of the verifiable credentials: the issuer's documents and the check are
public; a worker reads only their own badges and CLR (no archive id in the path)."""

from __future__ import annotations

from portfolio.accounts.principal import Role
from tests.access.matrix import PUBLIC, Access, CrossOwnerCase, Route, only

ROUTES: dict[Route, Access] = {
    ("GET", "/.well-known/did.json"): PUBLIC,
    ("GET", "/credentials/jwks.json"): PUBLIC,
    ("GET", "/credentials/status/1"): PUBLIC,
    ("POST", "/credentials/verify"): PUBLIC,
    ("GET", "/me/credentials"): only(Role.WORKER),
    ("GET", "/me/credentials/clr"): only(Role.WORKER),
}

# The worker's own routes take no id: there is no other owner's object to name.
CROSS_OWNER_CASES: list[CrossOwnerCase] = []

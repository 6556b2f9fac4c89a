"""Access rules of the service probes, the documentation and the accounts area."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.access.matrix import ANY_ROLE, PUBLIC, Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn

ROUTES: dict[Route, Access] = {
    # Service probes and documentation.
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # Tokens: the credentials are in the request itself.
    ("POST", "/auth/token"): PUBLIC,
    ("POST", "/auth/revoke"): PUBLIC,
    ("GET", "/.well-known/jwks.json"): PUBLIC,
    # One's own account and sessions.
    ("POST", "/auth/password"): ANY_ROLE,
    ("POST", "/auth/logout-all"): ANY_ROLE,
    ("GET", "/auth/sessions"): ANY_ROLE,
    ("POST", "/auth/sessions/{session_id}/revoke"): ANY_ROLE,
    ("GET", "/me"): ANY_ROLE,
    # Administration.
    ("POST", "/admin/principals"): only(Role.ADMIN),
    ("GET", "/admin/principals"): only(Role.ADMIN),
    ("GET", "/admin/principals/{principal_id}"): only(Role.ADMIN),
    ("POST", "/admin/principals/{principal_id}/disable"): only(Role.ADMIN),
    ("POST", "/admin/principals/{principal_id}/enable"): only(Role.ADMIN),
}


async def _own_session(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    sessions = (await client.get("/auth/sessions", headers=owner.headers)).json()
    return Call("POST", f"/auth/sessions/{sessions[0]['id']}/revoke")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        name="end another principal's session",
        roles=tuple(Role),
        arrange=_own_session,
        owner_status=204,
        other_binding={Role.AGENCY: {"region_prefix": "5107"}},
    ),
]

"""Access rules of the service probes, the documentation and the accounts area.

Staff management is for an organisation's own admin: a clerk, officer, reviewer or auditor is
refused (403), and another organisation's staff do not exist for an admin (404).
"""

from __future__ import annotations

import itertools

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.access.matrix import ANY_ROLE, PUBLIC, Access, Call, CrossOwnerCase, Route, only
from tests.helpers import DEFAULT_PASSWORD, LoggedIn

ORGANISATION_ADMIN = only(Role.PROVIDER, Role.AGENCY, staff=(StaffRole.ADMIN,))

ROUTES: dict[Route, Access] = {
    # Service probes and documentation.
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
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
    # An organisation's staff, managed by its own admin.
    ("POST", "/staff"): ORGANISATION_ADMIN,
    ("GET", "/staff"): ORGANISATION_ADMIN,
    ("POST", "/staff/{principal_id}/remove"): ORGANISATION_ADMIN,
}


async def _own_session(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    sessions = (await client.get("/auth/sessions", headers=owner.headers)).json()
    return Call("POST", f"/auth/sessions/{sessions[0]['id']}/revoke")


_serial = itertools.count(1)


async def _own_staff_member(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    """A clerk (provider) or officer (agency) the owner, an organisation's admin, added."""
    staff_role = "clerk" if owner.principal.role is Role.PROVIDER else "officer"
    created = await client.post(
        "/staff",
        json={
            "username": f"member-{next(_serial)}",
            "password": DEFAULT_PASSWORD,
            "staff_role": staff_role,
        },
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    return Call("POST", f"/staff/{created.json()['id']}/remove")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        name="end another principal's session",
        roles=tuple(Role),
        arrange=_own_session,
        owner_status=204,
        other_binding={Role.AGENCY: {"region_prefix": "5107"}},
    ),
    CrossOwnerCase(
        name="remove another organisation's staff member",
        roles=(Role.PROVIDER, Role.AGENCY),
        arrange=_own_staff_member,
        # The owner agency works in 5101; an agency admin of 5107 must not reach its staff.
        other_binding={Role.AGENCY: {"region_prefix": "5107"}},
    ),
]

"""Log in as any role quickly: principals made through the service, tokens through HTTP.

    admin = await log_in_as(client, settings, Role.ADMIN)
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    clerk = await log_in_as(client, settings, Role.PROVIDER, staff_role=StaffRole.CLERK)
    response = await client.get("/me", headers=agency.headers)

Each principal gets a fresh username (and, unless given, a binding of its own), so tests can
make several principals of one role. A provider or agency principal is its organisation's
admin unless ``staff_role`` says otherwise.
"""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from httpx import AsyncClient

from portfolio.accounts import service
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings

# Collections that survive between tests (and wipes inside a test): the keys the app loaded at
# start-up, and the credential issuer keys, which the process caches for signing up to a minute
# (emptied, a later badge would be signed with a key its verifier no longer finds).
KEEP_COLLECTIONS = frozenset({"keys", "issuer_keys"})

DEFAULT_PASSWORD = "correct horse battery"
PROBLEM = "application/problem+json"

_serial = itertools.count(1)


def auth_headers(access_token: str) -> dict[str, str]:
    """The ``Authorization`` header for a bearer token."""
    return {"Authorization": f"Bearer {access_token}"}


def jwt_part(token: str, index: int) -> dict[str, Any]:
    """The decoded header (0) or payload (1) of a compact JWT, unverified (for assertions)."""
    segment = token.split(".")[index]
    padded = segment + "=" * (-len(segment) % 4)
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return decoded


async def create_principal(
    settings: Settings,
    role: Role,
    *,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    archive_id: str | None = None,
    organisation_id: str | None = None,
    region_prefix: str | None = None,
    staff_role: StaffRole | None = None,
) -> Principal:
    """A principal made directly through the service; the binding defaults to a fresh one."""
    n = next(_serial)
    if role is Role.WORKER and archive_id is None:
        archive_id = str(ObjectId())
    if role is Role.PROVIDER and organisation_id is None:
        organisation_id = f"org-{n}"
    if role is Role.AGENCY and region_prefix is None:
        region_prefix = "5101"
    return await service.create_principal(
        settings=settings,
        username=username or f"{role.value}-{n}",
        password=password,
        role=role,
        created_by="test",
        archive_id=archive_id,
        organisation_id=organisation_id,
        region_prefix=region_prefix,
        staff_role=staff_role,
    )


async def request_tokens(client: AsyncClient, username: str, password: str) -> dict[str, Any]:
    """``POST /auth/token`` with the password grant; asserts success, returns the JSON."""
    response = await client.post(
        "/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def refresh_tokens(client: AsyncClient, refresh_token: str) -> Any:
    """``POST /auth/token`` with the refresh grant; returns the raw response."""
    return await client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


@dataclass(frozen=True)
class LoggedIn:
    """A principal with a live session."""

    principal: Principal
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer …`` for this session."""
        return auth_headers(self.access_token)

    @property
    def id(self) -> str:
        """The principal's id as a string."""
        return str(self.principal.id)


async def log_in_as(
    client: AsyncClient,
    settings: Settings,
    role: Role,
    *,
    password: str = DEFAULT_PASSWORD,
    staff_role: StaffRole | None = None,
    **binding: str,
) -> LoggedIn:
    """A new principal of ``role`` (bound as given, or to something fresh), logged in via HTTP."""
    principal = await create_principal(
        settings, role, password=password, staff_role=staff_role, **binding
    )
    tokens = await request_tokens(client, principal.username, password)
    return LoggedIn(principal, password, tokens["access_token"], tokens["refresh_token"])


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    return body

"""Requests and responses of accounts, tokens and sessions.

Inputs forbid unknown fields (no ``role``, ``scope`` or ``disabled`` slipped into a
self-service request); outputs list exactly what may leave the service (never a hash).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from portfolio.accounts.principal import Role, StaffRole
from schemas.common import Output

# Bounds before any hashing or lookup: long inputs are refused as malformed.
_SECRET = Field(min_length=1, max_length=1024)
_TOKEN = Field(min_length=1, max_length=4096)


class TokenRequest(BaseModel):
    """``POST /auth/token`` form (OAuth2): a password grant or a refresh grant."""

    model_config = ConfigDict(extra="forbid")

    grant_type: Literal["password", "refresh_token"]
    username: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, max_length=1024)
    refresh_token: str | None = Field(default=None, max_length=4096)
    # OAuth2 clients may send an empty scope; roles, not scopes, decide what a token may do.
    scope: Literal[""] = ""
    # Sent by OAuth2 clients such as the /docs page; this service has public clients only.
    client_id: str | None = Field(default=None, max_length=128)
    client_secret: str | None = Field(default=None, max_length=128)

    @model_validator(mode="after")
    def _fields_of_the_grant(self) -> TokenRequest:
        if self.grant_type == "password" and (not self.username or not self.password):
            raise ValueError("the password grant needs username and password")
        if self.grant_type == "refresh_token" and not self.refresh_token:
            raise ValueError("the refresh_token grant needs refresh_token")
        return self


class TokenResponse(BaseModel):
    """An access token (JWT, ES256) and the session's next refresh token (opaque, single use)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class RevokeRequest(BaseModel):
    """``POST /auth/revoke`` form (RFC 7009): the refresh token whose session ends."""

    model_config = ConfigDict(extra="forbid")

    token: str = _TOKEN
    token_type_hint: Literal["refresh_token", "access_token"] | None = None


class PasswordChange(BaseModel):
    """Change one's own password: the current one is required."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = _SECRET
    new_password: str = _SECRET


class PrincipalCreate(BaseModel):
    """An admin creates a provider user, an agency user or another admin.

    This is how an organisation gets its first admin (``staff_role`` admin, the default); that
    admin then manages the organisation's staff through ``/staff``.
    """

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64)
    password: str = _SECRET
    role: Literal[Role.PROVIDER, Role.AGENCY, Role.ADMIN]
    organisation_id: str | None = Field(
        default=None, max_length=64, description="Required for a provider user: its organisation."
    )
    region_prefix: str | None = Field(
        default=None,
        max_length=6,
        description="Required for an agency user: 2, 4 or 6 digits of a region code.",
    )
    staff_role: StaffRole | None = Field(
        default=None,
        description="A provider or agency user's sub-role (default: its organisation's admin); "
        "a provider has admin and clerk, an agency admin, officer, reviewer and auditor.",
    )


class PrincipalOut(Output):
    """An account as an admin sees it: no worker data (a worker's login name is withheld)."""

    id: str
    username: str | None = Field(
        description="The login name; null for a worker account, whose login name (by default "
        "the phone number) is worker data, which an admin does not see."
    )
    role: Role
    archive_id: str | None
    organisation_id: str | None
    region_prefix: str | None
    staff_role: StaffRole | None = Field(description="The sub-role of a provider or agency user.")
    disabled: bool
    removed: bool = Field(description="Removed by its organisation's admin: disabled for good.")
    created_at: datetime


class PrincipalPage(BaseModel):
    """A page of accounts; pass ``next_cursor`` as ``cursor`` for the next one."""

    items: list[PrincipalOut]
    next_cursor: str | None


class Me(BaseModel):
    """Who the caller is: their role, sub-role and what they are bound to."""

    id: str
    username: str
    role: Role
    archive_id: str | None
    organisation_id: str | None
    region_prefix: str | None
    staff_role: StaffRole | None = Field(description="The sub-role of a provider or agency user.")


class StaffCreate(BaseModel):
    """An organisation's admin adds a member of its staff (same role and organisation)."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64)
    password: str = _SECRET
    staff_role: StaffRole = Field(
        description="A provider's: admin or clerk; an agency's: admin, officer, reviewer or "
        "auditor."
    )
    region_prefix: str | None = Field(
        default=None,
        max_length=6,
        description="An agency's staff only: a region under the admin's own (default: the "
        "admin's region).",
    )


class StaffOut(Output):
    """A member of an organisation's staff as its admin sees them."""

    id: str
    username: str
    role: Role
    staff_role: StaffRole | None
    organisation_id: str | None
    region_prefix: str | None
    disabled: bool
    removed: bool = Field(description="Removed by an admin: the account is disabled for good.")
    created_at: datetime


class SessionOut(BaseModel):
    """One login session of the caller."""

    id: str
    started_at: datetime
    last_refreshed_at: datetime
    expires_at: datetime


class Jwk(BaseModel):
    """A public EC signing key (RFC 7517)."""

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str
    use: Literal["sig"]
    alg: Literal["ES256"]


class Jwks(BaseModel):
    """The public keys that verify access tokens."""

    keys: list[Jwk]

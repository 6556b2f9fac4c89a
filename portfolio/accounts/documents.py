"""Stored accounts and login sessions (storage only; the rules live in the services).

Nullable fields are always written (``None`` becomes an explicit null) and never queried for
presence, as STORAGE.md requires. Instants written by an update (``…_at`` set after insert) are
always "now" and written with ``$currentDate``: nx-27017 0.8.1 stores a datetime given to
``$set`` as a naive string, which no longer compares or sorts as a date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from beanie import Document
from pydantic import model_validator
from pymongo import ASCENDING, IndexModel

from portfolio.accounts.principal import Role, StaffRole, default_staff_role


class Principal(Document):
    """One account: who may log in, with which role, bound to what.

    ``binding_key`` is always present and unique: ``archive:<id>`` for a worker (one account per
    archive, even when two activations race) and ``user:<username>`` for everyone else.
    ``token_version`` is copied into every token; bumping it ends every session at once.
    ``version`` guards the other conditional updates (password, disable, enable). Failed
    logins are not counted here but by username in ``throttle.py``, alike for names that exist
    and names that do not (documents stored with the former ``failed_logins`` and ``locked_at``
    still load; those fields are ignored). ``staff_role`` is the sub-role of a provider or agency
    user; a document written before sub-roles existed (or by an old seed) has none stored and
    reads as its organisation's admin. ``removed`` marks staff their organisation's admin
    removed: such an account is disabled for good (the record stays for the audit trail).
    """

    username: str
    password_hash: str
    role: Role
    archive_id: str | None
    organisation_id: str | None
    region_prefix: str | None
    binding_key: str
    staff_role: StaffRole | None = None
    disabled: bool = False
    removed: bool = False
    token_version: int = 0
    version: int = 0
    created_at: datetime
    created_by: str
    password_changed_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _staff_role_of_older_documents(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("staff_role") is None and "role" in data:
            return {**data, "staff_role": default_staff_role(Role(data["role"]))}
        return data

    class Settings:
        name = "principals"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("username", ASCENDING)], unique=True),
            IndexModel([("binding_key", ASCENDING)], unique=True),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            # An agency admin's staff: agency accounts in its region prefix's range.
            IndexModel([("region_prefix", ASCENDING)]),
            IndexModel([("role", ASCENDING)]),
        ]


class RefreshFamily(Document):
    """One login session: the chain of refresh tokens that descends from one login.

    The family, not each token, decides whether the session lives: revoking it is one
    conditional update on one document, so a token minted by a racing rotation is revoked too.
    ``kind`` says where the login came from: ``api`` (a token pair) or ``web`` (a browser's
    session cookie, ``accounts/web_sessions.py``; ``last_refreshed_at`` is then its last use).
    """

    id: str  # type: ignore[assignment]
    # A string, not an ObjectId: nx-27017 0.8.1 matches nothing on equality with an ObjectId
    # outside ``_id``.
    principal_id: str
    token_version: int
    started_at: datetime
    last_refreshed_at: datetime
    expires_at: datetime
    revoked: bool = False
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    kind: Literal["api", "web"] = "api"

    class Settings:
        name = "refresh_families"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("principal_id", ASCENDING)]),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]


class RefreshToken(Document):
    """One opaque refresh token, stored only as the SHA-256 hex of its value (``_id``).

    ``rotated`` is set when it was exchanged for its successor; presenting it again is taken as
    theft. Whether it is revoked is its family's state (``RefreshFamily.revoked``).
    """

    id: str  # type: ignore[assignment]
    family_id: str
    issued_at: datetime
    expires_at: datetime
    rotated: bool = False
    rotated_at: datetime | None = None

    class Settings:
        name = "refresh_tokens"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]

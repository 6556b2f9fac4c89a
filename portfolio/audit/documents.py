"""Stored audit events (storage only). Inserted, never updated or deleted by the service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, IndexModel


class AuditEvent(Document):
    """One security event: who, what, when, from where, with what outcome.

    ``principal_id`` is who acted (None when unknown: a failed login with an unknown name, an
    anonymous request); ``target`` is what was acted on (a principal, an archive, a key id).
    ``details`` holds short, non-personal facts (a reason, a role, a path); never a password,
    a token or an ID number. ``staff_role`` is the acting staff member's sub-role (None for a
    worker, a service admin, an anonymous caller, and events written before sub-roles).
    ``username`` is the acting principal's login name, never a worker's (often their phone
    number: worker data, and admins read the trail); ``principal_id`` says who acted.
    """

    at: datetime
    kind: str
    outcome: str
    principal_id: str | None
    username: str | None
    role: str | None
    staff_role: str | None = None
    target: str | None
    request_id: str | None
    client: str | None
    details: dict[str, str | int | bool | None] = Field(default_factory=dict)

    class Settings:
        name = "audit_events"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("kind", ASCENDING)]),
            IndexModel([("principal_id", ASCENDING)]),
            IndexModel([("at", ASCENDING)]),
        ]

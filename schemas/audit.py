"""Responses of the audit trail (read-only: there is no input model, nothing is written)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from portfolio.audit.service import AuditKind
from schemas.common import Output


class AuditEventOut(Output):
    """One security event as an admin reads it."""

    id: str
    at: datetime
    kind: AuditKind
    outcome: str = Field(description="success, failure or denied")
    principal_id: str | None = Field(description="who acted; null when unknown (anonymous)")
    username: str | None
    role: str | None
    staff_role: str | None = Field(description="the acting staff member's sub-role, if any")
    target: str | None = Field(description="what was acted on: a principal, archive or key id")
    request_id: str | None = Field(description="the X-Request-Id of the request; null: CLI")
    client: str | None = Field(description="the client address the API saw")
    details: dict[str, str | int | bool | None]


class ChangeRecordOut(BaseModel):
    """One change in the audit trail: who, what (before and after), why, when, which request.

    Personal values are shown masked; the service admin gets none of them (the keys listed in
    ``personal`` are left out of ``before`` and ``after``). Secrets are never kept.
    """

    id: str = Field(description="<kind>:<object id>:v<version>")
    object_kind: str
    object_id: str
    version: int = Field(description="the object's version after the change")
    at: datetime
    principal_id: str | None = Field(description="who acted; null: the service itself")
    role: str | None
    staff_role: str | None
    organisation_id: str | None
    actor_region: str | None = Field(description="the acting agency's region prefix")
    region: str | None = Field(description="the region of the changed object, where it has one")
    request_id: str | None
    reason: str | None
    before: dict[str, Any] | None = Field(description="null: the object was created")
    after: dict[str, Any]
    personal: list[str] = Field(description="keys holding personal values (shown masked)")
    restored: bool = Field(description="written by the repair routine after a crash")
    prev_version: int = Field(description="the version this record follows (-1: first)")
    prev_hash: str
    hash: str

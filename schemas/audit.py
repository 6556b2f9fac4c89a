"""Responses of the audit trail (read-only: there is no input model, nothing is written)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from portfolio.audit.service import AuditKind


class AuditEventOut(BaseModel):
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

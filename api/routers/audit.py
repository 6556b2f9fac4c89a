"""The audit trail of security events: admins read it; nothing edits or deletes it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Admin
from api.paging import Limit
from api.responses import AUTH_ERRORS
from portfolio.audit import service
from portfolio.audit.documents import AuditEvent
from portfolio.audit.service import AuditKind
from schemas.audit import AuditEventOut
from schemas.common import Page

router = APIRouter(prefix="/admin", tags=["admin"])


def _out(event: AuditEvent) -> AuditEventOut:
    return AuditEventOut(
        id=str(event.id),
        at=event.at,
        kind=AuditKind(event.kind),
        outcome=event.outcome,
        principal_id=event.principal_id,
        # Events written before worker login names were left out of the trail.
        username=service.shown_username(event.role, event.username),
        role=event.role,
        staff_role=event.staff_role,
        target=event.target,
        request_id=event.request_id,
        client=event.client,
        details=event.details,
    )


@router.get(
    "/audit-events",
    summary="Security events, newest first",
    responses={**AUTH_ERRORS, 422: {"description": "A malformed filter or cursor"}},
)
async def list_audit_events(
    actor: Admin,
    kind: AuditKind | None = None,
    principal_id: Annotated[
        str | None, Query(max_length=64, description="who acted (a principal id)")
    ] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[AuditEventOut]:
    """Logins and their failures, rate limiting, account changes, key rotations, full identity
    reads and denied requests; filter by ``kind`` and by who acted (``principal_id``). A
    worker's login name is never shown (worker data): their principal id says who acted."""
    page = await service.list_events(
        actor=actor, kind=kind, principal_id=principal_id, limit=limit, cursor=cursor
    )
    return Page[AuditEventOut](
        items=[_out(event) for event in page.items], next_cursor=page.next_cursor
    )

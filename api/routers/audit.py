"""The audit trail of security events: admins read it; nothing edits or deletes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import Admin, require_roles
from api.paging import Limit
from api.responses import AUTH_ERRORS
from portfolio import audit
from portfolio.accounts import Actor, Role
from portfolio.accounts.principal import StaffRole
from portfolio.audit import ChangeFilter, service
from portfolio.audit.service import AuditKind
from schemas.audit import AuditEventOut, ChangeRecordOut
from schemas.common import Page

router = APIRouter(prefix="/admin", tags=["admin"])


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
        items=[AuditEventOut.from_view(event) for event in page.items], next_cursor=page.next_cursor
    )


changes_router = APIRouter(prefix="/audit", tags=["audit"])
Auditor = Annotated[
    Actor, Depends(require_roles(Role.ADMIN, Role.AGENCY, staff=(StaffRole.AUDITOR,)))
]


@changes_router.get(
    "/changes",
    summary="The change trail, newest first",
    responses={**AUTH_ERRORS, 404: {"description": "A region outside the auditor's"}},
)
async def search_changes(
    actor: Auditor,
    object_kind: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    principal_id: Annotated[str | None, Query(max_length=64, description="who acted")] = None,
    organisation_id: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{2,6}$")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[ChangeRecordOut]:
    """Every recorded change (accounts, archives, and each area that records its changes), by
    object, actor, organisation, region and time. An agency auditor reads the changes of
    objects in its region; the service admin reads all of them without personal values."""
    wanted = ChangeFilter(
        object_kind=object_kind,
        object_id=object_id,
        principal_id=principal_id,
        organisation_id=organisation_id,
        region=region,
        since=since,
        until=until,
    )
    page = await audit.search_changes(actor=actor, wanted=wanted, limit=limit, cursor=cursor)
    return Page[ChangeRecordOut](
        items=[ChangeRecordOut.model_validate(r.model_dump()) for r in page.items],
        next_cursor=page.next_cursor,
    )

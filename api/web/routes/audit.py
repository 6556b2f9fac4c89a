"""The change trail's pages: an agency auditor (its region) or the service admin (without
personal values) searches by object, actor, organisation, region and time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import require_page_roles
from api.web.routing import page_router
from api.web.templating import render
from portfolio import audit
from portfolio.accounts import Actor, Role
from portfolio.accounts.principal import StaffRole
from portfolio.errors import NotFound, ValidationFailed

router = page_router()
AuditorPage = Annotated[
    Actor, Depends(require_page_roles(Role.ADMIN, Role.AGENCY, staff=(StaffRole.AUDITOR,)))
]
CHINA = timedelta(hours=8)
PAGE_SIZE = 50


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _start(day: date | None) -> datetime | None:
    # A day as people in China mean it: from midnight China time.
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=audit.trail.UTC_ZONE) - CHINA


@router.get("/audit-trail")
async def audit_changes(
    request: Request,
    actor: AuditorPage,
    object_kind: str | None = None,
    object_id: str | None = None,
    principal_id: str | None = None,
    organisation_id: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
) -> Response:
    """The search form and one page of the records found, newest first."""
    values = {
        "object_kind": (object_kind or "").strip()[:40],
        "object_id": (object_id or "").strip()[:64],
        "principal_id": (principal_id or "").strip()[:64],
        "organisation_id": (organisation_id or "").strip()[:64],
        "region": (region or "").strip()[:6],
        "since": (since or "").strip()[:10],
        "until": (until or "").strip()[:10],
    }
    last = _day(values["until"])
    wanted = audit.ChangeFilter(
        object_kind=values["object_kind"] or None,
        object_id=values["object_id"] or None,
        principal_id=values["principal_id"] or None,
        organisation_id=values["organisation_id"] or None,
        region=values["region"] or None,
        since=_start(_day(values["since"])),
        until=_start(last + timedelta(days=1)) if last else None,
    )
    problem = None
    try:
        page = await audit.search_changes(
            actor=actor, wanted=wanted, limit=PAGE_SIZE, cursor=cursor or None
        )
        items, next_cursor = page.items, page.next_cursor
    except (NotFound, ValidationFailed):
        items, next_cursor, problem = [], None, "outside"
    query = {k: v for k, v in values.items() if v}
    more = f"/audit-trail?{urlencode({**query, 'cursor': next_cursor})}" if next_cursor else None
    return await render(
        request,
        "audit/changes.html",
        {"values": values, "items": items, "next_url": more, "problem": problem},
    )

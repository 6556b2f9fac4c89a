"""Writing and reading the audit trail.

Writing is best effort on purpose: an audit insert that fails (the database went away) is
logged as an error and never turns the answer the caller was getting into a 500. Reading is for
admins only, newest first, a page at a time. An event's ``at`` is domain time (``clock.now()``),
so events line up with the domain's own records when the clock is moved (tests, staged demos).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo.errors import PyMongoError

from portfolio import clock, ids
from portfolio.audit import context
from portfolio.audit.context import PrincipalRef
from portfolio.audit.documents import AuditEvent
from portfolio.errors import Forbidden, ValidationFailed

log = logging.getLogger(__name__)
# The role allowed to read the trail (``portfolio.accounts.Role.ADMIN``'s value).
ADMIN = "admin"


class AuditKind(StrEnum):
    """Every kind of security event the service records."""

    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    # No longer written (accounts are not locked any more): kept so older events still read.
    LOGIN_LOCKED_OUT = "login.locked_out"
    LOGIN_RATE_LIMITED = "login.rate_limited"
    TOKEN_REUSE = "token.reuse_detected"  # noqa: S105 - an event name, not a secret
    PRINCIPAL_CREATED = "principal.created"
    PRINCIPAL_DISABLED = "principal.disabled"
    PRINCIPAL_ENABLED = "principal.enabled"
    STAFF_CREATED = "staff.created"
    STAFF_REMOVED = "staff.removed"
    KEY_ROTATED = "key.rotated"
    IDENTITY_READ = "identity.read"
    IDENTITY_SEARCH = "identity.search"
    PHONE_CHANGED = "phone.changed"
    REQUEST_DENIED = "request.denied"
    # Decisions on voucher claims (docs/integrity-money.md): each approval step, a rejection.
    CLAIM_APPROVED = "claim.approved"
    CLAIM_REJECTED = "claim.rejected"


class Outcome(StrEnum):
    """How the event ended."""

    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


Detail = str | int | bool | None


async def record(
    kind: AuditKind,
    outcome: Outcome,
    *,
    actor: PrincipalRef | None = None,
    principal_id: str | None = None,
    username: str | None = None,
    role: str | None = None,
    staff_role: str | None = None,
    target: str | None = None,
    **details: Detail,
) -> None:
    """Insert one event. Who acted comes from ``actor``, the explicit fields, or the request."""
    request = context.current()
    if actor is not None:
        principal_id, username, role = actor.principal_id, actor.username, str(actor.role)
        staff_role = None if actor.staff_role is None else str(actor.staff_role)
    elif principal_id is None:
        # Who acted is the request's principal: so is their sub-role.
        staff_role = staff_role if staff_role is not None else request.staff_role
    role = role if role is not None else request.role
    username = username if username is not None else request.username
    event = AuditEvent(
        at=clock.now(),
        kind=kind.value,
        outcome=outcome.value,
        principal_id=principal_id if principal_id is not None else request.principal_id,
        username=shown_username(role, username),
        role=role,
        staff_role=staff_role,
        target=target,
        request_id=request.request_id,
        client=request.client,
        details=dict(details),
    )
    try:
        await event.insert()
    except PyMongoError:
        # Never let the trail turn an answer into a 500; the log keeps what was lost.
        log.error("audit event not stored", extra={"kind": kind.value, "outcome": outcome.value})


def shown_username(role: str | None, username: str | None) -> str | None:
    """The login name the trail keeps and shows: none of a worker's.

    The trail is read by admins, who see no worker data, and a worker's login name is often
    their phone number; the principal id still says who acted.
    """
    return None if role == "worker" else username


# Events whose target would name a worker (an archive read, a worker's phone).
_ABOUT_WORKERS = ("identity.", "phone.")


def shown_target(kind: str, role: str | None, target: str | None) -> str | None:
    """The target the trail shows an admin: none of an event about a worker."""
    if role == "worker" or kind.startswith(_ABOUT_WORKERS):
        return None
    return target


@dataclass(frozen=True)
class AuditEventView:
    """One security event as an admin reads it: a worker's login name is never shown."""

    id: str
    at: datetime
    kind: AuditKind
    outcome: str
    principal_id: str | None
    username: str | None
    role: str | None
    staff_role: str | None
    target: str | None
    request_id: str | None
    client: str | None
    details: dict[str, str | int | bool | None]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventView:
        """The admin's view of a stored event."""
        return cls(
            id=str(event.id),
            at=event.at,
            kind=AuditKind(event.kind),
            outcome=event.outcome,
            principal_id=event.principal_id,
            # Events written before worker login names were left out of the trail.
            username=shown_username(event.role, event.username),
            role=event.role,
            staff_role=event.staff_role,
            target=event.target,
            request_id=event.request_id,
            client=event.client,
            details=event.details,
        )


@dataclass(frozen=True)
class AuditPage:
    """One page of events, newest first, and the cursor of the next (None on the last)."""

    items: list[AuditEventView]
    next_cursor: str | None


async def list_events(
    *,
    actor: PrincipalRef,
    kind: AuditKind | None = None,
    principal_id: str | None = None,
    limit: int,
    cursor: str | None = None,
) -> AuditPage:
    """Events newest first (keyset paging on ``_id``), filtered by kind and by principal."""
    if str(actor.role) != ADMIN:
        raise Forbidden("only an administrator may read the audit trail")
    query: dict[str, Any] = {}
    if kind is not None:
        query["kind"] = kind.value
    if principal_id is not None:
        query["principal_id"] = principal_id
    if cursor is not None:
        before = ids.parse_or_none(cursor)
        if before is None:
            raise ValidationFailed.single(
                "query.cursor", "format", "not a cursor this list gave out"
            )
        query["_id"] = {"$lt": before}
    found = await AuditEvent.find(query).sort("-_id").limit(limit + 1).to_list()
    items = found[:limit]
    next_cursor = str(items[-1].id) if len(found) > limit else None
    return AuditPage(items=[AuditEventView.of(e) for e in items], next_cursor=next_cursor)

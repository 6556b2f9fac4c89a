"""Searching the change trail: an agency auditor within its region, the service admin without
personal fields.

Filters: one object (kind and id), who acted (a principal), an organisation, a region prefix and
a time range. Newest first, a page at a time (keyset on the time in epoch ms, then ``_id``).
An auditor sees only records whose object lies in its region (a region filter outside it is
refused as a 404, like any object outside a caller's reach); the admin sees every record with
the keys the use case marked personal left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portfolio import clock
from portfolio.audit.context import PrincipalRef
from portfolio.audit.trail import ChangeRecord, chain_of
from portfolio.errors import Forbidden, NotFound, ValidationFailed

# Roles and sub-role values (``portfolio.accounts``' enums; the audit area sits below it).
ADMIN = "admin"
AGENCY = "agency"
AUDITOR = "auditor"
MAX_LIMIT = 100


@dataclass(frozen=True)
class ChangeFilter:
    """What to look for; every field optional."""

    object_kind: str | None = None
    object_id: str | None = None
    principal_id: str | None = None
    organisation_id: str | None = None
    region: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ChangePage:
    """One page of records as the reader may see them, and the next cursor (None: last)."""

    items: list[ChangeRecord]
    next_cursor: str | None


def _range(prefix: str) -> dict[str, str]:
    # A prefix match as an indexed range (STORAGE.md); "~" sorts after every digit.
    return {"$gte": prefix, "$lt": prefix + "~"}


def _reach(actor: PrincipalRef) -> str | None:
    """The region prefix an auditor is held to (None: the service admin, unrestricted)."""
    if str(actor.role) == ADMIN:
        return None
    if str(actor.role) == AGENCY and str(actor.staff_role) == AUDITOR:
        prefix = getattr(actor, "region_prefix", None)
        if prefix:
            return str(prefix)
    raise Forbidden("only an agency auditor or the service admin may search the audit trail")


def _cursor(raw: str) -> tuple[int, str]:
    ms, _, record = raw.partition("|")
    if not ms.isdigit() or not record:
        raise ValidationFailed.single("query.cursor", "format", "not a cursor this list gave out")
    return int(ms), record


def _query(actor: PrincipalRef, wanted: ChangeFilter) -> dict[str, Any]:
    reach = _reach(actor)
    query: dict[str, Any] = {}
    if wanted.object_kind is not None and wanted.object_id is not None:
        query["chain"] = chain_of(wanted.object_kind, wanted.object_id)
    elif wanted.object_kind is not None:
        query["object_kind"] = wanted.object_kind
    if wanted.principal_id is not None:
        query["principal_id"] = wanted.principal_id
    if wanted.organisation_id is not None:
        query["organisation_id"] = wanted.organisation_id
    region = wanted.region
    if reach is not None:
        if region is not None and not region.startswith(reach):
            raise NotFound("no such region in your reach")
        region = region or reach
    if region is not None:
        query["region"] = _range(region)
    span: dict[str, int] = {}
    if wanted.since is not None:
        span["$gte"] = clock.epoch_ms(wanted.since)
    if wanted.until is not None:
        span["$lt"] = clock.epoch_ms(wanted.until)
    if span:
        query["at_ms"] = span
    return query


def shown(record: ChangeRecord, actor: PrincipalRef) -> ChangeRecord:
    """``record`` as ``actor`` may read it: the service admin gets no personal keys."""
    if str(actor.role) != ADMIN or not record.personal:
        return record
    hidden = set(record.personal)

    def strip(values: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if values is None else {k: v for k, v in values.items() if k not in hidden}

    copy: ChangeRecord = record.model_copy(
        update={"before": strip(record.before), "after": strip(record.after) or {}}
    )
    return copy


async def search_changes(
    *, actor: PrincipalRef, wanted: ChangeFilter, limit: int, cursor: str | None = None
) -> ChangePage:
    """Records matching ``wanted`` within the actor's reach, newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.single("query.limit", "range", f"limit must be 1 to {MAX_LIMIT}")
    query = _query(actor, wanted)
    if cursor:
        ms, after_id = _cursor(cursor)
        # Two clauses: older instants, or the same instant and a smaller id (a rare tie).
        older = [{"at_ms": {"$lt": ms}}, {"at_ms": ms, "_id": {"$lt": after_id}}]
        query = {"$and": [query, {"$or": older}]}
    found = await ChangeRecord.find(query).sort("-at_ms", "-_id").limit(limit + 1).to_list()
    items = found[:limit]
    last = items[-1] if items and len(found) > limit else None
    return ChangePage(
        items=[shown(record, actor) for record in items],
        next_cursor=f"{last.at_ms}|{last.id}" if last is not None else None,
    )

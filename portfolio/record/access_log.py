"""Who read my record: the worker's access log, readable, a page at a time in both directions.

The same lines as ``GET /me/access-log`` (``archives.reading.list_access_log``), with the
reader's organisation and region named, and paged both ways on ``_id`` (``before``: older
lines, the next page; ``after``: newer ones, the previous page).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING

from portfolio.accounts.principal import Actor
from portfolio.archives.documents import AccessAction, AccessLogEntry
from portfolio.archives.scope import check_limit, require_worker
from portfolio.paging import id_cursor
from portfolio.record import names
from portfolio.record.views import AccessLogLine, AccessLogPage

DEFAULT_LIMIT = 20


def _log() -> Any:
    return AccessLogEntry.get_pymongo_collection()


async def read_log(
    *,
    actor: Actor,
    before: str | None = None,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> AccessLogPage:
    """One page of the worker's own access log, newest first."""
    limit = check_limit(limit)
    older_than, newer_than = id_cursor(before), id_cursor(after)
    query: dict[str, Any] = {"archive_id": str(require_worker(actor))}
    if newer_than is not None and older_than is None:
        rows = (
            await _log()
            .find({**query, "_id": {"$gt": newer_than}})
            .sort("_id", ASCENDING)
            .limit(limit + 1)
            .to_list()
        )
        newer = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        older = bool(rows) and await _exists({**query, "_id": {"$lt": rows[-1]["_id"]}})
    else:
        paged = query if older_than is None else {**query, "_id": {"$lt": older_than}}
        rows = await _log().find(paged).sort("_id", DESCENDING).limit(limit + 1).to_list()
        older = len(rows) > limit
        rows = rows[:limit]
        newer = (
            older_than is not None
            and bool(rows)
            and await _exists({**query, "_id": {"$gt": rows[0]["_id"]}})
        )
    organisations = await names.organisation_names(
        r["organisation_id"] for r in rows if r.get("organisation_id")
    )
    return AccessLogPage(
        lines=[_line(row, organisations) for row in rows],
        next_cursor=str(rows[-1]["_id"]) if older and rows else None,
        previous_cursor=str(rows[0]["_id"]) if newer and rows else None,
    )


async def _exists(query: dict[str, Any]) -> bool:
    return await _log().find_one(query, {"_id": 1}) is not None


def _line(raw: dict[str, Any], organisations: dict[str, str]) -> AccessLogLine:
    organisation = raw.get("organisation_id")
    region = raw.get("region_prefix")
    return AccessLogLine(
        id=str(raw["_id"]),
        at=raw["at"],
        username=raw["username"],
        role=raw["role"],
        organisation_name=organisations.get(organisation) if organisation else None,
        region=region,
        region_name=names.region_name(region),
        action=AccessAction(raw["action"]),
        purpose=raw["purpose"],
        fields=list(raw["fields"]),
    )

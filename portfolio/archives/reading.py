"""Reading archives: agency search and lookup, the worker's own view, the access log.

Full numbers are decrypted only for the worker or for an agency that states a purpose, and
every such agency read (and every search by number) is written to the worker's access log
before the data is returned, so a read the log does not show never happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives.access import log_reads
from portfolio.archives.documents import AccessAction, AccessLogEntry, Archive, ArchiveEntry
from portfolio.archives.entries import entry_page
from portfolio.archives.kept_summary import summary_of
from portfolio.archives.scope import (
    archive_for_agency,
    archive_for_reader,
    check_limit,
    check_purpose,
    log_access,
    require_agency,
    require_worker,
    revealed_fields,
    worker_view,
)
from portfolio.archives.summary import SUMMARY_KINDS, summarise
from portfolio.archives.views import (
    AccessLogPage,
    AccessLogView,
    ArchiveSummary,
    ArchiveView,
    WorkerView,
)
from portfolio.audit import AuditKind, Outcome, record
from portfolio.errors import NotFound, ValidationFailed
from portfolio.identity import (
    FieldProtection,
    IdType,
    normalise,
    parse_generic_number,
    parse_identity,
)
from portfolio.keyring import Keyring
from portfolio.paging import id_cursor, page_of
from portfolio.vocabulary import SkillLevel

_NOT_IN_REGION = "no worker with that number in your region"


def ssn_lookup_key(number: str) -> str:
    """The blind-index input of a social-security number (its own namespace)."""
    return f"ssn|{number}"


def parse_ssn(raw: str | None, *, field: str) -> str:
    """A social-security number as typed: normalised, 5 to 20 letters and digits."""
    return parse_generic_number(
        raw, field=field, what="social-security number", min_length=5, max_length=20
    )


async def search_worker(
    *,
    actor: Actor,
    keyring: Keyring,
    purpose: str,
    id_type: IdType = IdType.RESIDENT_ID,
    id_number: str | None = None,
    nationality: str | None = None,
    social_security_number: str | None = None,
    reveal: bool = False,
    now: datetime | None = None,
) -> WorkerView:
    """Find a worker of the agency's region by identity number or social-security number.

    Exactly one of ``id_number`` and ``social_security_number``. A hit is logged in the
    worker's access log with the purpose (and which full values were shown, if ``reveal``).
    A number outside the region is NotFound, as if it did not exist.
    """
    prefix = require_agency(actor)
    stated = check_purpose(purpose)
    protection = FieldProtection(keyring)
    has_id = bool(normalise(id_number or ""))
    has_ssn = bool(normalise(social_security_number or ""))
    if has_id == has_ssn:
        raise ValidationFailed.single(
            "id_number", "one_of", "give either id_number or social_security_number"
        )
    query: dict[str, Any] = {"region_code": region_range(prefix)}
    if has_id:
        identity = parse_identity(
            id_type, id_number or "", nationality=nationality, field="id_number"
        )
        query["id_index"] = protection.blind_index(identity.lookup_key)
    else:
        ssn = parse_ssn(social_security_number, field="social_security_number")
        query["ssn_index"] = protection.blind_index(ssn_lookup_key(ssn))
    archive = await Archive.find_one(query)
    by = "id_number" if has_id else "social_security_number"
    if archive is None:
        # Misses too: a run of them is someone enumerating numbers (the number is never kept).
        await record(AuditKind.IDENTITY_SEARCH, Outcome.FAILURE, actor=actor, by=by)
        raise NotFound(_NOT_IN_REGION)
    await record(
        AuditKind.IDENTITY_SEARCH,
        Outcome.SUCCESS,
        actor=actor,
        target=str(archive.id),
        by=by,
        revealed=reveal,
    )
    await log_access(
        actor=actor,
        archive=archive,
        action=AccessAction.SEARCH,
        purpose=stated,
        fields=revealed_fields(archive) if reveal else [],
        now=now or clock.now(),
    )
    return await worker_view(archive, protection, reveal=reveal)


async def get_worker(
    *,
    actor: Actor,
    keyring: Keyring,
    archive_id: str | None = None,
    reveal: bool = False,
    purpose: str | None = None,
    now: datetime | None = None,
) -> WorkerView:
    """A worker's archive header: masked by default.

    An agency (in region) sees full numbers only with ``reveal`` and a stated ``purpose``;
    that read is logged. A worker reads their own (``archive_id`` None or their own) and may
    reveal it without a purpose: it is their own data, and it is not logged.
    """
    protection = FieldProtection(keyring)
    if actor.role is Role.WORKER:
        archive = await archive_for_reader(actor, archive_id)
        return await worker_view(archive, protection, reveal=reveal, own=True)
    if archive_id is None:
        raise NotFound("no such worker")
    archive = await archive_for_agency(actor, archive_id)
    if reveal:
        stated = check_purpose(purpose)
        await record(AuditKind.IDENTITY_READ, Outcome.SUCCESS, actor=actor, target=str(archive.id))
        await log_access(
            actor=actor,
            archive=archive,
            action=AccessAction.READ_FULL,
            purpose=stated,
            fields=revealed_fields(archive),
            now=now or clock.now(),
        )
    else:
        await log_reads(actor, [str(archive.id)], what="read the worker's record (masked)")
    return await worker_view(archive, protection, reveal=reveal)


async def archive_summary(archive_id: ObjectId) -> ArchiveSummary:
    """The summary computed from the archive's entries of the summary kinds."""
    raw = (
        await ArchiveEntry.get_pymongo_collection()
        .find(
            {"archive_id": str(archive_id), "kind": {"$in": [k.value for k in SUMMARY_KINDS]}},
            {"seq": 1, "kind": 1, "payload": 1, "corrects": 1},
        )
        .sort("seq", ASCENDING)
        .to_list()
    )
    return summarise(raw)


async def get_archive_view(
    *,
    actor: Actor,
    keyring: Keyring,
    archive_id: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> ArchiveView:
    """The archive as the worker sees it (``GET /me/archive``), or an agency in region.

    Identity masked, links, entries newest first (keyset paged: pass ``next_cursor`` back
    as ``cursor``), and the summary (kept on the archive: ``kept_summary.py``).
    """
    archive = await archive_for_reader(actor, archive_id)
    assert archive.id is not None
    await log_reads(actor, [str(archive.id)], what="read the worker's archive")
    protection = FieldProtection(keyring)
    page = await entry_page(archive.id, cursor=cursor, limit=limit)
    return ArchiveView(
        worker=await worker_view(archive, protection, reveal=False, own=actor.role is Role.WORKER),
        entries=page,
        summary=await summary_of(archive),
    )


async def list_access_log(
    *, actor: Actor, cursor: str | None = None, limit: int = 20
) -> AccessLogPage:
    """The worker's own access log, newest first (the cursor is the last item's id)."""
    own = require_worker(actor)
    limit = check_limit(limit)
    query: dict[str, Any] = {"archive_id": str(own)}
    before = id_cursor(cursor)
    if before is not None:
        query["_id"] = {"$lt": before}
    raw = (
        await AccessLogEntry.get_pymongo_collection()
        .find(query)
        .sort("_id", DESCENDING)
        .limit(limit + 1)
        .to_list()
    )
    page = page_of(raw, limit, key=lambda r: r["_id"], view=_access_log_view)
    return AccessLogPage(items=page.items, next_cursor=page.next_cursor)


def _access_log_view(raw: dict[str, Any]) -> AccessLogView:
    return AccessLogView(
        id=str(raw["_id"]),
        at=raw["at"],
        principal_id=raw["principal_id"],
        username=raw["username"],
        role=raw["role"],
        organisation_id=raw.get("organisation_id"),
        region_prefix=raw.get("region_prefix"),
        action=AccessAction(raw["action"]),
        purpose=raw["purpose"],
        fields=list(raw["fields"]),
    )


async def highest_level(archive_id: str, occupation_code: str) -> SkillLevel | None:
    """The worker's highest level in an occupation as the archive states it (certificates and
    level-granting competition results, corrections and voids applied), or None."""
    summary = await archive_summary(ids.parse(archive_id, "worker"))
    found = [
        item.level for item in summary.highest_levels if item.occupation_code == occupation_code
    ]
    return found[0] if found else None

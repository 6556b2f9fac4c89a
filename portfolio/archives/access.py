"""Every read of a worker's data by someone other than the worker goes into their access log.

``log_reads`` is the one call each read use case makes, before it returns the data: a single
read names one archive, a list names every worker it shows (one line each, written in one
batch insert). What was read (``what``) is the purpose when the reader stated none; a stated
purpose is kept as given. A worker reading their own data is not logged (it is theirs), nor is
a read that shows nobody.
"""

from __future__ import annotations

from collections.abc import Iterable

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.archives.documents import AccessAction, AccessLogEntry


async def log_reads(
    actor: Actor,
    archive_ids: Iterable[str],
    *,
    what: str,
    purpose: str | None = None,
    action: AccessAction = AccessAction.READ,
) -> int:
    """Log ``actor``'s read of each archive in ``archive_ids`` (duplicates once); the number
    of lines written."""
    if actor.role is Role.WORKER:
        return 0
    now = clock.now()
    unique = list(dict.fromkeys(a for a in archive_ids if a))
    if not unique:
        return 0
    lines = [
        AccessLogEntry(
            archive_id=archive_id,
            at=now,
            principal_id=actor.principal_id,
            username=actor.username,
            role=actor.role.value,
            organisation_id=actor.organisation_id,
            region_prefix=actor.region_prefix,
            action=action,
            purpose=purpose or what,
            fields=[],
        )
        for archive_id in unique
    ]
    await AccessLogEntry.insert_many(lines)
    return len(lines)

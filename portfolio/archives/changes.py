"""The archive area's records in the change trail (``portfolio.audit.changed``).

An archive header is shown in its masked forms only (the name as ``张**``, the identity,
phone, social-security and certificate numbers masked), all marked personal so the service
admin sees none of them; sealed values and blind indexes never reach the trail. Appended
entries are not recorded here: they are their own insert-only hash chain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from portfolio import audit
from portfolio.archives.documents import Archive

KIND = "archive"
PERSONAL = ("name", "id_masked", "phone_masked", "social_security", "employment")


def shown(archive: Archive) -> dict[str, Any]:
    """The archive header as the trail keeps it."""
    social = archive.social_security
    job = archive.employment
    return {
        "name": audit.mask_name(archive.name),
        "id_masked": archive.id_masked,
        "phone_masked": archive.phone_masked,
        "region_code": archive.region_code,
        "account_state": archive.account_state.value,
        "social_security": None
        if social is None
        else {
            "number_masked": social.number_masked,
            "issuing_region": social.issuing_region,
            "schemes": [f"{s.scheme.value}:{s.since}" for s in social.schemes],
        },
        "employment": None
        if job is None
        else {
            "certificate_masked": job.certificate_masked,
            "registrations": [
                f"{r.kind.value}:{r.start.isoformat()}:{r.end.isoformat() if r.end else ''}"
                for r in job.registrations
            ],
        },
    }


async def archive_changed(before: Archive | None, *, reason: str) -> None:
    """Record the change of one archive header (read back as stored now)."""
    assert before is not None
    assert before.id is not None
    after = await Archive.get(before.id)
    if after is None:  # pragma: no cover - archives are never deleted
        return
    await audit.changed(
        KIND,
        str(after.id),
        after.version,
        shown(before),
        shown(after),
        reason=reason,
        region=after.region_code,
        personal=PERSONAL,
    )


async def archive_created(archive: Archive, *, reason: str = "registered by real name") -> None:
    """Record a newly registered archive (its first record, version 0)."""
    assert archive.id is not None
    await audit.changed(
        KIND,
        str(archive.id),
        archive.version,
        None,
        shown(archive),
        reason=reason,
        region=archive.region_code,
        personal=PERSONAL,
    )


async def _changed_between(since: datetime, until: datetime) -> AsyncIterator[audit.Snapshot]:
    # updated_at is written with $currentDate (a real date), so a range on it works.
    async for archive in Archive.find({"updated_at": {"$gte": since, "$lt": until}}):
        yield audit.Snapshot(
            object_id=str(archive.id),
            version=archive.version,
            after=shown(archive),
            region=archive.region_code,
            personal=PERSONAL,
        )


audit.register_source(KIND, _changed_between)

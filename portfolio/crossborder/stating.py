"""A cross-border record in the change trail and in the worker's archive.

The trail keeps each version (the name masked); the repair routine restores a version a crash
left out (``register_documents``). The archive states the decision (``cross_border_recognition``),
then each correction or the voiding, pointing at the entry it replaces (``portfolio.stated``:
``entry_seq`` 0 while the entry is being written; the repair routine finishes it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portfolio import audit, clock
from portfolio.archives import EntryKind, Recorder
from portfolio.crossborder.documents import BorderRecognition, BorderStatus
from portfolio.stated import PENDING, Stating, write_stating

TRAIL = "border_recognition"
PERSONAL = ("worker_name",)


def shown(found: BorderRecognition) -> dict[str, Any]:
    """A record as the change trail keeps it (the name masked)."""
    return {
        "archive_id": found.archive_id,
        "worker_name": audit.mask_name(found.worker_name),
        "origin": found.origin.value,
        "certificate_number": found.certificate_number,
        "issuing_body": found.issuing_body,
        "issuer_region_code": found.issuer_region_code,
        "country": found.country,
        "title": found.title,
        "occupation_code": found.occupation_code,
        "level": found.level.value,
        "issue_date": found.issue_date.isoformat(),
        "submitted_by": found.submitted_by.value,
        "status": found.status.value,
        "recognised_level": found.recognised_level.value if found.recognised_level else None,
        "decision_reason": found.decision_reason,
        "check_reference": found.check_reference,
        "void_reason": found.void_reason,
    }


async def trail(before: BorderRecognition | None, after: BorderRecognition, reason: str) -> None:
    """Record a version in the change trail (``before`` None: recorded)."""
    await audit.changed(
        TRAIL,
        str(after.id),
        after.version,
        None if before is None else shown(before),
        shown(after),
        reason=reason,
        region=after.worker_region_code,
        personal=PERSONAL,
    )


def _windows(since: datetime, until: datetime) -> list[dict[str, Any]]:
    return [
        {"recorded_at": {"$gte": since, "$lt": until}, "version": 0},
        {"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}},
    ]


audit.register_documents(
    TRAIL,
    BorderRecognition,
    _windows,
    lambda found: audit.Snapshot(
        str(found.id), found.version, shown(found), found.worker_region_code, PERSONAL
    ),
)


def payload(found: BorderRecognition, **extra: Any) -> dict[str, Any]:
    """What the archive keeps of a decided record: ``level`` is the level recognised (null
    when refused), so the archive summary counts it like a certificate's."""
    recognised = found.status is BorderStatus.RECOGNISED
    return {
        "recognition_id": str(found.id),
        "origin": found.origin.value,
        "decision": "recognised" if recognised else "refused",
        "occupation_code": found.occupation_code,
        "level": found.recognised_level.value if recognised and found.recognised_level else None,
        "claimed_level": found.level.value,
        "certificate_number": found.certificate_number,
        "issuing_body": found.issuing_body,
        "issuer_region_code": found.issuer_region_code,
        "country": found.country,
        "title": found.title,
        "issue_date": found.issue_date.isoformat(),
        "check_reference": found.check_reference,
        "decision_reason": found.decision_reason,
        **extra,
    }


def stating_entry(found: BorderRecognition, recorder: Recorder) -> Stating:
    """The entry stating the record as it stands: its decision, latest correction or voiding."""
    if found.status is BorderStatus.VOIDED:
        body = {"recognition_id": str(found.id), "reason": found.void_reason}
        kind = EntryKind.CROSS_BORDER_RECOGNITION_VOIDED
    elif found.corrects_seq:
        body = payload(found, reason=found.change_reason)
        kind = EntryKind.CROSS_BORDER_RECOGNITION_CORRECTED
    else:
        body = payload(found)
        kind = EntryKind.CROSS_BORDER_RECOGNITION
    return Stating(
        found.archive_id, kind, body, recorder, found.corrects_seq or None, "recognition_id"
    )


async def state(found: BorderRecognition, recorder: Recorder | None) -> BorderRecognition:
    """Write the record's stating entry (``recorder`` None: the repair routine, for the officer
    who made the change) and note its seq."""

    async def note(seq: int) -> None:
        await BorderRecognition.get_pymongo_collection().update_one(
            {"_id": found.id, "version": found.version, "entry_seq": PENDING},
            {"$set": {"entry_seq": seq}},
        )

    by = recorder or Recorder(
        principal=found.changed_by, role="agency", region=found.worker_region_code
    )
    seq = await write_stating(stating_entry(found, by), note)
    stated: BorderRecognition = found.model_copy(update={"entry_seq": seq})
    return stated


async def finish_entries(*, changed_before: datetime) -> int:
    """The repair routine's step: write the stating entry of every record a crash left
    pending (changed before ``changed_before``: younger ones may still be in their request)."""
    finished = 0
    pending = BorderRecognition.find(
        {"entry_seq": PENDING, "changed_at_ms": {"$lt": clock.epoch_ms(changed_before)}}
    )
    async for found in pending:
        await state(found, None)
        finished += 1
    return finished

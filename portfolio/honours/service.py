"""Recording honours: an agency records an honour conferred on a worker of its region, with
the year, the nominating body and the selection (decision number and date); the archive
states it (``honour``), and a correction or a voiding, each with a reason, is a later entry
pointing at it (``portfolio.stated``: the same pending-entry steps as certificates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from beanie.odm.utils.dump import get_dict
from pymongo.errors import DuplicateKeyError

from portfolio import audit, clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import EntryKind, Recorder, WorkerRef, find_worker, log_reads
from portfolio.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from portfolio.faults import crash_point
from portfolio.honours.documents import Honour, HonourStatus, HonourTitle
from portfolio.honours.rules import may_confer, title_text
from portfolio.honours.views import HonourView
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.stated import PENDING, Stating, write_stating

MAX_TEXT = 120
MAX_NUMBER = 60
MAX_REASON = 500
MAX_LISTED = 200
FIRST_YEAR = 1990
NO_MATCH = "no registered worker of your region has this ID number and name"
HONOUR = "honour"
PERSONAL = ("worker_name",)


@dataclass(frozen=True)
class HonourContent:
    """What an honour states; a correction restates all of it."""

    title: HonourTitle
    city_title: str
    year: int
    nominated_by: str
    decision_number: str
    decision_date: date


def _clean(text: str) -> str:
    return " ".join(text.split())


def _checked(actor: Actor, content: HonourContent, now: datetime) -> HonourContent:
    today = clock.china_today(now)
    cleaned = replace(
        content,
        city_title=_clean(content.city_title) if content.title is HonourTitle.CITY else "",
        nominated_by=_clean(content.nominated_by),
        decision_number=_clean(content.decision_number),
    )
    errors: list[FieldError] = []
    if not may_confer(actor.region_prefix, content.title):
        errors.append(FieldError("title", "province_only", "a province-level agency records it"))
    if content.title is HonourTitle.CITY and not 0 < len(cleaned.city_title) <= MAX_TEXT:
        errors.append(FieldError("city_title", "required", "a city honour names its title"))
    if not FIRST_YEAR <= content.year <= today.year:
        errors.append(FieldError("year", "range", f"from {FIRST_YEAR} to this year"))
    if not 0 < len(cleaned.nominated_by) <= MAX_TEXT:
        errors.append(FieldError("nominated_by", "required", f"1 to {MAX_TEXT} characters"))
    if not 0 < len(cleaned.decision_number) <= MAX_NUMBER:
        errors.append(FieldError("decision_number", "required", f"1 to {MAX_NUMBER} characters"))
    if content.decision_date > today:
        errors.append(FieldError("decision_date", "future", "must not be in the future"))
    elif content.decision_date.year < FIRST_YEAR:
        errors.append(FieldError("decision_date", "range", f"from {FIRST_YEAR}"))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _key(archive_id: str, content: HonourContent) -> str:
    """What makes an honour one: the worker, the title and the year."""
    return f"{archive_id}|{content.title.value}|{content.city_title}|{content.year}"


def _require_agency(actor: Actor) -> None:
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("honours are recorded by an agency")


def shown(found: Honour) -> dict[str, Any]:
    """An honour as the change trail keeps it (the name masked)."""
    return {
        "archive_id": found.archive_id,
        "worker_name": audit.mask_name(found.worker_name),
        "title": found.title.value,
        "city_title": found.city_title,
        "year": found.year,
        "nominated_by": found.nominated_by,
        "decision_number": found.decision_number,
        "decision_date": found.decision_date.isoformat(),
        "status": found.status.value,
        "void_reason": found.void_reason,
    }


async def _trail(before: Honour | None, after: Honour, reason: str) -> None:
    await audit.changed(
        HONOUR,
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
    HONOUR,
    Honour,
    _windows,
    lambda found: audit.Snapshot(
        str(found.id), found.version, shown(found), found.worker_region_code, PERSONAL
    ),
)


def honour_payload(found: Honour, **extra: Any) -> dict[str, Any]:
    """What the archive keeps of an honour."""
    return {
        "honour_id": str(found.id),
        "title": title_text(found.title, found.city_title),
        "title_code": found.title.value,
        "year": found.year,
        "nominated_by": found.nominated_by,
        "decision_number": found.decision_number,
        "decision_date": found.decision_date.isoformat(),
        "region_code": found.region_code,
        **extra,
    }


def stating_entry(found: Honour, recorder: Recorder) -> Stating:
    """The entry stating the honour as it stands: its record, its latest correction or its
    voiding."""
    if found.status is HonourStatus.VOIDED:
        payload = {"honour_id": str(found.id), "reason": found.void_reason}
        kind = EntryKind.HONOUR_VOIDED
    elif found.corrects_seq:
        payload = honour_payload(found, reason=found.change_reason)
        kind = EntryKind.HONOUR_CORRECTED
    else:
        payload = honour_payload(found)
        kind = EntryKind.HONOUR
    return Stating(
        found.archive_id, kind, payload, recorder, found.corrects_seq or None, "honour_id"
    )


async def _state(found: Honour, actor: Actor | None) -> Honour:
    """Write the honour's stating entry (``actor`` None: the repair routine, for the officer
    who made the change) and note its seq."""

    async def note(seq: int) -> None:
        await Honour.get_pymongo_collection().update_one(
            {"_id": found.id, "version": found.version, "entry_seq": PENDING},
            {"$set": {"entry_seq": seq}},
        )

    recorder = (
        Recorder.of(actor)
        if actor is not None
        else Recorder(principal=found.changed_by, role="agency", region=found.region_code)
    )
    seq = await write_stating(stating_entry(found, recorder), note)
    stated: Honour = found.model_copy(update={"entry_seq": seq})
    return stated


async def record(
    *, actor: Actor, keyring: Keyring, worker: WorkerRef, content: HonourContent
) -> HonourView:
    """Record an honour for a worker of the agency's region (the same honour once: 409)."""
    _require_agency(actor)
    now = clock.now()
    checked = _checked(actor, content, now)
    try:
        archive = await find_worker(keyring, worker)
    except ValidationFailed:
        archive = None
    if archive is None or not actor.covers_region(archive.region_code):
        raise ValidationFailed.single("worker", "no_match", NO_MATCH)
    assert actor.region_prefix is not None
    found = Honour(
        key=_key(str(archive.id), checked),
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        worker_region_code=archive.region_code,
        title=checked.title,
        city_title=checked.city_title,
        year=checked.year,
        nominated_by=checked.nominated_by,
        decision_number=checked.decision_number,
        decision_date=checked.decision_date,
        region_code=actor.region_prefix.ljust(6, "0"),
        recorded_at=clock.truncate_to_millis(now),
        recorded_by=actor.principal_id,
        changed_by=actor.principal_id,
        changed_at_ms=clock.epoch_ms(now),
    )
    if not await insert_once(found):
        raise Conflict("this honour is already recorded for this worker")
    crash_point("honour:after_insert")
    await _trail(None, found, "honour recorded")
    return HonourView.of(await _state(found, actor))


async def _visible(actor: Actor, honour_id: str) -> Honour:
    _require_agency(actor)
    found = await Honour.get(ids.parse(honour_id, "honour"))
    if found is None or not actor.covers_region(found.worker_region_code):
        raise NotFound("no such honour")
    return found


async def _changeable(actor: Actor, honour_id: str) -> Honour:
    found = await _visible(actor, honour_id)
    if found.status is HonourStatus.VOIDED:
        raise InvalidTransition("the honour is voided", current_state="voided")
    if not may_confer(actor.region_prefix, found.title):
        raise Forbidden("a province-level agency changes a provincial honour")
    if found.entry_seq == PENDING:
        # Its last change is still being written: finish that first (a retry does it).
        await _state(found, actor)
        raise Conflict("the honour's last change was still being recorded; retry")
    return found


def _reason(reason: str) -> str:
    text = _clean(reason)
    if not 0 < len(text) <= MAX_REASON:
        raise ValidationFailed.single("reason", "required", f"1 to {MAX_REASON} characters")
    return text


async def _change(actor: Actor, found: Honour, update: dict[str, Any], reason: str) -> HonourView:
    now = clock.now()
    changed = {
        **update,
        "entry_seq": PENDING,
        "corrects_seq": found.entry_seq,
        "changed_by": actor.principal_id,
        "changed_at_ms": clock.epoch_ms(now),
        "version": found.version + 1,
    }
    after = found.model_copy(update=changed)
    # One conditional replace of the whole document (a date given to $set would be stored
    # as a string on nx-27017).
    try:
        replaced = await Honour.get_pymongo_collection().replace_one(
            {"_id": found.id, "version": found.version, "entry_seq": found.entry_seq},
            get_dict(after, to_db=True),
        )
    except DuplicateKeyError:
        raise Conflict("this honour is already recorded for this worker") from None
    if replaced.matched_count != 1:
        raise Conflict("the honour changed meanwhile; reload and retry")
    await _trail(found, after, reason)
    return HonourView.of(await _state(after, actor))


async def correct(
    *, actor: Actor, honour_id: str, content: HonourContent, reason: str
) -> HonourView:
    """Restate an honour (restating what it says changes nothing)."""
    found = await _changeable(actor, honour_id)
    text = _reason(reason)
    checked = _checked(actor, content, clock.now())
    current = HonourContent(
        found.title,
        found.city_title,
        found.year,
        found.nominated_by,
        found.decision_number,
        found.decision_date,
    )
    if current == checked:
        return HonourView.of(found)
    update = {
        "title": checked.title,
        "city_title": checked.city_title,
        "year": checked.year,
        "nominated_by": checked.nominated_by,
        "decision_number": checked.decision_number,
        "decision_date": checked.decision_date,
        "change_reason": text,
        "key": _key(found.archive_id, checked),
    }
    return await _change(actor, found, update, text)


async def void(*, actor: Actor, honour_id: str, reason: str) -> HonourView:
    """Withdraw an honour, with a reason."""
    found = await _changeable(actor, honour_id)
    text = _reason(reason)
    return await _change(actor, found, {"status": HonourStatus.VOIDED, "void_reason": text}, text)


async def get(*, actor: Actor, honour_id: str) -> HonourView:
    """One honour of the region's workers."""
    found = await _visible(actor, honour_id)
    await log_reads(actor, [found.archive_id], what="honour")
    return HonourView.of(found)


async def list_visible(*, actor: Actor) -> list[HonourView]:
    """The honours of the region's workers, latest year first (at most 200)."""
    _require_agency(actor)
    assert actor.region_prefix is not None
    found = (
        await Honour.find({"worker_region_code": region_range(actor.region_prefix)})
        .sort("-year", "-_id")
        .limit(MAX_LISTED)
        .to_list()
    )
    await log_reads(actor, [h.archive_id for h in found], what="honours list")
    return [HonourView.of(h) for h in found]


async def finish_entries(*, changed_before: datetime) -> int:
    """The repair routine's step: write the stating entry of every honour a crash left
    pending (changed before ``changed_before``: younger ones may still be in their request)."""
    finished = 0
    pending = Honour.find(
        {"entry_seq": PENDING, "changed_at_ms": {"$lt": clock.epoch_ms(changed_before)}}
    )
    async for found in pending:
        await _state(found, None)
        finished += 1
    return finished

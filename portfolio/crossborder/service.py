"""Recording and deciding certificates and qualifications from outside Sichuan.

An agency officer records one for a worker of the region, or the worker submits their own
with a description of the scan they hold; either waits (``pending``) for an officer of the
worker's region to decide: recognised (a Chongqing certificate at its level, once checked with
Chongqing, the reference kept; a foreign qualification at the level the officer states) or
refused with a reason. The decision is one conditional update on the version and is then
stated in the worker's archive (``stating.py``); a correction or a voiding, each with a
reason, is a later entry pointing at it. A pending record voided never reached the archive.
"""

from __future__ import annotations

from typing import Any

from beanie.odm.utils.dump import get_dict
from pymongo.errors import DuplicateKeyError

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import (
    Archive,
    Recorder,
    WorkerRef,
    archive_by_id,
    find_worker,
    log_reads,
)
from portfolio.crossborder.documents import BorderRecognition, BorderStatus, Submitter
from portfolio.crossborder.rules import (
    MAX_REASON,
    BorderContent,
    Decision,
    checked_content,
    checked_decision,
    clean,
)
from portfolio.crossborder.stating import state, trail
from portfolio.crossborder.views import BorderView
from portfolio.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from portfolio.faults import crash_point
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.stated import NOT_STATED, PENDING

MAX_LISTED = 200
NO_MATCH = "no registered worker of your region has this ID number and name"
DUPLICATE = "this certificate is already recorded for this worker"


def _key(archive_id: str, content: BorderContent) -> str:
    """What makes a record one: the worker, the origin, the number (or issuer and title) and
    the issue date."""
    what = content.certificate_number or f"{content.issuing_body}|{content.title}"
    return f"{archive_id}|{content.origin.value}|{what}|{content.issue_date.isoformat()}"


def _require_agency(actor: Actor) -> None:
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("recognition across borders is decided by an agency")


async def _insert(
    actor: Actor, archive: Archive, content: BorderContent, submitter: Submitter
) -> BorderView:
    now = clock.now()
    found = BorderRecognition(
        key=_key(str(archive.id), content),
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        worker_region_code=archive.region_code,
        origin=content.origin,
        certificate_number=content.certificate_number,
        issuing_body=content.issuing_body,
        issuer_region_code=content.issuer_region_code,
        country=content.country,
        title=content.title,
        occupation_code=content.occupation_code,
        level=content.level,
        issue_date=content.issue_date,
        scan_description=content.scan_description,
        submitted_by=submitter,
        recorded_at=clock.truncate_to_millis(now),
        recorded_by=actor.principal_id,
        changed_by=actor.principal_id,
        changed_at_ms=clock.epoch_ms(now),
    )
    if not await insert_once(found):
        raise Conflict(DUPLICATE)
    await trail(None, found, f"recorded ({submitter.value})")
    return BorderView.of(found)


async def record(
    *, actor: Actor, keyring: Keyring, worker: WorkerRef, content: BorderContent
) -> BorderView:
    """An agency officer records a certificate or qualification for a worker of the region
    (the same one once: 409); it waits for the decision."""
    _require_agency(actor)
    checked = await checked_content(content, clock.now(), by_worker=False)
    try:
        archive = await find_worker(keyring, worker)
    except ValidationFailed:
        archive = None
    if archive is None or not actor.covers_region(archive.region_code):
        raise ValidationFailed.single("worker", "no_match", NO_MATCH)
    return await _insert(actor, archive, checked, Submitter.AGENCY)


async def submit(*, actor: Actor, content: BorderContent) -> BorderView:
    """The worker submits their own, describing the scan they hold, for their region's agency."""
    if actor.role is not Role.WORKER or actor.archive_id is None:
        raise Forbidden("a worker submits their own certificate")
    checked = await checked_content(content, clock.now(), by_worker=True)
    archive = await archive_by_id(actor.archive_id)
    if archive is None:
        raise NotFound("no archive")
    return await _insert(actor, archive, checked, Submitter.WORKER)


async def _visible(actor: Actor, recognition_id: str) -> BorderRecognition:
    found = await BorderRecognition.get(ids.parse(recognition_id, "recognition"))
    if found is None:
        raise NotFound("no such recognition")
    if actor.role is Role.WORKER and found.archive_id == actor.archive_id:
        return found
    if actor.role is Role.AGENCY and actor.covers_region(found.worker_region_code):
        return found
    raise NotFound("no such recognition")


async def _replace(
    actor: Actor, found: BorderRecognition, update: dict[str, Any], reason: str
) -> BorderView:
    """One conditional replace of the whole document (a date given to $set would be stored as
    a string on nx-27017), the trail, then the stating entry when there is one to write."""
    now = clock.now()
    after = found.model_copy(
        update={
            **update,
            "changed_by": actor.principal_id,
            "changed_at_ms": clock.epoch_ms(now),
            "version": found.version + 1,
        }
    )
    try:
        replaced = await BorderRecognition.get_pymongo_collection().replace_one(
            {"_id": found.id, "version": found.version, "entry_seq": found.entry_seq},
            get_dict(after, to_db=True),
        )
    except DuplicateKeyError:
        raise Conflict(DUPLICATE) from None
    if replaced.matched_count != 1:
        raise Conflict("the recognition changed meanwhile; reload and retry")
    await trail(found, after, reason)
    if after.entry_seq != PENDING:
        return BorderView.of(after)
    crash_point("border:before_entry")
    return BorderView.of(await state(after, Recorder.of(actor)))


async def decide(*, actor: Actor, recognition_id: str, decision: Decision) -> BorderView:
    """Recognise or refuse a pending record; the archive states the decision."""
    _require_agency(actor)
    found = await _visible(actor, recognition_id)
    if found.entry_seq == PENDING and found.status is not BorderStatus.PENDING:
        return BorderView.of(await state(found, Recorder.of(actor)))  # a crash's leftover
    if found.status is not BorderStatus.PENDING:
        raise InvalidTransition(
            f"the recognition is {found.status.value} already", current_state=found.status.value
        )
    made = checked_decision(found.origin, found.level, decision)
    update = {
        "status": BorderStatus.RECOGNISED if made.recognised else BorderStatus.REFUSED,
        "recognised_level": made.level,
        "check_reference": made.check_reference,
        "decision_reason": made.reason,
        "decided_by": actor.principal_id,
        "decided_at_ms": clock.epoch_ms(clock.now()),
        "entry_seq": PENDING,
    }
    return await _replace(actor, found, update, made.reason or "recognised")


async def _changeable(actor: Actor, recognition_id: str) -> BorderRecognition:
    _require_agency(actor)
    found = await _visible(actor, recognition_id)
    if found.status is BorderStatus.VOIDED:
        raise InvalidTransition("the recognition is voided", current_state="voided")
    if found.entry_seq == PENDING:
        # Its last change is still being written: finish that first (a retry does it).
        await state(found, Recorder.of(actor))
        raise Conflict("the recognition's last change was still being recorded; retry")
    return found


def _reason(reason: str) -> str:
    text = clean(reason)
    if not 0 < len(text) <= MAX_REASON:
        raise ValidationFailed.single("reason", "required", f"1 to {MAX_REASON} characters")
    return text


async def correct(
    *,
    actor: Actor,
    recognition_id: str,
    content: BorderContent,
    decision: Decision,
    reason: str,
) -> BorderView:
    """Restate a decided record: what it states and the decision (restating the same changes
    nothing). A pending one is decided, not corrected."""
    found = await _changeable(actor, recognition_id)
    if found.status is BorderStatus.PENDING:
        raise InvalidTransition("decide it first", current_state="pending")
    text = _reason(reason)
    if content.origin is not found.origin:
        raise ValidationFailed.single("origin", "unchanged", "a correction keeps the origin")
    checked = await checked_content(
        content, clock.now(), by_worker=False, kept_occupation=found.occupation_code
    )
    made = checked_decision(found.origin, checked.level, decision)
    update = {
        "key": _key(found.archive_id, checked),
        "certificate_number": checked.certificate_number,
        "issuing_body": checked.issuing_body,
        "issuer_region_code": checked.issuer_region_code,
        "country": checked.country,
        "title": checked.title,
        "occupation_code": checked.occupation_code,
        "level": checked.level,
        "issue_date": checked.issue_date,
        "scan_description": checked.scan_description or found.scan_description,
        "status": BorderStatus.RECOGNISED if made.recognised else BorderStatus.REFUSED,
        "recognised_level": made.level,
        "check_reference": made.check_reference,
        "decision_reason": made.reason,
    }
    if all(getattr(found, name) == value for name, value in update.items()):
        return BorderView.of(found)
    update |= {"change_reason": text, "corrects_seq": found.entry_seq, "entry_seq": PENDING}
    return await _replace(actor, found, update, text)


async def void(*, actor: Actor, recognition_id: str, reason: str) -> BorderView:
    """Withdraw a record, with a reason (the archive says so once it stated it)."""
    found = await _changeable(actor, recognition_id)
    text = _reason(reason)
    update: dict[str, Any] = {"status": BorderStatus.VOIDED, "void_reason": text}
    if found.entry_seq != NOT_STATED:
        update |= {"corrects_seq": found.entry_seq, "entry_seq": PENDING}
    return await _replace(actor, found, update, text)


async def get(*, actor: Actor, recognition_id: str) -> BorderView:
    """One record: the worker's own, or a worker's of the agency's region (logged)."""
    if actor.role not in (Role.AGENCY, Role.WORKER):
        raise Forbidden("for agencies and the worker")
    found = await _visible(actor, recognition_id)
    if actor.role is Role.AGENCY:
        await log_reads(actor, [found.archive_id], what="cross-border recognition")
    return BorderView.of(found)


async def list_visible(*, actor: Actor, status: BorderStatus | None = None) -> list[BorderView]:
    """The region's records, newest first (at most 200); the reads are logged."""
    _require_agency(actor)
    assert actor.region_prefix is not None
    query: dict[str, Any] = {"worker_region_code": region_range(actor.region_prefix)}
    if status is not None:
        query["status"] = status.value
    found = await BorderRecognition.find(query).sort("-recorded_at").limit(MAX_LISTED).to_list()
    await log_reads(actor, [r.archive_id for r in found], what="cross-border recognition list")
    return [BorderView.of(r) for r in found]


async def list_own(*, actor: Actor) -> list[BorderView]:
    """The worker's own records, newest first."""
    if actor.role is not Role.WORKER or actor.archive_id is None:
        raise Forbidden("a worker's own")
    found = (
        await BorderRecognition.find({"archive_id": actor.archive_id})
        .sort("-recorded_at")
        .limit(MAX_LISTED)
        .to_list()
    )
    return [BorderView.of(r) for r in found]


def content_of(found: BorderView) -> BorderContent:
    """What a record states, as a correction would restate it."""
    return BorderContent(
        found.origin,
        found.certificate_number,
        found.issuing_body,
        found.issuer_region_code,
        found.country,
        found.title,
        found.occupation_code,
        found.level,
        found.issue_date,
        found.scan_description,
    )

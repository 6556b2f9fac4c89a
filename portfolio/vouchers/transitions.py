"""Every change of a voucher after its issue: consent, bind, release, cancel, expire.

Each change is ONE conditional update of the voucher (filter on the status and version it was
read with, and on ``valid_until_ms`` so that nothing but ``expire`` can move a voucher past its
end, whatever order requests arrive in), which also stores the event as ``last_event``; then
the event row is inserted under its deterministic id ``"<voucher id>:<new version>"`` and the
domain event ``vouchers.changed`` is published (the agencies' report counters take it). A
retry of either insert is a harmless duplicate; one lost to a crash is restored from
``last_event`` by ``restore_missing_events``. The refused cases change nothing and answer
which state the voucher is in. The vouchers area also listens: an enrolment withdrawn or
refused gives its bound voucher back (``release_for_enrolment``, from ``listening``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from portfolio import clock
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import Recorder, to_bson
from portfolio.errors import Conflict, FieldError, Forbidden, InvalidTransition, ValidationFailed
from portfolio.once import insert_once
from portfolio.training import (
    EnrolmentStatus,
    acting_organisation,
    find_enrolment,
    terms_of_enrolments,
)
from portfolio.vouchers.changes import voucher_changed
from portfolio.vouchers.documents import (
    EventRecord,
    IssueBatch,
    Voucher,
    VoucherEvent,
    event_id,
)
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.events import publish_change, publish_missing, publish_missing_issues
from portfolio.vouchers.reading import get_visible
from portfolio.vouchers.rules import (
    HOLDS_ENROLMENT,
    UNUSED,
    binding_key,
    coverage_gaps,
    effective_status,
    free_key,
    next_state,
)
from portfolio.vouchers.views import VoucherView

A = VoucherAction
S = VoucherStatus

# An enrolment a voucher may be bound to: not yet finished, not withdrawn or refused.
BINDABLE = frozenset(
    {EnrolmentStatus.REQUESTED, EnrolmentStatus.ACCEPTED, EnrolmentStatus.IN_TRAINING}
)
# An enrolment that has ended this way gives its voucher back.
RELEASING = frozenset({EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REFUSED})
SYSTEM = Recorder(principal="system", role="system")
MAX_RELEASE_ATTEMPTS = 5
EXPIRE_BATCH = 500


async def record_event(voucher: Voucher, record: EventRecord) -> None:
    """Insert the event row; a duplicate is the same event written before (a retry)."""
    await insert_once(VoucherEvent.of(voucher, record))


def _takes_unique_key(voucher_id: str, changes: Mapping[str, Any]) -> bool:
    """Whether the change sets ``holding_key`` or ``binding_key`` to a value another voucher
    could hold (anything but its own free key)."""
    free = free_key(voucher_id)
    return any(changes.get(k, free) != free for k in ("holding_key", "binding_key"))


async def _move(
    voucher: Voucher, condition: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The conditional update; the voucher as written, or None when the filter matched
    nothing. Raises Conflict when a unique key is taken."""
    collection = Voucher.get_pymongo_collection()
    # updated_at through $currentDate: nx-27017 stores a $set datetime as a string.
    update = {"$set": dict(changes), "$inc": {"version": 1}, "$currentDate": {"updated_at": True}}
    if not _takes_unique_key(str(voucher.id), changes):
        # One round trip: the update hands back what it wrote, so the winner reads nothing.
        moved: dict[str, Any] | None = await collection.find_one_and_update(
            condition, update, return_document=ReturnDocument.AFTER
        )
        return moved
    # A key another voucher may hold: update_one, whose refusal nx-27017 reports as a
    # duplicate key (its find_one_and_update answers None; tests/storage/test_voucher_patterns).
    try:
        result = await collection.update_one(condition, update)
    except DuplicateKeyError:
        raise Conflict("another voucher is bound to this enrolment already") from None
    if result.modified_count != 1:
        return None
    return await collection.find_one({"_id": voucher.id})


async def apply(
    voucher: Voucher,
    *,
    action: VoucherAction,
    target: VoucherStatus,
    by: Recorder,
    now: datetime,
    reason: str = "",
    details: Mapping[str, str] | None = None,
    fields: Mapping[str, Any] | None = None,
    expect: Mapping[str, Any] | None = None,
) -> Voucher:
    """Move ``voucher`` (as read) to ``target``: one conditional update, then its event row.

    ``expect``: more fields the update requires as read (a claim's attestation, which moves
    without a new version).

    Refused with InvalidTransition naming the effective state when the voucher changed since
    it was read, or reached its end (only ``expire`` moves a voucher past its end).
    """
    assert voucher.id is not None
    record = EventRecord(
        version=voucher.version + 1,
        action=action,
        from_state=voucher.status,
        to_state=target,
        reason=reason,
        by=by,
        at=now,
        details=dict(details or {}),
    )
    changes: dict[str, Any] = {
        "status": target.value,
        "last_event": to_bson(record),
        **(fields or {}),
    }
    if target not in UNUSED:
        changes["holding_key"] = free_key(str(voucher.id))
    if target not in HOLDS_ENROLMENT:
        changes["binding_key"] = free_key(str(voucher.id))
    condition: dict[str, Any] = {
        "_id": voucher.id,
        "status": voucher.status.value,
        "version": voucher.version,
        "valid_until_ms": {"$lte" if action is A.EXPIRE else "$gt": clock.epoch_ms(now)},
    }
    if voucher.status not in UNUSED:
        del condition["valid_until_ms"]  # only unused vouchers expire
    condition.update(expect or {})
    moved = await _move(voucher, condition, changes)
    if moved is None:
        current = await Voucher.get(voucher.id)
        assert current is not None  # vouchers are never deleted
        state = effective_status(current.status, current.valid_until, now)
        if state is voucher.status:
            # Same state, newer version: another change (a consent) landed first.
            raise InvalidTransition(
                f"the voucher changed meanwhile (it is still {state.value}); reload and retry",
                current_state=state.value,
            )
        raise InvalidTransition(
            f"cannot {action.value} a voucher that is {state.value}", current_state=state.value
        )
    fresh: Voucher = Voucher.model_validate(moved)
    await record_event(fresh, record)
    await voucher_changed(voucher, fresh, reason=reason or action.value)
    await publish_change(fresh, record)
    return fresh


def _check(action: VoucherAction, voucher: Voucher, now: datetime) -> VoucherStatus:
    return next_state(action, effective_status(voucher.status, voucher.valid_until, now))


async def consent(
    *, actor: Actor, voucher_id: str, provider_may_bind: bool, now: datetime | None = None
) -> VoucherView:
    """The worker allows (or stops allowing) a provider that trains them to bind the voucher.

    The consent is used up by a bind, so a voucher released later needs a new one.
    """
    now = clock.truncate_to_millis(now or clock.now())
    if actor.role is not Role.WORKER:
        raise Forbidden("only the voucher's holder may decide this")
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    target = _check(A.CONSENT, voucher, now)
    if voucher.provider_may_bind == provider_may_bind:
        return VoucherView.of(voucher, viewer=actor, now=now)
    consented = await apply(
        voucher,
        action=A.CONSENT,
        target=target,
        by=Recorder.of(actor),
        now=now,
        reason="provider may bind" if provider_may_bind else "provider may no longer bind",
        details={"provider_may_bind": str(provider_may_bind).lower()},
        fields={"provider_may_bind": provider_may_bind},
    )
    return VoucherView.of(consented, viewer=actor, now=now)


async def bind(
    *, actor: Actor, voucher_id: str, enrolment_id: str, now: datetime | None = None
) -> VoucherView:
    """Bind an issued voucher to one of the worker's enrolments whose course the policy pays
    for: by the worker, or by the enrolment's provider when the worker allowed it."""
    now = clock.truncate_to_millis(now or clock.now())
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    if actor.role is Role.PROVIDER:
        await acting_organisation(actor)
    elif actor.role is not Role.WORKER:
        raise Forbidden("only the worker or their provider may bind a voucher")
    target = _check(A.BIND, voucher, now)
    if actor.role is Role.PROVIDER and not voucher.provider_may_bind:
        raise Forbidden("the worker has not allowed a provider to bind this voucher")
    enrolment = await find_enrolment(enrolment_id)
    if (
        enrolment is None
        or enrolment.archive_id != voucher.archive_id
        or (actor.role is Role.PROVIDER and enrolment.organisation_id != actor.organisation_id)
    ):
        raise ValidationFailed.single(
            "enrolment_id", "not_found", "no enrolment of the voucher's holder has this id"
        )
    if enrolment.status not in BINDABLE:
        raise Conflict(
            f"the enrolment is {enrolment.status.value}: a voucher is bound to a requested, "
            "accepted or in-training enrolment",
            enrolment_status=enrolment.status.value,
        )
    course = (await terms_of_enrolments([enrolment])).get(str(enrolment.id))
    assert course is not None
    gaps = coverage_gaps(
        voucher.coverage,
        training_type=course.training_type.value,
        occupation_code=course.occupation_code,
        brand=course.brand.value if course.brand else None,
    )
    if gaps:
        raise ValidationFailed([FieldError("enrolment_id", "not_covered", gap) for gap in gaps])
    await _expire_lapsed_holder(str(enrolment.id), now)
    bound = await apply(
        voucher,
        action=A.BIND,
        target=target,
        by=Recorder.of(actor),
        now=now,
        details={
            "enrolment_id": str(enrolment.id),
            "course_id": enrolment.course_id,
            "organisation_id": enrolment.organisation_id,
        },
        fields={
            "enrolment_id": str(enrolment.id),
            "organisation_id": enrolment.organisation_id,
            "binding_key": binding_key(str(enrolment.id)),
            "provider_may_bind": False,
        },
    )
    # The enrolment may have been withdrawn while we bound: its release hook ran before our
    # bind landed and found nothing to release. Either it saw our binding or we see its
    # withdrawal here (both write before they read), so give the voucher back ourselves.
    again = await find_enrolment(str(enrolment.id))
    if again is not None and again.status not in BINDABLE:
        with contextlib.suppress(Conflict):
            await apply(
                bound,
                action=A.RELEASE,
                target=S.ISSUED,
                by=Recorder.of(actor),
                now=now,
                reason=f"the enrolment was {again.status.value}",
                fields={"enrolment_id": "", "organisation_id": ""},
            )
        raise Conflict(
            f"the enrolment is {again.status.value}: the voucher stays issued",
            enrolment_status=again.status.value,
        )
    return VoucherView.of(bound, viewer=actor, now=now)


async def _expire_lapsed_holder(enrolment_id: str, now: datetime) -> None:
    """Mark expired a voucher still bound to the enrolment but past its end.

    It counts as expired everywhere, yet until a sweep marks it, it keeps the enrolment's
    unique binding key and would refuse the new bind (issuing does the same for the holding key).
    """
    lapsed = Voucher.find(
        {
            "binding_key": binding_key(enrolment_id),
            "status": S.BOUND.value,
            "valid_until_ms": {"$lte": clock.epoch_ms(now)},
        }
    )
    async for voucher in lapsed:
        await expire(voucher, by=SYSTEM, now=now)


async def release(
    *, actor: Actor, voucher_id: str, reason: str = "", now: datetime | None = None
) -> VoucherView:
    """Give a bound voucher back (bound -> issued) once its enrolment was withdrawn or
    refused: the worker, the provider or an agency of the region (the automatic release on
    withdrawal normally does this already)."""
    now = clock.truncate_to_millis(now or clock.now())
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    target = _check(A.RELEASE, voucher, now)
    enrolment = await find_enrolment(voucher.enrolment_id)
    if enrolment is not None and enrolment.status not in RELEASING:
        raise Conflict(
            f"the enrolment is still {enrolment.status.value}: a voucher is released when its "
            "enrolment is withdrawn",
            enrolment_status=enrolment.status.value,
        )
    released = await apply(
        voucher,
        action=A.RELEASE,
        target=target,
        by=Recorder.of(actor),
        now=now,
        reason=reason.strip() or "the enrolment was withdrawn",
        details={"enrolment_id": voucher.enrolment_id},
        fields={"enrolment_id": "", "organisation_id": ""},
    )
    return VoucherView.of(released, viewer=actor, now=now)


async def release_for_enrolment(
    *, by: Recorder, enrolment_id: str, reason: str, now: datetime | None = None
) -> int:
    """Release every voucher bound to an enrolment that was withdrawn or refused.

    Called when the training area's ``training.enrolment_ended`` event is delivered (right
    after the enrolment's update, or by the repair routine). A voucher past its end is left
    alone (it is expired); one that changed meanwhile is read again, a few times. Returns how
    many were released (none when the event is delivered again).
    """
    now = clock.truncate_to_millis(now or clock.now())
    released = 0
    async for voucher in Voucher.find(
        {"enrolment_id": enrolment_id, "status": VoucherStatus.BOUND.value}
    ):
        current: Voucher | None = voucher
        for _ in range(MAX_RELEASE_ATTEMPTS):
            if current is None or current.status is not S.BOUND:
                break
            if current.enrolment_id != enrolment_id or current.valid_until <= now:
                break
            try:
                await apply(
                    current,
                    action=A.RELEASE,
                    target=S.ISSUED,
                    by=by,
                    now=now,
                    reason=reason,
                    details={"enrolment_id": enrolment_id},
                    fields={"enrolment_id": "", "organisation_id": ""},
                )
                released += 1
                break
            except InvalidTransition:
                current = await Voucher.get(current.id)
    return released


async def cancel(
    *, actor: Actor, voucher_id: str, reason: str, now: datetime | None = None
) -> VoucherView:
    """An agency of the voucher's region cancels an issued or bound voucher, with a reason."""
    now = clock.truncate_to_millis(now or clock.now())
    if actor.role is not Role.AGENCY:
        raise Forbidden("only an agency may cancel a voucher")
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    target = _check(A.CANCEL, voucher, now)
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a reason is required")
    cancelled = await apply(
        voucher,
        action=A.CANCEL,
        target=target,
        by=Recorder.of(actor),
        now=now,
        reason=reason.strip(),
        details={"enrolment_id": voucher.enrolment_id} if voucher.enrolment_id else {},
    )
    return VoucherView.of(cancelled, viewer=actor, now=now)


async def expire(voucher: Voucher, *, by: Recorder, now: datetime) -> Voucher | None:
    """Mark one voucher expired if it is unused and past its end (None when it was not)."""
    if voucher.status not in UNUSED or voucher.valid_until > now:
        return None
    try:
        return await apply(
            voucher,
            action=A.EXPIRE,
            target=S.EXPIRED,
            by=by,
            now=now,
            reason=f"valid until {voucher.valid_until.isoformat()}",
        )
    except InvalidTransition:
        return None  # moved meanwhile (expired by another sweep)


async def expire_due(
    *, actor: Actor | None, now: datetime | None = None, limit: int = EXPIRE_BATCH
) -> int:
    """Mark expired the unused vouchers past their end (an agency: in its region; an admin or
    the system: all). Returns how many this call marked; run again until it returns 0."""
    now = clock.truncate_to_millis(now or clock.now())
    query: dict[str, Any] = {
        "status": {"$in": [s.value for s in UNUSED]},
        "valid_until_ms": {"$lte": clock.epoch_ms(now)},
    }
    by = SYSTEM
    if actor is not None:
        if actor.role is Role.AGENCY and actor.region_prefix:
            query["region_code"] = region_range(actor.region_prefix)
        elif actor.role is not Role.ADMIN:
            raise Forbidden("only an agency or an admin may expire vouchers")
        by = Recorder.of(actor)
    due = await Voucher.find(query).sort("+valid_until_ms").limit(limit).to_list()
    marked = 0
    for voucher in due:
        if await expire(voucher, by=by, now=now) is not None:
            marked += 1
    return marked


async def restore_missing_events(*, since: datetime | None = None, batch: int = 500) -> int:
    """Write the event rows lost to a crash between a voucher's update and its event insert.

    Every voucher's ``last_event`` is the event of its current version; its row must exist
    under the deterministic id. Only vouchers changed since ``since`` are looked at (all when
    None): the start-up repair passes its checkpoint, so a start does not read every voucher.
    One cursor, checked in batches: nx-27017 answers each page of a sorted, paged scan with a
    scan of its own. Returns how many rows were restored (a repair routine).
    """
    query: dict[str, Any] = {} if since is None else {"updated_at": {"$gte": since}}
    restored = 0
    pending: list[Voucher] = []
    async for voucher in Voucher.find(query):
        pending.append(voucher)
        if len(pending) >= batch:
            restored += await _restore_batch(pending)
            pending = []
    return restored + await _restore_batch(pending)


async def _restore_batch(vouchers: list[Voucher]) -> int:
    wanted = {event_id(str(v.id), v.version): v for v in vouchers}
    if not wanted:
        return 0
    present = {
        e["_id"]
        async for e in VoucherEvent.get_pymongo_collection().find(
            {"_id": {"$in": list(wanted)}}, {"_id": 1}
        )
    }
    restored = 0
    for key, voucher in wanted.items():
        if key not in present and voucher.last_event.version == voucher.version:
            await record_event(voucher, voucher.last_event)
            restored += 1
    return restored


async def publish_missing_events(*, since: datetime, batch: int = 500) -> int:
    """Publish the domain events lost to a crash between a voucher's update (or a bulk
    issue) and its publication, for the vouchers changed and the bulk issues made since
    ``since`` (a repair step; a bulk issue and its vouchers are stored at one moment)."""
    batches = await IssueBatch.find({"at_ms": {"$gte": clock.epoch_ms(since)}}).to_list()
    batched = {voucher_id for b in batches for voucher_id in b.voucher_ids}
    published = await publish_missing_issues(batches)
    current: list[Voucher] = []
    async for voucher in Voucher.find({"updated_at": {"$gte": since}}):
        current.append(voucher)
        if len(current) >= batch:
            published += await publish_missing(current, batched=batched)
            current = []
    return published + await publish_missing(current, batched=batched)

"""Domain events: a durable outbox, delivered at least once, applied once per subscriber.

A use case that changes state and must tell other areas about it (a completion the reports
count, a withdrawal whose voucher goes back to the worker) records an event in the same step
sequence as its write: right after the state change, ``publish`` inserts the event into the
``events`` collection under a deterministic ``_id`` derived from the object and the step
(``certificate:<id>:v3``, ``run:<id>:completions:<batch>``), so a retried request or the repair
routine writing the same event again is a harmless duplicate (``portfolio.once``). Then it
delivers it, in the same request: each subscriber named for the event applies its effect,
stores its receipt ``<subscriber>|<event id>`` (``event_receipts``), settles (an optional
clean-up once the receipt is stored) and leaves the event's ``pending`` list; the event is
``open`` until that list is empty. No ordering between events is promised.

Who listens to what is the static table ``ROUTES`` (names only, so the areas that publish need
not import the areas that listen); the handlers are installed at start-up
(``portfolio.subscriptions.install``, from ``bootstrap.prepare``). An event whose subscriber
is not installed in this process stays open for the next delivery.

Crash windows (a process may die between any two writes; ``portfolio.repair`` finishes the
rest once the grace period has passed, and nothing is applied twice):

1. after the state change, before the event is inserted: the publishing area's repair step
   re-derives the event from the stored state and publishes it under the same ``_id`` (each
   area documents how: completions by their batch, certificates by the pending entry,
   vouchers and agreements by ``last_event``, withdrawals by ``updated_at``);
2. after the insert, before or during delivery: the event is still open; ``deliver_open``
   delivers it again;
3. during a subscriber's effect, before its receipt: the effect runs again on the next
   delivery, so every effect must be idempotent by the event id until its receipt is stored
   (the reports guard each counter write with the event id, see ``portfolio.reports.events``;
   the vouchers' release is conditional on the state it moves);
4. after the receipt, before the settle or the ``pending`` update: the next delivery finds the
   receipt, skips the effect, and settles (idempotent) and closes the event.

Two deliveries of one event at the same moment (a request slower than the repair's grace) are
the one case left to the grace period, as for every other repair step.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from portfolio import clock
from portfolio.faults import crash_point
from portfolio.once import insert_once

log = logging.getLogger(__name__)

# Event name -> the subscribers that receive it (their names; handlers are installed apart).
ROUTES: Mapping[str, tuple[str, ...]] = {
    "training.completions_recorded": ("reports",),
    "training.certificate_changed": ("reports", "credentials"),
    "training.enrolment_ended": ("vouchers",),
    "vouchers.changed": ("reports",),
    "apprenticeships.agreement_changed": ("reports",),
}

# The fault points of the delivery (tests/faults kill the process there), followed by
# ":<event name>" (and ":<subscriber>" after the effect), so a test cuts off one kind only.
AFTER_RECORD = "event:after_record"
AFTER_EFFECT = "event:after_effect"
# Open events are delivered by the repair routine a batch at a time.
BATCH = 200


class DomainEvent(Document):
    """One event in the outbox: what happened (``name``, ``payload``), and who has yet to
    settle it (``pending``; ``open`` until nobody has)."""

    id: str  # type: ignore[assignment]
    name: str
    # Plain JSON (``model_dump(mode="json")`` of the publishing area's payload model).
    payload: dict[str, Any]
    # When it was recorded, on the domain clock (epoch ms: the repair's grace compares it).
    at_ms: int
    pending: list[str]
    open: bool

    class Settings:
        name = "events"
        indexes: ClassVar[list[IndexModel]] = [
            # The repair routine's question: open events older than its grace.
            IndexModel([("open", ASCENDING), ("at_ms", ASCENDING)]),
            # nx-27017 does not use a compound index for its first field alone.
            IndexModel([("open", ASCENDING)]),
        ]


class Receipt(Document):
    """A subscriber's proof that it applied an event: ``_id`` ``"<subscriber>|<event id>"``.

    ``note`` is what the subscriber's settle step needs later (the reports: which counter
    cells carry the event's guard)."""

    id: str  # type: ignore[assignment]
    at_ms: int
    note: dict[str, list[str]] = Field(default_factory=dict)

    class Settings:
        name = "event_receipts"


# A subscriber's effect: returns the note its settle step will get (or None).
Handle = Callable[[DomainEvent], Awaitable[dict[str, list[str]] | None]]
Settle = Callable[[DomainEvent, dict[str, list[str]]], Awaitable[None]]


@dataclass(frozen=True)
class Subscriber:
    """A subscriber's two steps: ``handle`` applies the effect (idempotent by the event id
    until the receipt is stored), ``settle`` cleans up after the receipt (idempotent)."""

    handle: Handle
    settle: Settle | None = None


_installed: dict[str, Subscriber] = {}


def install(subscribers: Mapping[str, Subscriber]) -> None:
    """Install the handlers of the named subscribers (start-up; replaces earlier ones)."""
    unknown = set(subscribers) - {name for names in ROUTES.values() for name in names}
    if unknown:
        raise ValueError(f"no event is routed to {sorted(unknown)}")
    _installed.update(subscribers)


def receipt_id(subscriber: str, event_id: str) -> str:
    """The ``_id`` of a subscriber's receipt for an event."""
    return f"{subscriber}|{event_id}"


async def record(
    event_id: str, name: str, payload: BaseModel, *, now: datetime | None = None
) -> tuple[DomainEvent, bool]:
    """Insert the event (once); the stored event and whether this call inserted it."""
    subscribers = ROUTES[name]
    event = DomainEvent(
        id=event_id,
        name=name,
        payload=payload.model_dump(mode="json"),
        at_ms=clock.epoch_ms(now or clock.now()),
        pending=list(subscribers),
        open=bool(subscribers),
    )
    if await insert_once(event):
        return event, True
    stored = await DomainEvent.get(event_id)
    assert stored is not None  # events are never deleted
    return stored, False


async def recorded(event_ids: Sequence[str]) -> set[str]:
    """Which of ``event_ids`` are in the outbox (the repair steps' check before re-deriving)."""
    if not event_ids:
        return set()
    found = DomainEvent.get_pymongo_collection().find({"_id": {"$in": list(event_ids)}}, {"_id": 1})
    return {raw["_id"] async for raw in found}


async def publish(
    event_id: str, name: str, payload: BaseModel, *, now: datetime | None = None
) -> None:
    """Record the event (once) and deliver it now; a crash in between leaves it open for the
    repair routine."""
    event, created = await record(event_id, name, payload, now=now)
    crash_point(f"{AFTER_RECORD}:{name}")
    if event.open:
        await deliver(event, fresh=created)


async def deliver(event: DomainEvent, *, fresh: bool = False) -> bool:
    """Deliver ``event`` to each subscriber it is pending for; True when none is left.

    ``fresh``: this process has just inserted the event, so no receipt can exist yet (the
    look-up is skipped).
    """
    remaining = list(event.pending)
    for name in list(event.pending):
        subscriber = _installed.get(name)
        if subscriber is None:
            log.warning("no handler installed", extra={"subscriber": name, "event": event.id})
            continue
        key = receipt_id(name, event.id)
        receipt = None if fresh else await Receipt.get(key)
        if receipt is None:
            note = await subscriber.handle(event) or {}
            crash_point(f"{AFTER_EFFECT}:{event.name}:{name}")
            receipt = Receipt(id=key, at_ms=clock.epoch_ms(clock.now()), note=note)
            if not await insert_once(receipt):
                receipt = await Receipt.get(key) or receipt
        if subscriber.settle is not None:
            await subscriber.settle(event, receipt.note)
        remaining.remove(name)
        update: dict[str, Any] = {"$pull": {"pending": name}}
        if not remaining:
            # The list read holds every subscriber still pending (it only shrinks): none left.
            update["$set"] = {"open": False}
        await DomainEvent.get_pymongo_collection().update_one({"_id": event.id}, update)
    return not remaining


async def deliver_open(*, recorded_before: datetime) -> int:
    """Deliver every open event recorded before ``recorded_before`` (the repair routine's
    step); how many it closed."""
    closed = 0
    query = {"open": True, "at_ms": {"$lt": clock.epoch_ms(recorded_before)}}
    while True:
        batch = await DomainEvent.find(query).sort("+at_ms").limit(BATCH).to_list()
        delivered = [await deliver(event) for event in batch]
        closed += sum(delivered)
        # An event no installed subscriber takes stays open: stop rather than loop on it.
        if len(batch) < BATCH or not any(delivered):
            return closed


async def acknowledge_open(subscriber: str) -> int:
    """Take every open event off ``subscriber``'s list without applying it (its receipt is
    stored): for a subscriber about to recompute its state from the sources those events
    changed (``portfolio reports rebuild``). How many it took off."""
    taken = 0
    async for event in DomainEvent.find({"open": True}):
        if subscriber not in event.pending:
            continue
        await insert_once(
            Receipt(id=receipt_id(subscriber, event.id), at_ms=clock.epoch_ms(clock.now()))
        )
        remaining = [name for name in event.pending if name != subscriber]
        update: dict[str, Any] = {"$pull": {"pending": subscriber}}
        if not remaining:
            update["$set"] = {"open": False}
        await DomainEvent.get_pymongo_collection().update_one({"_id": event.id}, update)
        taken += 1
    return taken

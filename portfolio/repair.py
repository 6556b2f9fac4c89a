"""Finish half-done multi-document use cases after a crash (``portfolio repair``, and start-up).

Each use case that writes several documents does so in idempotent steps whose first write
decides it (a completion's conditional update, a certificate's insert). A process killed after
that first write leaves the later ones undone; this routine finds those and finishes them
exactly once: before appending a missing archive entry it looks for one already written for
the same object, before publishing a missing domain event it looks in the outbox, so running
it twice adds nothing twice; a lease lets one run at a time (across processes), and a grace
period keeps it away from requests still at their work.

What is checked: completions recorded (and historical imports approved) and vouchers,
agreements and enrolments changed since the last run (a checkpoint per check, in epoch
milliseconds), certificates whose issue, correction or voiding entry was never noted, and
redeemed vouchers whose archive entry was never noted (their ledger entry is written first if
missing, under its deterministic id: ``portfolio.vouchers.finish_redemptions``), and paid
project milestones whose ledger entry is not known written (``portfolio.projects``). Each area
re-derives the domain events its crashed requests did not publish (``portfolio.events``, crash
window 1), and every event still open after the grace is delivered again (windows 2 to 4).
Last, every stored counter (seats taken, a mentor's apprentices, a policy's issued count) is
recounted from its records and a stable difference corrected (``portfolio.recount``); the
report says how many of each kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from beanie import Document

from portfolio import (
    apprenticeships,
    audit,
    challenges,
    clock,
    competitions,
    crossborder,
    events,
    honours,
    projects,
    recognition,
    recount,
    training,
    vouchers,
)
from portfolio.once import insert_once

log = logging.getLogger(__name__)

# With no checkpoint yet (a fresh install, or the first run of this version), look back this far.
# (The first run of the version with domain events publishes the events of the day's changes
# made before it, which counted themselves: run ``portfolio reports rebuild`` once after it.)
FIRST_LOOK_BACK = timedelta(days=1)


class RepairCheckpoint(Document):
    """Up to when a check has looked (epoch ms: nx-27017 mangles datetimes given to $set)."""

    id: str  # type: ignore[assignment]
    checked_until_ms: int

    class Settings:
        name = "repair_checkpoints"


# One run at a time across processes (replicas starting together, periodic passes): two runs
# finishing the same half-done work at once could both miss the other's entry and append it
# twice. A holder that died frees the lease when it lapses; a run takes well under a second
# at 100,000 archives. The lease is about processes staying alive, not a rule of the domain:
# it runs on the real clock (clock.real_now), so a moved domain clock never strands it.
LEASE = timedelta(minutes=2)
LEASE_ID = "repair"


class RepairLease(Document):
    """Which run of the repair routine holds the right to run, and until when (epoch ms)."""

    id: str  # type: ignore[assignment]
    holder: str
    until_ms: int

    class Settings:
        name = "repair_leases"


@dataclass(frozen=True)
class RepairReport:
    """What one run finished (``ran`` False: another process was running it)."""

    completions_finished: int
    certificates_finished: int
    apprenticeship_entries_finished: int
    voucher_events_restored: int
    vouchers_expired: int
    # Redeemed vouchers whose ledger entry / archive entry this run wrote.
    redemption_ledger_finished: int = 0
    redemption_entries_finished: int = 0
    # Domain events re-derived (never published) and delivered again (left open).
    events_published: int = 0
    events_delivered: int = 0
    # Change records of the audit trail a crashed request never wrote.
    trail_records_restored: int = 0
    # Challenges answered whose archive entry a crash kept from being appended.
    challenge_answers_finished: int = 0
    # Claims stored before the claim review's fields existed, given their defaults.
    claims_given_review_fields: int = 0
    # Paid project milestones whose ledger entry a crash kept from being written.
    milestone_ledger_finished: int = 0
    # Competition results and honours whose stating archive entry a crash kept from being
    # written (``portfolio.stated``).
    distinction_entries_finished: int = 0
    # Certificates of passed assessments and confirmed recognitions a crash left unissued.
    recognition_certificates_finished: int = 0
    # Recognitions across borders decided, corrected or voided whose archive entry a crash
    # kept from being written.
    border_entries_finished: int = 0
    ran: bool = True
    # Stored counters put back to what their records say, by kind (``portfolio.recount``).
    recounted: dict[str, int] = field(default_factory=dict)

    @classmethod
    def skipped(cls) -> RepairReport:
        """The report of a run that found the lease taken."""
        return cls(0, 0, 0, 0, 0, ran=False)


async def _take_lease(holder: str) -> bool:
    now = clock.real_now()
    until = clock.epoch_ms(now + LEASE)
    if await insert_once(RepairLease(id=LEASE_ID, holder=holder, until_ms=until)):
        return True
    taken = await RepairLease.get_pymongo_collection().update_one(
        {"_id": LEASE_ID, "until_ms": {"$lt": clock.epoch_ms(now)}},
        {"$set": {"holder": holder, "until_ms": until}},
    )
    return taken.modified_count == 1


async def _release_lease(holder: str) -> None:
    await RepairLease.get_pymongo_collection().update_one(
        {"_id": LEASE_ID, "holder": holder}, {"$set": {"until_ms": 0}}
    )


async def _window(check: str, now: datetime, grace: timedelta) -> tuple[datetime, datetime]:
    stored = await RepairCheckpoint.get(check)
    since_ms = stored.checked_until_ms if stored else clock.epoch_ms(now - FIRST_LOOK_BACK)
    # Overlap by the grace period: a request that was in flight last time is looked at again.
    since = clock.from_epoch_ms(since_ms) - grace
    return since, now - grace


async def _advance(check: str, until: datetime) -> None:
    until_ms = clock.epoch_ms(until)
    if await insert_once(RepairCheckpoint(id=check, checked_until_ms=until_ms)):
        return
    # Only forward: a slower concurrent run must not move the checkpoint back.
    await RepairCheckpoint.get_pymongo_collection().update_one(
        {"_id": check, "checked_until_ms": {"$lt": until_ms}},
        {"$set": {"checked_until_ms": until_ms}},
    )


async def _finish_completions(now: datetime, grace: timedelta) -> int:
    since, until = await _window("completions", now, grace)
    # An approved historical import first: its completion then has its entry too.
    finished = await training.finish_historical_imports(since=since, until=until)
    finished += await training.finish_completion_entries(since=since, until=until)
    await _advance("completions", until)
    return finished


async def _publish_missing_events(now: datetime, grace: timedelta) -> int:
    """Each area's events that a crash kept from being published, over its changes since the
    last run."""
    since, until = await _window("events", now, grace)
    published = await training.publish_missing_completions(since=since, until=until)
    published += await training.publish_missing_endings(since=since, until=until)
    published += await vouchers.publish_missing_events(since=since)
    published += await apprenticeships.publish_missing(since=since)
    await _advance("events", until)
    return published


# Called with every run's report (the metrics count runs and what they fixed).
_observers: list[Callable[[RepairReport], None]] = []


def observe(observer: Callable[[RepairReport], None]) -> None:
    """Call ``observer`` with the report of every run of the routine in this process."""
    _observers.append(observer)


def _tell(report: RepairReport) -> RepairReport:
    for observer in _observers:
        try:
            observer(report)
        except Exception:  # an observer's bug must not fail the repair
            log.exception("repair observer failed")
    return report


async def repair(*, grace: timedelta, now: datetime | None = None) -> RepairReport:
    """Finish every half-done use case found; safe to run at any time, any number of times.

    Work younger than ``grace`` is left alone: its request may still be finishing it; "now"
    is the domain clock's unless given. Only one run at a time, across processes: one that
    finds another running returns at once (``ran`` False); that other run does the work.
    """
    holder = uuid4().hex
    if not await _take_lease(holder):
        return _tell(RepairReport.skipped())
    try:
        return _tell(await _run(now or clock.now(), grace))
    finally:
        await _release_lease(holder)


async def _run(moment: datetime, grace: timedelta) -> RepairReport:
    completions = await _finish_completions(moment, grace)
    # A certificate's pending change publishes its event before its entry is written.
    certificates = await training.finish_certificates(changed_before=moment - grace)
    redemptions = await vouchers.finish_redemptions(grace=grace, now=moment)
    milestones = await projects.finish_payments(changed_before=moment - grace)
    events_restored = await _restore_voucher_events(moment, grace)
    apprenticeship_entries = await apprenticeships.finish_entries(now=moment, grace=grace)
    published = await _publish_missing_events(moment, grace)
    delivered = await events.deliver_open(recorded_before=moment - grace)
    trail = await _finish_trail(moment, grace)
    since, until = await _window("challenge_answers", moment, grace)
    answers = await challenges.finish_answers(since=since, until=until)
    await _advance("challenge_answers", until)
    distinctions = await competitions.finish_entries(
        changed_before=moment - grace
    ) + await honours.finish_entries(changed_before=moment - grace)
    since, until = await _window("recognition_certificates", moment, grace)
    recognitions = await recognition.finish_certificates(since=since, until=until)
    await _advance("recognition_certificates", until)
    borders = await crossborder.finish_entries(changed_before=moment - grace)
    return RepairReport(
        completions_finished=completions,
        certificates_finished=certificates,
        apprenticeship_entries_finished=apprenticeship_entries,
        voucher_events_restored=events_restored,
        vouchers_expired=await _expire_all(moment),
        redemption_ledger_finished=redemptions.ledger_entries,
        redemption_entries_finished=redemptions.archive_entries,
        milestone_ledger_finished=milestones.ledger_entries,
        events_published=published,
        events_delivered=delivered,
        trail_records_restored=trail,
        challenge_answers_finished=answers,
        recognition_certificates_finished=recognitions,
        border_entries_finished=borders,
        claims_given_review_fields=await vouchers.fill_review_fields(),
        distinction_entries_finished=distinctions,
        # Last: the steps above finish records whose counters then agree with them.
        recounted=await recount.recount(),
    )


async def _restore_voucher_events(now: datetime, grace: timedelta) -> int:
    # Only the vouchers changed since the last run (a lost event row belongs to a voucher
    # whose update just landed); reading every voucher made a start take minutes at 100k.
    since, until = await _window("voucher_events", now, grace)
    restored = await vouchers.restore_missing_events(since=since)
    await _advance("voucher_events", until)
    return restored


async def _finish_trail(now: datetime, grace: timedelta) -> int:
    # Objects changed since the last run whose change record a crash kept from being written.
    since, until = await _window("trail", now, grace)
    restored = await audit.finish_trail(since=since, until=until)
    await _advance("trail", until)
    return restored


async def _expire_all(now: datetime) -> int:
    # Vouchers past their end already count as expired everywhere; marking them keeps the
    # stored state (and lists filtered on it) in step. Batches until none is left.
    total = 0
    while (marked := await vouchers.expire_due(actor=None, now=now)) > 0:
        total += marked
    return total

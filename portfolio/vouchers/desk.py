"""The agency's claims desk: what its claims review pages read, one service call per page.

* ``desk``: the dashboard's figures of the officer's region (claims waiting and the money at
  stake, flagged, disputed, waiting for a second approval) and the oldest waiting claims;
* ``queue``: the queue as ``GET /claims`` gives it (``claims.list_claims``, the same filters
  and order) with the names of the providers, and the providers that have claims waiting (the
  queue's provider filter);
* ``claim_file``: one claim with everything an officer reads before paying: the evidence of
  ``GET /claims/{id}``, the attendance session by session as recorded (who entered it, when,
  how late, whether the worker confirmed it), the provider, which approval step a decision
  would be, why the claim is held for its worker, and who decided it if it is decided.

Reads only; the decisions are ``redemption.redeem``/``reject`` and ``attestation.at_counter``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio import clock, ids, training
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import log_reads
from portfolio.errors import Forbidden
from portfolio.training import (
    courses_of_organisation,
    find_enrolment,
    find_organisation,
    organisations_by_ids,
)
from portfolio.vouchers import claims
from portfolio.vouchers.attestation import hold_problem
from portfolio.vouchers.documents import Voucher, VoucherEvent
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.queue_filters import QueueFilter
from portfolio.vouchers.reading import get_visible
from portfolio.vouchers.redemption import needs_two
from portfolio.vouchers.views import ClaimView, ViewPage, VoucherEventView

OLDEST_SHOWN = 5
HISTORY_SHOWN = 100


def _agency_scope(actor: Actor) -> dict[str, Any]:
    if actor.role is not Role.AGENCY or not actor.region_prefix:
        raise Forbidden("only an agency reviews claims")
    return {"region_code": region_range(actor.region_prefix)}


async def _count(match: dict[str, Any]) -> int:
    rows = await (
        await Voucher.get_pymongo_collection().aggregate([{"$match": match}, {"$count": "n"}])
    ).to_list()
    return int(rows[0]["n"]) if rows else 0


@dataclass(frozen=True)
class WaitingClaimView:
    """A claim waiting for a decision, as the dashboard lists it."""

    voucher_id: str
    worker_name: str
    provider: str
    amount_fen: int
    claimed_at: datetime | None
    flag_score: int
    attestation: str


@dataclass(frozen=True)
class DeskView:
    """The dashboard's figures of the officer's region."""

    waiting: int
    owed_fen: int
    flagged: int
    disputed: int
    second_approval: int
    oldest: tuple[WaitingClaimView, ...]


async def _names(organisation_ids: list[str]) -> dict[str, str]:
    found = await organisations_by_ids(sorted(set(i for i in organisation_ids if i)))
    return {key: organisation.name for key, organisation in found.items()}


async def _waiting(found: list[Voucher]) -> tuple[WaitingClaimView, ...]:
    names = await _names([v.organisation_id for v in found])
    return tuple(
        WaitingClaimView(
            voucher_id=str(v.id),
            worker_name=v.worker_name,
            provider=names.get(v.organisation_id, v.organisation_id),
            amount_fen=v.claimed_amount_fen,
            claimed_at=clock.from_epoch_ms(v.claimed_at_ms) if v.claimed_at_ms else None,
            flag_score=v.flag_score,
            attestation=v.attestation or "awaiting",
        )
        for v in found
    )


async def desk(*, actor: Actor) -> DeskView:
    """The claims waiting in the agency's region: how many, the money, how many are flagged,
    disputed or waiting for a second officer, and the oldest few (longest waiting first)."""
    waiting = {**_agency_scope(actor), "status": VoucherStatus.CLAIMED.value}
    # By the worker's answer: the count, the money and the disputed ones in one pass.
    rows = await (
        await Voucher.get_pymongo_collection().aggregate(
            [
                {"$match": waiting},
                {
                    "$group": {
                        "_id": "$attestation",
                        "n": {"$sum": 1},
                        "fen": {"$sum": "$claimed_amount_fen"},
                    }
                },
            ]
        )
    ).to_list()
    count = sum(int(r["n"]) for r in rows)
    owed = sum(int(r["fen"]) for r in rows)
    disputed = sum(int(r["n"]) for r in rows if r["_id"] == "disputed")
    flagged = await _count({**waiting, "flag_score": {"$gt": 0}})
    second = await _count({**waiting, "first_approved_by": {"$gt": ""}})
    found = await Voucher.find(waiting).sort("+claimed_at_ms", "+_id").limit(OLDEST_SHOWN).to_list()
    await log_reads(actor, [v.archive_id for v in found], what="claims desk")
    return DeskView(count, owed, flagged, disputed, second, await _waiting(found))


@dataclass(frozen=True)
class ProviderOption:
    """A provider with claims waiting in the region (the queue's filter)."""

    organisation_id: str
    name: str
    waiting: int


@dataclass(frozen=True)
class QueueView:
    """A page of the agency's queue, the providers' names, and the providers to filter by."""

    page: ViewPage[ClaimView]
    provider_names: dict[str, str]
    providers: tuple[ProviderOption, ...]
    # The provider's courses (the course filter) when the queue is filtered by a provider.
    courses: tuple[tuple[str, str], ...] = ()


async def queue(
    *,
    actor: Actor,
    organisation_id: str | None,
    flag: str | None,
    flagged: bool | None,
    disputed: bool | None,
    by_flags: bool,
    after: PydanticObjectId | None,
    limit: int,
    min_share: float,
    narrow: QueueFilter | None = None,
) -> QueueView:
    """The agency's queue exactly as ``GET /claims`` answers it, for the queue page."""
    scope = _agency_scope(actor)
    page = await claims.list_claims(
        actor=actor,
        status=None,
        organisation_id=organisation_id,
        policy_key=None,
        region_code=None,
        after=after,
        limit=limit,
        min_share=min_share,
        flag=flag,
        flagged=flagged,
        disputed=disputed,
        by_flags=by_flags,
        narrow=narrow,
    )
    rows = await (
        await Voucher.get_pymongo_collection().aggregate(
            [
                {"$match": {**scope, "status": VoucherStatus.CLAIMED.value}},
                {"$group": {"_id": "$organisation_id", "n": {"$sum": 1}}},
            ]
        )
    ).to_list()
    shown = [c.voucher.organisation_id or "" for c in page.items]
    # The provider asked for stays a choice even with nothing waiting now (0).
    counts = {str(r["_id"]): int(r["n"]) for r in rows if r["_id"]}
    asked = organisation_id if organisation_id and ids.parse_or_none(organisation_id) else None
    names = await _names([*counts, *shown, *([asked] if asked else [])])
    if asked and asked not in counts and asked in names:
        counts[asked] = 0
    providers = tuple(
        sorted(
            (ProviderOption(key, names.get(key, key), n) for key, n in counts.items()),
            key=lambda p: p.name,
        )
    )
    courses = (
        tuple((str(c.id), c.title) for c in await courses_of_organisation(organisation_id))
        if organisation_id
        else ()
    )
    return QueueView(page, names, providers, courses)


@dataclass(frozen=True)
class AttendanceLineView:
    """One session of the class and the worker's standing attendance record for it."""

    session_n: int
    starts_at: datetime | None
    hours: float
    status: str  # confirmed, unconfirmed, or "" (no record)
    capture_method: str
    entered_by: str  # "worker" (their own check-in) or "provider"
    recorded_at: datetime | None
    confirmed_at: datetime | None
    worker_confirmed: bool
    days_after: int | None  # whole days between the session's end and the recording
    late_approved_by: str


@dataclass(frozen=True)
class DecisionView:
    """The voucher's last transition (who decided the claim, when, and how)."""

    action: VoucherAction
    status: VoucherStatus
    by_principal: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class ClaimFileView:
    """Everything the claim page shows (see the module's docstring)."""

    claim: ClaimView
    provider: str
    attendance: tuple[AttendanceLineView, ...]
    decidable: bool
    # The approval a decision now would be: "only", "first" or "second".
    step: str
    first_approved_by_me: bool
    first_approval_note: str
    # Why the claim is held for its worker: "disputed", "awaiting" (their answer), or "".
    held: str
    last: DecisionView
    # The voucher's transitions, oldest first (issue, bind, claim, approvals, decisions).
    history: tuple[VoucherEventView, ...]


async def _attendance(voucher: Voucher) -> tuple[AttendanceLineView, ...]:
    enrolment = await find_enrolment(voucher.enrolment_id) if voucher.enrolment_id else None
    if enrolment is None:
        return ()
    run = await training.evidence.run_facts(enrolment.run_id)
    facts = {
        f.session_n: f
        for f in await training.evidence.run_attendance(enrolment.run_id)
        if f.enrolment_id == voucher.enrolment_id
    }
    slots = {s.n: s for s in run.sessions} if run is not None else {}
    lines = []
    for n in sorted(set(slots) | set(facts)):
        slot, fact = slots.get(n), facts.get(n)
        start = slot.start if slot is not None else None
        lines.append(
            AttendanceLineView(
                session_n=n,
                starts_at=start,
                hours=fact.hours if fact else 0,
                status=fact.status if fact else "",
                capture_method=fact.capture_method if fact else "",
                entered_by=fact.entered_by if fact else "",
                recorded_at=fact.recorded_at if fact else None,
                confirmed_at=fact.confirmed_at if fact else None,
                worker_confirmed=fact.worker_confirmed if fact else False,
                # As the late-attendance rule counts: from the session's end.
                days_after=(fact.recorded_at - slot.end).days if fact and slot else None,
                late_approved_by=fact.late_approved_by if fact else "",
            )
        )
    return tuple(lines)


def _held(voucher: Voucher, now: datetime) -> str:
    if hold_problem(voucher, now) is None:
        return ""
    return "disputed" if voucher.attestation == "disputed" else "awaiting"


async def claim_file(
    *, actor: Actor, voucher_id: str, min_share: float, now: datetime | None = None
) -> ClaimFileView:
    """One claim of the agency's region with all its evidence (404 for another region's)."""
    _agency_scope(actor)
    now = now or clock.now()
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    [claim] = await claims.evidence_of([voucher], viewer=actor, min_share=min_share, now=now)
    organisation = (
        await find_organisation(voucher.organisation_id) if voucher.organisation_id else None
    )
    decidable = voucher.status is VoucherStatus.CLAIMED
    two = decidable and await needs_two(voucher)
    step = "second" if voucher.first_approved_by else ("first" if two else "only")
    event = voucher.last_event
    return ClaimFileView(
        claim=claim,
        provider=organisation.name if organisation is not None else "",
        attendance=await _attendance(voucher),
        decidable=decidable,
        step=step,
        first_approved_by_me=bool(voucher.first_approved_by)
        and voucher.first_approved_by == actor.principal_id,
        first_approval_note=voucher.first_approval_note,
        held=_held(voucher, now) if decidable else "",
        last=DecisionView(event.action, event.to_state, event.by.principal, event.at, event.reason),
        history=tuple(
            VoucherEventView.of(e)
            for e in await VoucherEvent.find({"voucher_id": str(voucher.id)})
            .sort("+version")
            .limit(HISTORY_SHOWN)
            .to_list()
        ),
    )


async def claims_of_worker(*, actor: Actor, archive_id: str) -> tuple[WaitingClaimView, ...]:
    """The worker's claims waiting for a decision in the agency's region, oldest first (at the
    counter the officer records the worker's confirmation on each claim's page)."""
    waiting = {
        **_agency_scope(actor),
        "status": VoucherStatus.CLAIMED.value,
        "archive_id": archive_id,
    }
    found = await Voucher.find(waiting).sort("+claimed_at_ms", "+_id").limit(OLDEST_SHOWN).to_list()
    return await _waiting(found)

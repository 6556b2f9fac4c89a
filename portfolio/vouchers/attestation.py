"""The worker's attestation of a claim: "I took part", or "I did not" in their own words.

Before a claim is paid the worker confirms in their pages that they took part, or disputes it;
an agency officer may record at the counter that they saw the worker (which also settles a
dispute the worker withdraws in person). A dispute holds the claim: it cannot be approved, it
stands in the agency's queue with the worker's words, and the agency rejects it or records the
worker at the counter. An unanswered claim waits for the worker until its due moment
(``claim_terms.attestation_wait_days`` of the policy, else the setting
``claim_attestation_wait_days``), then it may be decided without them.

The answer is written by one conditional update on the claimed voucher that requires it to be
unanswered (or disputed, for the counter); it does not move the voucher's version, so the
provider's and the agency's views stay as they were read, and the approval's own update
requires the attestation it read (``transitions.apply(expect=...)``). Each answer moves the
voucher's own ``attestation_version`` instead, and is recorded in the change trail as the
chain ``attestation:<voucher id>`` (``changes.attestation_answered``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from portfolio.vouchers.changes import attestation_answered
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.reading import get_visible
from portfolio.vouchers.views import VoucherView


class Attestation(StrEnum):
    """Where a claim stands with its worker."""

    AWAITING = ""
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    COUNTER = "counter"


ANSWERED = frozenset({Attestation.CONFIRMED, Attestation.COUNTER})


def due_ms(claimed_at: datetime, wait_days: int) -> int:
    """Until when (epoch ms) a claim made at ``claimed_at`` waits for its worker."""
    return clock.epoch_ms(claimed_at) + wait_days * 86_400_000


def hold_problem(voucher: Voucher, now: datetime) -> str | None:
    """Why the claim may not be approved yet for its worker's sake (None: it may)."""
    state = Attestation(voucher.attestation)
    if state is Attestation.DISPUTED:
        return "the worker disputes the claim: reject it, or record the worker at the counter"
    if state is Attestation.AWAITING and clock.epoch_ms(now) < voucher.attestation_due_ms:
        until = clock.from_epoch_ms(voucher.attestation_due_ms).isoformat()
        return f"the claim awaits the worker's attestation until {until}"
    return None


async def _write(voucher: Voucher, allowed: set[str], changes: dict[str, object]) -> Voucher:
    result = await Voucher.get_pymongo_collection().update_one(
        {
            "_id": voucher.id,
            "status": VoucherStatus.CLAIMED.value,
            "attestation": {"$in": sorted(allowed)},
        },
        {"$set": changes, "$inc": {"attestation_version": 1}},
    )
    fresh = await Voucher.get(voucher.id)
    assert fresh is not None
    if result.modified_count != 1:
        if fresh.status is not VoucherStatus.CLAIMED:
            raise InvalidTransition(
                f"the voucher is {fresh.status.value}, not claimed",
                current_state=fresh.status.value,
            )
        raise Conflict(
            f"the claim was answered already ({fresh.attestation})",
            attestation=fresh.attestation,
        )
    await attestation_answered(voucher, fresh)
    return fresh


async def _claimed(actor: Actor, voucher_id: str, now: datetime) -> Voucher:
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    if voucher.status is not VoucherStatus.CLAIMED:
        raise InvalidTransition(
            f"only a claimed voucher is attested; this one is {voucher.status.value}",
            current_state=voucher.status.value,
        )
    return voucher


async def attest(
    *, actor: Actor, voucher_id: str, took_part: bool, words: str, now: datetime | None = None
) -> VoucherView:
    """The worker says they took part in the training claimed for, or that they did not
    (``words`` required then: what they say happened). Their first answer stands."""
    now = clock.truncate_to_millis(now or clock.now())
    if actor.role is not Role.WORKER:
        raise Forbidden("only the voucher's holder attests their training")
    voucher = await _claimed(actor, voucher_id, now)
    if not took_part and not words.strip():
        raise ValidationFailed.single("words", "required", "say what happened")
    state = Attestation.CONFIRMED if took_part else Attestation.DISPUTED
    fresh = await _write(
        voucher,
        {Attestation.AWAITING.value},
        {
            "attestation": state.value,
            "attestation_words": words.strip(),
            "attested_at_ms": clock.epoch_ms(now),
            "attested_by": actor.principal_id,
        },
    )
    return VoucherView.of(fresh, viewer=actor, now=now)


async def at_counter(
    *, actor: Actor, voucher_id: str, note: str, now: datetime | None = None
) -> VoucherView:
    """An agency officer records that they saw the worker, who confirmed the training in
    person (also when the worker had disputed it in their pages: the words are kept)."""
    now = clock.truncate_to_millis(now or clock.now())
    if actor.role is not Role.AGENCY:
        raise Forbidden("only an agency officer records a worker at the counter")
    voucher = await _claimed(actor, voucher_id, now)
    if not note.strip():
        raise ValidationFailed.single("note", "required", "say how the worker was identified")
    words = voucher.attestation_words
    fresh = await _write(
        voucher,
        {Attestation.AWAITING.value, Attestation.DISPUTED.value},
        {
            "attestation": Attestation.COUNTER.value,
            "attestation_words": f"{words}\n[counter] {note.strip()}".strip(),
            "attested_at_ms": clock.epoch_ms(now),
            "attested_by": actor.principal_id,
        },
    )
    return VoucherView.of(fresh, viewer=actor, now=now)


@dataclass(frozen=True)
class MyClaimView:
    """A claimed voucher as its worker sees it on the attestation page."""

    voucher: VoucherView
    attestation: str
    words: str

    @property
    def answerable(self) -> bool:
        """Whether the worker may still answer (claimed, and not answered yet)."""
        return self.voucher.status is VoucherStatus.CLAIMED and self.attestation == ""


async def mine(*, actor: Actor, voucher_id: str, now: datetime | None = None) -> MyClaimView:
    """The worker's own voucher with where its claim stands with them."""
    now = now or clock.now()
    if actor.role is not Role.WORKER:
        raise Forbidden("only the voucher's holder attests their training")
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    return MyClaimView(
        VoucherView.of(voucher, viewer=actor, now=now),
        voucher.attestation,
        voucher.attestation_words,
    )

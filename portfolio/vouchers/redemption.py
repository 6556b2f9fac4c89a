"""The agency's decision on a claim: redeem (money moves, exactly once) or reject.

Redemption is a sequence of idempotent steps whose first write decides it:

1. ONE conditional update of the voucher (``claimed`` at the version read -> ``redeemed``,
   the amount copied to ``redeemed_amount_fen``) and its event row (``transitions.apply``).
   Of any number of concurrent redemptions, exactly one passes this filter.
2. The ledger entry under the deterministic id ``"redeem:<voucher id>"`` (insert-only; a
   second insert of the same id is refused by the unique ``_id``).
3. The "voucher redeemed" entry in the worker's archive, unless one with this
   ``payload.voucher_id`` is there already; its seq is then noted on the voucher
   (``redeemed_entry_seq``, 0 until then).

A process killed after step 1 leaves a redeemed voucher with ``redeemed_entry_seq == 0``;
``finish_redemptions`` (the repair routine) finds those and does steps 2 and 3, which are safe
to repeat. The Idempotency-Key of the request gives a client's retry the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio import audit, clock, ids
from portfolio.accounts import Actor, Role
from portfolio.archives import EntryKind, Recorder, append_entry, entry_about
from portfolio.errors import Conflict, Forbidden, ValidationFailed
from portfolio.faults import crash_point
from portfolio.once import insert_once
from portfolio.vouchers.attestation import hold_problem
from portfolio.vouchers.documents import Voucher, VoucherPolicy
from portfolio.vouchers.enums import RejectReason, VoucherAction, VoucherStatus
from portfolio.vouchers.ledger import REDEEM, LedgerEntry, redeem_entry_id
from portfolio.vouchers.reading import get_visible
from portfolio.vouchers.rules import effective_status, next_state
from portfolio.vouchers.transitions import apply
from portfolio.vouchers.views import VoucherView

AFTER_UPDATE = "redeem:after_update"
# What a rejection clears with the claim: its flags, attestation and first approval.
CLEARED: dict[str, object] = {
    "flags": [],
    "flag_codes": [],
    "flag_score": 0,
    "attestation": "",
    "attestation_words": "",
    "attested_at_ms": 0,
    "attested_by": "",
    "attestation_due_ms": 0,
    "first_approved_by": "",
    "first_approved_at_ms": 0,
    "first_approval_note": "",
}


# A policy version is immutable once written, so its two-approval amount is kept per process
# (a round trip less per decision); bounded, and simply emptied when full.
_TWO_APPROVALS_ABOVE: dict[str, int | None] = {}
_KEPT_POLICIES = 4096


async def needs_two(voucher: Voucher) -> bool:
    """Whether the claim is above its policy's amount for two approvals."""
    if voucher.policy_id in _TWO_APPROVALS_ABOVE:
        limit = _TWO_APPROVALS_ABOVE[voucher.policy_id]
    else:
        policy = await VoucherPolicy.get(ids.parse(voucher.policy_id, "voucher policy"))
        limit = policy.claim_terms.two_approvals_above_fen if policy is not None else None
        if policy is not None:
            if len(_TWO_APPROVALS_ABOVE) >= _KEPT_POLICIES:
                _TWO_APPROVALS_ABOVE.clear()
            _TWO_APPROVALS_ABOVE[voucher.policy_id] = limit
    return limit is not None and voucher.claimed_amount_fen > limit


async def _audit_approval(actor: Actor, voucher: Voucher, step: str, note: str) -> None:
    await audit.record(
        audit.AuditKind.CLAIM_APPROVED,
        audit.Outcome.SUCCESS,
        actor=actor,
        target=str(voucher.id),
        step=step,
        amount_fen=voucher.claimed_amount_fen,
        flags=",".join(voucher.flag_codes),
        note=note.strip(),
    )


AFTER_LEDGER = "redeem:after_ledger"


async def _decidable(
    actor: Actor, voucher_id: str, action: VoucherAction, now: datetime
) -> Voucher:
    if actor.role is not Role.AGENCY:
        raise Forbidden("only an agency of the voucher's region decides a claim")
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    next_state(action, effective_status(voucher.status, voucher.valid_until, now))
    return voucher


def ledger_entry(voucher: Voucher) -> LedgerEntry:
    """The ledger entry of a redeemed voucher: everything from the voucher, so every writer of
    it writes the same document."""
    return LedgerEntry(
        id=redeem_entry_id(str(voucher.id)),
        kind=REDEEM,
        voucher_id=str(voucher.id),
        region_code=voucher.region_code,
        organisation_id=voucher.organisation_id,
        archive_id=voucher.archive_id,
        enrolment_id=voucher.enrolment_id,
        policy_key=voucher.policy_key,
        amount_fen=voucher.redeemed_amount_fen,
        funding_source=voucher.funding_source,
        at=clock.from_epoch_ms(voucher.redeemed_at_ms),
        at_ms=voucher.redeemed_at_ms,
        by=voucher.last_event.by,
    )


async def _entry_written(archive_id: str, voucher_id: str) -> int | None:
    """The seq of a "voucher redeemed" entry for ``voucher_id`` already in the archive."""
    return await entry_about(archive_id, EntryKind.VOUCHER_REDEEMED, "voucher_id", voucher_id)


def redeemed_payload(voucher: Voucher) -> dict[str, object]:
    """What the worker's archive keeps of a redeemed voucher."""
    return {
        "voucher_id": str(voucher.id),
        "amount_fen": voucher.redeemed_amount_fen,
        "policy_key": voucher.policy_key,
        "policy_name": voucher.policy_name,
        "enrolment_id": voucher.enrolment_id,
        "provider_id": voucher.organisation_id,
        "region_code": voucher.region_code,
    }


@dataclass(frozen=True)
class Finished:
    """What ``finish`` did: which entries it wrote now, and the archive entry's seq if this
    call noted it on the voucher (None: it was noted already)."""

    wrote_ledger: bool
    wrote_entry: bool
    noted_seq: int | None


async def finish(voucher: Voucher) -> Finished:
    """Steps 2 and 3 for a redeemed voucher; safe to repeat."""
    assert voucher.status is VoucherStatus.REDEEMED
    wrote_ledger = await insert_once(ledger_entry(voucher))
    crash_point(AFTER_LEDGER)
    wrote_entry = False
    seq = await _entry_written(voucher.archive_id, str(voucher.id))
    if seq is None:
        entry = await append_entry(
            archive_id=voucher.archive_id,
            kind=EntryKind.VOUCHER_REDEEMED,
            payload=redeemed_payload(voucher),
            recorded_by=voucher.last_event.by,
            now=clock.from_epoch_ms(voucher.redeemed_at_ms),
        )
        seq, wrote_entry = entry.seq, True
    noted = await Voucher.get_pymongo_collection().update_one(
        {"_id": voucher.id, "redeemed_entry_seq": 0}, {"$set": {"redeemed_entry_seq": seq}}
    )
    return Finished(wrote_ledger, wrote_entry, seq if noted.modified_count == 1 else None)


async def redeem(
    *,
    actor: Actor,
    voucher_id: str,
    note: str = "",
    acknowledge_flags: bool = False,
    now: datetime | None = None,
) -> VoucherView:
    """An agency of the voucher's region approves its claim: the claimed amount is owed to the
    provider (ledger) and the worker's archive records the redemption. Exactly once.

    Four eyes (docs/integrity-money.md): a flagged claim needs ``acknowledge_flags`` and a
    note; a disputed claim, or one still waiting for its worker, is held; a claim above the
    policy's ``two_approvals_above_fen`` is approved twice by two officers: the first call
    records the first approval (the voucher stays claimed), another officer's pays it. Each
    step is one conditional update (one winner), and each is in the audit trail.
    """
    now = clock.truncate_to_millis(now or clock.now())
    voucher = await _decidable(actor, voucher_id, VoucherAction.REDEEM, now)
    held = hold_problem(voucher, now)
    if held is not None:
        raise Conflict(held, attestation=voucher.attestation)
    if voucher.flags and not (acknowledge_flags and note.strip()):
        raise ValidationFailed.single(
            "note",
            "flags_not_acknowledged",
            "the claim is flagged: read the flags, then approve with acknowledge_flags and a "
            "note saying why it may be paid",
        )
    expect = {"attestation": voucher.attestation}
    if await needs_two(voucher) and not voucher.first_approved_by:
        approved = await apply(
            voucher,
            action=VoucherAction.APPROVE,
            target=VoucherStatus.CLAIMED,
            by=Recorder.of(actor),
            now=now,
            reason=note.strip(),
            details={"step": "first", "amount_fen": str(voucher.claimed_amount_fen)},
            fields={
                "first_approved_by": actor.principal_id,
                "first_approved_at_ms": clock.epoch_ms(now),
                "first_approval_note": note.strip(),
            },
            expect=expect,
        )
        await _audit_approval(actor, approved, "first", note)
        return VoucherView.of(approved, viewer=actor, now=now)
    if voucher.first_approved_by == actor.principal_id:
        raise Conflict("a second officer must give the second approval")
    redeemed = await apply(
        voucher,
        action=VoucherAction.REDEEM,
        target=VoucherStatus.REDEEMED,
        by=Recorder.of(actor),
        now=now,
        reason=note.strip(),
        details={
            "amount_fen": str(voucher.claimed_amount_fen),
            "enrolment_id": voucher.enrolment_id,
            "organisation_id": voucher.organisation_id,
        },
        fields={
            "redeemed_amount_fen": voucher.claimed_amount_fen,
            "redeemed_at_ms": clock.epoch_ms(now),
        },
        expect=expect,
    )
    crash_point(AFTER_UPDATE)
    await _audit_approval(actor, redeemed, "second" if voucher.first_approved_by else "only", note)
    finished = await finish(redeemed)
    if finished.noted_seq is not None:
        # This call noted the seq on the voucher it wrote: nothing else changed it since
        # (redeemed is the last state: no transition leaves it), so no read is needed to show it.
        fresh = redeemed.model_copy(update={"redeemed_entry_seq": finished.noted_seq})
    else:
        read = await Voucher.get(redeemed.id)
        assert read is not None
        fresh = read
    return VoucherView.of(fresh, viewer=actor, now=now)


async def reject(
    *,
    actor: Actor,
    voucher_id: str,
    reason: RejectReason,
    note: str = "",
    now: datetime | None = None,
) -> VoucherView:
    """An agency of the voucher's region sends a claim back (claimed -> bound) with a coded
    reason; the provider may claim again once it has what was missing."""
    now = clock.truncate_to_millis(now or clock.now())
    voucher = await _decidable(actor, voucher_id, VoucherAction.REJECT, now)
    if reason is RejectReason.OTHER and not note.strip():
        raise ValidationFailed.single("note", "required", "say why when the reason is 'other'")
    rejected = await apply(
        voucher,
        action=VoucherAction.REJECT,
        target=VoucherStatus.BOUND,
        by=Recorder.of(actor),
        now=now,
        reason=reason.value,
        details={
            "reason_code": reason.value,
            "note": note.strip(),
            "amount_fen": str(voucher.claimed_amount_fen),
            "enrolment_id": voucher.enrolment_id,
        },
        fields={"claimed_amount_fen": 0, "claimed_at_ms": 0, "claim_note": "", **CLEARED},
    )
    await audit.record(
        audit.AuditKind.CLAIM_REJECTED,
        audit.Outcome.SUCCESS,
        actor=actor,
        target=str(rejected.id),
        reason=reason.value,
        note=note.strip(),
        flags=",".join(voucher.flag_codes),
    )
    return VoucherView.of(rejected, viewer=actor, now=now)


@dataclass(frozen=True)
class FinishReport:
    """What one repair run finished of half-done redemptions."""

    ledger_entries: int
    archive_entries: int


async def finish_redemptions(*, grace: timedelta, now: datetime | None = None) -> FinishReport:
    """Find redeemed vouchers whose archive entry is not noted (so perhaps whose ledger entry
    is missing too) and finish them exactly once. Younger than ``grace``: left alone, their
    request may still be at it."""
    moment = now or clock.now()
    query = {
        "status": VoucherStatus.REDEEMED.value,
        "redeemed_entry_seq": 0,
        "redeemed_at_ms": {"$lte": clock.epoch_ms(moment - grace)},
    }
    ledger = entries = 0
    async for voucher in Voucher.find(query):
        finished = await finish(voucher)
        ledger += finished.wrote_ledger
        entries += finished.wrote_entry
    return FinishReport(ledger, entries)

"""The voucher area's records in the change trail (``portfolio.audit.changed``).

Every state change of a voucher after its issue (bind, release, claim, approval, redemption,
rejection, cancellation, expiry…) goes through ``transitions.apply``, which records it here
right after its conditional update: who, the state before and after, the reason or note given.
The issue itself is the voucher's first event (``voucher_events``, written with it, in bulk for
thousands at once); the trail begins with the first change after it. The worker's name and
masked number are marked personal: the service admin sees neither. Each published version of a
voucher policy is recorded too (``voucher_policy``, versioned by its version number), and each
answer of the worker's attestation of a claim (``attestation``, versioned by the voucher's
``attestation_version``: it moves apart from the voucher's version).
"""

from __future__ import annotations

from typing import Any

from portfolio import audit, clock
from portfolio.vouchers.documents import Voucher, VoucherPolicy

KIND = "voucher"
PERSONAL = ("worker_name", "worker_masked_id")


def shown(voucher: Voucher) -> dict[str, Any]:
    """The voucher as the trail keeps it: its state and the money, never its grounds."""
    return {
        "status": voucher.status.value,
        "policy_key": voucher.policy_key,
        "worker_name": audit.mask_name(voucher.worker_name),
        "worker_masked_id": voucher.worker_masked_id,
        "face_value_fen": voucher.face_value_fen,
        "enrolment_id": voucher.enrolment_id,
        "organisation_id": voucher.organisation_id,
        "provider_may_bind": voucher.provider_may_bind,
        "claimed_amount_fen": voucher.claimed_amount_fen,
        "redeemed_amount_fen": voucher.redeemed_amount_fen,
        "flag_codes": list(voucher.flag_codes),
        "first_approved_by": voucher.first_approved_by,
    }


async def voucher_changed(before: Voucher, after: Voucher, *, reason: str) -> None:
    """Record one state change of a voucher (``after`` as stored by its update)."""
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


def _snapshot(voucher: Voucher) -> audit.Snapshot:
    return audit.Snapshot(
        str(voucher.id), voucher.version, shown(voucher), voucher.region_code, PERSONAL
    )


# updated_at is written with $currentDate (a real date), so a range on it works. Version 0 is
# the issue, which the trail does not hold (see the module's docstring).
audit.register_documents(
    KIND,
    Voucher,
    lambda since, until: [{"updated_at": {"$gte": since, "$lt": until}, "version": {"$gt": 0}}],
    _snapshot,
)


POLICY_KIND = "voucher_policy"


def shown_policy(policy: VoucherPolicy) -> dict[str, Any]:
    """One version of a policy as the trail keeps it (no personal data in a policy)."""
    return {
        "name": policy.name,
        "region_prefix": policy.region_prefix,
        "face_value_fen": policy.face_value_fen,
        "validity_days": policy.validity_days,
        "quantity": policy.quantity,
        "training_types": [str(t) for t in policy.coverage.training_types],
        "rules": policy.rules.model_dump(mode="json"),
        "claim_terms": policy.claim_terms.model_dump(mode="json"),
        "funding_source": str(policy.funding_source),
    }


async def policy_published(before: VoucherPolicy | None, after: VoucherPolicy) -> None:
    """Record a policy's new version (``before``: the version it replaces, None for the first).

    A policy's versions are themselves insert-only documents; the trail puts them where an
    auditor reads every other change, with who published each and why (its change note)."""
    await audit.changed(
        POLICY_KIND,
        after.policy_key,
        after.version_no,
        None if before is None else shown_policy(before),
        shown_policy(after),
        reason=after.change_note or "policy published",
        region=after.region_prefix,
    )


audit.register_documents(
    POLICY_KIND,
    VoucherPolicy,
    lambda since, until: [{"created_at": {"$gte": since, "$lt": until}}],
    lambda policy: audit.Snapshot(
        policy.policy_key, policy.version_no, shown_policy(policy), policy.region_prefix
    ),
)


ATTESTATION_KIND = "attestation"
ATTESTATION_PERSONAL = ("words",)


def shown_attestation(voucher: Voucher) -> dict[str, Any]:
    """Where a claim stands with its worker, as the trail keeps it (the words are theirs)."""
    return {
        "attestation": voucher.attestation,
        "words": voucher.attestation_words,
        "attested_by": voucher.attested_by,
        "attested_at_ms": voucher.attested_at_ms,
        "claimed_amount_fen": voucher.claimed_amount_fen,
        "organisation_id": voucher.organisation_id,
    }


async def attestation_answered(before: Voucher, after: Voucher) -> None:
    """Record the worker's answer to a claim, or an officer's record of them at the counter."""
    await audit.changed(
        ATTESTATION_KIND,
        str(after.id),
        after.attestation_version,
        shown_attestation(before),
        shown_attestation(after),
        reason=after.attestation or None,
        region=after.region_code,
        personal=ATTESTATION_PERSONAL,
    )


audit.register_documents(
    ATTESTATION_KIND,
    Voucher,
    lambda since, until: [
        {"attested_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}
    ],
    lambda voucher: audit.Snapshot(
        str(voucher.id),
        voucher.attestation_version,
        shown_attestation(voucher),
        voucher.region_code,
        ATTESTATION_PERSONAL,
    ),
)

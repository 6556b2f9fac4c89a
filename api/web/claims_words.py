"""The words of the agency's claims review pages for the domain's codes: the fraud rules'
flags (their names and what each looks for, from docs/integrity-money.md), the coded reasons
for sending a claim back, the worker's attestation, who entered an attendance record and which
approval a decision is. ``claim_words(request)`` gives a template ``claim_word(kind, value)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from api.web.i18n import N_
from api.web.templating import t
from portfolio.integrity import FlagCode
from portfolio.vouchers.enums import RejectReason

FLAG_NAMES: dict[str, str] = {
    FlagCode.TRAINER_DOUBLE_BOOKED: N_("Trainer in two places at once"),
    FlagCode.LATE_ATTENDANCE: N_("Attendance recorded late"),
    FlagCode.SHARED_DEVICE: N_("One device checked in many workers"),
    FlagCode.OUTSIDE_POLICY_GROUP: N_("Worker outside the policy's group"),
    FlagCode.ENROLMENT_SURGE: N_("Sudden surge of enrolments"),
    FlagCode.CLAIMED_TOO_OFTEN: N_("Claimed more often than the policy allows"),
    FlagCode.IDENTICAL_ATTENDANCE: N_("Identical registers nobody confirmed"),
}
FLAG_MEANINGS: dict[str, str] = {
    FlagCode.TRAINER_DOUBLE_BOOKED: N_(
        "A trainer of this class taught another of the provider's sessions at the same time."
    ),
    FlagCode.LATE_ATTENDANCE: N_(
        "The worker's attendance was recorded, or approved as late, days after the session."
    ),
    FlagCode.SHARED_DEVICE: N_(
        "The worker's check-ins came from a device that checked in several workers of the class."
    ),
    FlagCode.OUTSIDE_POLICY_GROUP: N_(
        "The record says the worker did not meet the policy's rules when the class began."
    ),
    FlagCode.ENROLMENT_SURGE: N_("The provider enrolled many workers after months with none."),
    FlagCode.CLAIMED_TOO_OFTEN: N_(
        "This worker's claims under the policy in a year exceed the number it allows."
    ),
    FlagCode.IDENTICAL_ATTENDANCE: N_(
        "Every session shows the same provider-entered register and no worker confirmed it."
    ),
}
REJECT_REASONS: dict[str, str] = {
    RejectReason.INSUFFICIENT_ATTENDANCE: N_("Not enough attendance"),
    RejectReason.NO_COMPLETION_EVIDENCE: N_("No evidence of completion"),
    RejectReason.AMOUNT_NOT_JUSTIFIED: N_("The amount is not justified"),
    RejectReason.WORKER_NOT_CONFIRMED: N_("The worker did not confirm the training"),
    RejectReason.DOCUMENTS_MISSING: N_("Documents are missing"),
    RejectReason.DUPLICATE_CLAIM: N_("A duplicate claim"),
    RejectReason.OTHER: N_("Another reason (say which in the note)"),
}
WORDS: dict[tuple[str, str], str] = {
    ("attestation", "awaiting"): N_("Not answered yet"),
    ("attestation", "confirmed"): N_("The worker confirmed they took part"),
    ("attestation", "disputed"): N_("The worker says they did not take part"),
    ("attestation", "counter"): N_("Confirmed in person at the counter"),
    ("entered", "worker"): N_("the worker (their own check-in)"),
    ("entered", "provider"): N_("the provider"),
    ("record", "confirmed"): N_("Counts"),
    ("record", "unconfirmed"): N_("Awaiting the worker"),
    ("record", ""): N_("No record"),
    ("step", "only"): N_("This approval pays the claim."),
    ("step", "first"): N_(
        "The claim is above the policy's amount for one officer: this is the first of two "
        "approvals. Another officer gives the second, which pays it."
    ),
    ("step", "second"): N_("This is the second approval: it pays the claim."),
    ("action", "redeem"): N_("Approved and paid"),
    ("action", "reject"): N_("Sent back to the provider"),
    ("action", "approve"): N_("First approval given"),
    ("action", "claim"): N_("Claimed by the provider"),
    ("action", "issue"): N_("Issued"),
    ("action", "consent"): N_("The worker let the provider bind it"),
    ("action", "bind"): N_("Bound to the class"),
    ("action", "release"): N_("Released from the class"),
    ("action", "cancel"): N_("Cancelled"),
    ("action", "expire"): N_("Expired"),
    ("role", "worker"): N_("the worker"),
    ("role", "provider"): N_("the provider"),
    ("role", "agency"): N_("an agency officer"),
    ("role", "admin"): N_("an administrator"),
    ("role", "system"): N_("the system"),
}
_KINDS = {
    ("attestation", "awaiting"): "warn",
    ("attestation", "confirmed"): "ok",
    ("attestation", "disputed"): "bad",
    ("attestation", "counter"): "ok",
    ("record", "confirmed"): "ok",
    ("record", "unconfirmed"): "warn",
    ("record", ""): "bad",
}


def claim_words(request: Request) -> dict[str, Any]:
    """What the claims review templates get: ``claim_word(kind, value)``, ``claim_kind``,
    ``flag_name(code)``, ``flag_meaning(code)``, ``reject_word(code)``, ``reject_reasons`` and
    ``flag_options`` (value, words)."""

    def claim_word(kind: str, value: Any) -> str:
        key = (kind, str(getattr(value, "value", value)))
        known = WORDS.get(key)
        return t(request, known) if known else key[1]

    def claim_kind(kind: str, value: Any) -> str:
        return _KINDS.get((kind, str(getattr(value, "value", value))), "neutral")

    def lookup(table: dict[str, str]) -> Callable[[Any], str]:
        def say(code: Any) -> str:
            known = table.get(str(getattr(code, "value", code)))
            return t(request, known) if known else str(code)

        return say

    return {
        "claim_word": claim_word,
        "claim_kind": claim_kind,
        "flag_name": lookup(FLAG_NAMES),
        "flag_meaning": lookup(FLAG_MEANINGS),
        "reject_word": lookup(REJECT_REASONS),
        "reject_reasons": [(code, t(request, words)) for code, words in REJECT_REASONS.items()],
        "flag_options": [(code, t(request, words)) for code, words in FLAG_NAMES.items()],
    }

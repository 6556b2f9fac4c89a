"""Claims stored before the fraud rules and the worker's attestation existed, made decidable.

Such a claimed voucher has no ``attestation``, ``flag_score``… fields at all. Reading it with
the model gives the defaults, but the decisions' conditional updates name the attestation
they read (``{"attestation": ""}``), which a missing field never matches, and the store's
``$exists`` cannot be trusted (STORAGE.md): without this step an old claim could never be paid
or rejected. The repair routine (also run at start-up, so right after an upgrade) writes the
defaults, as the services write them, into each claimed voucher that lacks them.
"""

from __future__ import annotations

from typing import Any

from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import VoucherStatus

# The fields the claim review added, with what a claim made before them means: no flags, no
# attestation awaited (a zero due time: it may be decided at once), no first approval.
REVIEW_FIELDS = (
    "flags",
    "flag_codes",
    "flag_score",
    "attestation",
    "attestation_due_ms",
    "attestation_words",
    "attestation_version",
    "attested_at_ms",
    "attested_by",
    "first_approved_by",
    "first_approved_at_ms",
    "first_approval_note",
)


def review_defaults() -> dict[str, Any]:
    """The review fields as a claim made before them stores them."""
    return {
        name: Voucher.model_fields[name].get_default(call_default_factory=True)
        for name in REVIEW_FIELDS
    }


async def fill_review_fields() -> int:
    """Write the review fields' defaults into every claimed voucher that has none; how many.

    Each write is conditional on the version read, so a claim decided meanwhile is left to
    its decision (it then has the fields: a decision writes them)."""
    stored = Voucher.get_pymongo_collection()
    found = stored.find({"status": VoucherStatus.CLAIMED.value}, {"version": 1, "attestation": 1})
    filled = 0
    async for raw in found:
        if "attestation" in raw:
            continue
        result = await stored.update_one(
            {"_id": raw["_id"], "version": raw["version"], "status": VoucherStatus.CLAIMED.value},
            {"$set": review_defaults()},
        )
        filled += result.modified_count
    return filled

"""A claim's review as each viewer may see it: flags, the worker's attestation, approvals.

The agency sees everything the rules and the worker said; the provider sees only that its
claim is under review (flagged, or disputed by the worker), never which rule caught it or
what the worker said: a rule a provider can see is a rule a provider can steer around.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.integrity import Flag
from portfolio.vouchers.documents import Voucher


def _moment(ms: int) -> datetime | None:
    return clock.from_epoch_ms(ms) if ms else None


@dataclass(frozen=True)
class ReviewView:
    """Where a claim stands in review."""

    under_review: bool
    flags: tuple[Flag, ...]
    flag_score: int
    attestation: str
    attestation_words: str
    attested_at: datetime | None
    attestation_due: datetime | None
    first_approved_by: str
    first_approved_at: datetime | None

    @classmethod
    def of(cls, voucher: Voucher, *, viewer: Actor) -> ReviewView:
        """The review of the claim on ``voucher`` as ``viewer`` sees it."""
        under_review = bool(voucher.flags) or voucher.attestation == "disputed"
        if viewer.role is not Role.AGENCY:
            return cls(under_review, (), 0, "", "", None, None, "", None)
        return cls(
            under_review=under_review,
            flags=tuple(voucher.flags),
            flag_score=voucher.flag_score,
            attestation=voucher.attestation or "awaiting",
            attestation_words=voucher.attestation_words,
            attested_at=_moment(voucher.attested_at_ms),
            attestation_due=_moment(voucher.attestation_due_ms),
            first_approved_by=voucher.first_approved_by,
            first_approved_at=_moment(voucher.first_approved_at_ms),
        )

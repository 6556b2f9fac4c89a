"""The voucher area's vocabularies (stored values and wire values alike)."""

from __future__ import annotations

from enum import StrEnum


class VoucherStatus(StrEnum):
    """issued -> bound -> claimed -> redeemed; issued | bound -> cancelled | expired.

    ``claimed`` and ``redeemed`` belong to claims and redemption (vouchers, part 2); a rejected
    claim moves the voucher back to ``bound``, so "rejected" is an event, not a state.
    """

    ISSUED = "issued"
    BOUND = "bound"
    CLAIMED = "claimed"
    REDEEMED = "redeemed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class VoucherAction(StrEnum):
    """What an event did to a voucher."""

    ISSUE = "issue"
    CONSENT = "consent"
    BIND = "bind"
    RELEASE = "release"
    CANCEL = "cancel"
    EXPIRE = "expire"
    CLAIM = "claim"
    REJECT = "reject"
    REDEEM = "redeem"
    # The first of two approvals of a claim above the policy's amount (claimed -> claimed).
    APPROVE = "approve"


class RejectReason(StrEnum):
    """Why an agency sends a claim back (the voucher returns to ``bound``)."""

    INSUFFICIENT_ATTENDANCE = "insufficient_attendance"
    NO_COMPLETION_EVIDENCE = "no_completion_evidence"
    AMOUNT_NOT_JUSTIFIED = "amount_not_justified"
    WORKER_NOT_CONFIRMED = "worker_not_confirmed"
    DOCUMENTS_MISSING = "documents_missing"
    DUPLICATE_CLAIM = "duplicate_claim"
    OTHER = "other"


class RuleCode(StrEnum):
    """The eligibility rules a policy version may set (each explained in plain words)."""

    REGISTERED_UNEMPLOYED = "registered_unemployed"
    UNEMPLOYMENT_INSURANCE = "unemployment_insurance"
    AGE_BAND = "age_band"
    REGION = "region"
    NO_UNUSED_VOUCHER = "no_unused_voucher"
    PRIORITY_GROUP = "priority_group"

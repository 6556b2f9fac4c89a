"""Errors of the voucher area."""

from __future__ import annotations

from collections.abc import Sequence

from portfolio.errors import FieldError, ValidationFailed
from portfolio.vouchers.documents import RuleOutcome


class NotEligible(ValidationFailed):
    """The worker does not meet the policy's rules; each failing rule is named, with its reason.

    ``errors`` name the rules (field ``worker``, rule = the rule's code, message in English);
    ``failed_rules`` repeats them with the Chinese reason too.
    """

    code = "not-eligible"
    title = "Not eligible"

    def __init__(self, failed: Sequence[RuleOutcome]) -> None:
        super().__init__(
            [FieldError("worker", o.rule.value, o.reason_en) for o in failed],
            detail="the worker does not meet the policy's rules: "
            + "; ".join(o.reason_en for o in failed),
        )
        self.failed = list(failed)
        self.extra = {"failed_rules": [o.model_dump(mode="json") for o in failed]}

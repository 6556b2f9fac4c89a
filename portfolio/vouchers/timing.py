"""The voucher time rule: which training a voucher may pay for (docs/integrity-money.md).

A voucher pays for a class only when it was issued before the class's first session (a policy
may allow a stated retroactive window, ``claim_terms.retroactive_days``) and that first session
falls before the voucher's end; training entered by a historical import (real history from
paper records or other systems) is never paid by a voucher. Broken, the claim is refused with
a problem naming the rule; nothing is written.
"""

from __future__ import annotations

from datetime import timedelta

from portfolio import training
from portfolio.errors import FieldError
from portfolio.vouchers.documents import ClaimTerms, Voucher

ISSUED_AFTER_START = "voucher_issued_after_training_start"
STARTS_AFTER_END = "training_after_voucher_end"
HISTORICAL = "historical_not_payable"
NO_SESSIONS = "run_without_sessions"


def time_problems(
    voucher: Voucher, run: training.evidence.RunFacts | None, terms: ClaimTerms
) -> list[FieldError]:
    """What keeps ``voucher`` from paying for ``run`` (empty: the time rule holds)."""
    if run is not None and run.historical:
        # Whatever its dates (an imported class has no sessions): never paid.
        return [
            FieldError(
                "voucher",
                HISTORICAL,
                "the training was entered by a historical import: a voucher never pays for it",
            )
        ]
    if run is None or run.first_start is None:
        return [FieldError("voucher", NO_SESSIONS, "the bound class has no sessions")]
    problems = []
    first = run.first_start
    window = timedelta(days=terms.retroactive_days)
    if voucher.valid_from > first + window:
        allowed = (
            f" or within the policy's {terms.retroactive_days} retroactive days"
            if terms.retroactive_days
            else ""
        )
        problems.append(
            FieldError(
                "voucher",
                ISSUED_AFTER_START,
                f"the voucher was issued {voucher.valid_from.isoformat()}, after the class's "
                f"first session {first.isoformat()}: it pays for training that starts after "
                f"its issue{allowed}",
            )
        )
    if first >= voucher.valid_until:
        problems.append(
            FieldError(
                "voucher",
                STARTS_AFTER_END,
                f"the class's first session {first.isoformat()} falls after the voucher's end "
                f"{voucher.valid_until.isoformat()}",
            )
        )
    return problems

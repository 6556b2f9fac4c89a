"""What a claim needs of a bound voucher, whatever the amount: one function that
``claims.claim`` refuses by and the provider's console explains by, so the two cannot drift.

A claim needs the bound enrolment completed with a pass, the worker's confirmed attendance
reaching ``min_share`` of the planned hours of the course as the run was scheduled (its
version: ``training.terms_of_enrolments``), and the voucher time rule (``timing.py``) to hold
for the class. The voucher's own state (expired, already claimed) is the state machine's.
"""

from __future__ import annotations

from collections.abc import Sequence

from portfolio import ids, training
from portfolio.errors import FieldError
from portfolio.training import (
    CompletionResult,
    Course,
    Enrolment,
    enrolments_by_ids,
    hours_attended,
    records_by_enrolment,
    terms_of_enrolments,
)
from portfolio.training import EnrolmentStatus as E
from portfolio.vouchers.documents import ClaimTerms, Voucher, VoucherPolicy
from portfolio.vouchers.timing import time_problems

NOT_PASSED = "no_passed_completion"
TOO_FEW_HOURS = "insufficient_attendance"


def attendance_needed(course: Course, share: float) -> float:
    """Confirmed hours a claim needs: ``share`` of the planned hours."""
    return round(course.planned_hours * share, 2)


def claim_refusals(
    voucher: Voucher,
    *,
    enrolment: Enrolment,
    course: Course,
    hours: float,
    min_share: float,
    run: training.evidence.RunFacts | None,
    terms: ClaimTerms,
) -> list[FieldError]:
    """Every reason a claim on ``voucher`` is refused today, whatever the amount (empty: none).

    ``course`` is the course as the enrolment's run was scheduled; ``hours`` the worker's
    confirmed hours; ``run`` the class's facts; ``terms`` the voucher's policy's claim terms.
    """
    errors: list[FieldError] = []
    if enrolment.status is not E.COMPLETED or enrolment.result is not CompletionResult.PASSED:
        errors.append(
            FieldError(
                "voucher",
                NOT_PASSED,
                f"the bound enrolment has no passed completion (it is {enrolment.status.value})",
            )
        )
    needed = attendance_needed(course, min_share)
    if hours < needed:
        errors.append(
            FieldError(
                "voucher",
                TOO_FEW_HOURS,
                f"confirmed attendance is {hours:g} h; a claim needs {needed:g} h "
                f"({min_share:.0%} of {course.planned_hours:g} planned hours)",
            )
        )
    return errors + time_problems(voucher, run, terms)


async def refusals_of(
    vouchers: Sequence[Voucher], *, min_share: float
) -> dict[str, list[FieldError]]:
    """:func:`claim_refusals` of each bound voucher, by voucher id (a few batched reads, and
    the class's facts per voucher)."""
    bound = [v for v in vouchers if v.enrolment_id]
    enrolments = await enrolments_by_ids([v.enrolment_id for v in bound])
    terms = await terms_of_enrolments(list(enrolments.values()))
    records = await records_by_enrolment(list(enrolments))
    policies: dict[str, VoucherPolicy | None] = {}
    found: dict[str, list[FieldError]] = {}
    for voucher in bound:
        enrolment = enrolments.get(voucher.enrolment_id)
        course = terms.get(voucher.enrolment_id)
        if enrolment is None or course is None:
            continue
        if voucher.policy_id not in policies:
            policies[voucher.policy_id] = await VoucherPolicy.get(
                ids.parse(voucher.policy_id, "voucher policy")
            )
        policy = policies[voucher.policy_id]
        assert policy is not None  # a voucher's policy version is never deleted
        run = await training.evidence.run_facts(enrolment.run_id, enrolment_id=str(enrolment.id))
        found[str(voucher.id)] = claim_refusals(
            voucher,
            enrolment=enrolment,
            course=course,
            hours=hours_attended(records.get(voucher.enrolment_id, [])),
            min_share=min_share,
            run=run,
            terms=policy.claim_terms,
        )
    return found

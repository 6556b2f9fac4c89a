"""Gathering a claim's evidence for the fraud rules (``portfolio.integrity``) and running them.

Run when a claim is written (its flags are stored by the claim's own conditional update) and
as a dry run (an officer re-evaluating a claim; nothing is written). The evidence comes from
the training area (``portfolio.training.evidence``), the worker's archive (age, sex and the
policy's rules as they stood at the first session) and the voucher area's own claims.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portfolio import clock, training
from portfolio.archives import archive_by_id, birth_date_of
from portfolio.integrity import ClaimCase, Flag, Thresholds, evaluate
from portfolio.keyring import Keyring
from portfolio.vouchers.documents import Voucher, VoucherPolicy
from portfolio.vouchers.enums import RuleCode, VoucherStatus
from portfolio.vouchers.rules import age_on, facts_of
from portfolio.vouchers.rules import evaluate as evaluate_rules

# Rules of the policy that say nothing about fraud when they fail later: a worker may move,
# a claimed voucher is no longer "unused", and a priority-group membership may end (it is not
# read here at all: the screen shows its failures to reviewers, who must not learn a group).
_NOT_A_GROUP = frozenset({RuleCode.REGION, RuleCode.NO_UNUSED_VOUCHER, RuleCode.PRIORITY_GROUP})
YEAR = timedelta(days=365)


async def _worker(
    voucher: Voucher, policy: VoucherPolicy, keyring: Keyring | None, when: datetime
) -> tuple[int | None, str, list[tuple[str, str]]]:
    archive = await archive_by_id(voucher.archive_id)
    if archive is None or keyring is None:
        return None, "", []
    birth = await birth_date_of(archive, keyring)
    day = clock.china_today(when)
    facts = facts_of(archive, birth_date=birth, today=day, unused_voucher_issued_on=None)
    failed = [
        (o.rule.value, o.reason_en)
        for o in evaluate_rules(policy.rules, facts, today=day)
        if not o.passed and o.rule not in _NOT_A_GROUP
    ]
    return age_on(birth, day), archive.sex.value, failed


async def _claims_in_year(voucher: Voucher, now: datetime) -> int:
    """Claims for the worker under the policy in the last 365 days, this one included."""
    since = clock.epoch_ms(now - YEAR)
    others = await Voucher.find(
        {
            "archive_id": voucher.archive_id,
            "status": {"$in": [VoucherStatus.CLAIMED.value, VoucherStatus.REDEEMED.value]},
        }
    ).to_list()
    return 1 + sum(
        1
        for v in others
        if v.id != voucher.id and v.policy_key == voucher.policy_key and v.claimed_at_ms >= since
    )


async def case_of(
    voucher: Voucher,
    policy: VoucherPolicy,
    run: training.evidence.RunFacts,
    *,
    keyring: Keyring | None,
    limits: Thresholds,
    now: datetime,
) -> ClaimCase:
    """The evidence of the claim on ``voucher`` (bound to an enrolment in ``run``)."""
    first = run.first_start or now
    age, sex, failed = await _worker(voucher, policy, keyring, first)
    window = timedelta(days=limits.surge_window_days)
    quiet = timedelta(days=limits.surge_quiet_days)
    allowed = policy.claim_terms.max_claims_per_year or limits.max_claims_per_year
    return ClaimCase(
        archive_id=voucher.archive_id,
        enrolment_id=voucher.enrolment_id,
        run=run,
        trainer_sessions=await training.evidence.trainer_sessions(
            run.organisation_id, run.trainer_ids, except_run=run.run_id
        ),
        attendance=await training.evidence.run_attendance(run.run_id),
        age=age,
        sex=sex,
        failed_policy_rules=failed,
        enrolments_recent=await training.evidence.enrolments_created(
            run.organisation_id, now - window, now + timedelta(seconds=1)
        ),
        enrolments_before=await training.evidence.enrolments_created(
            run.organisation_id, now - window - quiet, now - window
        ),
        provider_since=await training.evidence.organisation_since(run.organisation_id),
        claims_in_year=await _claims_in_year(voucher, now),
        claims_allowed=allowed,
        now=now,
    )


async def screen(
    voucher: Voucher,
    policy: VoucherPolicy,
    run: training.evidence.RunFacts,
    *,
    keyring: Keyring | None,
    limits: Thresholds,
    now: datetime,
) -> list[Flag]:
    """The flags the fraud rules raise on the claim on ``voucher``, highest score first."""
    case = await case_of(voucher, policy, run, keyring=keyring, limits=limits, now=now)
    return evaluate(case, limits)

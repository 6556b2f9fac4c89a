"""Dense rules of the voucher area: eligibility (explained in words), validity, the life cycle.

Everything here is pure: the services read the stored facts, these functions decide. Each
eligibility rule answers with its reason in Chinese and English, whether it passed or not, so
a worker (or the clerk beside them) can see exactly which condition is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portfolio.archives import Archive, InsuranceScheme, RegistrationKind
from portfolio.clock import CHINA_TIME, truncate_to_millis

# Re-exported: the synthetic province (portfolio/seed), certificates and the benchmarks import
# it from here; the one definition is the clock's.
from portfolio.clock import epoch_ms as epoch_ms
from portfolio.errors import InvalidTransition
from portfolio.vocabulary import LABELS, PriorityGroup
from portfolio.vouchers.documents import (
    Coverage,
    EligibilityRules,
    PolicyHead,
    RuleOutcome,
    VoucherPolicy,
)
from portfolio.vouchers.enums import RuleCode, VoucherAction, VoucherStatus

S = VoucherStatus
A = VoucherAction

# action -> (states it may start from, state it leads to). Claims and redemption (part 2)
# add claim: bound -> claimed, reject: claimed -> bound, redeem: claimed -> redeemed.
TRANSITIONS: dict[VoucherAction, tuple[frozenset[VoucherStatus], VoucherStatus]] = {
    A.CONSENT: (frozenset({S.ISSUED}), S.ISSUED),
    A.BIND: (frozenset({S.ISSUED}), S.BOUND),
    A.RELEASE: (frozenset({S.BOUND}), S.ISSUED),
    A.CANCEL: (frozenset({S.ISSUED, S.BOUND}), S.CANCELLED),
    A.EXPIRE: (frozenset({S.ISSUED, S.BOUND}), S.EXPIRED),
    A.CLAIM: (frozenset({S.BOUND}), S.CLAIMED),
    A.REJECT: (frozenset({S.CLAIMED}), S.BOUND),
    A.REDEEM: (frozenset({S.CLAIMED}), S.REDEEMED),
    A.APPROVE: (frozenset({S.CLAIMED}), S.CLAIMED),
}

# Not yet used: these expire by time, and count for the one-unused-voucher rule.
UNUSED = frozenset({S.ISSUED, S.BOUND})
# States in which the voucher holds its enrolment (one voucher per enrolment).
HOLDS_ENROLMENT = frozenset({S.BOUND, S.CLAIMED, S.REDEEMED})


def effective_status(status: VoucherStatus, valid_until: datetime, now: datetime) -> VoucherStatus:
    """The status that counts: an unused voucher past its end is expired, swept or not."""
    if status in UNUSED and now >= valid_until:
        return S.EXPIRED
    return status


def next_state(action: VoucherAction, current: VoucherStatus) -> VoucherStatus:
    """The state ``action`` leads to from ``current`` (effective), or InvalidTransition."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise InvalidTransition(
            f"cannot {action.value} a voucher that is {current.value}",
            current_state=current.value,
        )
    return target


def holding_key(
    *, policy_key: str, archive_id: str, voucher_id: str, status: VoucherStatus, one_unused: bool
) -> str:
    """The value of the unique ``holding_key``: the worker's place while the voucher is unused."""
    if one_unused and status in UNUSED:
        return f"{policy_key}|{archive_id}"
    return free_key(voucher_id)


def binding_key(enrolment_id: str) -> str:
    """The value of the unique ``binding_key`` of a voucher bound to ``enrolment_id``."""
    return f"enrolment|{enrolment_id}"


def free_key(voucher_id: str) -> str:
    """The placeholder of a unique key that the voucher does not hold."""
    return f"free|{voucher_id}"


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in China time (a fixed end is valid all that day)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=CHINA_TIME).astimezone(UTC)


def validity_end(
    *, validity_days: int | None, fixed_end: date | None, issued_at: datetime
) -> datetime:
    """When a voucher issued at ``issued_at`` stops being valid (exclusive)."""
    if validity_days is not None:
        return truncate_to_millis(issued_at + timedelta(days=validity_days))
    assert fixed_end is not None
    return end_of_day(fixed_end)


# ---- policies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyState:
    """One version of a policy with its head (current version, issued counter)."""

    policy: VoucherPolicy
    head: PolicyHead

    @property
    def current(self) -> bool:
        """True when this version is the one vouchers are issued under."""
        return self.head.current_version_id == str(self.policy.id)

    @property
    def remaining(self) -> int:
        """Vouchers the current version may still issue (0 for a superseded version)."""
        return max(0, self.policy.quantity - self.head.issued) if self.current else 0

    def ended(self, today: date) -> bool:
        """True once the fixed end date has passed (no more vouchers can be valid)."""
        return self.policy.fixed_end is not None and self.policy.fixed_end < today


# ---- eligibility -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerFacts:
    """What the rules look at, read from the worker's archive and vouchers."""

    birth_date: date
    region_code: str
    # Start of the open unemployment registration, if the worker has one today.
    unemployed_since: date | None
    # The month (YYYY-MM) the worker is insured for unemployment since, if insured.
    unemployment_insured_since: str | None
    # Issue day of an unused voucher of this policy the worker holds, if any.
    unused_voucher_issued_on: date | None
    # The priority groups the worker belongs to today (read only for a policy with the rule).
    priority_groups: frozenset[PriorityGroup] = frozenset()


def facts_of(
    archive: Archive,
    *,
    birth_date: date,
    today: date,
    unused_voucher_issued_on: date | None,
    priority_groups: frozenset[PriorityGroup] = frozenset(),
) -> WorkerFacts:
    """The facts of ``archive`` as of ``today`` (``birth_date``: the archive's, opened by the
    caller: it is sealed at rest)."""
    unemployed_since: date | None = None
    if archive.employment is not None:
        open_ones = [
            r.start
            for r in archive.employment.registrations
            if r.kind is RegistrationKind.UNEMPLOYMENT
            and r.start <= today
            and (r.end is None or r.end >= today)
        ]
        unemployed_since = max(open_ones, default=None)
    insured_since: str | None = None
    if archive.social_security is not None:
        insured_since = next(
            (
                s.since
                for s in archive.social_security.schemes
                if s.scheme is InsuranceScheme.UNEMPLOYMENT
            ),
            None,
        )
    return WorkerFacts(
        birth_date=birth_date,
        region_code=archive.region_code,
        unemployed_since=unemployed_since,
        unemployment_insured_since=insured_since,
        unused_voucher_issued_on=unused_voucher_issued_on,
        priority_groups=priority_groups,
    )


def age_on(birth: date, today: date) -> int:
    """Completed years of age on ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def months_since(month: str, today: date) -> int:
    """Whole calendar months from ``month`` (YYYY-MM) to the month of ``today``."""
    year, number = (int(part) for part in month.split("-"))
    return max(0, (today.year * 12 + today.month) - (year * 12 + number))


def _outcome(rule: RuleCode, passed: bool, zh: str, en: str) -> RuleOutcome:
    return RuleOutcome(rule=rule, passed=passed, reason_zh=zh, reason_en=en)


def _registered_unemployed(facts: WorkerFacts) -> RuleOutcome:
    since = facts.unemployed_since
    if since is not None:
        return _outcome(
            RuleCode.REGISTERED_UNEMPLOYED,
            True,
            f"自{since.isoformat()}起已办理失业登记。",
            f"Registered as unemployed since {since.isoformat()}.",
        )
    return _outcome(
        RuleCode.REGISTERED_UNEMPLOYED,
        False,
        "没有有效的失业登记，本政策要求办理失业登记。",
        "No open unemployment registration; the policy requires one.",
    )


def _unemployment_insurance(facts: WorkerFacts, required: int, today: date) -> RuleOutcome:
    since = facts.unemployment_insured_since
    if since is None:
        return _outcome(
            RuleCode.UNEMPLOYMENT_INSURANCE,
            False,
            f"未参加失业保险，本政策要求参保至少{required}个月。",
            f"Not insured for unemployment; the policy requires at least {required} months.",
        )
    months = months_since(since, today)
    if months >= required:
        return _outcome(
            RuleCode.UNEMPLOYMENT_INSURANCE,
            True,
            f"自{since}起参加失业保险{months}个月，达到至少{required}个月的要求。",
            f"Insured for unemployment for {months} months since {since}; "
            f"at least {required} are required.",
        )
    return _outcome(
        RuleCode.UNEMPLOYMENT_INSURANCE,
        False,
        f"自{since}起参加失业保险仅{months}个月，未达到至少{required}个月的要求。",
        f"Insured for unemployment for only {months} months since {since}; "
        f"at least {required} are required.",
    )


def _age_band(facts: WorkerFacts, low: int | None, high: int | None, today: date) -> RuleOutcome:
    age = age_on(facts.birth_date, today)
    if low is not None and high is not None:
        band_zh, band_en = f"{low}至{high}岁", f"{low} to {high}"
    elif low is not None:
        band_zh, band_en = f"{low}岁及以上", f"{low} or older"
    else:
        band_zh, band_en = f"{high}岁及以下", f"{high} or younger"
    passed = (low is None or age >= low) and (high is None or age <= high)
    # The reason names the policy's band, never the age: the answer is kept with a voucher and
    # shown beside the masked number, and an exact age on a known day narrows the birth date
    # (SECURITY.md, "Personal data").
    return age_band_outcome(passed, band_zh, band_en)


def age_band_outcome(passed: bool, band_zh: str, band_en: str) -> RuleOutcome:
    """The age-band rule's answer in words (``portfolio migrate`` rewrites old ones with it)."""
    if passed:
        return _outcome(
            RuleCode.AGE_BAND,
            True,
            f"年龄符合本政策{band_zh}的要求。",
            f"Within the ages the policy is for: {band_en}.",
        )
    return _outcome(
        RuleCode.AGE_BAND,
        False,
        f"年龄不符合本政策{band_zh}的要求。",
        f"Outside the ages the policy is for: {band_en}.",
    )


def _region(facts: WorkerFacts, prefix: str) -> RuleOutcome:
    code = facts.region_code
    if code.startswith(prefix):
        return _outcome(
            RuleCode.REGION,
            True,
            f"所在地区{code}属于本政策的地区{prefix}。",
            f"Registered in region {code}, which lies within the policy's region {prefix}.",
        )
    return _outcome(
        RuleCode.REGION,
        False,
        f"所在地区{code}不属于本政策的地区{prefix}。",
        f"Registered in region {code}, which lies outside the policy's region {prefix}.",
    )


def _no_unused_voucher(facts: WorkerFacts) -> RuleOutcome:
    held = facts.unused_voucher_issued_on
    if held is None:
        return _outcome(
            RuleCode.NO_UNUSED_VOUCHER,
            True,
            "未持有本政策尚未使用的培训券。",
            "Holds no unused voucher of this policy.",
        )
    return _outcome(
        RuleCode.NO_UNUSED_VOUCHER,
        False,
        f"已持有本政策尚未使用的培训券（{held.isoformat()}发放）。",
        f"Already holds an unused voucher of this policy, issued on {held.isoformat()}.",
    )


def _priority_group(facts: WorkerFacts, wanted: Iterable[PriorityGroup]) -> RuleOutcome:
    # The reason never names the worker's group: it is kept with the voucher, which the
    # provider training the worker reads, and disability or poverty is sensitive. The
    # policy's own list is public (it is on the policy).
    if facts.priority_groups & set(wanted):
        return _outcome(
            RuleCode.PRIORITY_GROUP,
            True,
            "属于本政策面向的重点群体。",
            "Belongs to one of the priority groups the policy is for.",
        )
    return _outcome(
        RuleCode.PRIORITY_GROUP,
        False,
        "不属于本政策面向的重点群体（以经办机构登记为准）。",
        "Not recorded as a member of any priority group the policy is for.",
    )


def evaluate(rules: EligibilityRules, facts: WorkerFacts, *, today: date) -> list[RuleOutcome]:
    """Every rule of the policy applied to ``facts``, in a fixed order, each with its reason."""
    outcomes: list[RuleOutcome] = []
    if rules.registered_unemployed:
        outcomes.append(_registered_unemployed(facts))
    if rules.min_unemployment_insurance_months is not None:
        outcomes.append(
            _unemployment_insurance(facts, rules.min_unemployment_insurance_months, today)
        )
    if rules.min_age is not None or rules.max_age is not None:
        outcomes.append(_age_band(facts, rules.min_age, rules.max_age, today))
    outcomes.append(_region(facts, rules.region_prefix))
    if rules.one_unused_voucher:
        outcomes.append(_no_unused_voucher(facts))
    if rules.priority_groups:
        outcomes.append(_priority_group(facts, rules.priority_groups))
    return outcomes


def no_unused_voucher_failed(issued_on: date) -> RuleOutcome:
    """The failing outcome of the one-unused-voucher rule (for a race lost at insert)."""
    return _no_unused_voucher(
        WorkerFacts(
            birth_date=issued_on,
            region_code="",
            unemployed_since=None,
            unemployment_insured_since=None,
            unused_voucher_issued_on=issued_on,
        )
    )


# ---- what a policy pays for --------------------------------------------------------------


def _names(values: Iterable[str]) -> str:
    return ", ".join(f"{LABELS.get(v, v)} ({v})" if v in LABELS else v for v in values)


def coverage_gaps(
    coverage: Coverage, *, training_type: str, occupation_code: str, brand: str | None
) -> list[str]:
    """Why the policy does not pay for a course (empty when it does)."""
    gaps: list[str] = []
    if coverage.training_types and training_type not in coverage.training_types:
        gaps.append(
            f"the policy pays for {_names(coverage.training_types)}, "
            f"not for {_names([training_type])}"
        )
    if coverage.occupation_codes and occupation_code not in coverage.occupation_codes:
        gaps.append(
            f"the policy pays for occupations {', '.join(coverage.occupation_codes)}, "
            f"not for {occupation_code}"
        )
    if coverage.brands and brand not in coverage.brands:
        gaps.append(
            f"the policy pays for courses of the brands {_names(coverage.brands)}, "
            + (f"not for {_names([brand])}" if brand else "and the course carries no brand")
        )
    return gaps

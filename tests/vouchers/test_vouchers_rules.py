"""The dense rules, unit by unit: every eligibility rule passing and failing (word for word, in
English; one case per rule in Chinese too), validity, the life-cycle table, coverage."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from portfolio.errors import InvalidTransition
from portfolio.vocabulary import PriorityGroup, SkillBrand, TrainingType
from portfolio.vouchers.documents import Coverage, EligibilityRules
from portfolio.vouchers.enums import RuleCode, VoucherAction, VoucherStatus
from portfolio.vouchers.rules import (
    TRANSITIONS,
    WorkerFacts,
    age_on,
    coverage_gaps,
    effective_status,
    evaluate,
    months_since,
    next_state,
    validity_end,
)

TODAY = date(2026, 3, 15)
FACTS = WorkerFacts(
    birth_date=date(1990, 3, 16),  # 35 on TODAY, 36 tomorrow
    region_code="510104",
    unemployed_since=date(2026, 1, 10),
    unemployment_insured_since="2025-03",  # 12 months by March 2026
    unused_voucher_issued_on=None,
)
NO_RULES = EligibilityRules(region_prefix="51", one_unused_voucher=False)


def _only(rules: EligibilityRules, facts: WorkerFacts, code: RuleCode) -> tuple[bool, str, str]:
    outcome = next(o for o in evaluate(rules, facts, today=TODAY) if o.rule is code)
    return outcome.passed, outcome.reason_en, outcome.reason_zh


def test_registered_unemployed_passes_with_an_open_registration() -> None:
    rules = replace_rules(registered_unemployed=True)
    assert _only(rules, FACTS, RuleCode.REGISTERED_UNEMPLOYED) == (
        True,
        "Registered as unemployed since 2026-01-10.",
        "自2026-01-10起已办理失业登记。",
    )


def test_registered_unemployed_fails_without_one() -> None:
    rules = replace_rules(registered_unemployed=True)
    passed, english, _ = _only(
        rules, replace(FACTS, unemployed_since=None), RuleCode.REGISTERED_UNEMPLOYED
    )
    assert (passed, english) == (
        False,
        "No open unemployment registration; the policy requires one.",
    )


def test_unemployment_insurance_passes_at_exactly_the_months_required() -> None:
    rules = replace_rules(min_unemployment_insurance_months=12)
    assert _only(rules, FACTS, RuleCode.UNEMPLOYMENT_INSURANCE) == (
        True,
        "Insured for unemployment for 12 months since 2025-03; at least 12 are required.",
        "自2025-03起参加失业保险12个月，达到至少12个月的要求。",
    )


def test_unemployment_insurance_fails_one_month_short() -> None:
    rules = replace_rules(min_unemployment_insurance_months=12)
    facts = replace(FACTS, unemployment_insured_since="2025-04")
    passed, english, _ = _only(rules, facts, RuleCode.UNEMPLOYMENT_INSURANCE)
    assert (passed, english) == (
        False,
        "Insured for unemployment for only 11 months since 2025-04; at least 12 are required.",
    )


def test_unemployment_insurance_fails_when_not_insured() -> None:
    rules = replace_rules(min_unemployment_insurance_months=6)
    facts = replace(FACTS, unemployment_insured_since=None)
    passed, english, _ = _only(rules, facts, RuleCode.UNEMPLOYMENT_INSURANCE)
    assert (passed, english) == (
        False,
        "Not insured for unemployment; the policy requires at least 6 months.",
    )


@pytest.mark.parametrize(
    ("low", "high", "birth", "expected"),
    [
        (16, 35, date(1990, 3, 16), (True, "Within the ages the policy is for: 16 to 35.")),
        (
            16,
            34,
            date(1990, 3, 16),
            (False, "Outside the ages the policy is for: 16 to 34."),
        ),
        (
            36,
            None,
            date(1990, 3, 15),
            (True, "Within the ages the policy is for: 36 or older."),
        ),
        (
            36,
            None,
            date(1990, 3, 16),
            (False, "Outside the ages the policy is for: 36 or older."),
        ),
        (
            None,
            35,
            date(1990, 3, 16),
            (True, "Within the ages the policy is for: 35 or younger."),
        ),
        (
            None,
            35,
            date(1990, 3, 15),
            (False, "Outside the ages the policy is for: 35 or younger."),
        ),
    ],
)
def test_age_band_counts_completed_years_on_both_edges(
    low: int | None, high: int | None, birth: date, expected: tuple[bool, str]
) -> None:
    rules = replace_rules(min_age=low, max_age=high)
    passed, english, _ = _only(rules, replace(FACTS, birth_date=birth), RuleCode.AGE_BAND)
    assert (passed, english) == expected


def test_age_band_in_chinese() -> None:
    rules = replace_rules(min_age=16, max_age=34)
    assert _only(rules, FACTS, RuleCode.AGE_BAND)[2] == "年龄不符合本政策16至34岁的要求。"


def test_region_passes_inside_the_prefix_and_fails_outside() -> None:
    inside = replace_rules(region_prefix="5101")
    assert _only(inside, FACTS, RuleCode.REGION) == (
        True,
        "Registered in region 510104, which lies within the policy's region 5101.",
        "所在地区510104属于本政策的地区5101。",
    )
    outside = replace_rules(region_prefix="5107")
    passed, english, _ = _only(outside, FACTS, RuleCode.REGION)
    assert (passed, english) == (
        False,
        "Registered in region 510104, which lies outside the policy's region 5107.",
    )


def test_no_unused_voucher_passes_and_fails() -> None:
    rules = replace_rules(one_unused_voucher=True)
    assert _only(rules, FACTS, RuleCode.NO_UNUSED_VOUCHER)[:2] == (
        True,
        "Holds no unused voucher of this policy.",
    )
    held = replace(FACTS, unused_voucher_issued_on=date(2026, 2, 1))
    assert _only(rules, held, RuleCode.NO_UNUSED_VOUCHER) == (
        False,
        "Already holds an unused voucher of this policy, issued on 2026-02-01.",
        "已持有本政策尚未使用的培训券（2026-02-01发放）。",
    )


def test_only_the_policys_rules_are_answered_in_a_fixed_order() -> None:
    assert [o.rule for o in evaluate(NO_RULES, FACTS, today=TODAY)] == [RuleCode.REGION]
    every = EligibilityRules(
        registered_unemployed=True,
        min_unemployment_insurance_months=1,
        min_age=16,
        max_age=60,
        region_prefix="51",
        one_unused_voucher=True,
        priority_groups=[PriorityGroup.VETERAN],
    )
    assert [o.rule for o in evaluate(every, FACTS, today=TODAY)] == list(RuleCode)


def test_the_priority_group_rule_names_no_group() -> None:
    rules = replace_rules(priority_groups=[PriorityGroup.DISABLED, PriorityGroup.VETERAN])
    member = replace(FACTS, priority_groups=frozenset({PriorityGroup.DISABLED}))
    assert _only(rules, member, RuleCode.PRIORITY_GROUP) == (
        True,
        "Belongs to one of the priority groups the policy is for.",
        "属于本政策面向的重点群体。",
    )
    other = replace(FACTS, priority_groups=frozenset({PriorityGroup.MIGRANT_WORKER}))
    assert _only(rules, other, RuleCode.PRIORITY_GROUP)[0] is False
    assert _only(rules, FACTS, RuleCode.PRIORITY_GROUP)[0] is False


def replace_rules(**changes: object) -> EligibilityRules:
    """The bare rules (region 51 only) with ``changes``."""
    return NO_RULES.model_copy(update=changes)


def test_age_and_months_arithmetic() -> None:
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26
    assert months_since("2025-12", date(2026, 1, 31)) == 1
    assert months_since("2026-05", date(2026, 1, 1)) == 0


def test_validity_from_days_or_a_fixed_end_day_in_china_time() -> None:
    issued = datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert validity_end(validity_days=30, fixed_end=None, issued_at=issued) == datetime(
        2026, 3, 31, 10, 0, 0, 123000, tzinfo=UTC
    )
    # Valid all of 30 June in Beijing: until 1 July 00:00 +08:00.
    assert validity_end(validity_days=None, fixed_end=date(2026, 6, 30), issued_at=issued) == (
        datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    )


def test_an_unused_voucher_past_its_end_is_expired_whatever_is_stored() -> None:
    end = datetime(2026, 3, 1, tzinfo=UTC)
    before, at = end - timedelta(milliseconds=1), end
    for stored in (VoucherStatus.ISSUED, VoucherStatus.BOUND):
        assert effective_status(stored, end, before) is stored
        assert effective_status(stored, end, at) is VoucherStatus.EXPIRED
    for stored in (VoucherStatus.CANCELLED, VoucherStatus.CLAIMED, VoucherStatus.REDEEMED):
        assert effective_status(stored, end, at) is stored


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("state", list(VoucherStatus))
def test_the_life_cycle_table(action: VoucherAction, state: VoucherStatus) -> None:
    allowed, target = TRANSITIONS[action]
    if state in allowed:
        assert next_state(action, state) is target
    else:
        with pytest.raises(InvalidTransition) as refused:
            next_state(action, state)
        assert refused.value.current_state == state.value
        assert refused.value.detail == f"cannot {action.value} a voucher that is {state.value}"


def test_coverage_names_what_does_not_match() -> None:
    coverage = Coverage(
        training_types=[TrainingType.EMPLOYMENT_SKILLS],
        occupation_codes=["4-03-02-01"],
        brands=[SkillBrand.SICHUAN_CHEF],
    )
    assert (
        coverage_gaps(
            coverage,
            training_type="employment_skills",
            occupation_code="4-03-02-01",
            brand="sichuan_chef",
        )
        == []
    )
    assert coverage_gaps(
        coverage, training_type="skill_upgrading", occupation_code="6-25-04-01", brand=None
    ) == [
        "the policy pays for 就业技能培训 (employment_skills), "
        "not for 岗位技能提升培训 (skill_upgrading)",
        "the policy pays for occupations 4-03-02-01, not for 6-25-04-01",
        "the policy pays for courses of the brands 川菜大师傅 (sichuan_chef), "
        "and the course carries no brand",
    ]
    anything = Coverage(training_types=[], occupation_codes=[], brands=[])
    assert coverage_gaps(anything, training_type="x", occupation_code="y", brand=None) == []

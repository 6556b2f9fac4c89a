"""Unit tests of the dense apprenticeship rules: durations, levels, employment, dates, subsidy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction
from portfolio.apprenticeships.rules import (
    TRANSITIONS,
    Milestone,
    active_days,
    check_completion_day,
    check_duration,
    check_employment,
    check_hours,
    check_step_date,
    check_target_level,
    earliest_completion,
    is_below_plan,
    next_state,
    subsidy,
    subsidy_standard,
)
from portfolio.archives.documents import EmploymentRegistration, RegistrationKind
from portfolio.errors import FieldError, InvalidTransition
from portfolio.vocabulary import SkillLevel

E = EventAction
CODE = "91510104MA6CXW3N7P"
TODAY = date(2026, 6, 15)


def rules(errors: list[FieldError]) -> list[tuple[str, str]]:
    return [(e.field, e.rule) for e in errors]


@pytest.mark.parametrize(
    ("end", "reason", "expected"),
    [
        (date(2026, 2, 28), "", []),  # exactly one year (the end is the last day)
        (date(2026, 2, 27), "", [("planned_end", "too_short")]),
        (date(2027, 2, 28), "", []),  # exactly two years
        (date(2027, 3, 1), "", [("extension_reason", "required")]),
        (date(2027, 3, 1), "技师培养周期长", []),
        (date(2028, 2, 29), "技师培养周期长", []),  # exactly three years
        (date(2028, 3, 1), "技师培养周期长", [("planned_end", "too_long")]),
        (date(2025, 3, 1), "", [("planned_end", "before_start")]),
        (date(2025, 2, 1), "", [("planned_end", "before_start")]),
    ],
)
def test_duration_is_one_to_two_years_or_three_with_a_reason(
    end: date, reason: str, expected: list[tuple[str, str]]
) -> None:
    assert rules(check_duration(date(2025, 3, 1), end, reason)) == expected


def test_a_leap_day_start_counts_years_to_28_february() -> None:
    assert check_duration(date(2024, 2, 29), date(2025, 2, 27), "") == []
    assert rules(check_duration(date(2024, 2, 29), date(2025, 2, 26), "")) == [
        ("planned_end", "too_short")
    ]


@pytest.mark.parametrize("level", list(SkillLevel))
def test_target_level_is_intermediate_to_senior_technician(level: SkillLevel) -> None:
    allowed = SkillLevel.INTERMEDIATE.rank <= level.rank <= SkillLevel.SENIOR_TECHNICIAN.rank
    assert (check_target_level(level) == []) is allowed
    if not allowed:
        assert rules(check_target_level(level)) == [("target_level", "out_of_range")]


def test_hours_plan_needs_an_hour() -> None:
    assert check_hours(0, 1) == []
    assert rules(check_hours(0, 0)) == [("hours", "empty")]


def registration(**fields: object) -> EmploymentRegistration:
    values: dict[str, object] = {
        "registration_id": "r1",
        "kind": RegistrationKind.EMPLOYMENT,
        "employer_credit_code": CODE,
        "credit_code_overridden": False,
        "employer_name": "成都测试",
        "start": date(2025, 1, 1),
        "end": None,
        "occupation_code": None,
        "digital": False,
        "green": False,
        "labour_contract_end": date(2027, 12, 31),
        "recorded_at": datetime(2025, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return EmploymentRegistration.model_validate(values)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, None),
        ({"employer_credit_code": "91510104MA6CXW3N8X"}, "no_employment"),  # another employer
        ({"kind": RegistrationKind.UNEMPLOYMENT}, "no_employment"),
        ({"end": date(2026, 6, 14)}, "no_employment"),  # ended yesterday
        ({"end": date(2026, 6, 15)}, None),  # ends today: still active
        ({"start": date(2026, 6, 16)}, "no_employment"),  # starts tomorrow
        ({"labour_contract_end": None}, "no_labour_contract"),
        ({"labour_contract_end": date(2025, 12, 30)}, "labour_contract_too_short"),
        # Exactly one year, but over before today.
        ({"labour_contract_end": date(2025, 12, 31)}, "labour_contract_ended"),
    ],
)
def test_employment_with_the_employer_and_a_year_of_contract(
    fields: dict[str, object], expected: str | None
) -> None:
    found = rules(check_employment([registration(**fields)], CODE, TODAY))
    assert found == ([] if expected is None else [("apprentice", expected)])


def test_a_one_year_contract_that_still_runs_is_enough() -> None:
    one_year = registration(start=date(2026, 1, 1), labour_contract_end=date(2026, 12, 31))
    assert check_employment([one_year], CODE, TODAY) == []


def test_no_registrations_at_all_is_no_employment() -> None:
    assert rules(check_employment([], CODE, TODAY)) == [("apprentice", "no_employment")]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 6, 15), []),
        (date(2026, 6, 16), [("on", "future")]),
        (date(2026, 3, 31), [("on", "before_start")]),
        (date(2026, 4, 30), [("on", "before_last_step")]),
        (date(2026, 5, 1), []),
    ],
)
def test_step_dates_rule(on: date, expected: list[tuple[str, str]]) -> None:
    found = check_step_date(on, today=TODAY, started=date(2026, 4, 1), last=date(2026, 5, 1))
    assert rules(found) == expected


def test_every_action_names_the_state_it_refuses() -> None:
    for action, (allowed, target) in TRANSITIONS.items():
        for state in ApprenticeshipStatus:
            if state in allowed:
                assert next_state(action, state) is target
            else:
                with pytest.raises(InvalidTransition) as refused:
                    next_state(action, state)
                assert refused.value.current_state == state.value
                assert state.value in refused.value.detail


def test_subsidy_with_a_pause_spanning_months_by_hand() -> None:
    # Planned 6 Jan 2025 - 5 Jan 2026. Started 10 Jan, paused from 20 Mar (not counted),
    # resumed 5 May, completed 6 Dec 2025 (the planned end minus the 30 days' tolerance).
    # Active: 10 Jan - 19 Mar = 22 + 28 + 19 = 69 days; 5 May - 6 Dec = 27 + 30 + 31 + 31 +
    # 30 + 31 + 30 + 6 = 216 days; 285 days in all. 285 / 30.4375 = 9.36 -> 9 whole months.
    # Owed: 500,000 fen a year * 9 / 12 = 375,000 fen (3,750 yuan).
    steps = [
        Milestone(E.STARTED, date(2025, 1, 10)),
        Milestone(E.PAUSED, date(2025, 3, 20)),
        Milestone(E.RESUMED, date(2025, 5, 5)),
        Milestone(E.COMPLETED, date(2025, 12, 6)),
    ]
    figure = subsidy(
        steps, per_year_fen=500_000, as_of=date(2026, 6, 1), planned_end=date(2026, 1, 5)
    )
    assert (figure.active_days, figure.months, figure.owed_fen) == (285, 9, 375_000)


@pytest.mark.parametrize(
    ("on", "tolerance", "expected"),
    [
        (date(2026, 12, 1), 30, []),  # exactly the planned end minus the tolerance
        (date(2026, 11, 30), 30, [("on", "before_completion_window")]),  # one day earlier
        (date(2026, 12, 31), 30, []),  # on the planned end
        (date(2027, 2, 1), 30, []),  # after it (late completions are allowed)
        (date(2026, 12, 30), 0, [("on", "before_completion_window")]),
        (date(2026, 12, 31), 0, []),  # no tolerance: the planned end itself
        (date(2025, 12, 31), 365, []),
        (date(2025, 12, 30), 365, [("on", "before_completion_window")]),
    ],
)
def test_completion_day_rule(on: date, tolerance: int, expected: list[tuple[str, str]]) -> None:
    planned_end = date(2026, 12, 31)
    found = check_completion_day(on, planned_end=planned_end, tolerance_days=tolerance)
    assert rules(found) == expected
    if expected:
        detail = found[0].message
        assert earliest_completion(planned_end, tolerance).isoformat() in detail
        assert "stop" in detail


@pytest.mark.parametrize(
    ("reached", "target", "below"),
    [
        (SkillLevel.SENIOR, SkillLevel.TECHNICIAN, True),
        (SkillLevel.INTERMEDIATE, SkillLevel.TECHNICIAN, True),
        (SkillLevel.TECHNICIAN, SkillLevel.TECHNICIAN, False),
        (SkillLevel.SENIOR_TECHNICIAN, SkillLevel.TECHNICIAN, False),
    ],
)
def test_below_plan(reached: SkillLevel, target: SkillLevel, below: bool) -> None:
    assert is_below_plan(reached, target) is below


def test_subsidy_while_active_counts_up_to_today_and_stops_at_the_planned_end() -> None:
    started = [Milestone(E.STARTED, date(2025, 1, 1))]
    # 1 Jan - 1 Mar 2025 inclusive: 31 + 28 + 1 = 60 days = 1.97 months -> 1 month.
    early = subsidy(
        started, per_year_fen=600_000, as_of=date(2025, 3, 1), planned_end=date(2026, 12, 31)
    )
    assert (early.active_days, early.months, early.owed_fen) == (60, 1, 50_000)
    # One more day: 61 / 30.4375 = 2.004 -> 2 months.
    later = subsidy(
        started, per_year_fen=600_000, as_of=date(2025, 3, 2), planned_end=date(2026, 12, 31)
    )
    assert (later.active_days, later.months, later.owed_fen) == (61, 2, 100_000)
    # Days past the planned end never count: 1 Jan 2025 - 31 Dec 2026 = 730 days, 23 months.
    overrun = subsidy(
        started, per_year_fen=600_000, as_of=date(2027, 6, 1), planned_end=date(2026, 12, 31)
    )
    assert (overrun.active_days, overrun.months, overrun.owed_fen) == (730, 23, 1_150_000)


def test_paused_days_and_a_stop_while_paused() -> None:
    steps = [
        Milestone(E.STARTED, date(2025, 1, 1)),
        Milestone(E.PAUSED, date(2025, 1, 11)),  # active 1-10 Jan: 10 days
        Milestone(E.STOPPED, date(2025, 2, 1)),  # stopped while paused: nothing more
    ]
    assert active_days(steps, as_of=date(2026, 1, 1), planned_end=date(2026, 12, 31)) == 10
    # A pause on the start day, resumed the next day: the start day does not count.
    steps = [
        Milestone(E.STARTED, date(2025, 1, 1)),
        Milestone(E.PAUSED, date(2025, 1, 1)),
        Milestone(E.RESUMED, date(2025, 1, 2)),
    ]
    assert active_days(steps, as_of=date(2025, 1, 2), planned_end=date(2026, 12, 31)) == 1
    assert active_days([], as_of=date(2025, 1, 2), planned_end=date(2026, 12, 31)) == 0


def test_subsidy_standard_longest_prefix_wins() -> None:
    table = {"51": 550_000, "5101": 600_000, "510104": 650_000}
    assert subsidy_standard(500_000, table, "510104") == 650_000
    assert subsidy_standard(500_000, table, "510107") == 600_000
    assert subsidy_standard(500_000, table, "510703") == 550_000
    assert subsidy_standard(500_000, table, "110105") == 500_000
    assert subsidy_standard(500_000, {}, "510104") == 500_000

"""The level rule an event declares: which place gets which level, from the level held."""

from __future__ import annotations

import pytest

from portfolio.competitions.rules import RuleStep, level_for, rule_errors
from portfolio.honours.documents import HonourTitle
from portfolio.honours.rules import may_confer
from portfolio.vocabulary import SkillLevel as L

RULE = [RuleStep(1, "technician"), RuleStep(5, "one_up")]


@pytest.mark.parametrize(
    ("rank", "held", "granted"),
    [
        (1, None, L.TECHNICIAN),
        (1, L.SENIOR, L.TECHNICIAN),
        (1, L.TECHNICIAN, None),  # never the level held, nor below it
        (1, L.SENIOR_TECHNICIAN, None),
        (2, None, L.JUNIOR),  # one up from no level: the first level
        (3, L.APPRENTICE, L.JUNIOR),
        (5, L.SENIOR, L.TECHNICIAN),
        (5, L.CHIEF_TECHNICIAN, None),  # nothing above the top
        (6, L.SENIOR, None),
        (None, L.SENIOR, None),  # took part without a place
    ],
)
def test_a_place_grants_the_first_step_covering_it(
    rank: int | None, held: L | None, granted: L | None
) -> None:
    assert level_for(RULE, rank, held) is granted


def test_no_rule_grants_nothing_and_a_bad_rule_names_each_step() -> None:
    assert level_for([], 1, None) is None
    assert rule_errors(RULE) == []
    errors = rule_errors([RuleStep(3, "senior"), RuleStep(3, "apprentice"), RuleStep(0, "x")])
    assert [(e.field, e.rule) for e in errors] == [
        ("level_rule.1.up_to_rank", "order"),
        ("level_rule.1.grant", "unknown"),
        ("level_rule.2.up_to_rank", "order"),
        ("level_rule.2.grant", "unknown"),
    ]


def test_provincial_honours_need_the_province() -> None:
    assert may_confer("51", HonourTitle.TIANFU_CRAFTSMAN)
    assert not may_confer("5101", HonourTitle.TIANFU_CRAFTSMAN)
    assert may_confer("5101", HonourTitle.CITY)
    assert not may_confer(None, HonourTitle.CITY)

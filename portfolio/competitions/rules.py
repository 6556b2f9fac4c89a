"""The rules of competitions: the plan's tiers, who may hold an event of each, and the level
rule an event declares.

The plan (三.(五)) holds skills competitions at every tier: the world and national
competitions, the provincial 四川工匠杯, industry competitions, city and prefecture
competitions, and enterprise and college competitions. An event of the first three is
recorded by a province-level agency; the others by any agency whose region covers the event.

An event declares before its results how a place turns into a level, as steps taken in order:
"ranks 1 to 1 -> technician (技师)", "ranks 2 to 5 -> one level up", "ranks up to 20 -> senior
(高级工)". The first step whose ``up_to_rank`` covers the entrant's rank decides; "one level up"
is one step above the level the worker held in the event's occupation when the results were
published (from an apprentice or no level: junior). A level is never granted below what the
worker holds already (then none is granted), and never above 首席技师.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from portfolio.errors import FieldError
from portfolio.vocabulary import SkillLevel

MAX_STEPS = 5
MAX_RANK = 10_000
ONE_UP = "one_up"


class Tier(StrEnum):
    """The plan's tiers of skills competitions, highest first."""

    WORLD = "world"  # 世界技能大赛
    NATIONAL = "national"  # 全国职业技能大赛
    PROVINCIAL = "provincial"  # 四川工匠杯
    INDUSTRY = "industry"  # 行业职业技能竞赛
    CITY = "city"  # 市（州）职业技能竞赛
    ENTERPRISE = "enterprise"  # 企业、院校职业技能竞赛


TIER_LABELS = {
    Tier.WORLD: "世界技能大赛",
    Tier.NATIONAL: "全国职业技能大赛",
    Tier.PROVINCIAL: "四川工匠杯职业技能大赛",
    Tier.INDUSTRY: "行业职业技能竞赛",
    Tier.CITY: "市（州）职业技能竞赛",
    Tier.ENTERPRISE: "企业、院校职业技能竞赛",
}
# Held by (recorded by) a province-level agency only.
PROVINCE_TIERS = frozenset({Tier.WORLD, Tier.NATIONAL, Tier.PROVINCIAL})


class CompetitionStatus(StrEnum):
    """An event takes entrants and results while open; publishing writes the archives."""

    OPEN = "open"
    PUBLISHED = "published"


class ResultStatus(StrEnum):
    """An entrant's result once published: valid (possibly corrected) or voided."""

    VALID = "valid"
    VOIDED = "voided"


@dataclass(frozen=True)
class RuleStep:
    """Ranks 1..``up_to_rank`` (not taken by an earlier step) get ``grant``: a level or
    ``one_up``."""

    up_to_rank: int
    grant: str


def is_province_agency(region_prefix: str | None) -> bool:
    """A province-level agency's scope is a 2-digit prefix (region code ``510000``)."""
    return region_prefix is not None and len(region_prefix) == 2


def rule_errors(steps: Sequence[RuleStep]) -> list[FieldError]:
    """What is wrong with a declared rule (empty: it may be declared; no step: no level)."""
    errors: list[FieldError] = []
    if len(steps) > MAX_STEPS:
        errors.append(FieldError("level_rule", "too_many", f"at most {MAX_STEPS} steps"))
    grants = {level.value for level in SkillLevel if level is not SkillLevel.APPRENTICE}
    previous = 0
    for n, step in enumerate(steps):
        if not previous < step.up_to_rank <= MAX_RANK:
            errors.append(
                FieldError(
                    f"level_rule.{n}.up_to_rank",
                    "order",
                    f"each step covers ranks beyond the previous one, up to {MAX_RANK}",
                )
            )
        previous = max(previous, step.up_to_rank)
        if step.grant != ONE_UP and step.grant not in grants:
            errors.append(
                FieldError(
                    f"level_rule.{n}.grant", "unknown", "a level from junior upwards, or one_up"
                )
            )
    return errors


def level_for(
    steps: Sequence[RuleStep], rank: int | None, held: SkillLevel | None
) -> SkillLevel | None:
    """The level the rule grants for ``rank`` to a worker holding ``held`` (None: none)."""
    if rank is None:
        return None
    step = next((s for s in steps if rank <= s.up_to_rank), None)
    if step is None:
        return None
    ladder = list(SkillLevel)
    if step.grant == ONE_UP:
        base = held.rank if held is not None else SkillLevel.APPRENTICE.rank
        granted = ladder[min(max(base + 1, SkillLevel.JUNIOR.rank), len(ladder) - 1)]
    else:
        granted = SkillLevel(step.grant)
    if held is not None and granted.rank <= held.rank:
        return None
    return granted

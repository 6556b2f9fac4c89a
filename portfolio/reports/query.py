"""What a report is asked for (region, months, grouping, filters), checked against the agency.

An agency reaches the regions under its prefix; a report may narrow to any prefix inside that
scope (2, 4 or 6 digits) and groups by region one level below it: a province agency (``51``)
sees its cities (``5101``, ``5107``), a city its districts, a district itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.errors import FieldError, Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.reports.counters import month_of
from portfolio.vocabulary import LevelRoad, SkillBrand, SkillLevel, TrainingType

_PREFIX = re.compile(r"^\d{2}(\d{2}){0,2}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Without ``from``, a report covers the twelve months up to ``to``.
DEFAULT_MONTHS = 12


class GroupBy(StrEnum):
    """What the rows of a report are."""

    REGION = "region"
    MONTH = "month"
    TYPE = "type"
    BRAND = "brand"
    OCCUPATION = "occupation"
    LEVEL = "level"
    POLICY = "policy"
    ROAD = "road"
    # Competitions, honours and levels count by year too.
    YEAR = "year"
    # The priority-groups report's rows by group.
    PRIORITY_GROUP = "priority_group"


@dataclass(frozen=True)
class ReportQuery:
    """A report request as the agency states it; None means "not given"."""

    region: str | None = None
    month_from: str | None = None
    month_to: str | None = None
    group_by: GroupBy | None = None
    training_type: TrainingType | None = None
    brand: SkillBrand | None = None
    occupation: str | None = None
    policy: str | None = None
    level: SkillLevel | None = None
    road: LevelRoad | None = None


@dataclass(frozen=True)
class Scope:
    """A checked request: the region prefix, the months, the rows and the stored filters."""

    agency_prefix: str
    region: str
    month_from: str
    month_to: str
    group_by: GroupBy
    # Stored field name -> value, for the counters' $match.
    filters: dict[str, str]

    @property
    def region_depth(self) -> int:
        """How many digits of the region code a row of a by-region report shows."""
        return min(len(self.region) + 2, 6)

    @property
    def stored_depth(self) -> int:
        """How many region digits the cells read must keep (2, 4 or 6)."""
        if self.group_by is GroupBy.REGION:
            return self.region_depth
        return len(self.region)

    @property
    def group_field(self) -> str:
        """The stored field the rows are grouped by."""
        return "region_code" if self.group_by is GroupBy.REGION else self.group_by.value

    @property
    def needs(self) -> set[str]:
        """The dimensions the cells read must keep: the filtered ones and the grouped one."""
        grouped = {self.group_by.value} - {GroupBy.REGION.value, GroupBy.MONTH.value}
        return set(self.filters) | grouped


def _shift(month: str, months: int) -> str:
    year, number = int(month[:4]), int(month[5:])
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def resolve(
    actor: Actor,
    query: ReportQuery,
    *,
    groups: frozenset[GroupBy],
    filters: frozenset[str],
    now: datetime,
) -> Scope:
    """The request checked against the agency's scope and what this report supports.

    ``filters`` names the filters the report has (``type``, ``brand``, ``occupation``,
    ``policy``, ``level``); any other one given is refused rather than ignored.
    """
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("reports are for agencies")
    errors: list[FieldError] = []
    region = query.region or actor.region_prefix
    if not _PREFIX.match(region):
        errors.append(FieldError("region", "format", "a region prefix of 2, 4 or 6 digits"))
    month_to = query.month_to or month_of(clock.china_today(now))
    default_from = _shift(month_to, 1 - DEFAULT_MONTHS) if _MONTH.match(month_to) else month_to
    month_from = query.month_from or default_from
    for name, value in (("from", month_from), ("to", month_to)):
        if not _MONTH.match(value):
            errors.append(FieldError(name, "format", "a month as YYYY-MM"))
    if not errors and month_from > month_to:
        errors.append(FieldError("from", "after_to", "the first month lies after the last"))
    group_by = query.group_by or GroupBy.REGION
    if group_by not in groups:
        names = ", ".join(sorted(g.value for g in groups))
        errors.append(FieldError("group_by", "unsupported", f"this report groups by: {names}"))
    given: dict[str, str | None] = {
        "type": query.training_type.value if query.training_type else None,
        "brand": query.brand.value if query.brand else None,
        "occupation": query.occupation,
        "policy": query.policy,
        "level": query.level.value if query.level else None,
        "road": query.road.value if query.road else None,
    }
    stored: dict[str, str] = {}
    for name, raw in given.items():
        if raw is None:
            continue
        value = raw
        if name not in filters:
            errors.append(FieldError(name, "unsupported", "this report has no such filter"))
        elif name == "occupation":
            # Stored without its S / L flags, as courses and certificates store it.
            try:
                stored[name] = parse_occupation_code(value, field=name).code
            except ValidationFailed as failed:
                errors.extend(failed.errors)
        else:
            stored[name] = value
    if errors:
        raise ValidationFailed(errors)
    if not region.startswith(actor.region_prefix):
        # Like any object outside an agency's reach: as if it did not exist.
        raise NotFound("no such region within your scope")
    return Scope(actor.region_prefix, region, month_from, month_to, group_by, stored)

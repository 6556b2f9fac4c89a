"""Entering the plan's figures: the province agency's targets for a period, and the employed
count of a region and year (from the statistics), entered by an agency covering the region.

Each entry is one document per key, written by ``insert_once`` the first time and by one
conditional replace on its version after that (two officers racing: one gets 409), with a
change-trail record right after the write (the repair routine restores a missing one from the
``changed_at_ms`` window).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from beanie.odm.utils.dump import get_dict

from portfolio import audit, clock
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import Conflict, FieldError, Forbidden, ValidationFailed
from portfolio.once import insert_once
from portfolio.planning.documents import EmployedCount, PlanTargets
from portfolio.planning.rules import PERIODS, Period, is_province

TARGETS = "plan_targets"
EMPLOYED = "employed_count"
MAX_COUNT = 100_000_000
MAX_SOURCE = 200


@dataclass(frozen=True)
class TargetValues:
    """What the province enters for a period (shares in tenths of a percent)."""

    new_skilled_workers: int = 0
    skilled_share_permille: int = 0
    high_skill_share_permille: int = 0
    high_skill_bases: int = 0
    master_studios: int = 0
    public_bases: int = 0
    competition_bases: int = 0
    honours: int = 0


def period_of(code: str) -> Period:
    """The period of ``code`` (422 naming ``period`` when unknown)."""
    found = PERIODS.get(code)
    if found is None:
        raise ValidationFailed.single("period", "unknown", f"one of {', '.join(PERIODS)}")
    return found


def _require_agency(actor: Actor) -> str:
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("the plan's figures are entered by an agency")
    return actor.region_prefix


def _checked_values(values: TargetValues) -> TargetValues:
    errors = [
        FieldError(name, "range", f"from 0 to {1000 if 'permille' in name else MAX_COUNT}")
        for name, value in asdict(values).items()
        if not 0 <= value <= (1000 if "permille" in name else MAX_COUNT)
    ]
    if errors:
        raise ValidationFailed(errors)
    return values


def targets_shown(found: PlanTargets) -> dict[str, Any]:
    """Targets as the change trail keeps them."""
    return {"period": found.period, "region_code": found.region_code, **_values_of(found)}


def _values_of(found: PlanTargets) -> dict[str, int]:
    return {name: getattr(found, name) for name in TargetValues.__dataclass_fields__}


async def set_targets(*, actor: Actor, period: str, values: TargetValues) -> PlanTargets:
    """Enter (or re-enter) the province's targets for a period."""
    prefix = _require_agency(actor)
    if not is_province(prefix):
        raise Forbidden("targets are entered by the province agency")
    chosen = period_of(period)
    checked = _checked_values(values)
    now = clock.now()
    key = f"{chosen.code}|{prefix}"
    current = await PlanTargets.find_one({"key": key})
    stamp = {
        "changed_at": clock.truncate_to_millis(now),
        "changed_at_ms": clock.epoch_ms(now),
        "changed_by": actor.principal_id,
    }
    if current is None:
        made = PlanTargets(
            key=key, period=chosen.code, region_code=prefix, **asdict(checked), **stamp
        )
        if not await insert_once(made):
            raise Conflict("the targets were entered meanwhile; reload and retry")
        await audit.changed(TARGETS, key, 0, None, targets_shown(made), region=prefix)
        return made
    if _values_of(current) == asdict(checked):
        return current
    after: PlanTargets = current.model_copy(
        update={**asdict(checked), **stamp, "version": current.version + 1}
    )
    replaced = await PlanTargets.get_pymongo_collection().replace_one(
        {"_id": current.id, "version": current.version}, get_dict(after, to_db=True)
    )
    if replaced.matched_count != 1:
        raise Conflict("the targets changed meanwhile; reload and retry")
    await audit.changed(
        TARGETS, key, after.version, targets_shown(current), targets_shown(after), region=prefix
    )
    return after


async def targets_for(period: str, province: str) -> PlanTargets | None:
    """The province's targets for the period, if entered."""
    return await PlanTargets.find_one({"key": f"{period}|{province}"})


def employed_shown(found: EmployedCount) -> dict[str, Any]:
    """An employed count as the change trail keeps it."""
    return {
        "region_code": found.region_code,
        "year": found.year,
        "employed": found.employed,
        "source": found.source,
    }


def _checked_employed(actor: Actor, region_code: str, year: int, employed: int, source: str) -> str:
    errors: list[FieldError] = []
    if not (region_code.isdigit() and len(region_code) in (2, 4, 6)):
        errors.append(FieldError("region_code", "format", "2, 4 or 6 digits"))
    elif not actor.covers_region(region_code):
        errors.append(FieldError("region_code", "outside", "a region your agency covers"))
    first = min(p.first_year for p in PERIODS.values())
    last = max(p.last_year for p in PERIODS.values())
    if not first <= year <= last:
        errors.append(FieldError("year", "range", f"from {first} to {last}"))
    if not 0 < employed <= MAX_COUNT:
        errors.append(FieldError("employed", "range", f"from 1 to {MAX_COUNT}"))
    text = " ".join(source.split())
    if not 0 < len(text) <= MAX_SOURCE:
        errors.append(FieldError("source", "required", f"1 to {MAX_SOURCE} characters"))
    if errors:
        raise ValidationFailed(errors)
    return text


async def set_employed(
    *, actor: Actor, region_code: str, year: int, employed: int, source: str
) -> EmployedCount:
    """Enter (or re-enter) the employed count of a region the agency covers, for a year."""
    _require_agency(actor)
    text = _checked_employed(actor, region_code, year, employed, source)
    now = clock.now()
    key = f"{region_code}|{year}"
    stamp = {
        "changed_at": clock.truncate_to_millis(now),
        "changed_at_ms": clock.epoch_ms(now),
        "changed_by": actor.principal_id,
    }
    current = await EmployedCount.find_one({"key": key})
    if current is None:
        made = EmployedCount(
            key=key, region_code=region_code, year=year, employed=employed, source=text, **stamp
        )
        if not await insert_once(made):
            raise Conflict("the count was entered meanwhile; reload and retry")
        await audit.changed(EMPLOYED, key, 0, None, employed_shown(made), region=region_code)
        return made
    if (current.employed, current.source) == (employed, text):
        return current
    after: EmployedCount = current.model_copy(
        update={"employed": employed, "source": text, **stamp, "version": current.version + 1}
    )
    replaced = await EmployedCount.get_pymongo_collection().replace_one(
        {"_id": current.id, "version": current.version}, get_dict(after, to_db=True)
    )
    if replaced.matched_count != 1:
        raise Conflict("the count changed meanwhile; reload and retry")
    await audit.changed(
        EMPLOYED,
        key,
        after.version,
        employed_shown(current),
        employed_shown(after),
        region=region_code,
    )
    return after


async def employed_of(region_code: str, year: int) -> EmployedCount | None:
    """The employed count entered for exactly this region and year."""
    return await EmployedCount.find_one({"key": f"{region_code}|{year}"})


async def employed_counts(*, actor: Actor) -> list[EmployedCount]:
    """The employed counts of the agency's region, by region and year."""
    prefix = _require_agency(actor)
    found = EmployedCount.find({"region_code": region_range(prefix)})
    return await found.sort("+region_code", "+year").to_list()


def _windows(since: datetime, until: datetime) -> list[dict[str, Any]]:
    return [{"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}]


audit.register_documents(
    TARGETS,
    PlanTargets,
    _windows,
    lambda found: audit.Snapshot(found.key, found.version, targets_shown(found), found.region_code),
)
audit.register_documents(
    EMPLOYED,
    EmployedCount,
    _windows,
    lambda found: audit.Snapshot(
        found.key, found.version, employed_shown(found), found.region_code
    ),
)

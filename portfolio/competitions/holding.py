"""Recording competition events and reading them: an agency records an event of its region
(a province-level agency for the world, national and 四川工匠杯 tiers) with the level rule it
declares; events are read by the agencies whose region covers them, as if others did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.competitions.changes import competition_changed
from portfolio.competitions.documents import Competition, Entrant, StoredStep
from portfolio.competitions.rules import (
    PROVINCE_TIERS,
    RuleStep,
    Tier,
    is_province_agency,
    rule_errors,
)
from portfolio.competitions.views import CompetitionView
from portfolio.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.occupations import catalogue_errors
from portfolio.once import insert_once

MAX_TEXT = 120
MAX_LISTED = 200
MAX_DAYS = 366


@dataclass(frozen=True)
class NewCompetition:
    """An event as the agency states it."""

    tier: Tier
    name: str
    occupation_code: str
    organiser: str
    start_date: date
    end_date: date
    region_code: str
    level_rule: list[RuleStep]


def _text_error(name: str, value: str) -> FieldError | None:
    if not 0 < len(value) <= MAX_TEXT:
        return FieldError(name, "required", f"1 to {MAX_TEXT} characters")
    return None


async def _checked(actor: Actor, new: NewCompetition, now: datetime) -> NewCompetition:
    """The event normalised, or every broken rule at once; NotFound outside the region."""
    errors = [
        error
        for error in (
            _text_error("name", " ".join(new.name.split())),
            _text_error("organiser", " ".join(new.organiser.split())),
        )
        if error is not None
    ]
    occupation = new.occupation_code
    try:
        occupation = parse_occupation_code(new.occupation_code).code
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    # catalogue: a new event names a catalogued occupation.
    errors.extend(await catalogue_errors({"occupation_code": new.occupation_code}))
    if new.end_date < new.start_date:
        errors.append(FieldError("end_date", "before_start", "must not be before start_date"))
    elif (new.end_date - new.start_date).days > MAX_DAYS:
        errors.append(FieldError("end_date", "too_long", f"at most {MAX_DAYS} days"))
    latest = clock.china_today(now) + timedelta(days=MAX_DAYS * 2)
    if new.start_date.year < 1990 or new.start_date > latest:
        errors.append(FieldError("start_date", "range", "from 1990 to two years ahead"))
    if not (len(new.region_code) == 6 and new.region_code.isdigit()):
        errors.append(FieldError("region_code", "format", "a 6-digit region code"))
    if new.tier in PROVINCE_TIERS and not is_province_agency(actor.region_prefix):
        errors.append(
            FieldError("tier", "province_only", "a province-level agency records this tier")
        )
    errors.extend(rule_errors(new.level_rule))
    if errors:
        raise ValidationFailed(errors)
    if not actor.covers_region(new.region_code):
        raise NotFound("no such region within your scope")
    return NewCompetition(
        tier=new.tier,
        name=" ".join(new.name.split()),
        occupation_code=occupation,
        organiser=" ".join(new.organiser.split()),
        start_date=new.start_date,
        end_date=new.end_date,
        region_code=new.region_code,
        level_rule=list(new.level_rule),
    )


def require_agency(actor: Actor) -> None:
    """Competitions are an agency's records."""
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("competitions are recorded by an agency")


async def create(
    *, actor: Actor, new: NewCompetition, now: datetime | None = None
) -> CompetitionView:
    """Record an event; the same tier, name and start date are recorded once (409)."""
    require_agency(actor)
    now = now or clock.now()
    checked = await _checked(actor, new, now)
    found = Competition(
        key=f"{checked.tier.value}|{checked.name}|{checked.start_date.isoformat()}",
        tier=checked.tier,
        name=checked.name,
        occupation_code=checked.occupation_code,
        organiser=checked.organiser,
        start_date=checked.start_date,
        end_date=checked.end_date,
        region_code=checked.region_code,
        level_rule=[StoredStep(up_to_rank=s.up_to_rank, grant=s.grant) for s in checked.level_rule],
        created_at=clock.truncate_to_millis(now),
        created_by=actor.principal_id,
    )
    if not await insert_once(found):
        raise Conflict("this competition is already recorded")
    await competition_changed(None, found, reason="competition recorded")
    return CompetitionView.of(found)


async def visible(actor: Actor, competition_id: str) -> Competition:
    """The event if the agency's region covers it (404 otherwise)."""
    require_agency(actor)
    found = await Competition.get(ids.parse(competition_id, "competition"))
    if found is None or not actor.covers_region(found.region_code):
        raise NotFound("no such competition")
    return found


async def get(*, actor: Actor, competition_id: str) -> CompetitionView:
    """One event with its entrants, best rank first."""
    found = await visible(actor, competition_id)
    entrants = await Entrant.find({"competition_id": str(found.id)}).to_list()
    return CompetitionView.of(found, entrants)


async def list_visible(*, actor: Actor) -> list[CompetitionView]:
    """The region's events, latest first (at most 200)."""
    require_agency(actor)
    assert actor.region_prefix is not None
    found = (
        await Competition.find({"region_code": region_range(actor.region_prefix)})
        .sort("-start_date")
        .limit(MAX_LISTED)
        .to_list()
    )
    return [CompetitionView.of(c) for c in found]

"""The competitions and honours pages' words: tiers, level-rule grants, honour titles and the
messages of their forms, in the page's language (``t``)."""

from __future__ import annotations

from starlette.requests import Request

from api.web.formatting import level_name
from api.web.i18n import N_
from api.web.templating import language_of, t
from portfolio.competitions.rules import ONE_UP, RuleStep, Tier
from portfolio.honours import HonourTitle
from portfolio.vocabulary import SkillLevel

TIERS = {
    Tier.WORLD: N_("WorldSkills Competition"),
    Tier.NATIONAL: N_("National vocational skills competition"),
    Tier.PROVINCIAL: N_("Sichuan Craftsman Cup (provincial)"),
    Tier.INDUSTRY: N_("Industry competition"),
    Tier.CITY: N_("City or prefecture competition"),
    Tier.ENTERPRISE: N_("Enterprise or college competition"),
}
TITLES = {
    HonourTitle.TIANFU_ENGINEER: N_("Tianfu Outstanding Engineer (天府卓越工程师)"),
    HonourTitle.TIANFU_CRAFTSMAN: N_("Tianfu Craftsman (天府工匠)"),
    HonourTitle.SICHUAN_MASTER: N_("Sichuan Skills Master (四川技能大师)"),
    HonourTitle.SICHUAN_EXPERT: N_("Sichuan Technical Expert (四川省技术能手)"),
    HonourTitle.CITY: N_("A city or prefecture honour"),
}
STATES = {
    "open": N_("Open for entrants and results"),
    "published": N_("Results published"),
    "valid": N_("Valid"),
    "voided": N_("Voided"),
}
ONE_UP_WORDS = N_("One level up from the level held")
PLACE = N_("Place %(n)s")
PLACES = N_("Places %(low)s to %(high)s")
NO_LEVEL = N_("No level")
# A field's rule broken -> what the page says (the domain's words are English only).
FIELD_MESSAGES = {
    "tier": N_("Choose the tier; world, national and provincial events are for the province"),
    "name": N_("Enter the competition's name (up to 120 characters)"),
    "organiser": N_("Enter the organiser (up to 120 characters)"),
    "occupation_code": N_("Enter an occupation code, for example 6-18-02-04"),
    "start_date": N_("Enter the first day as a date, for example 2026-05-10"),
    "end_date": N_("Enter the last day, not before the first and within a year"),
    "region_code": N_("Enter a 6-digit region code within your region"),
    "level_rule": N_("Each step covers more places than the one before, and grants a level"),
    "worker": N_("No registered worker of your region has this ID number and name"),
    "rank": N_("A place is a whole number from 1 to 10,000, or empty"),
    "award": N_("An award has at most 40 characters"),
    "reason": N_("Give the reason (up to 500 characters)"),
    "title": N_("Choose the honour; provincial honours are recorded by the province"),
    "city_title": N_("A city honour needs its title"),
    "year": N_("Enter the year, from 1990 to this year"),
    "nominated_by": N_("Enter who nominated the worker (up to 120 characters)"),
    "decision_number": N_("Enter the decision's document number (up to 60 characters)"),
    "decision_date": N_("Enter the decision's date, not in the future"),
    "id_number": N_("Enter the ID number"),
}


def message_of(request: Request, field: str, fallback: str) -> str:
    """The page's words for an error of ``field`` (the step of a rule: ``level_rule``)."""
    key = field.split(".")[0]
    if key.startswith("results"):
        key = field.split(".")[-1]
    message = FIELD_MESSAGES.get(key)
    return t(request, message) if message else fallback


def grant_options(request: Request) -> list[tuple[str, str]]:
    """The choices of a rule step: no level, one level up, or a level."""
    language = language_of(request)
    levels = [
        (level.value, level_name(level, language))
        for level in SkillLevel
        if level is not SkillLevel.APPRENTICE
    ]
    return [("", t(request, NO_LEVEL)), (ONE_UP, t(request, ONE_UP_WORDS)), *levels]


def rule_words(request: Request, steps: list[RuleStep]) -> list[str]:
    """The declared rule, one line per step."""
    language = language_of(request)
    lines = []
    low = 1
    for step in steps:
        grant = (
            t(request, ONE_UP_WORDS)
            if step.grant == ONE_UP
            else level_name(SkillLevel(step.grant), language)
        )
        places = (
            t(request, PLACE) % {"n": low}
            if low == step.up_to_rank
            else t(request, PLACES) % {"low": low, "high": step.up_to_rank}
        )
        lines.append(f"{places}: {grant}")
        low = step.up_to_rank + 1
    return lines or [t(request, N_("No place grants a level"))]


def words(request: Request) -> dict[str, object]:
    """What every competitions and honours template gets."""
    return {
        "tiers": {k.value: t(request, v) for k, v in TIERS.items()},
        "titles": {k.value: t(request, v) for k, v in TITLES.items()},
        "states": {k: t(request, v) for k, v in STATES.items()},
    }

"""The targets dashboard's and platforms' words: figure names, their formulas, platform kinds
and tiers, and the messages of their forms, in the page's language (``t``)."""

from __future__ import annotations

from starlette.requests import Request

from api.web.i18n import N_
from api.web.templating import t
from portfolio.planning import PlatformKind, PlatformTier

KINDS = {
    PlatformKind.HIGH_SKILL_BASE: N_("High-skill training base"),
    PlatformKind.MASTER_STUDIO: N_("Skills master studio"),
    PlatformKind.PUBLIC_BASE: N_("Public training base"),
    PlatformKind.COMPETITION_BASE: N_("Competition training base"),
}
TIERS = {
    PlatformTier.NATIONAL: N_("National"),
    PlatformTier.PROVINCIAL: N_("Provincial"),
    PlatformTier.PARK: N_("Industrial park"),
}
STATES = {"open": N_("Open"), "closed": N_("Closed")}
PERIOD_NAMES = {
    "14": N_("14th five-year period (2021–2025)"),
    "15": N_("15th five-year period (2026–2030)"),
}
# Each figure's name and formula (the API gives the formulas in English).
FIGURES = {
    "new_skilled_workers": (
        N_("New skilled workers"),
        N_(
            "People whose first valid skill-level or special-ability certificate (any way: "
            "course, assessment body, enterprise, direct recognition, special ability; voided "
            "ones left out) was issued in the period, in the region the holder had on it."
        ),
    ),
    "skilled_share": (
        N_("Skilled share of the employed"),
        N_(
            "People holding a valid skill-level certificate issued by the end of the year, in "
            "the region of their latest one, divided by the employed count entered for the "
            "region and year."
        ),
    ),
    "high_skill_share": (
        N_("High-skill share of the skilled"),
        N_(
            "Of those skilled people, the ones whose highest valid level is senior worker "
            "(高级工) or above, divided by the skilled people."
        ),
    ),
    "high_skill_bases": (
        N_("High-skill training bases"),
        N_("Platforms of the kind in the region approved in the period; closed ones included."),
    ),
    "master_studios": (
        N_("Skills master studios"),
        N_("Platforms of the kind in the region approved in the period; closed ones included."),
    ),
    "public_bases": (
        N_("Public training bases"),
        N_("Platforms of the kind in the region approved in the period; closed ones included."),
    ),
    "competition_bases": (
        N_("Competition training bases"),
        N_("Platforms of the kind in the region approved in the period; closed ones included."),
    ),
    "honours": (
        N_("Honours"),
        N_("Valid honours of the region's workers whose year falls in the period."),
    ),
}
SHARES = frozenset({"skilled_share", "high_skill_share"})
FIELD_MESSAGES = {
    "name": N_("Enter the platform's name."),
    "host": N_("Enter the host organisation."),
    "leader": N_("A master studio names its master."),
    "region_code": N_("Enter a region code your agency covers."),
    "approved_on": N_("Enter the approval day, not in the future."),
    "valid_until": N_("The end day must not be before the approval."),
    "closed_on": N_("Enter a day from the approval to today."),
    "reason": N_("Give a reason."),
    "target_id": N_("No class or course of your region has this number."),
    "year": N_("Enter a year of the period."),
    "employed": N_("Enter the employed count, a whole number."),
    "source": N_("Name the statistics the count comes from."),
    "period": N_("Choose a plan period."),
}


def message_of(request: Request, field: str, fallback: str) -> str:
    """The page's words for an error of ``field``."""
    message = FIELD_MESSAGES.get(field)
    return t(request, message) if message else fallback


def percent(permille: int | None) -> str:
    """Tenths of a percent as a percentage with one decimal."""
    return "—" if permille is None else f"{permille / 10:.1f}%"


def words(request: Request) -> dict[str, object]:
    """What the planning templates get."""
    return {
        "kind_words": {k.value: t(request, v) for k, v in KINDS.items()},
        "tier_words": {k.value: t(request, v) for k, v in TIERS.items()},
        "state_words": {k: t(request, v) for k, v in STATES.items()},
        "period_words": {k: t(request, v) for k, v in PERIOD_NAMES.items()},
        "figure_words": {k: (t(request, n), t(request, f)) for k, (n, f) in FIGURES.items()},
        "shares": SHARES,
        "percent": percent,
    }

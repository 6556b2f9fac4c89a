"""The words of the project pages (项目制培训): conditions, milestone states, refusals."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from api.web.i18n import N_
from api.web.templating import t

CONDITIONS = {
    "attendance_rate": N_("Attendance of the group (per cent of planned hours)"),
    "completions": N_("Workers who completed with a pass"),
    "certificates": N_("Workers holding a certificate"),
    "attested_share": N_("Workers who confirmed taking part (per cent)"),
}
STATES = {
    "open": N_("Open"),
    "claimed": N_("Claimed, awaiting the agency"),
    "paid": N_("Paid"),
}
STATE_KINDS = {"open": "neutral", "claimed": "info", "paid": "ok"}
# The service's refusals (rule -> message), on the page's fields.
REFUSALS = {
    "required": N_("Fill this in"),
    "range": N_("Enter a number in the allowed range"),
    "count": N_("Choose at least one class and at most ten milestones"),
    "over_budget": N_("The milestones add up to more than the budget"),
    "not_provider_run": N_("Choose classes of this provider"),
    "not_in_runs": N_("Each worker must be enrolled in one of the classes"),
    "empty": N_("No worker is enrolled in these classes yet"),
    "unknown": N_("Choose a provider of your region"),
    "too_many": N_("At most 2,000 workers"),
    "condition_not_met": N_("The records do not meet this milestone's condition yet"),
    "acknowledge_flags": N_("Tick the box to say you read the flags and the disputes"),
    "too_long": N_("At most 500 characters"),
}
CHANGED = N_("Someone decided or changed this project a moment ago: look at it again.")
NOTICES = {
    "created": N_("The project is bought. The provider sees it in its console."),
    "claimed": N_("The milestone is claimed. The agency decides it."),
    "decided": N_("The decision is recorded."),
}


def project_words(request: Request) -> dict[str, Any]:
    """``condition_word``, ``milestone_state`` and ``milestone_kind`` for the templates."""

    def condition_word(value: Any) -> str:
        key = str(getattr(value, "value", value))
        return t(request, CONDITIONS[key]) if key in CONDITIONS else key

    def milestone_state(value: Any) -> str:
        key = str(getattr(value, "value", value))
        return t(request, STATES[key]) if key in STATES else key

    def milestone_kind(value: Any) -> str:
        return STATE_KINDS.get(str(getattr(value, "value", value)), "neutral")

    return {
        "condition_word": condition_word,
        "milestone_state": milestone_state,
        "milestone_kind": milestone_kind,
        "conditions": [(k, t(request, v)) for k, v in CONDITIONS.items()],
    }


def refusal(request: Request, rule: str, fallback: str) -> str:
    """A refusal of the service in the page's words."""
    return t(request, REFUSALS[rule]) if rule in REFUSALS else fallback


def notice_of(request: Request, notice: str) -> str | None:
    """The notice named in the query string, in the page's words."""
    return t(request, NOTICES[notice]) if notice in NOTICES else None

"""The words of the priority-group pages: the groups' names and the fields' messages."""

from __future__ import annotations

from starlette.requests import Request

from api.web.forms import PageError
from api.web.i18n import N_
from api.web.templating import t
from portfolio.errors import ValidationFailed
from portfolio.vocabulary import PriorityGroup

GROUPS: dict[str, str] = {
    PriorityGroup.MIGRANT_WORKER: N_("Migrant worker"),
    PriorityGroup.COLLEGE_GRADUATE: N_("College graduate"),
    PriorityGroup.VETERAN: N_("Veteran"),
    PriorityGroup.UNEMPLOYED: N_("Unemployed person"),
    PriorityGroup.LIFTED_FROM_POVERTY: N_("Person lifted out of poverty (sensitive)"),
    PriorityGroup.DISABLED: N_("Person with a disability (sensitive)"),
    PriorityGroup.ASSISTED_COUNTY_RURAL: N_("Rural worker of an assisted county"),
    PriorityGroup.VILLAGE_CRAFTSMAN: N_("Village craftsman (designation)"),
}
_FIELDS = {
    "group": N_("Choose the group"),
    "source": N_("Name the register or document, in at most 200 characters"),
    "since": N_("Enter the first day as a date that has not passed, for example 2024-03-01"),
    "until": N_("Enter a date not before the first day, for example 2026-12-31"),
    "reason": N_("Say why the membership ends, in at most 500 characters"),
}


def group_words(request: Request) -> dict[str, str]:
    """Each group's name in the request's language."""
    return {str(key): t(request, label) for key, label in GROUPS.items()}


def errors_of(request: Request, failed: ValidationFailed, prefix: str = "") -> list[PageError]:
    """The refused fields as page errors (one per field), named ``prefix + field``."""
    shown: dict[str, str] = {}
    for error in failed.errors:
        field = error.field if error.field in _FIELDS else "source"
        shown.setdefault(prefix + field, t(request, _FIELDS[field]))
    return [PageError(field, message) for field, message in shown.items()]

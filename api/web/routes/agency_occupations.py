"""The occupation catalogue for agencies: search it, add to it, and what stored codes it lacks.

* ``/agency/occupations``: search the catalogue by a code prefix or part of a name, and by
  tier (as ``GET /occupations``); every agency sees it;
* ``/agency/occupations/new``: a province-level agency's officer or admin adds an occupation
  the ministry has published (as ``POST /occupations``), naming the publication; then
  "check your answers" (``/agency/occupations/new/check``), since an addition is never edited;
* ``/agency/occupations/uncatalogued``: the stored codes of the region the catalogue lacks,
  with their counts per collection (as ``GET /occupations/uncatalogued``).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
from api.web.forms import (
    PageError,
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio import occupations, reports
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import Conflict, Forbidden, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.occupations import NewOccupation, Tier
from portfolio.paging import PageRequest

router = page_router()
HOME = "/agency/occupations"
NEW = HOME + "/new"
PAGE_SIZE = 50
MAX_QUERY = 40
ADDERS = (StaffRole.ADMIN, StaffRole.OFFICER)
AdderPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=ADDERS))]
FIELDS = ("code", "name", "source_document", "reason", "digital", "green")

TIERS = {
    Tier.MAJOR: N_("Major group"),
    Tier.MIDDLE: N_("Middle group"),
    Tier.MINOR: N_("Minor group"),
    Tier.OCCUPATION: N_("Occupation"),
}
ERRORS = {
    "code": N_("Enter an occupation code like 4-04-05-05, a new one"),
    "name": N_("Enter the occupation's name, up to 60 characters"),
    "source_document": N_("Name the publication, for example the ministry's notice and number"),
    "reason": N_("Up to 500 characters"),
}
IN_CATALOGUE = N_("This code is in the catalogue already.")
ADDED = N_("The occupation is added: new courses, certificates and policies may use it.")
NOT_PROVINCE = N_("Only a province-level agency adds occupations; your agency reads them.")
NOTICES = {"added": ADDED, "not-province": NOT_PROVINCE}


def may_add(actor: Actor) -> bool:
    """Whether the page offers the form: a province-level agency's officer or admin."""
    return occupations.is_province_agency(actor) and actor.staff_role in ADDERS


def _tier(raw: str) -> Tier | None:
    return Tier(raw) if raw in Tier.__members__.values() else None


@router.get(HOME)
async def catalogue(
    request: Request,
    actor: AgencyPage,
    q: str = "",
    tier: str = "",
    cursor: str = "",
    notice: str = "",
) -> Response:
    """The catalogue, searched; the way to the report and (province) to adding one."""
    query = q.strip()[:MAX_QUERY]
    wanted = occupations.Search(query=query, tier=_tier(tier))
    found = await occupations.search(
        search=wanted, page=PageRequest(limit=PAGE_SIZE, cursor=cursor or None)
    )
    kept = {"q": query, "tier": tier}
    more = (
        f"{HOME}?{urlencode({**kept, 'cursor': found.next_cursor})}" if found.next_cursor else None
    )
    return await render(
        request,
        "agency/occupations/list.html",
        {
            **page_words(request),
            "items": found.items,
            "query": query,
            "tier": tier,
            "tiers": [(value.value, t(request, label)) for value, label in TIERS.items()],
            "tier_names": {value.value: t(request, label) for value, label in TIERS.items()},
            "next_url": more,
            "first_url": f"{HOME}?{urlencode(kept)}" if cursor else None,
            "may_add": may_add(actor),
            "notice": t(request, NOTICES[notice]) if notice in NOTICES else None,
            "searched": bool(query or tier),
        },
    )


def _values(source: dict[str, str]) -> dict[str, str]:
    return {name: source.get(name, "") for name in FIELDS}


def _addition(values: dict[str, str]) -> NewOccupation:
    return NewOccupation(
        code=values["code"],
        name=values["name"],
        source_document=values["source_document"],
        reason=values["reason"],
        digital=values["digital"] == "yes",
        green=values["green"] == "yes",
    )


def _errors(request: Request, fields: list[str]) -> list[PageError]:
    named = [name for name in dict.fromkeys(fields) if name in ERRORS] or ["code"]
    return [PageError(name, t(request, ERRORS[name])) for name in named]


def _wrong(values: dict[str, str]) -> list[str]:
    """The form's own check before "check your answers" (the service checks again)."""
    wrong = [n for n in ("code", "name", "source_document") if not values[n].strip()]
    try:
        parse_occupation_code(values["code"], field="code")
    except ValidationFailed:
        wrong.append("code")
    return wrong


@router.get(NEW)
async def new_occupation(request: Request, actor: AdderPage) -> Response:
    """The form adding an occupation (filled again when coming back from the check page)."""
    state = form_state(request)
    values = state.values or _values(dict(request.query_params))
    response = await render(
        request,
        "agency/occupations/new.html",
        {
            **page_words(request),
            "errors": state.errors,
            "error_of": state.error_of,
            "values": _values(values),
            "province": occupations.is_province_agency(actor),
            "not_province": t(request, NOT_PROVINCE),
        },
    )
    forget_form_state(request, response)
    return response


@router.get(NEW + "/check")
async def check_occupation(request: Request, actor: AdderPage) -> Response:
    """Check your answers before adding (an addition is never edited)."""
    values = _values(dict(request.query_params))
    wrong = _wrong(values)
    if wrong:
        return back_to_form(NEW, _errors(request, wrong), values)
    return await render(
        request,
        "agency/occupations/check.html",
        {
            **page_words(request),
            "values": values,
            "change_url": f"{NEW}?{urlencode(values)}",
        },
    )


@router.post(NEW)
async def add_occupation(request: Request, actor: AdderPage, form: SessionForm) -> Response:
    """Add the occupation checked on the check page; the catalogue then shows it."""
    values = _values(form.fields)

    async def act() -> Response:
        try:
            added = await occupations.add_occupation(actor=actor, addition=_addition(values))
        except ValidationFailed as failed:
            return back_to_form(NEW, _errors(request, [e.field for e in failed.errors]), values)
        except Conflict:
            return back_to_form(NEW, [PageError("code", t(request, IN_CATALOGUE))], values)
        except Forbidden:  # a city or county agency: the catalogue says why
            return see_other(f"{HOME}?notice=not-province")
        return see_other(f"{HOME}?{urlencode({'q': added.code, 'notice': 'added'})}")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/uncatalogued")
async def uncatalogued(request: Request, actor: AgencyPage) -> Response:
    """The region's stored codes the catalogue lacks, with their counts per collection."""
    report = await reports.uncatalogued_codes(actor=actor)
    return await render(
        request,
        "agency/occupations/uncatalogued.html",
        {**page_words(request), "report": report},
    )

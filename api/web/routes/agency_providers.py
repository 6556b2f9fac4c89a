"""The providers of the agency's region: the list, one provider's status, suspend and reinstate.

* ``/agency/providers``: the organisations of the region (as ``GET /providers``), each with
  its status in words;
* ``/agency/providers/{id}``: the provider's details and status, and the form to suspend it
  (or reinstate it) with a reason;
* posting the reason leads to "check your answers" (``/agency/providers/{id}/status``), whose
  button does the change (``POST /providers/{id}/suspend`` or ``/reinstate``): one conditional
  update on the organisation's status. A colleague's change meanwhile is refused and said.

A suspended provider keeps reading its records but cannot add to them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
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
from api.web.people_words import ORG_KINDS, options
from api.web.routing import page_router
from api.web.templating import render, t
from api.web.training_words import page_words
from portfolio.errors import Conflict, ValidationFailed
from portfolio.paging import PageRequest
from portfolio.training import organisations

router = page_router()
HOME = "/agency/providers"
PAGE_SIZE = 50
MAX_REASON = 200
ACTIONS = ("suspend", "reinstate")
NOTICES = {
    "suspend": N_("The provider is suspended: it can read its records but not add to them."),
    "reinstate": N_("The provider is reinstated."),
}
REASON = N_("Give the reason (up to 200 characters): the provider reads it")
CHANGED = N_("A colleague changed this provider's status a moment ago: nothing was done.")


@router.get(HOME)
async def providers(request: Request, actor: AgencyPage, cursor: str = "") -> Response:
    """The providers and enterprises of the region, oldest first, with their status."""
    found = await organisations.list_visible(
        actor=actor, page=PageRequest(limit=PAGE_SIZE, cursor=cursor or None)
    )
    more = f"{HOME}?{urlencode({'cursor': found.next_cursor})}" if found.next_cursor else None
    return await render(
        request,
        "agency/providers/list.html",
        {
            **page_words(request),
            "kinds": dict(options(request, ORG_KINDS)),
            "items": found.items,
            "next_url": more,
            "first_url": HOME if cursor else None,
        },
    )


@router.get(HOME + "/{organisation_id}")
async def provider(
    request: Request, actor: AgencyPage, organisation_id: str, notice: str = ""
) -> Response:
    """One provider: details, status and its reason, the form changing the status."""
    found = await organisations.get_visible(actor=actor, organisation_id=organisation_id)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/providers/provider.html",
        {
            **page_words(request),
            "kinds": dict(options(request, ORG_KINDS)),
            "org": found,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            "notice": t(request, message) if message else None,
        },
    )
    forget_form_state(request, response)
    return response


def _reason(value: str) -> str | None:
    reason = " ".join(value.split())
    return reason if 0 < len(reason) <= MAX_REASON else None


@router.post(HOME + "/{organisation_id}")
async def to_check(
    request: Request, actor: AgencyPage, organisation_id: str, form: SessionForm
) -> Response:
    """The reason given: on to "check your answers" (nothing changes yet)."""
    await organisations.get_visible(actor=actor, organisation_id=organisation_id)
    here = f"{HOME}/{organisation_id}"
    action, reason = form.get("action"), _reason(form.get("reason"))
    if action not in ACTIONS or reason is None:
        errors = [PageError("reason", t(request, REASON))]
        return back_to_form(here, errors, {"reason": form.get("reason")})
    return see_other(f"{here}/status?{urlencode({'action': action, 'reason': reason})}")


@router.get(HOME + "/{organisation_id}/status")
async def check_status(
    request: Request, actor: AgencyPage, organisation_id: str, action: str = "", reason: str = ""
) -> Response:
    """Check your answers: which provider, suspended or reinstated, and why."""
    found = await organisations.get_visible(actor=actor, organisation_id=organisation_id)
    if action not in ACTIONS or _reason(reason) is None:
        return see_other(f"{HOME}/{organisation_id}")
    return await render(
        request,
        "agency/providers/check.html",
        {
            **page_words(request),
            "kinds": dict(options(request, ORG_KINDS)),
            "org": found,
            "action": action,
            "reason": _reason(reason),
        },
    )


@router.post(HOME + "/{organisation_id}/status")
async def change_status(
    request: Request, actor: AgencyPage, organisation_id: str, form: SessionForm
) -> Response:
    """Suspend or reinstate, with the reason (one conditional update)."""
    here = f"{HOME}/{organisation_id}"
    action, reason = form.get("action"), _reason(form.get("reason"))

    async def act() -> Response:
        if action not in ACTIONS or reason is None:
            return back_to_form(here, [PageError("reason", t(request, REASON))], {})
        try:
            await organisations.set_status(
                actor=actor,
                organisation_id=organisation_id,
                suspend=action == "suspend",
                reason=reason,
            )
        except ValidationFailed:
            return back_to_form(here, [PageError("reason", t(request, REASON))], {})
        except Conflict:
            return back_to_form(here, [PageError("reason", t(request, CHANGED))], {})
        return see_other(f"{here}?notice={action}")

    return await once(request, form, actor.principal_id, act)

"""The agency's decisions on training from before the service (historical imports):

* ``/agency/imports``: the records of the region waiting for a decision, oldest first;
* ``/agency/imports/{id}``: one record with its evidence and its state, and the officer's two
  choices: approve (with an optional note) or refuse (with the reason the provider reads);
* ``/agency/imports/{id}/check``: "check your answers" before either;
* ``POST /agency/imports/{id}/approve`` and ``.../refuse``.

The same services as ``GET /historical-imports?status=pending`` and ``POST
/historical-imports/{id}/approve|refuse`` (``historical``), with the same reach: another
region's record is "not found", and only officers decide. Each decision is the service's one
conditional update: a colleague deciding a moment earlier wins, and the record's page says so
and shows their decision; nothing is doubled.
"""

from __future__ import annotations

from typing import Annotated, Literal
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
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import Forbidden, InvalidTransition, ValidationFailed
from portfolio.training import historical
from portfolio.training.enums import ImportStatus

router = page_router()
LIST = "/agency/imports"
MAX_REASON = 500
# Decided by the agency's officers, as ``POST /historical-imports/{id}/approve`` is.
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]

NOTICES = {
    "approved": N_("The record is approved: it is in the worker's archive, marked as imported."),
    "refused": N_("The record is refused; the provider reads your reason."),
}
_DECIDED = N_(
    "Another officer decided this record a moment ago: nothing was done. The page shows "
    "their decision."
)
_OWN = N_("You submitted this record: another officer approves it.")
_REASON = N_("Say why you refuse, in at most 500 characters: the provider reads it")
_NOTE = N_("At most 500 characters")


def _record(import_id: str) -> str:
    return f"{LIST}/{import_id}"


@router.get(LIST)
async def waiting(request: Request, actor: AgencyPage) -> Response:
    """The region's records waiting for a decision, oldest first."""
    found = await historical.list_for(actor=actor, status=ImportStatus.PENDING)
    return await render(
        request, "agency/imports.html", {**page_words(request), "found": found[::-1]}
    )


@router.get(f"{LIST}/{{import_id}}")
async def record_page(
    request: Request,
    actor: AgencyPage,
    import_id: str,
    notice: str = "",
    note: str = "",
    reason: str = "",
) -> Response:
    """One record: the worker, the training, the evidence, its state and the decision."""
    found = await historical.get(actor=actor, import_id=import_id)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/imports_record.html",
        {
            **page_words(request),
            "item": found,
            "notice": t(request, message) if message else None,
            "errors": state.errors,
            "error_of": state.error_of,
            "values": {"note": note[:MAX_REASON], "reason": reason[:MAX_REASON], **state.values},
        },
    )
    forget_form_state(request, response)
    return response


@router.get(f"{LIST}/{{import_id}}/check")
async def check_decision(
    request: Request,
    actor: OfficerPage,
    import_id: str,
    decision: Literal["approve", "refuse"] = "approve",
    note: str = "",
    reason: str = "",
) -> Response:
    """Check your answers: the record and the decision, before it is made."""
    found = await historical.get(actor=actor, import_id=import_id)
    refusing = decision == "refuse"
    field = "reason" if refusing else "note"
    reason = (reason if refusing else note).strip()
    if (refusing and not reason) or len(reason) > MAX_REASON:
        message = t(request, _REASON if refusing else _NOTE)
        return back_to_form(_record(import_id), [PageError(field, message)], {field: reason})
    change = f"{_record(import_id)}?{urlencode({field: reason})}#decide"
    return await render(
        request,
        "agency/imports_check.html",
        {
            **page_words(request),
            "item": found,
            "decision": decision,
            "reason": reason,
            "change_url": change,
        },
    )


async def _decide(
    request: Request, actor: Actor, import_id: str, form: SessionForm, *, approve: bool
) -> Response:
    here = _record(import_id)
    await historical.get(actor=actor, import_id=import_id)  # another region's: 404
    reason = form.get("reason")
    field = "note" if approve else "reason"
    if len(reason) > MAX_REASON or not (approve or reason):
        message = t(request, _NOTE if approve else _REASON)
        return back_to_form(here, [PageError(field, message)], {field: reason})

    async def act() -> Response:
        try:
            if approve:
                await historical.approve(actor=actor, import_id=import_id, reason=reason)
            else:
                await historical.refuse(actor=actor, import_id=import_id, reason=reason)
        except InvalidTransition as lost:
            message = f"{t(request, _DECIDED)} ({lost.detail})"
            return back_to_form(here, [PageError("decision", message)], {})
        except Forbidden:
            return back_to_form(here, [PageError("decision", t(request, _OWN))], {})
        except ValidationFailed:
            return back_to_form(here, [PageError(field, t(request, _REASON))], {field: reason})
        return see_other(f"{here}?notice={'approved' if approve else 'refused'}")

    return await once(request, form, actor.principal_id, act)


@router.post(f"{LIST}/{{import_id}}/approve")
async def approve(
    request: Request, actor: OfficerPage, import_id: str, form: SessionForm
) -> Response:
    """Approve the record: it is written to the worker's archive, marked imported."""
    return await _decide(request, actor, import_id, form, approve=True)


@router.post(f"{LIST}/{{import_id}}/refuse")
async def refuse(
    request: Request, actor: OfficerPage, import_id: str, form: SessionForm
) -> Response:
    """Refuse the record with the reason the provider reads; nothing else is written."""
    return await _decide(request, actor, import_id, form, approve=False)

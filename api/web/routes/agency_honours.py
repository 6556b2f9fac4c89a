"""The agency's honours (issue 26, part 3):

* ``/agency/honours``: the honours of the region's workers, latest year first;
* ``/agency/honours/new``: record one for a worker named by ID number and name;
* ``/agency/honours/{id}``: one honour, and the forms correcting (restating it) or voiding it,
  each with a reason.

The same services as ``/honours`` (``portfolio.honours``): another region's honour is "not
found"; officers write, every agency seat reads.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
from api.runtime import get_runtime
from api.web.contest_words import message_of, words
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
from portfolio.archives import WorkerRef
from portfolio.errors import Conflict, FieldError, InvalidTransition, ValidationFailed
from portfolio.honours import HonourTitle
from portfolio.honours import service as honours
from portfolio.identity import IdType

router = page_router()
HOME = "/agency/honours"
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
NOTICES = {
    "recorded": N_("The honour is recorded in the worker's archive."),
    "voided": N_("The honour is voided; the archive says why."),
    "corrected": N_("The honour is corrected; the archive keeps the earlier one."),
}
_TWICE = N_("This honour is already recorded for this worker, or changed a moment ago.")
FIELDS = ("id_number", "worker_name", "title", "city_title", "year", "nominated_by")
MORE = ("decision_number", "decision_date")


async def _page(
    request: Request, template: str, context: dict[str, object], notice: str = ""
) -> Response:
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        template,
        {
            **page_words(request),
            **words(request),
            **context,
            "notice": t(request, message) if message else None,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.get(HOME)
async def honours_list(request: Request, actor: AgencyPage, notice: str = "") -> Response:
    """The honours of the region's workers."""
    found = await honours.list_visible(actor=actor)
    return await _page(request, "agency/contests/honours.html", {"items": found}, notice)


@router.get(HOME + "/new")
async def new_honour(request: Request, actor: OfficerPage) -> Response:
    """The form recording an honour."""
    return await _page(request, "agency/contests/honour_new.html", {})


def _content(form: SessionForm, errors: list[FieldError]) -> honours.HonourContent:
    title = form.get("title")
    if title not in HonourTitle._value2member_map_:
        errors.append(FieldError("title", "unknown", "an honour"))
    year = form.get("year")
    if not year.isdigit():
        errors.append(FieldError("year", "format", "a year"))
    try:
        decided = date.fromisoformat(form.get("decision_date"))
    except ValueError:
        errors.append(FieldError("decision_date", "format", "a date"))
        decided = date(2000, 1, 1)
    known = title in HonourTitle._value2member_map_
    return honours.HonourContent(
        title=HonourTitle(title) if known else HonourTitle.CITY,
        city_title=form.get("city_title"),
        year=int(year) if year.isdigit() else 0,
        nominated_by=form.get("nominated_by"),
        decision_number=form.get("decision_number"),
        decision_date=decided,
    )


def _errors(request: Request, failed: ValidationFailed) -> list[PageError]:
    found = []
    for error in failed.errors:
        field = "id_number" if error.field == "worker" else error.field
        found.append(PageError(field, message_of(request, error.field, error.message)))
    return found


@router.post(HOME + "/new")
async def record_honour(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """Record the honour; back to the list."""
    here = HOME + "/new"
    kept = {name: form.get(name) for name in (*FIELDS, *MORE)}
    errors: list[FieldError] = []
    content = _content(form, errors)
    if errors:
        return back_to_form(here, _errors(request, ValidationFailed(errors)), kept)
    worker = WorkerRef(IdType.RESIDENT_ID, form.get("id_number"), form.get("worker_name"))

    async def act() -> Response:
        try:
            recorded = await honours.record(
                actor=actor, keyring=get_runtime(request).keyring, worker=worker, content=content
            )
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("title", t(request, _TWICE))], kept)
        return see_other(f"{HOME}/{recorded.id}?notice=recorded")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{honour_id}")
async def honour(request: Request, actor: AgencyPage, honour_id: str, notice: str = "") -> Response:
    """One honour, and the form voiding it."""
    found = await honours.get(actor=actor, honour_id=honour_id)
    return await _page(request, "agency/contests/honour.html", {"item": found}, notice)


@router.post(HOME + "/{honour_id}/correct")
async def correct_honour(
    request: Request, actor: OfficerPage, honour_id: str, form: SessionForm
) -> Response:
    """Restate the honour with a reason."""
    here = f"{HOME}/{honour_id}"
    kept = {name: form.get(name) for name in (*FIELDS[2:], *MORE, "reason")}
    errors: list[FieldError] = []
    content = _content(form, errors)
    if errors:
        return back_to_form(here, _errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        try:
            await honours.correct(
                actor=actor, honour_id=honour_id, content=content, reason=form.get("reason")
            )
        except ValidationFailed as failed:
            return back_to_form(here, _errors(request, failed), kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("reason", t(request, _TWICE))], kept)
        return see_other(f"{here}?notice=corrected")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/{honour_id}/void")
async def void_honour(
    request: Request, actor: OfficerPage, honour_id: str, form: SessionForm
) -> Response:
    """Void the honour with a reason."""
    here = f"{HOME}/{honour_id}"
    reason = form.get("void_reason")

    async def act() -> Response:
        try:
            await honours.void(actor=actor, honour_id=honour_id, reason=reason)
        except ValidationFailed:
            message = message_of(request, "reason", "")
            return back_to_form(here, [PageError("void_reason", message)], {"void_reason": reason})
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("void_reason", t(request, _TWICE))], {})
        return see_other(f"{here}?notice=voided")

    return await once(request, form, actor.principal_id, act)

"""The agency's recognitions across borders (issue 27), linked from ``/agency/levels``:

* ``/agency/borders``: the region's certificates from Chongqing and qualifications from
  abroad, those waiting first, and the counts by origin, decision, year and region;
* ``/agency/borders/new``: record one for a worker named by ID number and name;
* ``/agency/borders/{id}``: one record, the form deciding it (recognised, with the check's
  reference or the level; or refused with a reason) and the form voiding it.

The same services as ``/border-recognitions`` (``portfolio.crossborder``): another region's
record is "not found"; officers write, every agency seat reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
from api.runtime import get_runtime
from api.web.border_words import (
    CONTENT_FIELDS,
    FIELD_MESSAGES,
    TWICE,
    content_of,
    page_errors,
    words,
)
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
from portfolio import crossborder
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.archives import WorkerRef
from portfolio.crossborder import service
from portfolio.crossborder.rules import Decision
from portfolio.errors import Conflict, FieldError, InvalidTransition, ValidationFailed
from portfolio.identity import IdType
from portfolio.vocabulary import SkillLevel

router = page_router()
HOME = "/agency/borders"
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
NOTICES = {
    "recorded": N_("The certificate is recorded and waits for the decision."),
    "recognised": N_("The certificate is recognised; the worker's archive states it."),
    "refused": N_("The certificate is not recognised; the worker's archive says why."),
    "voided": N_("The record is voided."),
}


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
async def borders_list(request: Request, actor: AgencyPage, notice: str = "") -> Response:
    """The region's records, waiting ones first, and the counts."""
    found = await service.list_visible(actor=actor)
    found.sort(key=lambda item: item.status != "pending")
    assert actor.region_prefix is not None
    counts = await crossborder.border_counts(actor.region_prefix)
    context = {"items": found, "counts": counts}
    return await _page(request, "agency/borders/list.html", context, notice)


@router.get(HOME + "/new")
async def new_border(request: Request, actor: OfficerPage) -> Response:
    """The form recording a certificate or qualification."""
    return await _page(request, "agency/borders/new.html", {})


@router.post(HOME + "/new")
async def record_border(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """Record it for the worker; on to its page, where it is decided."""
    here = HOME + "/new"
    kept = {name: form.get(name) for name in (*CONTENT_FIELDS, "id_number", "worker_name")}
    errors: list[FieldError] = []
    content = content_of(form.fields, errors)
    if errors:
        return back_to_form(here, page_errors(request, ValidationFailed(errors)), kept)
    worker = WorkerRef(IdType.RESIDENT_ID, form.get("id_number"), form.get("worker_name"))

    async def act() -> Response:
        try:
            made = await service.record(
                actor=actor, keyring=get_runtime(request).keyring, worker=worker, content=content
            )
        except ValidationFailed as failed:
            return back_to_form(here, page_errors(request, failed), kept)
        except Conflict:
            return back_to_form(here, [PageError("origin", t(request, TWICE))], kept)
        return see_other(f"{HOME}/{made.id}?notice=recorded")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/{border_id}")
async def border(request: Request, actor: AgencyPage, border_id: str, notice: str = "") -> Response:
    """One record, and the forms deciding or voiding it."""
    found = await service.get(actor=actor, recognition_id=border_id)
    return await _page(request, "agency/borders/item.html", {"item": found}, notice)


@router.post(HOME + "/{border_id}/decide")
async def decide_border(
    request: Request, actor: OfficerPage, border_id: str, form: SessionForm
) -> Response:
    """Recognise or refuse."""
    here = f"{HOME}/{border_id}"
    kept = {name: form.get(name) for name in ("outcome", "level", "check_reference", "reason")}
    outcome = form.get("outcome")
    if outcome not in ("recognised", "refused"):
        return back_to_form(
            here, [PageError("outcome", t(request, FIELD_MESSAGES["reason"]))], kept
        )
    chosen = form.get("level")
    decision = Decision(
        recognised=outcome == "recognised",
        level=SkillLevel(chosen) if chosen in SkillLevel._value2member_map_ else None,
        check_reference=form.get("check_reference"),
        reason=form.get("reason"),
    )

    async def act() -> Response:
        try:
            await service.decide(actor=actor, recognition_id=border_id, decision=decision)
        except ValidationFailed as failed:
            return back_to_form(here, page_errors(request, failed), kept)
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("reason", t(request, TWICE))], kept)
        return see_other(f"{here}?notice={outcome}")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/{border_id}/void")
async def void_border(
    request: Request, actor: OfficerPage, border_id: str, form: SessionForm
) -> Response:
    """Void the record with a reason."""
    here = f"{HOME}/{border_id}"
    reason = form.get("void_reason")

    async def act() -> Response:
        try:
            await service.void(actor=actor, recognition_id=border_id, reason=reason)
        except ValidationFailed:
            message = t(request, FIELD_MESSAGES["void_reason"])
            return back_to_form(here, [PageError("void_reason", message)], {"void_reason": reason})
        except (Conflict, InvalidTransition):
            return back_to_form(here, [PageError("void_reason", t(request, TWICE))], {})
        return see_other(f"{here}?notice=voided")

    return await once(request, form, actor.principal_id, act)

"""The worker's certificates from outside Sichuan (issue 27): ``/my/borders`` lists those
recorded or submitted, with the decision on each, and the form submitting one with a
description of the scan the worker holds, for the region's agency to check and decide."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import WorkerPage
from api.web.border_words import CONTENT_FIELDS, TWICE, content_of, page_errors, words
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
from portfolio.crossborder import service
from portfolio.errors import Conflict, FieldError, ValidationFailed

router = page_router()
HOME = "/my/borders"
SUBMITTED = N_("Sent. Your region's agency checks it and decides; you will see the decision here.")


@router.get(HOME)
async def my_borders(request: Request, actor: WorkerPage, notice: str = "") -> Response:
    """The worker's own records and the form submitting one."""
    state = form_state(request)
    found = await service.list_own(actor=actor)
    response = await render(
        request,
        "worker/borders.html",
        {
            **page_words(request),
            **words(request),
            "items": found,
            "notice": t(request, SUBMITTED) if notice == "submitted" else None,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(HOME)
async def submit_border(request: Request, actor: WorkerPage, form: SessionForm) -> Response:
    """Submit one; back to the list."""
    kept = {name: form.get(name) for name in CONTENT_FIELDS}
    errors: list[FieldError] = []
    content = content_of(form.fields, errors)
    if errors:
        return back_to_form(HOME, page_errors(request, ValidationFailed(errors)), kept)

    async def act() -> Response:
        try:
            await service.submit(actor=actor, content=content)
        except ValidationFailed as failed:
            return back_to_form(HOME, page_errors(request, failed), kept)
        except Conflict:
            return back_to_form(HOME, [PageError("origin", t(request, TWICE))], kept)
        return see_other(f"{HOME}?notice=submitted")

    return await once(request, form, actor.principal_id, act)

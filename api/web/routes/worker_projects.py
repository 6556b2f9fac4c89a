"""The worker's training projects (项目制培训, issue 27): ``/my/projects`` lists the projects
whose group they are in (name, provider, classes, their answer) and takes their word, once:
they took part, or they dispute it with a note (the officer deciding a milestone reads the
disputes). The same services as ``GET /me/projects`` and ``POST /me/projects/{id}/attestation``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import WorkerPage
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
from portfolio import projects
from portfolio.errors import Conflict

router = page_router()

HOME = "/my/projects"
MAX_WORDS = 500
NOTICES = {
    "confirmed": N_("Thank you: you confirmed you took part in the project."),
    "disputed": N_(
        "Thank you: the agency will read what you wrote before it pays the provider. It may "
        "contact you."
    ),
}


@router.get(HOME)
async def my_projects(request: Request, actor: WorkerPage, notice: str = "") -> Response:
    """The projects of the worker's group, newest first, each with its question or answer."""
    found = await projects.my_projects(actor=actor)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "training/my_projects.html",
        {
            **page_words(request),
            "items": found,
            "errors": state.errors,
            "error_of": {e.field: e.message for e in state.errors},
            "values": state.values,
            "notice": t(request, message) if message else None,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(HOME + "/{project_id}/attestation")
async def attest(
    request: Request, project_id: str, actor: WorkerPage, form: SessionForm
) -> Response:
    """Took part (confirmed), or did not (disputed, with the worker's words)."""
    answer = form.get("answer")
    words = form.get("words")
    errors = []
    if answer not in (projects.CONFIRMED, projects.DISPUTED):
        errors.append(PageError(f"answer-{project_id}", t(request, N_("Answer yes or no"))))
    elif answer == projects.DISPUTED and not words:
        message = N_("Say what happened, in your own words")
        errors.append(PageError(f"words-{project_id}", t(request, message)))
    elif len(words) > MAX_WORDS:
        errors.append(PageError(f"words-{project_id}", t(request, N_("At most 500 characters"))))
    if errors:
        return back_to_form(HOME, errors, {f"words-{project_id}": words})

    async def act() -> Response:
        try:
            await projects.attest(actor=actor, project_id=project_id, answer=answer, words=words)
        except Conflict:
            message = N_("This was already answered, or changed meanwhile.")
            return back_to_form(HOME, [PageError(f"answer-{project_id}", t(request, message))], {})
        return see_other(f"{HOME}?notice={answer}")

    return await once(request, form, actor.principal_id, act)

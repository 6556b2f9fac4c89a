"""Challenge pages: the worker's form (from an entry's page) and list, and a minimal page on
which the organisation holding a challenge answers it (the consoles will link to it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import WorkerPage, require_page_roles
from api.runtime import get_runtime
from api.web.forms import (
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
from portfolio import challenges
from portfolio.accounts import Actor, Role
from portfolio.errors import Conflict, ValidationFailed

router = page_router()
AnswererPage = Annotated[Actor, Depends(require_page_roles(Role.PROVIDER, Role.AGENCY))]

NOTICES = {
    "filed": N_("Your challenge was sent. You will see the answer here."),
    "answered": N_("Your answer was recorded in the worker's archive."),
}
_MESSAGES = {
    ("words", "length"): N_("Say what is wrong in 2 to 1,000 characters"),
    ("text", "length"): N_("Write the correction or the reasons in 2 to 1,000 characters"),
    ("outcome", "required"): N_("Choose whether to correct the entry or refuse"),
}


@router.get("/my/challenges")
async def my_challenges(request: Request, actor: WorkerPage, notice: str | None = None) -> Response:
    """The worker's challenges and where each stands."""
    found = await challenges.list_mine(actor=actor)
    return await render(
        request,
        "challenges/mine.html",
        {"items": found, "notice": t(request, NOTICES[notice]) if notice in NOTICES else None},
    )


@router.get("/my/archive/{seq}/challenge")
async def challenge_form(request: Request, actor: WorkerPage, seq: int) -> Response:
    """The form to challenge entry ``seq`` of the worker's archive."""
    state = form_state(request)
    response = await render(
        request,
        "challenges/form.html",
        {
            "seq": seq,
            "errors": state.errors,
            "error_of": state.error_of,
            "words": state.value("words"),
        },
    )
    forget_form_state(request, response)
    return response


@router.post("/my/archive/{seq}/challenge")
async def challenge_post(
    request: Request, actor: WorkerPage, seq: int, form: SessionForm
) -> Response:
    """File the challenge; on to the list of challenges."""
    words = form.get("words")
    settings = get_runtime(request).settings
    location = f"/my/archive/{seq}/challenge"

    async def act() -> Response:
        try:
            await challenges.challenge_entry(
                actor=actor, settings=settings, entry_seq=seq, words=words
            )
        except ValidationFailed as failed:
            for error in failed.errors:
                message = _MESSAGES.get((error.field, error.rule), N_("Check this answer"))
                form.error("words", t(request, message))
        except Conflict:
            form.error("words", t(request, "This entry is challenged already: wait for the answer"))
        if form.errors:
            return back_to_form(location, form.errors, {"words": words})
        return see_other("/my/challenges?notice=filed")

    return await once(request, form, actor.principal_id, act)


@router.get("/challenge-answers/{challenge_id}")
async def answer_form(
    request: Request, actor: AnswererPage, challenge_id: str, notice: str | None = None
) -> Response:
    """One challenge and, while the caller holds it, the form to answer it."""
    view = await challenges.get_challenge(actor=actor, challenge_id=challenge_id)
    state = form_state(request)
    response = await render(
        request,
        "challenges/answer.html",
        {
            "challenge": view,
            "errors": state.errors,
            "error_of": state.error_of,
            "text": state.value("text"),
            "notice": t(request, NOTICES[notice]) if notice in NOTICES else None,
        },
    )
    forget_form_state(request, response)
    return response


@router.post("/challenge-answers/{challenge_id}")
async def answer_post(
    request: Request, actor: AnswererPage, challenge_id: str, form: SessionForm
) -> Response:
    """Correct or refuse; back to the challenge's page."""
    text, outcome = form.get("text"), form.get("outcome")
    location = f"/challenge-answers/{challenge_id}"

    async def act() -> Response:
        if outcome not in ("correct", "refuse"):
            form.error("outcome", t(request, _MESSAGES[("outcome", "required")]))
            return back_to_form(location, form.errors, {"text": text})
        try:
            await challenges.answer(
                actor=actor,
                challenge_id=challenge_id,
                reply=challenges.Answer(correct=outcome == "correct", text=text),
            )
        except ValidationFailed as failed:
            for error in failed.errors:
                message = _MESSAGES.get((error.field, error.rule), N_("Check this answer"))
                form.error("text", t(request, message))
        except Conflict:
            form.error("text", t(request, "This challenge cannot be answered here any more"))
        if form.errors:
            return back_to_form(location, form.errors, {"text": text})
        return see_other(f"{location}?notice=answered")

    return await once(request, form, actor.principal_id, act)

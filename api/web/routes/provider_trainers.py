"""The provider's console: the organisation's trainer registry.

* ``/provider/trainers``: the trainers (removed ones marked) and the form registering one
  (name, qualification, certificate number);
* ``/provider/trainers/{trainer_id}/remove``: "check your answers" before removing one from
  new classes (classes that name them keep naming them), then the removal.

Through ``portfolio.training.trainers``, as ``POST /trainers`` and ``/trainers/{id}/remove``;
another organisation's trainer is "not found".
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.routes.provider_console import SUSPENDED, console_page, kept_values
from api.web.routing import page_router
from api.web.templating import t
from portfolio.errors import Forbidden, InvalidTransition, ValidationFailed
from portfolio.paging import PageRequest
from portfolio.training import trainers

router = page_router()

SHOWN = 200
NOTICES = {
    "trainer-added": N_("The trainer is registered: new classes can name them."),
    "trainer-removed": N_("The trainer is removed from new classes; earlier classes keep them."),
}
LIMITS = {"name": 100, "qualification": 200, "certificate_number": 100}
FIELD_ERRORS = {
    "name": N_("Enter the trainer's name, up to 100 characters"),
    "qualification": N_("Keep the qualification under 200 characters"),
    "certificate_number": N_("Keep the certificate number under 100 characters"),
}
CHANGED = N_("This was already done, or changed meanwhile. The page shows how it stands now.")


@router.get("/provider/trainers")
async def trainer_list(request: Request, actor: ProviderPage, notice: str = "") -> Response:
    """The organisation's trainers and the form registering one."""
    found = await trainers.list_own(actor=actor, page=PageRequest(limit=SHOWN, cursor=None))
    message = NOTICES.get(notice)
    return await console_page(
        request,
        "provider/trainers.html",
        {"trainers": found.items, "notice": t(request, message) if message else None},
    )


@router.post("/provider/trainers")
async def add_trainer(request: Request, actor: ProviderPage, form: SessionForm) -> Response:
    """Register a trainer of the organisation."""
    here = "/provider/trainers"
    kept = kept_values(form)
    wrong = [
        f
        for f, most in LIMITS.items()
        if len(form.get(f)) > most or (f == "name" and not form.get(f).strip())
    ]
    if wrong:
        return back_to_form(here, [PageError(f, t(request, FIELD_ERRORS[f])) for f in wrong], kept)
    trainer = trainers.NewTrainer(
        form.get("name"), form.get("qualification"), form.get("certificate_number")
    )

    async def act() -> Response:
        try:
            await trainers.add(actor=actor, trainer=trainer)
        except ValidationFailed:
            return back_to_form(here, [PageError("name", t(request, FIELD_ERRORS["name"]))], kept)
        except Forbidden:
            return back_to_form(here, [PageError("name", t(request, SUSPENDED))], kept)
        return see_other(f"{here}?notice=trainer-added")

    return await once(request, form, actor.principal_id, act)


@router.get("/provider/trainers/{trainer_id}/remove")
async def check_removal(request: Request, trainer_id: str, actor: ProviderPage) -> Response:
    """Check your answers: who is removed from new classes, and what that does."""
    trainer = await trainers.get_own(actor=actor, trainer_id=trainer_id)
    return await console_page(
        request,
        "provider/trainer_remove.html",
        {"trainer": trainer},
    )


@router.post("/provider/trainers/{trainer_id}/remove")
async def remove(
    request: Request, trainer_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Remove the trainer from new classes."""
    here = f"/provider/trainers/{trainer_id}/remove"

    async def act() -> Response:
        try:
            await trainers.remove(actor=actor, trainer_id=trainer_id)
        except InvalidTransition:
            return back_to_form(here, [PageError("remove", t(request, CHANGED))], {})
        except Forbidden:
            return back_to_form(here, [PageError("remove", t(request, SUSPENDED))], {})
        return see_other("/provider/trainers?notice=trainer-removed")

    return await once(request, form, actor.principal_id, act)

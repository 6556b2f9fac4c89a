"""The provider's console: enrolling one worker, and answering the workers' applications.

* ``POST /provider/runs/{run_id}/enrol``: one worker by ID number and name. The page checks
  the number's format and check character as it is typed (static/provider.js) but the server
  decides: an unknown worker and a name that does not match get one and the same error, so the
  form cannot be used to learn who has an archive.
* ``POST /provider/enrolments/{enrolment_id}/accept`` and ``.../refuse`` (with a reason).

Each post calls the use case its JSON route calls and goes back to the run's page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.runtime import get_runtime
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.routes.provider_console import SUSPENDED, kept_values
from api.web.routing import page_router
from api.web.templating import t
from portfolio.archives import WorkerRef
from portfolio.errors import Conflict, Forbidden, ValidationFailed
from portfolio.identity.identifiers import IdType
from portfolio.training import enrolments, lifecycle

router = page_router()

# DOMAIN's one answer for an unknown worker and a wrong name (never which of the two).
NO_MATCH = N_("No worker matches this ID number and name. Check both against the worker's ID card.")
BAD_NUMBER = N_("Enter an 18-character ID number with a correct check character")
NO_NAME = N_("Enter the worker's name as on their ID card")
# A refusal of the service, by the start of its (English) message, in words for the clerk.
CONFLICTS = {
    "the worker is already enrolled": N_("This worker is already in this class."),
    "the run is full": N_("The class is full: every seat is taken."),
    "the worker is already booked": N_(
        "The worker is booked in another class at the same time. They cannot be in both."
    ),
    "the worker's schedule is busy": N_("Someone else changed this worker just now: try again."),
}
CHANGED = N_("This was already done, or changed meanwhile. The page shows how it stands now.")
NO_REASON = N_("Say why you refuse: the worker reads it")


def _conflict_words(error: Conflict) -> str:
    for start, words in CONFLICTS.items():
        if str(error).startswith(start):
            return words
    return CHANGED


@router.post("/provider/runs/{run_id}/enrol")
async def enrol_one(
    request: Request, run_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Enrol one worker by ID number and name (accepted at once: the provider decides)."""
    here = f"/provider/runs/{run_id}"
    number = form.get("id_number").upper().replace(" ", "")
    name = form.get("name")
    missing = [PageError("name", t(request, NO_NAME))] if not name else []
    if not number:
        missing.insert(0, PageError("id_number", t(request, BAD_NUMBER)))
    if missing:
        return back_to_form(f"{here}#enrol", missing, kept_values(form))
    runtime = get_runtime(request)

    async def act() -> Response:
        def back(field: str, message: str) -> Response:
            return back_to_form(
                f"{here}#enrol", [PageError(field, t(request, message))], kept_values(form)
            )

        try:
            await enrolments.enrol(
                actor=actor,
                keyring=runtime.keyring,
                run_id=run_id,
                worker=WorkerRef(IdType.RESIDENT_ID, number, name),
                accept=True,
            )
        except ValidationFailed as failed:
            rules = {(e.field, e.rule) for e in failed.errors}
            if any(f == "id_number" and r in _FORMAT_RULES for f, r in rules):
                return back("id_number", BAD_NUMBER)
            if any(f == "name" for f, _ in rules):
                return back("name", NO_NAME)
            return back("id_number", NO_MATCH)
        except Conflict as refused:
            return back("id_number", _conflict_words(refused))
        except Forbidden:
            return back("id_number", SUSPENDED)
        return see_other(f"{here}?notice=enrolled")

    return await once(request, form, actor.principal_id, act)


# The rules of the number's own form: said as "check the number", not "no such worker".
_FORMAT_RULES = frozenset({"length", "format", "checksum", "birth_date", "area_code", "required"})


async def _answer(
    request: Request, enrolment_id: str, actor: ProviderPage, form: SessionForm, *, accept: bool
) -> Response:
    back_to = form.get("run_id")
    here = f"/provider/runs/{back_to}" if back_to.isalnum() else "/provider/dashboard"
    reason = form.get("reason")
    field = f"refuse-{enrolment_id}"
    if not accept and not reason:
        return back_to_form(here, [PageError(field, t(request, NO_REASON))], {})

    async def act() -> Response:
        step = lifecycle.Move(action="accept" if accept else "refuse", reason=reason)
        try:
            await lifecycle.move(actor=actor, enrolment_id=enrolment_id, step=step)
        except (Conflict, ValidationFailed):
            return back_to_form(here, [PageError(field, t(request, CHANGED))], {})
        return see_other(f"{here}?notice={'accepted' if accept else 'refused'}")

    return await once(request, form, actor.principal_id, act)


@router.post("/provider/enrolments/{enrolment_id}/accept")
async def accept_application(
    request: Request, enrolment_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Accept a worker's application: they have a seat."""
    return await _answer(request, enrolment_id, actor, form, accept=True)


@router.post("/provider/enrolments/{enrolment_id}/refuse")
async def refuse_application(
    request: Request, enrolment_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Refuse a worker's application, with a reason the worker reads."""
    return await _answer(request, enrolment_id, actor, form, accept=False)

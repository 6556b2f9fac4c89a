"""The worker's attestation page: did they take part in the training their voucher was
claimed for? ``/my/vouchers/{id}/attestation`` shows the claim and takes the answer: yes, or
no with their own words (a dispute: the agency holds the claim and reads them). It calls the
service the JSON route ``POST /me/vouchers/{id}/attestation`` calls.
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
from portfolio.errors import Conflict, InvalidTransition
from portfolio.vouchers import attestation

router = page_router()

NOTICES = {
    "confirmed": N_("Thank you: you confirmed you took part. The agency can now decide the claim."),
    "disputed": N_(
        "Thank you: the agency holds the claim and will read what you wrote. It may contact you."
    ),
}
MAX_WORDS = 500


@router.get("/my/vouchers/{voucher_id}/attestation")
async def attestation_page(
    request: Request, voucher_id: str, actor: WorkerPage, notice: str = ""
) -> Response:
    """The claim on the worker's voucher and the question: did you take part?"""
    found = await attestation.mine(actor=actor, voucher_id=voucher_id)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "attestation/attest.html",
        {
            **page_words(request),
            "errors": state.errors,
            "values": state.values,
            "claim": found,
            "notice": t(request, message) if message else None,
        },
    )
    forget_form_state(request, response)
    return response


@router.post("/my/vouchers/{voucher_id}/attestation")
async def attest(
    request: Request, voucher_id: str, actor: WorkerPage, form: SessionForm
) -> Response:
    """Yes (confirm) or no (dispute, with the worker's words)."""
    here = f"/my/vouchers/{voucher_id}/attestation"
    answer = form.get("took_part")
    words = (form.get("words") or "").strip()
    errors = []
    if answer not in ("yes", "no"):
        errors.append(PageError("took_part", t(request, N_("Answer yes or no"))))
    elif answer == "no" and not words:
        errors.append(PageError("words", t(request, N_("Say what happened, in your own words"))))
    elif len(words) > MAX_WORDS:
        errors.append(PageError("words", t(request, N_("At most 500 characters"))))
    if errors:
        return back_to_form(here, errors, {"words": words})

    async def act() -> Response:
        try:
            await attestation.attest(
                actor=actor, voucher_id=voucher_id, took_part=answer == "yes", words=words
            )
        except (Conflict, InvalidTransition):
            message = N_("This was already answered, or changed meanwhile.")
            return back_to_form(here, [PageError("took_part", t(request, message))], {})
        return see_other(f"{here}?notice={'confirmed' if answer == 'yes' else 'disputed'}")

    return await once(request, form, actor.principal_id, act)

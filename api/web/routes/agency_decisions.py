"""The agency officer's decisions on a claim, from its page (``agency_claims.py``):

* approve (``redemption.redeem``, what ``POST /vouchers/{id}/redeem`` calls) through a "check
  your answers" page that shows the amount, the flags to acknowledge with a note, and which
  approval this is (the only one, or the first or second of two officers);
* send back with a coded reason and a note (``redemption.reject``);
* record that the worker confirmed the training at the counter (``attestation.at_counter``).

A decision a colleague made a moment earlier wins: the service's conditional update lets one
through, and this page goes back to the claim, which shows that decision and says nothing
was done.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
from api.runtime import get_runtime
from api.web.claims_words import claim_words
from api.web.forms import (
    PageError,
    PostedForm,
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
from portfolio.errors import Conflict, InvalidTransition, ValidationFailed
from portfolio.vouchers import attestation, desk, redemption
from portfolio.vouchers.enums import RejectReason, VoucherStatus

router = page_router()
MAX_NOTE = 500

_DECIDED = N_(
    "Another officer decided this claim a moment ago: nothing was done. The claim below "
    "shows their decision."
)
_SECOND = N_("You gave the first approval: a second officer must give the second one.")
_DISPUTED = N_(
    "The worker disputes this claim: it cannot be approved. Send it back, or record the "
    "worker at the counter if they confirm in person."
)
_AWAITING = N_(
    "The claim still waits for the worker's answer: it can be approved once they answer, "
    "or after the date shown on the claim."
)
_ACKNOWLEDGE = N_("Confirm that you have read the flags")
_NOTE_FLAGGED = N_("Say why this flagged claim may be paid")
_TOO_LONG = N_("At most 500 characters")


def _claim(voucher_id: str) -> str:
    return f"/agency/claims/{voucher_id}"


def _conflict(request: Request, problem: Conflict) -> str:
    """A refused decision in the officer's words (with the service's own message)."""
    if isinstance(problem, InvalidTransition):
        return f"{t(request, _DECIDED)} ({problem.detail})"
    held = problem.extra.get("attestation")
    if held == "disputed":
        return t(request, _DISPUTED)
    if held is not None:
        return t(request, _AWAITING)
    if "second officer" in problem.detail:
        return t(request, _SECOND)
    return f"{t(request, _DECIDED)} ({problem.detail})"


@router.get("/agency/claims/{voucher_id}/approve")
async def approve_check(request: Request, actor: AgencyPage, voucher_id: str) -> Response:
    """Check your answers before approving: the amount, the provider, the flags to
    acknowledge with a note, and which approval this is."""
    found = await desk.claim_file(
        actor=actor,
        voucher_id=voucher_id,
        min_share=get_runtime(request).settings.claim_min_attendance_share,
    )
    state = form_state(request)
    response = await render(
        request,
        "agency/approve.html",
        {
            **page_words(request),
            **claim_words(request),
            "file": found,
            "claim": found.claim,
            "errors": state.errors,
            "error_of": state.error_of,
            "values": state.values,
        },
    )
    forget_form_state(request, response)
    return response


def _approval_errors(request: Request, form: PostedForm) -> list[PageError]:
    """What the check page's form lacks (the service checks again, and decides)."""
    errors = []
    note = form.get("note")
    if form.get("flags_shown") == "yes":
        if form.get("acknowledge") != "yes":
            errors.append(PageError("acknowledge", t(request, _ACKNOWLEDGE)))
        if not note:
            errors.append(PageError("note", t(request, _NOTE_FLAGGED)))
    if len(note) > MAX_NOTE:
        errors.append(PageError("note", t(request, _TOO_LONG)))
    return errors


@router.post("/agency/claims/{voucher_id}/approve")
async def approve(
    request: Request, actor: AgencyPage, voucher_id: str, form: SessionForm
) -> Response:
    """Approve the claim: pay it, or give the first of two approvals."""
    here = f"{_claim(voucher_id)}/approve"
    note = form.get("note")
    kept = {"note": note, "acknowledge": form.get("acknowledge")}
    errors = _approval_errors(request, form)
    if errors:
        return back_to_form(here, errors, kept)

    async def act() -> Response:
        try:
            view = await redemption.redeem(
                actor=actor,
                voucher_id=voucher_id,
                note=note,
                acknowledge_flags=form.get("acknowledge") == "yes",
            )
        except ValidationFailed:
            # The one rule redeem checks of its input: a flagged claim's acknowledgement.
            found = [
                PageError("acknowledge", t(request, _ACKNOWLEDGE)),
                PageError("note", t(request, _NOTE_FLAGGED)),
            ]
            return back_to_form(here, found, kept)
        except InvalidTransition as lost:
            message = _conflict(request, lost)
            return back_to_form(_claim(voucher_id), [PageError("decision", message)], {})
        except Conflict as refused:
            return back_to_form(here, [PageError("note", _conflict(request, refused))], kept)
        paid = view.status is VoucherStatus.REDEEMED
        return see_other(f"{_claim(voucher_id)}?notice={'paid' if paid else 'first'}")

    return await once(request, form, actor.principal_id, act)


@router.post("/agency/claims/{voucher_id}/reject")
async def reject(
    request: Request, actor: AgencyPage, voucher_id: str, form: SessionForm
) -> Response:
    """Send the claim back to the provider with a coded reason and a note."""
    here = _claim(voucher_id)
    note = form.get("reject_note")
    kept = {"reason": form.get("reason"), "reject_note": note}
    try:
        reason = RejectReason(form.get("reason"))
    except ValueError:
        message = t(request, N_("Choose why the claim goes back"))
        return back_to_form(here, [PageError("reason", message)], kept)
    if len(note) > MAX_NOTE:
        return back_to_form(here, [PageError("reject_note", t(request, _TOO_LONG))], kept)

    async def act() -> Response:
        try:
            await redemption.reject(actor=actor, voucher_id=voucher_id, reason=reason, note=note)
        except ValidationFailed:
            message = t(request, N_("Say why in the note when the reason is another one"))
            return back_to_form(here, [PageError("reject_note", message)], kept)
        except Conflict as lost:
            return back_to_form(here, [PageError("decision", _conflict(request, lost))], {})
        return see_other(f"{here}?notice=rejected")

    return await once(request, form, actor.principal_id, act)


@router.post("/agency/claims/{voucher_id}/counter")
async def counter(
    request: Request, actor: AgencyPage, voucher_id: str, form: SessionForm
) -> Response:
    """Record that the worker confirmed the training in person at the counter."""
    here = _claim(voucher_id)
    note = form.get("counter_note")
    kept = {"counter_note": note}
    if not note or len(note) > MAX_NOTE:
        message = t(request, N_("Say how you identified the worker, in at most 500 characters"))
        return back_to_form(here, [PageError("counter_note", message)], kept)

    async def act() -> Response:
        try:
            await attestation.at_counter(actor=actor, voucher_id=voucher_id, note=note)
        except InvalidTransition as lost:
            return back_to_form(here, [PageError("decision", _conflict(request, lost))], {})
        except Conflict:
            message = t(request, N_("The worker's confirmation was recorded meanwhile."))
            return back_to_form(here, [PageError("counter_note", message)], {})
        return see_other(f"{here}?notice=counter")

    return await once(request, form, actor.principal_id, act)

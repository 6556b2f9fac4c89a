"""The provider's console: claims for vouchers it trained workers with.

* ``/provider/claims``: the money owed and paid, the vouchers it may claim now, those it may
  not yet with the reasons (no result yet, not passed, too few confirmed hours, expired), its
  claims awaiting the agency and paid, and the month's statement to download;
* ``/provider/claims/{voucher_id}``: one voucher's evidence and the claim form (the amount,
  up to the cap, and a note);
* ``/provider/claims/statement``: the month's statement as CSV or .xlsx.

Claiming goes through ``claims.claim``, as ``POST /vouchers/{id}/claim`` does: its rules
decide; the page shows its refusals beside the fields.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.downloads import download
from api.runtime import get_runtime
from api.web.formatting import yuan_digits
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.routes.provider_console import SUSPENDED, console_page, fen_of, kept_values
from api.web.routing import page_router
from api.web.templating import t
from portfolio import clock
from portfolio.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from portfolio.exports import export
from portfolio.vouchers import claims
from portfolio.vouchers import console as claims_console

router = page_router()

NOTICES = {"claimed": N_("The claim is sent to the agency. It shows below until it is decided.")}
REASONS = {
    "expired": N_("The voucher has expired."),
    "not_completed": N_("The worker's result is not recorded yet."),
    "not_passed": N_("The worker did not pass: a claim needs a pass."),
    "attendance": N_(
        "Confirmed attendance is %(hours)s hours; a claim needs %(needed)s hours. "
        "Hours count once the worker confirms them."
    ),
    "issued_after_start": N_(
        "The voucher was issued after the class began: it pays only for training that starts "
        "after its issue."
    ),
    "after_voucher_end": N_(
        "The class began after the voucher's end: it pays only for training that starts "
        "while it is valid."
    ),
    "historical": N_(
        "The training was entered from historical records: a voucher never pays for it."
    ),
    "no_sessions": N_("The class has no sessions: a voucher pays for held sessions only."),
}
CLAIM_ERRORS = {
    "no_passed_completion": ("voucher", N_("The worker's training has no passed result")),
    "insufficient_attendance": ("voucher", N_("Too few confirmed hours for a claim")),
    "voucher_issued_after_training_start": (
        "voucher",
        N_("The voucher was issued after the class began: it does not pay for this class"),
    ),
    "training_after_voucher_end": (
        "voucher",
        N_("The class began after the voucher's end: it does not pay for this class"),
    ),
    "historical_not_payable": (
        "voucher",
        N_("Training entered from historical records is never paid by a voucher"),
    ),
    "above_cap": ("amount", N_("Claim no more than the most a claim may ask, shown above")),
    "range": ("amount", N_("Enter an amount above 0, like 1200.00")),
}
BAD_AMOUNT = N_("Enter an amount in yuan, like 1200.00")
BAD_MONTH = N_("Enter a month like 2026-11")
CHANGED = N_("This was already done, or changed meanwhile. The page shows how it stands now.")


@router.get("/provider/claims")
async def claims_page(request: Request, actor: ProviderPage, notice: str = "") -> Response:
    """What the provider may claim, what not yet and why, its claims and its money."""
    runtime = get_runtime(request)
    found = await claims_console.desk(
        actor=actor, min_share=runtime.settings.claim_min_attendance_share
    )
    message = NOTICES.get(notice)
    return await console_page(
        request,
        "provider/claims.html",
        {
            "found": found,
            "reasons": {k: t(request, v) for k, v in REASONS.items()},
            "notice": t(request, message) if message else None,
            "this_month": f"{clock.china_today():%Y-%m}",
        },
    )


@router.get("/provider/claims/statement")
async def statement(
    request: Request,
    actor: ProviderPage,
    month: str = "",
    file_format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """The month's statement: every voucher claimed or paid in it, with the totals."""
    try:
        first_day = claims_console.month_of(month)
    except ValidationFailed:
        return back_to_form(
            "/provider/claims", [PageError("month", t(request, BAD_MONTH))], {"month": month}
        )
    runtime = get_runtime(request)
    found = await claims_console.statement(
        actor=actor, month=first_day, min_share=runtime.settings.claim_min_attendance_share
    )
    sheet = claims_console.statement_sheet(found)
    return download(export(sheet, file_format=file_format, basename=f"statement-{first_day:%Y-%m}"))


@router.get("/provider/claims/{voucher_id}")
async def claim_form(
    request: Request, voucher_id: str, actor: ProviderPage, amount: str = "", note: str = ""
) -> Response:
    """One voucher's evidence and the form claiming it."""
    runtime = get_runtime(request)
    line = await claims_console.claimable(
        actor=actor, voucher_id=voucher_id, min_share=runtime.settings.claim_min_attendance_share
    )
    found = line.claim
    # A bound voucher, or one that expired while bound: what stands between it and a claim.
    open_to_claim = found.voucher.status in ("bound", "expired")
    reasons = line.reasons if open_to_claim else ()
    return await console_page(
        request,
        "provider/claim.html",
        {
            "found": found,
            "not_yet": reasons,
            "cap_digits": yuan_digits(found.evidence.cap_fen),
            "asked": {"amount": amount.strip()[:50], "note": note.strip()[:500]},
            "reasons": {k: t(request, v) for k, v in REASONS.items()},
        },
    )


@router.get("/provider/claims/{voucher_id}/check")
async def check_claim(
    request: Request, voucher_id: str, actor: ProviderPage, amount: str = "", note: str = ""
) -> Response:
    """Check your answers: who, for which training, how much, before the claim is sent."""
    here = f"/provider/claims/{voucher_id}"
    asked = {"amount": amount.strip()[:50], "note": note.strip()[:500]}
    fen = fen_of(asked["amount"])
    if fen is None:
        return back_to_form(here, [PageError("amount", t(request, BAD_AMOUNT))], asked)
    runtime = get_runtime(request)
    found = (
        await claims_console.claimable(
            actor=actor,
            voucher_id=voucher_id,
            min_share=runtime.settings.claim_min_attendance_share,
        )
    ).claim
    return await console_page(
        request,
        "provider/claim_check.html",
        {"found": found, "asked": asked, "fen": fen, "change_url": f"{here}?{urlencode(asked)}"},
    )


@router.post("/provider/claims/{voucher_id}")
async def claim(
    request: Request, voucher_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Send the claim to the agency; back to the claims page."""
    here = f"/provider/claims/{voucher_id}"
    kept = kept_values(form)
    amount = fen_of(form.get("amount"))
    if amount is None:
        return back_to_form(here, [PageError("amount", t(request, BAD_AMOUNT))], kept)
    runtime = get_runtime(request)

    async def act() -> Response:
        try:
            await claims.claim(
                actor=actor,
                voucher_id=voucher_id,
                amount_fen=amount,
                min_share=runtime.settings.claim_min_attendance_share,
                note=form.get("note"),
            )
        except ValidationFailed as failed:
            return back_to_form(here, _claim_errors(request, failed), kept)
        except (InvalidTransition, Conflict):
            return back_to_form(here, [PageError("amount", t(request, CHANGED))], kept)
        except Forbidden:
            return back_to_form(here, [PageError("amount", t(request, SUSPENDED))], kept)
        return see_other("/provider/claims?notice=claimed")

    return await once(request, form, actor.principal_id, act)


def _claim_errors(request: Request, failed: ValidationFailed) -> list[PageError]:
    """The claim's refusals, each tied to its field (the amount, or the voucher itself)."""
    errors = []
    for error in failed.errors:
        field, message = CLAIM_ERRORS.get(error.rule, ("amount", CHANGED))
        errors.append(PageError(field, t(request, message)))
    return errors

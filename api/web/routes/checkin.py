"""Check-in by QR code: the worker's page the code opens, and the provider's page showing it.

* ``/checkin/<token>`` (a worker, signed in): which class and session the code names, and one
  button to check in; the record is written by the post, with the browser's device id (a
  random value in a long-lived cookie, only its keyed hash is stored).
* ``/provider/runs/<run>/sessions/<n>/checkin`` (the provider): the session's QR code, a new
  one every half minute (the page reloads itself with a small script of our own; no meta
  refresh, which screen readers and WCAG 2.2.1 object to).

Both call the domain's check-in service (portfolio/training/checkin.py), as the JSON routes do.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage, WorkerPage
from api.runtime import get_runtime
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
from api.web.qr import qr_svg
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.errors import Conflict, DomainError, ValidationFailed
from portfolio.training import checkin

router = page_router()

CHECKIN_PATH = "/checkin/"
DEVICE_COOKIE = "__Host-portfolio-device"
# A phone keeps its id for years: the same device checking in again is the point.
DEVICE_COOKIE_SECONDS = 5 * 365 * 24 * 3600
REFUSALS = {
    "checkin_expired": N_(
        "This code has changed since it was scanned. Scan the code the provider shows now."
    ),
    "checkin_closed": N_(
        "Check-in for this session is not open: it opens 30 minutes before the session "
        "starts and closes when it ends."
    ),
    "not_in_class": N_("You are not in this class. Ask the provider to enrol you."),
}
NOT_STARTED = N_("Your training in this class has not started yet. Ask the provider.")


def refusal(request: Request, error: DomainError) -> str:
    """Why a check-in was refused, in words."""
    if isinstance(error, ValidationFailed) and error.errors:
        known = REFUSALS.get(error.errors[0].rule)
        if known:
            return t(request, known)
    if isinstance(error, Conflict):
        return t(request, NOT_STARTED)
    return error.detail


def checkin_url(request: Request, token: str) -> str:
    """The absolute URL a session's QR code opens (``PORTFOLIO_PUBLIC_URL``)."""
    base = get_runtime(request).settings.public_url or str(request.base_url)
    return base.rstrip("/") + CHECKIN_PATH + token


@router.get(CHECKIN_PATH + "{token}")
async def checkin_page(request: Request, token: str, actor: WorkerPage) -> Response:
    """What the scanned code names, and the button to check in (nothing written yet)."""
    runtime = get_runtime(request)
    state = form_state(request)
    found = None
    problem = None
    try:
        found = await checkin.preview(actor=actor, keyring=runtime.keyring, token=token)
    except (ValidationFailed, Conflict) as error:
        problem = refusal(request, error)
    response = await render(
        request,
        "checkin/confirm.html",
        {"found": found, "problem": problem, "errors": state.errors, "token": token},
    )
    forget_form_state(request, response)
    return response


@router.post(CHECKIN_PATH + "{token}")
async def check_in(request: Request, token: str, actor: WorkerPage, form: SessionForm) -> Response:
    """Check in: a confirmed record of the session; on to the class page."""
    runtime = get_runtime(request)
    known_device = request.cookies.get(DEVICE_COOKIE, "")
    device_id = known_device or checkin.new_device_id()

    async def act() -> Response:
        try:
            written = await checkin.check_in(
                actor=actor, keyring=runtime.keyring, token=token, device_id=device_id
            )
        except (ValidationFailed, Conflict) as error:
            here = CHECKIN_PATH + token
            return back_to_form(here, [PageError("checkin", refusal(request, error))], {})
        response = see_other(f"/my/training/{written.enrolment_id}?notice=checked-in")
        if not known_device:
            response.set_cookie(
                DEVICE_COOKIE,
                device_id,
                max_age=DEVICE_COOKIE_SECONDS,
                path="/",
                secure=True,
                httponly=True,
                samesite="lax",
            )
        return response

    return await once(request, form, actor.principal_id, act)


@router.get("/provider/runs/{run_id}/sessions/{session_n}/checkin")
async def checkin_code_page(
    request: Request, run_id: str, session_n: int, actor: ProviderPage
) -> Response:
    """The session's check-in QR code, renewed every half minute, for the room's screen."""
    runtime = get_runtime(request)
    code = None
    problem = None
    try:
        code = await checkin.code_for(
            actor=actor, keyring=runtime.keyring, run_id=run_id, session_n=session_n
        )
    except ValidationFailed as error:
        problem = refusal(request, error)
    qr = None
    if code is not None:
        label = t(request, "Check-in code of session %(n)s") % {"n": session_n}
        qr = qr_svg(checkin_url(request, code.token), label)
    return await render(request, "checkin/code.html", {"code": code, "qr": qr, "problem": problem})

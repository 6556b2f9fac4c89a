"""The provider's console: attendance per session.

* ``/provider/runs/{run_id}/sessions/{session_n}``: the class list (name, masked ID), each
  worker's latest record there (hours, check-in method, the worker's confirmation state), the
  form recording the session ("all present" with the exceptions ticked, hours per worker) and
  voiding a wrong record;
* ``.../sheet``: the printable sign-in sheet of the session.

Recording calls ``attendance.record_session`` (a record made by hand waits for the worker's
confirmation before its hours count), voiding ``attendance.void``, as the JSON API does.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.web.forms import PageError, SessionForm, back_to_form, once, see_other
from api.web.i18n import N_
from api.web.routes.provider_console import SUSPENDED, console_page
from api.web.routing import page_router
from api.web.templating import t
from portfolio.errors import Conflict, Forbidden, ValidationFailed
from portfolio.training import attendance, console_attendance
from portfolio.training.enums import CaptureMethod

router = page_router()

NOTICES = {
    "recorded": N_("Attendance recorded: %(count)s workers. Each confirms their record."),
    "voided": N_("The record is void: it never counts."),
}
BAD_HOURS = N_("Enter hours from 0 to the session's hours")
NOBODY = N_("Nobody is marked present: untick the absent box of those who came")
CHANGED = N_("This was already done, or changed meanwhile. The page shows how it stands now.")
_ID = re.compile(r"^[0-9a-f]{24}$")


def _here(run_id: str, session_n: int) -> str:
    return f"/provider/runs/{run_id}/sessions/{session_n}"


@router.get("/provider/runs/{run_id}/sessions/{session_n}")
async def session_page(
    request: Request,
    run_id: str,
    session_n: int,
    actor: ProviderPage,
    notice: str = "",
    count: int = 0,
) -> Response:
    """The session's class list, records, the form recording it, voiding a record."""
    sheet = await console_attendance.session_sheet(actor=actor, run_id=run_id, session_n=session_n)
    message = NOTICES.get(notice)
    said = t(request, message) % {"count": count} if message else None
    return await console_page(request, "provider/session.html", {"sheet": sheet, "notice": said})


@router.get("/provider/runs/{run_id}/sessions/{session_n}/sheet")
async def sign_in_sheet(
    request: Request, run_id: str, session_n: int, actor: ProviderPage
) -> Response:
    """The printable sign-in sheet of the session (names, masked IDs, a box to sign)."""
    sheet = await console_attendance.session_sheet(actor=actor, run_id=run_id, session_n=session_n)
    return await console_page(request, "provider/sign_in_sheet.html", {"sheet": sheet})


@router.post("/provider/runs/{run_id}/sessions/{session_n}")
async def record_session(
    request: Request, run_id: str, session_n: int, actor: ProviderPage, form: SessionForm
) -> Response:
    """Record the session: everyone listed present but the ticked exceptions."""
    here = _here(run_id, session_n)
    listed = [i for i in form.get("enrolments").split(",") if _ID.match(i)]
    rows: list[attendance.SessionRow] = []
    errors: list[PageError] = []
    for enrolment_id in listed:
        if form.get(f"absent-{enrolment_id}"):
            continue
        try:
            hours = float(form.get(f"hours-{enrolment_id}"))
        except ValueError:
            errors.append(PageError(f"hours-{enrolment_id}", t(request, BAD_HOURS)))
            continue
        rows.append(attendance.SessionRow(enrolment_id, hours, CaptureMethod.MANUAL))
    if not rows and not errors:
        errors.append(PageError("record", t(request, NOBODY)))
    if errors:
        return back_to_form(here, errors, {})

    async def act() -> Response:
        try:
            done = await attendance.record_session(
                actor=actor, run_id=run_id, session_n=session_n, rows=rows
            )
        except Forbidden:
            return back_to_form(here, [PageError("record", t(request, SUSPENDED))], {})
        failed = [
            PageError(f"hours-{rows[r.row].enrolment_id}", t(request, BAD_HOURS))
            for r in done.rows
            if r.status == "error"
        ]
        if failed:
            return back_to_form(here, failed, {})
        return see_other(f"{here}?notice=recorded&count={done.recorded}")

    return await once(request, form, actor.principal_id, act)


@router.post("/provider/attendance/{record_id}/void")
async def void_record(
    request: Request, record_id: str, actor: ProviderPage, form: SessionForm
) -> Response:
    """Void a record entered by mistake; back to its session."""
    run_id, session_n = form.get("run_id"), form.get("session_n")
    here = (
        _here(run_id, int(session_n))
        if _ID.match(run_id) and session_n.isdigit()
        else "/provider/dashboard"
    )

    async def act() -> Response:
        try:
            await attendance.void(actor=actor, record_id=record_id)
        except (Conflict, ValidationFailed):
            return back_to_form(here, [PageError(f"void-{record_id}", t(request, CHANGED))], {})
        except Forbidden:
            return back_to_form(here, [PageError(f"void-{record_id}", t(request, SUSPENDED))], {})
        return see_other(f"{here}?notice=voided")

    return await once(request, form, actor.principal_id, act)

"""The worker's pages about their training, vouchers and apprenticeships.

* ``/my/training``: their classes (applications and enrolments) and one class in full, with
  each session's attendance; answering a record of their presence (yes: confirm, no: reject)
  and withdrawing an application.
* ``/my/vouchers``: each voucher's value, end, state and why they got it; allowing (or no
  longer allowing) a provider training them to use it; the classes it pays for.
* ``/my/apprenticeships``: the agreement, its parties, mentors, dates, state and history;
  confirming it once approved.

Each page calls the service its JSON route calls; another worker's object is "not found".
A post that the service refuses goes back to its page with the reason in words.
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
from api.web.routes.catalogue import search_link
from api.web.routing import page_router
from api.web.templating import language_of, render, t
from api.web.training_words import page_words
from portfolio.apprenticeships import agreements
from portfolio.apprenticeships import reading as apprenticeship_reading
from portfolio.errors import Conflict
from portfolio.paging import PageRequest
from portfolio.training import applications, attendance, mine
from portfolio.vouchers import reading as voucher_reading
from portfolio.vouchers import transitions

router = page_router()

PAGE_SIZE = 20
# A worker holds a handful of vouchers in a working life: one page shows them all.
VOUCHERS_SHOWN = 100
NOTICES = {
    "applied": N_(
        "You have applied. The provider will accept or refuse your application; this page "
        "will say which."
    ),
    "withdrawn": N_("You have withdrawn your application."),
    "confirmed": N_("Thank you: you confirmed you were there. The hours count now."),
    "checked-in": N_("You have checked in. The session's hours count now."),
    "rejected": N_("You said you were not there: the record will not count."),
    "allowed": N_("A provider training you may now use this voucher for your class."),
    "disallowed": N_("Providers may no longer use this voucher for you."),
    "agreement-confirmed": N_("You have confirmed the agreement. Your employer can start it."),
}
STALE = N_("This was already done, or changed meanwhile. The page shows how it stands now.")


def _notice(request: Request, notice: str) -> str | None:
    message = NOTICES.get(notice)
    return t(request, message) if message else None


def _changed(request: Request, location: str, field: str) -> Response:
    """Back to the page: the service said the object changed meanwhile (or it was done)."""
    return back_to_form(location, [PageError(field, t(request, STALE))], {})


async def _page(request: Request, template: str, context: dict[str, object]) -> Response:
    state = form_state(request)
    response = await render(
        request,
        template,
        {**page_words(request), "errors": state.errors, **context},
    )
    forget_form_state(request, response)
    return response


# --- classes and attendance -----------------------------------------------------------------


@router.get("/my/training")
async def my_training(
    request: Request, actor: WorkerPage, cursor: str = "", notice: str = ""
) -> Response:
    """The worker's classes, newest first: applications and enrolments, hours, what awaits."""
    found = await mine.list_my_classes(
        actor=actor, page=PageRequest(limit=PAGE_SIZE, cursor=cursor or None)
    )
    next_url = f"/my/training?cursor={found.next_cursor}" if found.next_cursor else None
    return await _page(
        request,
        "training/my_classes.html",
        {"classes": found.items, "next_url": next_url, "notice": _notice(request, notice)},
    )


@router.get("/my/training/{enrolment_id}", name="worker_enrolment")
async def my_class(
    request: Request, enrolment_id: str, actor: WorkerPage, notice: str = ""
) -> Response:
    """One class: its state, sessions and attendance, the records to answer, withdrawing."""
    found = await mine.my_class(actor=actor, enrolment_id=enrolment_id)
    return await _page(
        request,
        "training/my_class.html",
        {"found": found, "notice": _notice(request, notice)},
    )


@router.post("/my/training/{enrolment_id}/withdraw")
async def withdraw_application(
    request: Request, enrolment_id: str, actor: WorkerPage, form: SessionForm
) -> Response:
    """Take the application back (before training starts)."""
    here = f"/my/training/{enrolment_id}"

    async def act() -> Response:
        try:
            await applications.withdraw(actor=actor, enrolment_id=enrolment_id)
        except Conflict:
            return _changed(request, here, "withdraw")
        return see_other(f"{here}?notice=withdrawn")

    return await once(request, form, actor.principal_id, act)


@router.post("/my/training/{enrolment_id}/attendance/{record_id}")
async def answer_attendance(
    request: Request, enrolment_id: str, record_id: str, actor: WorkerPage, form: SessionForm
) -> Response:
    """The worker's answer to "were you there?": yes confirms the record (its hours count),
    no rejects it (it never counts)."""
    here = f"/my/training/{enrolment_id}"
    answer = form.get("answer")
    if answer not in ("confirm", "reject"):
        message = t(request, N_("Answer yes or no"))
        return back_to_form(here, [PageError(f"record-{record_id}", message)], {})

    async def act() -> Response:
        try:
            if answer == "confirm":
                await attendance.confirm(actor=actor, record_id=record_id)
            else:
                await attendance.reject(actor=actor, record_id=record_id)
        except Conflict:
            return _changed(request, here, f"record-{record_id}")
        done = "confirmed" if answer == "confirm" else "rejected"
        return see_other(f"{here}?notice={done}")

    return await once(request, form, actor.principal_id, act)


# --- vouchers -------------------------------------------------------------------------------


@router.get("/my/vouchers")
async def my_vouchers(request: Request, actor: WorkerPage, notice: str = "") -> Response:
    """The worker's vouchers, newest first: value, end, state."""
    found = await voucher_reading.list_for_worker(
        actor=actor, status=None, after=None, limit=VOUCHERS_SHOWN
    )
    return await _page(
        request,
        "training/my_vouchers.html",
        {"vouchers": found.items, "notice": _notice(request, notice)},
    )


@router.get("/my/vouchers/{voucher_id}")
async def my_voucher(
    request: Request, voucher_id: str, actor: WorkerPage, notice: str = ""
) -> Response:
    """One voucher: value, end, state, why the worker got it, what it pays for, consent."""
    found = await voucher_reading.get_voucher(actor=actor, voucher_id=voucher_id)
    return await _page(
        request,
        "training/my_voucher.html",
        {
            "voucher": found,
            "chinese": language_of(request).code == "zh_Hans",
            "classes_url": search_link(voucher=found.id),
            "notice": _notice(request, notice),
        },
    )


@router.post("/my/vouchers/{voucher_id}/consent")
async def voucher_consent(
    request: Request, voucher_id: str, actor: WorkerPage, form: SessionForm
) -> Response:
    """Allow, or no longer allow, a provider training the worker to use the voucher."""
    here = f"/my/vouchers/{voucher_id}"
    allow = form.get("allow")
    if allow not in ("yes", "no"):
        return back_to_form(here, [PageError("consent", t(request, N_("Answer yes or no")))], {})

    async def act() -> Response:
        try:
            await transitions.consent(
                actor=actor, voucher_id=voucher_id, provider_may_bind=allow == "yes"
            )
        except Conflict:
            return _changed(request, here, "consent")
        return see_other(f"{here}?notice={'allowed' if allow == 'yes' else 'disallowed'}")

    return await once(request, form, actor.principal_id, act)


# --- apprenticeships ------------------------------------------------------------------------


@router.get("/my/apprenticeships")
async def my_apprenticeships(request: Request, actor: WorkerPage) -> Response:
    """The worker's apprenticeship agreements, newest first."""
    found = await apprenticeship_reading.list_for_worker(actor=actor, after=None, limit=PAGE_SIZE)
    return await _page(request, "training/my_apprenticeships.html", {"agreements": found.items})


@router.get("/my/apprenticeships/{apprenticeship_id}")
async def my_apprenticeship(
    request: Request, apprenticeship_id: str, actor: WorkerPage, notice: str = ""
) -> Response:
    """One agreement: parties, mentors, dates, state and history; confirming it."""
    found = await apprenticeship_reading.detail(actor=actor, apprenticeship_id=apprenticeship_id)
    return await _page(
        request,
        "training/my_apprenticeship.html",
        {"agreement": found, "notice": _notice(request, notice)},
    )


@router.post("/my/apprenticeships/{apprenticeship_id}/confirm")
async def confirm_apprenticeship(
    request: Request, apprenticeship_id: str, actor: WorkerPage, form: SessionForm
) -> Response:
    """The apprentice confirms the agreement the employer, institution and agency approved."""
    here = f"/my/apprenticeships/{apprenticeship_id}"

    async def act() -> Response:
        try:
            await agreements.confirm(actor=actor, apprenticeship_id=apprenticeship_id)
        except Conflict:
            return _changed(request, here, "confirm")
        return see_other(f"{here}?notice=agreement-confirmed")

    return await once(request, form, actor.principal_id, act)

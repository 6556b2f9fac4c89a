"""The agency's apprenticeship approvals: the drafts of its region's employers
(``/agency/apprenticeships``), each with the parties' rules checked now (the employment
registration and labour contract with the employer above all), its change requests with
their answers and its history (``/agency/apprenticeships/{id}``); approve it, or send it
back to the parties with the change it needs.

The same services as ``GET /apprenticeships?status=draft``, ``GET /apprenticeships/{id}``
and ``POST /apprenticeships/{id}/approve`` (``reading``, ``agreements.approve``), and
``review`` for the rule check and sending back: the same reach (another region's agreement
is "not found"), each decision one conditional update (a colleague's decision a moment
earlier wins, and this page says so).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage
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
from portfolio import ids
from portfolio.apprenticeships import agreements, reading, review
from portfolio.apprenticeships.enums import ApprenticeshipStatus
from portfolio.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed

router = page_router()
LIST = "/agency/apprenticeships"
PAGE_SIZE = 50

NOTICES = {
    "approved": N_("The agreement is approved: the apprentice is asked to confirm it."),
    "sent_back": N_("The agreement went back to the employer and the institution with your words."),
}
_DECIDED = N_("Another officer decided this agreement a moment ago: nothing was done.")
_PARTIES_FIRST = N_("The employer and the training institution approve before the agency.")
_NOT_YOURS = N_("Only the agency of the employer's region approves this agreement.")
_RULES = N_("The agreement breaks a rule today: see the check below. Send it back instead.")
_CHANGE = N_("Say what must change, in at most 500 characters")
RULES = {
    "no_employment": N_("No active employment registration with the employer"),
    "no_labour_contract": N_("No labour contract of at least a year with the employer"),
    "apprenticeship_overlap": N_("The worker already has an active or paused apprenticeship"),
    "employer_not_active": N_("The employer is suspended"),
    "institution_not_active": N_("The training institution is suspended"),
}

CHANGE_STATES = {
    "pending": N_("Waiting for the other party's answer"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
    "lapsed": N_("Lapsed unanswered"),
}
CHANGE_FIELDS = {
    "planned_start": N_("First day"),
    "planned_end": N_("Last day"),
    "extension_reason": N_("Why it is longer than two years"),
    "enterprise_hours": N_("Hours on the job"),
    "institution_hours": N_("Hours at the institution"),
    "enterprise_mentor_id": N_("Mentor at work"),
    "school_mentor_id": N_("Mentor at the institution"),
}


def _agreement(apprenticeship_id: str) -> str:
    return f"{LIST}/{apprenticeship_id}"


@router.get("/agency/apprenticeships")
async def approvals(request: Request, actor: AgencyPage, cursor: str = "") -> Response:
    """The drafts within reach, oldest first: ready for the agency once both parties approved."""
    after = ids.parse_or_none(cursor) if cursor else None
    found = await reading.list_visible(
        actor=actor, after=after, limit=PAGE_SIZE, status=ApprenticeshipStatus.DRAFT
    )
    next_url = f"{LIST}?{urlencode({'cursor': found.next_cursor})}" if found.next_cursor else None
    return await render(
        request,
        "agency/apprenticeships/list.html",
        {**page_words(request), "found": found.items, "next_url": next_url},
    )


@router.get("/agency/apprenticeships/{apprenticeship_id}")
async def agreement_page(
    request: Request, actor: AgencyPage, apprenticeship_id: str, notice: str = ""
) -> Response:
    """One agreement: parties, plan, approvals, the rules checked now, changes and history."""
    found = await reading.detail(actor=actor, apprenticeship_id=apprenticeship_id)
    broken = await review.rule_check(actor=actor, apprenticeship_id=apprenticeship_id)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/apprenticeships/agreement.html",
        {
            **page_words(request),
            "agreement": found,
            "broken": broken,
            "rule_words": {k: t(request, v) for k, v in RULES.items()},
            "change_states": {k: t(request, v) for k, v in CHANGE_STATES.items()},
            "change_fields": {k: t(request, v) for k, v in CHANGE_FIELDS.items()},
            "notice": t(request, message) if message else None,
            "errors": state.errors,
            "error_of": state.error_of,
            "values": state.values,
        },
    )
    forget_form_state(request, response)
    return response


def _refused(request: Request, problem: Exception) -> str:
    if isinstance(problem, InvalidTransition) and problem.extra.get("awaiting"):
        return t(request, _PARTIES_FIRST)
    if isinstance(problem, Forbidden):
        return t(request, _NOT_YOURS)
    if isinstance(problem, ValidationFailed):
        return t(request, _RULES)
    detail = getattr(problem, "detail", "")
    return f"{t(request, _DECIDED)} ({detail})"


@router.post("/agency/apprenticeships/{apprenticeship_id}/approve")
async def approve(
    request: Request, actor: AgencyPage, apprenticeship_id: str, form: SessionForm
) -> Response:
    """The agency's approval: the rules are checked again, then the agreement is approved."""
    here = _agreement(apprenticeship_id)

    async def act() -> Response:
        try:
            await agreements.approve(actor=actor, apprenticeship_id=apprenticeship_id)
        except (Conflict, Forbidden, ValidationFailed) as refused:
            return back_to_form(here, [PageError("decision", _refused(request, refused))], {})
        return see_other(f"{here}?notice=approved")

    return await once(request, form, actor.principal_id, act)


@router.post("/agency/apprenticeships/{apprenticeship_id}/send-back")
async def send_back(
    request: Request, actor: AgencyPage, apprenticeship_id: str, form: SessionForm
) -> Response:
    """Send the draft back to its parties with the change it needs."""
    here = _agreement(apprenticeship_id)
    needed = form.get("change_needed")
    kept = {"change_needed": needed}
    if not needed or len(needed) > review.MAX_CHANGE:
        return back_to_form(here, [PageError("change_needed", t(request, _CHANGE))], kept)

    async def act() -> Response:
        try:
            await review.send_back(
                actor=actor, apprenticeship_id=apprenticeship_id, change_needed=needed
            )
        except (Conflict, Forbidden) as refused:
            return back_to_form(here, [PageError("decision", _refused(request, refused))], {})
        return see_other(f"{here}?notice=sent_back")

    return await once(request, form, actor.principal_id, act)

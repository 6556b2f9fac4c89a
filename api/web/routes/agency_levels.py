"""The agency's hub of the plan's ways to a skill level (技能等级评价).

* ``/agency/levels``: direct recognitions waiting for the agency's decision, the region's
  accreditations, the special-ability norms, and the forms to accredit an organisation and
  (a province-level agency) to publish a norm; a link to the "new levels by road" report;
* ``/agency/levels/accreditations/{id}``: one accreditation, and the form suspending or
  reinstating it with a reason;
* ``/agency/levels/recognitions/{id}``: one proposal with its evidence, and the form
  confirming (the certificate is issued) or refusing it with a reason.

Every write goes through the same use cases as the API (one conditional update each); the
forms are the agency officer's (other agency staff read).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from api.deps import AgencyPage, require_page_roles
from api.web.formatting import level
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
from api.web.people_words import ORG_KINDS, options
from api.web.routing import page_router
from api.web.templating import language_of, render, t
from api.web.training_words import page_words
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.errors import Conflict, DomainError, ValidationFailed
from portfolio.paging import PageRequest
from portfolio.recognition import accreditations, direct, norms
from portfolio.recognition.enums import (
    AccreditationKind,
    AccreditationStatus,
    RecognitionStatus,
)
from portfolio.recognition.views import NewAccreditation
from portfolio.training import organisations
from portfolio.vocabulary import SkillLevel

router = page_router()
HOME = "/agency/levels"
OfficerPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
SHOWN = 100
NOTICES = {
    "accredited": N_("The organisation is accredited."),
    "published": N_("The norm is published."),
    "suspended": N_("The accreditation is suspended: no assessment is recorded under it."),
    "active": N_("The accreditation is active again."),
    "confirmed": N_("The recognition is confirmed and its certificate issued."),
    "refused": N_("The recognition is refused."),
}
CHANGED = N_("A colleague changed this a moment ago: nothing was done.")
REASON = N_("Give the reason (up to 500 characters)")
LEVELS: list[SkillLevel] = [lv for lv in SkillLevel if lv is not SkillLevel.APPRENTICE]
_SPLIT = re.compile(r"[\s,，;；]+")


def _codes(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _field_errors(failed: ValidationFailed) -> list[PageError]:
    # The domain's English message names the rule; the page shows it beside its field.
    fields = {"levels": "low", "organisation_id": "organisation_id"}
    return [PageError(fields.get(e.field, e.field), e.message) for e in failed.errors]


@router.get(HOME)
async def hub(request: Request, actor: AgencyPage, notice: str = "") -> Response:
    """What waits for the agency, what it accredited, the norms, and the forms."""
    waiting = await direct.list_visible(actor=actor, status=RecognitionStatus.PROPOSED)
    found = await accreditations.list_visible(actor=actor, page=PageRequest(limit=SHOWN))
    orgs = await organisations.list_visible(actor=actor, page=PageRequest(limit=SHOWN))
    language = language_of(request)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/levels/hub.html",
        {
            **page_words(request),
            "waiting": waiting,
            "accreditations": found.items,
            "norms": await norms.list_all(),
            "org_options": [(o.id, o.name) for o in orgs.items],
            "kind_options": [
                (k.value, t(request, w))
                for k, w in (
                    (AccreditationKind.ASSESSMENT_BODY, N_("Assessment body")),
                    (AccreditationKind.ENTERPRISE, N_("Enterprise self-assessment")),
                )
            ],
            "kinds": dict(options(request, ORG_KINDS)),
            "level_options": [(lv.value, level(lv, language)) for lv in LEVELS],
            "province": actor.region_prefix is not None and len(actor.region_prefix) == 2,
            "officer": actor.staff_role is StaffRole.OFFICER,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            "notice": t(request, message) if message else None,
        },
    )
    forget_form_state(request, response)
    return response


def _levels_between(low: str, high: str) -> list[SkillLevel] | None:
    values = [lv.value for lv in LEVELS]
    if low not in values or high not in values or values.index(low) > values.index(high):
        return None
    return LEVELS[values.index(low) : values.index(high) + 1]


@router.post(HOME + "/accreditations")
async def accredit(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """Accredit an organisation of the region (the form on the hub)."""
    kept = {k: form.get(k) for k in ("organisation_id", "kind", "occupation_codes", "norm_codes")}
    kept |= {k: form.get(k) for k in ("low", "high", "valid_from", "valid_until")}

    async def act() -> Response:
        errors: list[PageError] = []
        levels = _levels_between(form.get("low"), form.get("high"))
        if levels is None:
            errors.append(PageError("low", t(request, N_("Choose the lowest and highest level"))))
        start, end = _day(form.get("valid_from")), _day(form.get("valid_until"))
        for name, day in (("valid_from", start), ("valid_until", end)):
            if day is None:
                errors.append(PageError(name, t(request, N_("Enter a date as 2026-01-31"))))
        kind = form.get("kind")
        if kind not in AccreditationKind._value2member_map_:
            errors.append(PageError("kind", t(request, N_("Choose what it is accredited as"))))
        if errors or levels is None or start is None or end is None:
            return back_to_form(HOME, errors, kept)
        try:
            await accreditations.accredit(
                actor=actor,
                asked=NewAccreditation(
                    organisation_id=form.get("organisation_id"),
                    kind=AccreditationKind(kind),
                    occupation_codes=_codes(form.get("occupation_codes")),
                    levels=levels,
                    norm_codes=[c.upper() for c in _codes(form.get("norm_codes"))],
                    valid_from=start,
                    valid_until=end,
                ),
            )
        except ValidationFailed as failed:
            return back_to_form(HOME, _field_errors(failed), kept)
        return see_other(f"{HOME}?notice=accredited")

    return await once(request, form, actor.principal_id, act)


@router.post(HOME + "/norms")
async def publish_norm(request: Request, actor: OfficerPage, form: SessionForm) -> Response:
    """Publish a special-ability norm (a province-level agency)."""
    kept = {k: form.get(k) for k in ("code", "title", "occupation_code")}

    async def act() -> Response:
        try:
            await norms.publish(
                actor=actor,
                code=form.get("code"),
                title=form.get("title"),
                occupation_code=form.get("occupation_code"),
            )
        except ValidationFailed as failed:
            return back_to_form(HOME, _field_errors(failed), kept)
        except DomainError as refused:
            return back_to_form(HOME, [PageError("code", str(refused))], kept)
        return see_other(f"{HOME}?notice=published")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/accreditations/{accreditation_id}")
async def accreditation(
    request: Request, actor: AgencyPage, accreditation_id: str, notice: str = ""
) -> Response:
    """One accreditation, and the form suspending or reinstating it."""
    found = await accreditations.get_visible(actor=actor, accreditation_id=accreditation_id)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/levels/accreditation.html",
        {
            **page_words(request),
            "item": found,
            "language": language_of(request),
            "officer": actor.staff_role is StaffRole.OFFICER,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            "notice": t(request, message) if message else None,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(HOME + "/accreditations/{accreditation_id}")
async def move_accreditation(
    request: Request, actor: OfficerPage, accreditation_id: str, form: SessionForm
) -> Response:
    """Suspend or reinstate, with the reason (one conditional update)."""
    here = f"{HOME}/accreditations/{accreditation_id}"
    status = form.get("status")

    async def act() -> Response:
        if status not in ("suspended", "active"):
            return see_other(here)
        try:
            await accreditations.set_status(
                actor=actor,
                accreditation_id=accreditation_id,
                status=AccreditationStatus(status),
                reason=form.get("reason"),
            )
        except ValidationFailed:
            return back_to_form(here, [PageError("reason", t(request, REASON))], {})
        except Conflict:
            return back_to_form(here, [PageError("reason", t(request, CHANGED))], {})
        return see_other(f"{here}?notice={status}")

    return await once(request, form, actor.principal_id, act)


@router.get(HOME + "/recognitions/{recognition_id}")
async def recognition(
    request: Request, actor: AgencyPage, recognition_id: str, notice: str = ""
) -> Response:
    """One proposal: the worker, the level, the evidence; the decision form."""
    found = await direct.get_visible(actor=actor, recognition_id=recognition_id)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "agency/levels/recognition.html",
        {
            **page_words(request),
            "item": found,
            "officer": actor.staff_role is StaffRole.OFFICER,
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            "notice": t(request, message) if message else None,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(HOME + "/recognitions/{recognition_id}")
async def decide(
    request: Request, actor: OfficerPage, recognition_id: str, form: SessionForm
) -> Response:
    """Confirm (the certificate is issued) or refuse, with the reason."""
    here = f"{HOME}/recognitions/{recognition_id}"
    decision = form.get("decision")

    async def act() -> Response:
        if decision not in ("confirmed", "refused"):
            return see_other(here)
        try:
            await direct.decide(
                actor=actor,
                recognition_id=recognition_id,
                confirm=decision == "confirmed",
                reason=form.get("reason"),
            )
        except ValidationFailed:
            return back_to_form(here, [PageError("reason", t(request, REASON))], {})
        except Conflict:
            return back_to_form(here, [PageError("reason", t(request, CHANGED))], {})
        return see_other(f"{here}?notice={decision}")

    return await once(request, form, actor.principal_id, act)

"""The provider console's skill assessment pages, for an organisation the agency accredited.

* ``/provider/levels``: the organisation's accreditations (what it may assess, until when, in
  what state), the form recording an assessment (a pass issues the certificate, with the
  assessment as evidence), its latest assessments and its direct recognitions;
* ``/provider/levels/propose``: an enterprise proposes an outstanding front-line worker for
  direct recognition, with the evidence; the agency decides.

The worker is named by ID number and name together: any mismatch answers alike. Outside the
accreditation (occupation, level, norm, period, suspended) the form says which rule, and
nothing is written.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from api.deps import ProviderPage
from api.runtime import get_runtime
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
from api.web.routing import page_router
from api.web.templating import language_of, render, t
from api.web.training_words import page_words
from portfolio.archives import WorkerRef
from portfolio.errors import DomainError, ValidationFailed
from portfolio.identity.identifiers import IdType
from portfolio.paging import PageRequest
from portfolio.recognition import accreditations, assessments, direct
from portfolio.recognition.assessments import NewAssessment
from portfolio.recognition.direct import Proposal
from portfolio.recognition.enums import AccreditationKind
from portfolio.recognition.rules import DIRECT_LEVELS
from portfolio.vocabulary import SkillLevel

router = page_router()
HOME = "/provider/levels"
PROPOSE = HOME + "/propose"
NOTICES = {
    "passed": N_("The assessment is recorded and its certificate issued."),
    "failed": N_("The assessment is recorded."),
    "proposed": N_("The recognition is proposed: the agency decides."),
}
_ASSESSMENT_FIELDS = (
    "accreditation_id",
    "id_number",
    "name",
    "occupation_code",
    "level",
    "norm_code",
    "passed",
    "score",
    "assessed_on",
    "assessors",
    "certificate_number",
)
_PROPOSAL_FIELDS = (
    "accreditation_id",
    "id_number",
    "name",
    "occupation_code",
    "level",
    "performance",
    "posts",
    "achievements",
    "certificate_number",
)


def _errors(failed: DomainError) -> list[PageError]:
    if isinstance(failed, ValidationFailed):
        fields = {"worker": "id_number", "id_type": "id_number"}
        return [PageError(fields.get(e.field, e.field), e.message) for e in failed.errors]
    return [PageError("accreditation_id", str(failed))]


@router.get(HOME)
async def levels_page(request: Request, actor: ProviderPage, notice: str = "") -> Response:
    """The organisation's accreditations, the assessment form and what it recorded."""
    held = (await accreditations.list_visible(actor=actor, page=PageRequest(limit=100))).items
    language = language_of(request)
    state = form_state(request)
    message = NOTICES.get(notice)
    response = await render(
        request,
        "provider/levels.html",
        {
            **page_words(request),
            "section": "levels",
            "held": held,
            "accreditation_options": [
                (a.id, f"{a.organisation_name} · {', '.join(a.occupation_codes + a.norm_codes)}")
                for a in held
            ],
            "enterprise": any(a.kind is AccreditationKind.ENTERPRISE for a in held),
            "level_options": [
                (lv.value, level(lv, language))
                for lv in SkillLevel
                if lv is not SkillLevel.APPRENTICE
            ],
            "assessments": await assessments.list_own(actor=actor, limit=50),
            "recognitions": await direct.list_visible(actor=actor, limit=50),
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
            "notice": t(request, message) if message else None,
        },
    )
    forget_form_state(request, response)
    return response


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.post(HOME)
async def record_assessment(request: Request, actor: ProviderPage, form: SessionForm) -> Response:
    """Record one assessment; a pass issues the certificate."""
    kept = {k: form.get(k) for k in _ASSESSMENT_FIELDS}

    async def act() -> Response:
        day = _day(form.get("assessed_on"))
        score = form.get("score")
        errors: list[PageError] = []
        if day is None:
            errors.append(PageError("assessed_on", t(request, N_("Enter a date as 2026-01-31"))))
        if score and not score.isdigit():
            errors.append(PageError("score", t(request, N_("Enter a score from 0 to 100"))))
        chosen = form.get("level")
        if chosen and chosen not in SkillLevel._value2member_map_:
            errors.append(PageError("level", t(request, N_("Choose one of the levels"))))
        if errors or day is None:
            return back_to_form(HOME, errors, kept)
        passed = form.get("passed") == "yes"
        try:
            await assessments.record(
                actor=actor,
                keyring=get_runtime(request).keyring,
                asked=NewAssessment(
                    accreditation_id=form.get("accreditation_id"),
                    worker=WorkerRef(IdType.RESIDENT_ID, form.get("id_number"), form.get("name")),
                    occupation_code=form.get("occupation_code"),
                    level=SkillLevel(chosen) if chosen else None,
                    norm_code=form.get("norm_code").upper(),
                    passed=passed,
                    score=int(score) if score else None,
                    assessed_on=day,
                    assessors=form.get("assessors"),
                    certificate_number=form.get("certificate_number"),
                ),
            )
        except (ValidationFailed, DomainError) as failed:
            return back_to_form(HOME, _errors(failed), kept)
        return see_other(f"{HOME}?notice={'passed' if passed else 'failed'}")

    return await once(request, form, actor.principal_id, act)


@router.get(PROPOSE)
async def propose_page(request: Request, actor: ProviderPage) -> Response:
    """The enterprise's proposal form (its enterprise accreditations to choose from)."""
    held = (await accreditations.list_visible(actor=actor, page=PageRequest(limit=100))).items
    language = language_of(request)
    state = form_state(request)
    response = await render(
        request,
        "provider/levels_propose.html",
        {
            **page_words(request),
            "section": "levels",
            "accreditation_options": [
                (a.id, f"{a.organisation_name} · {', '.join(a.occupation_codes)}")
                for a in held
                if a.kind is AccreditationKind.ENTERPRISE
            ],
            "level_options": [
                (lv.value, level(lv, language)) for lv in SkillLevel if lv in DIRECT_LEVELS
            ],
            "errors": state.errors,
            "error_of": state.error_of,
            "value": state.value,
        },
    )
    forget_form_state(request, response)
    return response


@router.post(PROPOSE)
async def propose(request: Request, actor: ProviderPage, form: SessionForm) -> Response:
    """Propose a front-line worker for direct recognition."""
    kept = {k: form.get(k) for k in _PROPOSAL_FIELDS}

    async def act() -> Response:
        chosen = form.get("level")
        if chosen not in SkillLevel._value2member_map_:
            errors = [PageError("level", t(request, N_("Choose one of the levels")))]
            return back_to_form(PROPOSE, errors, kept)
        try:
            await direct.propose(
                actor=actor,
                keyring=get_runtime(request).keyring,
                proposal=Proposal(
                    accreditation_id=form.get("accreditation_id"),
                    worker=WorkerRef(IdType.RESIDENT_ID, form.get("id_number"), form.get("name")),
                    occupation_code=form.get("occupation_code"),
                    level=SkillLevel(chosen),
                    performance=form.get("performance"),
                    posts=form.get("posts"),
                    achievements=form.get("achievements"),
                    certificate_number=form.get("certificate_number"),
                ),
            )
        except (ValidationFailed, DomainError) as failed:
            return back_to_form(PROPOSE, _errors(failed), kept)
        return see_other(f"{HOME}?notice=proposed")

    return await once(request, form, actor.principal_id, act)

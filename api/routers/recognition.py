"""The plan's other roads to a skill level (四.(一).3-4): accreditations of assessment bodies
and enterprises, special vocational ability norms, assessments and direct recognitions.

Certificates these roads issue are ordinary certificates with a road: checked, corrected and
voided through the certificate routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import CurrentPrincipal, Idempotent, ProviderUser, require_roles
from api.paging import Paged
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.recognition import accreditations, assessments, direct, norms
from portfolio.recognition.enums import AccreditationStatus, RecognitionStatus
from schemas.common import Page
from schemas.recognition import (
    AccreditationIn,
    AccreditationOut,
    AssessmentIn,
    AssessmentOut,
    DecisionIn,
    NormIn,
    NormOut,
    RecognitionIn,
    RecognitionOut,
    StatusReasonIn,
)

router = APIRouter(tags=["ways to a skill level"])

Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
Party = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]
OUTSIDE: Responses = {
    422: {"description": "Bad input, or outside the accreditation (field and rule)"}
}


@router.post(
    "/accreditations",
    status_code=201,
    summary="Accredit an organisation to assess",
    response_model=AccreditationOut,
    responses=WRITE_ERRORS,
)
async def accredit(body: AccreditationIn, actor: Officer, idem: Idempotent) -> Response:
    """An agency accredits an organisation of its region as an assessment body (评价机构) or
    for enterprise self-assessment, for occupations and levels and / or special-ability
    norms, from one day to another."""

    async def act() -> AccreditationOut:
        made = await accreditations.accredit(actor=actor, asked=body.to_domain())
        return AccreditationOut.from_view(made)

    return await idem.run(act, status_code=201)


@router.get("/accreditations", summary="Accreditations within your reach", responses=AUTH_ERRORS)
async def list_accreditations(actor: Party, page: Paged) -> Page[AccreditationOut]:
    """An agency's region's accreditations, or a provider's own."""
    found = await accreditations.list_visible(actor=actor, page=page)
    return Page[AccreditationOut].from_view(found)


@router.get(
    "/accreditations/{accreditation_id}", summary="One accreditation", responses=READ_ERRORS
)
async def get_accreditation(accreditation_id: str, actor: Party) -> AccreditationOut:
    """An accreditation with its standing today."""
    found = await accreditations.get_visible(actor=actor, accreditation_id=accreditation_id)
    return AccreditationOut.from_view(found)


async def _move(
    actor: Actor, accreditation_id: str, status: AccreditationStatus, reason: str
) -> AccreditationOut:
    moved = await accreditations.set_status(
        actor=actor, accreditation_id=accreditation_id, status=status, reason=reason
    )
    return AccreditationOut.from_view(moved)


@router.post(
    "/accreditations/{accreditation_id}/suspend",
    summary="Suspend an accreditation",
    response_model=AccreditationOut,
    responses=WRITE_ERRORS,
)
async def suspend_accreditation(
    accreditation_id: str, body: StatusReasonIn, actor: Officer, idem: Idempotent
) -> Response:
    """No assessment is recorded under it until reinstated; 409 if suspended already."""

    async def act() -> AccreditationOut:
        return await _move(actor, accreditation_id, AccreditationStatus.SUSPENDED, body.reason)

    return await idem.run(act)


@router.post(
    "/accreditations/{accreditation_id}/reinstate",
    summary="Reinstate a suspended accreditation",
    response_model=AccreditationOut,
    responses=WRITE_ERRORS,
)
async def reinstate_accreditation(
    accreditation_id: str, body: StatusReasonIn, actor: Officer, idem: Idempotent
) -> Response:
    """Active again (within its period); 409 if it is not suspended."""

    async def act() -> AccreditationOut:
        return await _move(actor, accreditation_id, AccreditationStatus.ACTIVE, body.reason)

    return await idem.run(act)


@router.post(
    "/ability-norms",
    status_code=201,
    summary="Publish a special vocational ability norm",
    response_model=NormOut,
    responses=WRITE_ERRORS,
)
async def publish_norm(body: NormIn, actor: Officer, idem: Idempotent) -> Response:
    """The province-level agency publishes a norm (专项职业能力考核规范) under a new code;
    409 if the code is taken."""

    async def act() -> NormOut:
        made = await norms.publish(
            actor=actor, code=body.code, title=body.title, occupation_code=body.occupation_code
        )
        return NormOut.from_view(made)

    return await idem.run(act, status_code=201)


@router.get("/ability-norms", summary="Special vocational ability norms", responses=AUTH_ERRORS)
async def list_norms(actor: CurrentPrincipal) -> list[NormOut]:
    """Every norm, published or withdrawn, by code."""
    return [NormOut.from_view(n) for n in await norms.list_all()]


@router.post(
    "/ability-norms/{code}/withdraw",
    summary="Withdraw a norm",
    response_model=NormOut,
    responses=WRITE_ERRORS,
)
async def withdraw_norm(
    code: str, body: StatusReasonIn, actor: Officer, idem: Idempotent
) -> Response:
    """No new certificate is issued against it; those issued stay valid."""

    async def act() -> NormOut:
        return NormOut.from_view(await norms.withdraw(actor=actor, code=code, reason=body.reason))

    return await idem.run(act)


@router.post(
    "/assessments",
    status_code=201,
    summary="Record an assessment under your accreditation",
    response_model=AssessmentOut,
    responses={**WRITE_ERRORS, **OUTSIDE},
)
async def record_assessment(
    body: AssessmentIn, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """The worker by ID number and name (any mismatch: one and the same error); a pass issues
    the certificate with the assessment as evidence. Outside the accreditation (occupation,
    level, norm, period, suspended): 422 naming the rule."""

    async def act() -> AssessmentOut:
        done = await assessments.record(
            actor=actor, keyring=runtime.keyring, asked=body.to_assessment()
        )
        return AssessmentOut.from_view(done)

    return await idem.run(act, status_code=201)


@router.get("/assessments", summary="Your organisation's assessments", responses=AUTH_ERRORS)
async def list_assessments(actor: ProviderUser) -> list[AssessmentOut]:
    """The latest assessments your organisation recorded, newest first."""
    return [AssessmentOut.from_view(a) for a in await assessments.list_own(actor=actor)]


@router.post(
    "/direct-recognitions",
    status_code=201,
    summary="Propose a front-line worker for direct recognition",
    response_model=RecognitionOut,
    responses={**WRITE_ERRORS, **OUTSIDE},
)
async def propose_recognition(
    body: RecognitionIn, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """An accredited enterprise proposes 高级工, 技师 or 高级技师 with the evidence
    (performance, posts, achievements); the agency decides."""

    async def act() -> RecognitionOut:
        made = await direct.propose(
            actor=actor, keyring=runtime.keyring, proposal=body.to_proposal()
        )
        return RecognitionOut.from_view(made)

    return await idem.run(act, status_code=201)


@router.get(
    "/direct-recognitions", summary="Direct recognitions within reach", responses=AUTH_ERRORS
)
async def list_recognitions(
    actor: Party, status: RecognitionStatus | None = None
) -> list[RecognitionOut]:
    """An agency's region's, or an enterprise's own, newest first."""
    found = await direct.list_visible(actor=actor, status=status)
    return [RecognitionOut.from_view(r) for r in found]


@router.get(
    "/direct-recognitions/{recognition_id}", summary="One direct recognition", responses=READ_ERRORS
)
async def get_recognition(recognition_id: str, actor: Party) -> RecognitionOut:
    """A direct recognition with its evidence and decision."""
    found = await direct.get_visible(actor=actor, recognition_id=recognition_id)
    return RecognitionOut.from_view(found)


@router.post(
    "/direct-recognitions/{recognition_id}/decision",
    summary="Confirm or refuse a direct recognition",
    response_model=RecognitionOut,
    responses=WRITE_ERRORS,
)
async def decide_recognition(
    recognition_id: str, body: DecisionIn, actor: Officer, idem: Idempotent
) -> Response:
    """Confirming issues the certificate (road direct_recognition); 409 once decided."""

    async def act() -> RecognitionOut:
        decided = await direct.decide(
            actor=actor, recognition_id=recognition_id, confirm=body.confirm, reason=body.reason
        )
        return RecognitionOut.from_view(decided)

    return await idem.run(act)

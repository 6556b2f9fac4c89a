"""Completions of training and the certificates that follow them (and their public check)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.bulk import openapi_body, parse_bulk
from api.deps import Idempotent, ProviderUser
from api.paging import Paged
from api.responses import AUTH_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.record import links
from portfolio.training import certificates, completions, rosters
from portfolio.training.enums import CertificateStatus, CompletionResult
from portfolio.vocabulary import SkillLevel
from schemas.common import Page
from schemas.completions import (
    CertificateCheckOut,
    CertificateIn,
    CertificateOut,
    ClassCompletionIn,
    ClassCompletionOut,
    CompletionIn,
    CorrectionIn,
    VoidIn,
)
from schemas.enrolments import EnrolmentOut

router = APIRouter(tags=["completions and certificates"])


@router.post(
    "/enrolments/{enrolment_id}/completion",
    summary="Record the result of one worker's training",
    response_model=EnrolmentOut,
    responses=WRITE_ERRORS,
)
async def complete_enrolment(
    enrolment_id: str, body: CompletionIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """After the run has ended; a pass needs confirmed hours and writes a "training completed"
    entry to the worker's archive. Recording it again is 409."""

    async def act() -> EnrolmentOut:
        done = await completions.complete_one(
            actor=actor, enrolment_id=enrolment_id, outcome=body.to_domain()
        )
        return EnrolmentOut.from_view(done)

    return await idem.run(act)


@router.post(
    "/runs/{run_id}/completions",
    summary="Record a whole class's results (JSON rows or CSV)",
    response_model=ClassCompletionOut,
    responses=WRITE_ERRORS,
    openapi_extra=openapi_body(ClassCompletionIn, "id_type,id_number,name,result,score\n"),
)
async def complete_class(
    run_id: str, request: Request, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """Per-row results (recorded, already recorded, error); sending the same sheet again
    changes nothing."""
    body = await parse_bulk(request, ClassCompletionIn)

    async def act() -> ClassCompletionOut:
        outcome = await completions.complete_class(
            actor=actor, keyring=runtime.keyring, run_id=run_id, rows=body.to_domain()
        )
        return ClassCompletionOut.from_view(outcome)

    return await idem.run(act)


@router.get("/completions", summary="My organisation's completions", responses=AUTH_ERRORS)
async def list_completions(
    actor: ProviderUser,
    page: Paged,
    run_id: Annotated[str | None, Query(max_length=64)] = None,
    result: CompletionResult | None = None,
) -> Page[EnrolmentOut]:
    """Completed enrolments, filtered by run and result, oldest first."""
    found = await rosters.list_completions(actor=actor, run_id=run_id, result=result, page=page)
    return Page[EnrolmentOut].from_view(found)


@router.post(
    "/certificates",
    status_code=201,
    summary="Record a certificate earned through a passed completion",
    response_model=CertificateOut,
    responses=WRITE_ERRORS,
)
async def issue_certificate(body: CertificateIn, actor: ProviderUser, idem: Idempotent) -> Response:
    """Writes a "certificate issued" entry to the worker's archive."""

    async def act() -> CertificateOut:
        issued = await certificates.issue(
            actor=actor, enrolment_id=body.enrolment_id, content=body.to_domain()
        )
        return CertificateOut.from_view(issued)

    return await idem.run(act, status_code=201)


@router.post(
    "/certificates/{certificate_id}/correct",
    summary="Correct a certificate (the archive keeps the original)",
    response_model=CertificateOut,
    responses=WRITE_ERRORS,
)
async def correct_certificate(
    certificate_id: str, body: CorrectionIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """Restates the whole certificate; a "certificate corrected" entry points at the old one."""

    async def act() -> CertificateOut:
        corrected = await certificates.correct(
            actor=actor, certificate_id=certificate_id, content=body.to_domain(), reason=body.reason
        )
        return CertificateOut.from_view(corrected)

    return await idem.run(act)


@router.post(
    "/certificates/{certificate_id}/void",
    summary="Void a certificate, with a reason",
    response_model=CertificateOut,
    responses=WRITE_ERRORS,
)
async def void_certificate(
    certificate_id: str, body: VoidIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """The public check then answers "voided"; the archive records why."""

    async def act() -> CertificateOut:
        voided = await certificates.void(
            actor=actor, certificate_id=certificate_id, reason=body.reason
        )
        return CertificateOut.from_view(voided)

    return await idem.run(act)


@router.get("/certificates", summary="My organisation's certificates", responses=AUTH_ERRORS)
async def list_certificates(
    actor: ProviderUser,
    page: Paged,
    status: CertificateStatus | None = None,
    level: SkillLevel | None = None,
    occupation_code: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[CertificateOut]:
    """Filtered by status, level and occupation, oldest first."""
    found = await certificates.list_for_provider(
        actor=actor, status=status, level=level, occupation_code=occupation_code, page=page
    )
    return Page[CertificateOut].from_view(found)


@router.get("/certificates/check", summary="Check a certificate (public)")
async def check_certificate(
    number: Annotated[str, Query(min_length=1, max_length=40)],
    name: Annotated[str, Query(min_length=1, max_length=64, description="the holder's name")],
) -> CertificateCheckOut:
    """Valid, voided or unknown, with the level, occupation, issuer and date; nothing else
    about the holder. A right number with a wrong name is unknown."""
    found = await certificates.check(number=number, holder_name=name)
    return CertificateCheckOut.from_view(found)


@router.get("/certificates/links/{token}", summary="Check a certificate by its QR link (public)")
async def check_certificate_link(
    token: Annotated[str, Path(max_length=64)], runtime: RuntimeDep
) -> CertificateCheckOut:
    """The JSON of the page a certificate's QR code opens (``/c/{token}``): valid, voided or
    unknown (a token not given out), with the level, occupation, issuer and date."""
    found = await links.check_by_token(keyring=runtime.keyring, token=token)
    return CertificateCheckOut.from_view(found)

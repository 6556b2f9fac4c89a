"""Completions of training and the certificates that follow them (and their public check)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.bulk import openapi_body, parse_bulk
from api.deps import AUTH_RESPONSES, Idempotent, ProviderUser
from api.paging import IdCursor, Limit, next_cursor
from api.routers.enrolments import enrolment_out, errors_out
from api.runtime import RuntimeDep
from portfolio.training import certificates, completions
from portfolio.training.documents import Certificate
from portfolio.training.enrolments import WorkerRef
from portfolio.training.enums import CertificateStatus, CompletionResult
from portfolio.vocabulary import SkillLevel
from schemas.common import Page
from schemas.completions import (
    CertificateCheckOut,
    CertificateContentIn,
    CertificateIn,
    CertificateOut,
    ClassCompletionIn,
    ClassCompletionOut,
    CompletionIn,
    CompletionRowOut,
    CorrectionIn,
    VoidIn,
)
from schemas.enrolments import EnrolmentOut

router = APIRouter(tags=["completions and certificates"])

Responses = dict[int | str, dict[str, Any]]
WRITE_ERRORS: Responses = {
    **AUTH_RESPONSES,
    403: {"description": "Wrong role, or your organisation is suspended"},
    404: {"description": "Not within your reach"},
    409: {"description": "Not allowed in the current state (problem names it)"},
    422: {"description": "Invalid input (fields and rules named)"},
}


def certificate_out(certificate: Certificate) -> CertificateOut:
    """The response shape of a certificate."""
    return CertificateOut(
        id=str(certificate.id),
        number=certificate.number,
        certificate_type=certificate.certificate_type,
        occupation_code=certificate.occupation_code,
        level=certificate.level,
        issuing_body=certificate.issuing_body,
        issue_date=certificate.issue_date,
        status=certificate.status,
        void_reason=certificate.void_reason,
        holder_name=certificate.holder_name,
        enrolment_id=certificate.enrolment_id,
        archive_entry_seq=certificate.entry_seq,
        recorded_at=certificate.recorded_at,
    )


def _content(body: CertificateContentIn) -> certificates.CertificateContent:
    return certificates.CertificateContent(
        number=body.number,
        certificate_type=body.certificate_type,
        occupation_code=body.occupation_code,
        level=body.level,
        issuing_body=body.issuing_body,
        issue_date=body.issue_date,
    )


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
            actor=actor,
            enrolment_id=enrolment_id,
            outcome=completions.Outcome(body.result, body.score),
            now=datetime.now(UTC),
        )
        return enrolment_out(done.enrolment)

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
        results = await completions.complete_class(
            actor=actor,
            keyring=runtime.keyring,
            run_id=run_id,
            rows=[
                completions.CompletionRow(
                    outcome=completions.Outcome(row.result, row.score),
                    enrolment_id=row.enrolment_id,
                    worker=WorkerRef(row.id_type, row.id_number, row.name)
                    if row.enrolment_id is None and row.id_number and row.name
                    else None,
                )
                for row in body.rows
            ],
            now=datetime.now(UTC),
        )
        rows = [
            CompletionRowOut(
                row=r.row,
                status=r.status,  # type: ignore[arg-type]
                enrolment=enrolment_out(r.item) if r.item else None,
                errors=errors_out(r.errors),
                detail=r.detail,
            )
            for r in results
        ]
        counts = {
            s: sum(1 for r in rows if r.status == s) for s in ("recorded", "already_recorded")
        }
        return ClassCompletionOut(
            recorded=counts["recorded"],
            already_recorded=counts["already_recorded"],
            failed=len(rows) - sum(counts.values()),
            rows=rows,
        )

    return await idem.run(act)


@router.get("/completions", summary="My organisation's completions", responses=AUTH_RESPONSES)
async def list_completions(
    actor: ProviderUser,
    run_id: Annotated[str | None, Query(max_length=64)] = None,
    result: CompletionResult | None = None,
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Page[EnrolmentOut]:
    """Completed enrolments, filtered by run and result, oldest first."""
    found = await certificates.list_completions(
        actor=actor, run_id=run_id, result=result, after=cursor, limit=limit
    )
    return Page(
        items=[enrolment_out(e) for e in found],
        next_cursor=next_cursor([e.id for e in found], limit),
    )


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
            actor=actor,
            enrolment_id=body.enrolment_id,
            content=_content(body),
            now=datetime.now(UTC),
        )
        return certificate_out(issued)

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
            actor=actor,
            certificate_id=certificate_id,
            content=_content(body),
            reason=body.reason,
            now=datetime.now(UTC),
        )
        return certificate_out(corrected)

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
        return certificate_out(voided)

    return await idem.run(act)


@router.get("/certificates", summary="My organisation's certificates", responses=AUTH_RESPONSES)
async def list_certificates(
    actor: ProviderUser,
    status: CertificateStatus | None = None,
    level: SkillLevel | None = None,
    occupation_code: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Page[CertificateOut]:
    """Filtered by status, level and occupation, oldest first."""
    found = await certificates.list_for_provider(
        actor=actor,
        status=status,
        level=level,
        occupation_code=occupation_code,
        after=cursor,
        limit=limit,
    )
    return Page(
        items=[certificate_out(c) for c in found],
        next_cursor=next_cursor([c.id for c in found], limit),
    )


@router.get("/certificates/check", summary="Check a certificate (public)")
async def check_certificate(
    number: Annotated[str, Query(min_length=1, max_length=40)],
    name: Annotated[str, Query(min_length=1, max_length=64, description="the holder's name")],
) -> CertificateCheckOut:
    """Valid, voided or unknown, with the level, occupation, issuer and date; nothing else
    about the holder. A right number with a wrong name is unknown."""
    found = await certificates.check(number=number, holder_name=name)
    return CertificateCheckOut(
        status=found.status,  # type: ignore[arg-type]
        certificate_type=found.certificate_type,
        occupation_code=found.occupation_code,
        level=found.level,
        issuing_body=found.issuing_body,
        issue_date=found.issue_date,
    )

"""The worker's own archive (``/me/...``) and the activation of the worker's login.

No route here takes an archive id: a worker reaches exactly the archive their token is bound
to, so there is nothing to point at someone else's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import AUTH_RESPONSES, THROTTLE_RESPONSES, WorkerUser, throttle_credentials
from api.routers.workers import worker_out
from api.runtime import RuntimeDep
from portfolio.archives import activation, entries, reading
from portfolio.archives.scope import MAX_LIMIT
from portfolio.archives.views import ArchiveSummary, ChainReport, EntryPage
from schemas.archives import (
    AccessLogItemOut,
    ApprenticeshipSummaryOut,
    ArchiveOut,
    ArchiveSummaryOut,
    ChainReportOut,
    EntryOut,
    OccupationLevelOut,
    RecorderOut,
)
from schemas.common import Page
from schemas.workers import ActivationIn, ActivationOut, WorkerOut

router = APIRouter(tags=["worker"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Cursor = Annotated[str | None, Query(max_length=64, description="next_cursor of the previous page")]
OWN: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    403: {"description": "Not a worker (problem+json)"},
    404: {"description": "The worker's archive does not exist"},
}
PAGED: dict[int | str, dict[str, Any]] = {
    **OWN,
    422: {"description": "A cursor this list did not give out, or a limit out of range"},
}
_NO_STORE = {"Cache-Control": "no-store"}


def _entries_out(page: EntryPage) -> Page[EntryOut]:
    return Page(
        items=[
            EntryOut(
                seq=e.seq,
                kind=e.kind,
                recorded_at=e.recorded_at,
                recorded_by=RecorderOut(
                    principal=e.recorded_by.principal,
                    role=e.recorded_by.role,
                    organisation=e.recorded_by.organisation,
                    region=e.recorded_by.region,
                ),
                payload=e.payload,
                corrects=e.corrects,
                hash=e.hash,
            )
            for e in page.entries
        ],
        next_cursor=page.next_cursor,
    )


def _summary_out(summary: ArchiveSummary) -> ArchiveSummaryOut:
    return ArchiveSummaryOut(
        highest_levels=[
            OccupationLevelOut(occupation_code=h.occupation_code, level=h.level)
            for h in summary.highest_levels
        ],
        training_hours=summary.training_hours,
        trainings_completed=summary.trainings_completed,
        certificate_count=summary.certificate_count,
        apprenticeships=[
            ApprenticeshipSummaryOut(
                apprenticeship_id=a.apprenticeship_id,
                occupation_code=a.occupation_code,
                target_level=a.target_level,
                status=a.status,
                level_reached=a.level_reached,
            )
            for a in summary.apprenticeships
        ],
        vouchers_redeemed=summary.vouchers_redeemed,
        voucher_amount_fen=summary.voucher_amount_fen,
        awards=summary.awards,
    )


def chain_report_out(report: ChainReport) -> ChainReportOut:
    """The response shape of a chain check."""
    return ChainReportOut(
        archive_id=report.archive_id,
        ok=report.ok,
        first_broken_seq=report.first_broken_seq,
        entries_checked=report.entries_checked,
        head_seq=report.head_seq,
    )


@router.post(
    "/auth/activate",
    status_code=201,
    summary="Turn an activation code into the worker's login",
    tags=["accounts"],
    responses={
        200: {"description": "The archive had a login: it got the new password"},
        401: {"description": "The code is wrong, used, superseded or expired"},
        409: {"description": "The username is taken (the code stays usable)"},
        422: {"description": "A malformed username or a weak password (the code stays usable)"},
        **THROTTLE_RESPONSES,
    },
)
async def activate(
    body: ActivationIn, runtime: RuntimeDep, request: Request, response: Response
) -> ActivationOut:
    """Public: the code from real-name registration is the credential. Creates the worker's
    login (the username defaults to the registered phone number), or, for a code issued to
    an archive that has one, sets its new password and ends its sessions. Log in with
    ``POST /auth/token`` afterwards. A retry after a lost answer gets 401 (the code is used):
    the login exists, so log in."""
    # Per address only: the code, not a username, is what a guesser varies.
    await throttle_credentials(request, runtime, username=None)
    done = await activation.activate(
        settings=runtime.settings, code=body.code, password=body.password, username=body.username
    )
    if not done.created:
        response.status_code = 200
    return ActivationOut(archive_id=done.archive_id, username=done.username, created=done.created)


@router.get("/me/archive", summary="My archive: identity, links, entries, summary", responses=PAGED)
async def get_my_archive(
    actor: WorkerUser, runtime: RuntimeDep, limit: Limit = 20, cursor: Cursor = None
) -> ArchiveOut:
    """Identity (masked), links, the newest entries (page with ``cursor``/``limit``) and the
    summary: highest certified level per occupation, training hours, certificates,
    apprenticeships, vouchers."""
    view = await reading.get_archive_view(
        actor=actor, keyring=runtime.keyring, cursor=cursor, limit=limit
    )
    return ArchiveOut(
        worker=worker_out(view.worker),
        entries=_entries_out(view.entries),
        summary=_summary_out(view.summary),
    )


@router.get("/me/identity", summary="My identity and links with full numbers", responses=OWN)
async def get_my_identity(actor: WorkerUser, runtime: RuntimeDep, response: Response) -> WorkerOut:
    """The worker's own data unmasked (``revealed``); reading one's own data is not logged."""
    view = await reading.get_worker(actor=actor, keyring=runtime.keyring, reveal=True)
    response.headers.update(_NO_STORE)
    return worker_out(view)


@router.get("/me/entries", summary="My archive entries, newest first", responses=PAGED)
async def get_my_entries(
    actor: WorkerUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[EntryOut]:
    """One page of entries; pass ``next_cursor`` back as ``cursor`` for older ones."""
    return _entries_out(await entries.list_entries(actor=actor, cursor=cursor, limit=limit))


@router.get("/me/access-log", summary="Who read my data, when and why", responses=PAGED)
async def get_my_access_log(
    actor: WorkerUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[AccessLogItemOut]:
    """Every lookup and full read by someone else, newest first, with the stated purpose."""
    page = await reading.list_access_log(actor=actor, cursor=cursor, limit=limit)
    return Page(
        items=[
            AccessLogItemOut(
                id=item.id,
                at=item.at,
                principal_id=item.principal_id,
                username=item.username,
                role=item.role,
                organisation_id=item.organisation_id,
                region_prefix=item.region_prefix,
                action=item.action,
                purpose=item.purpose,
                fields=item.fields,
            )
            for item in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/me/archive/verify", summary="Check my archive's hash chain", responses=OWN)
async def verify_my_archive(actor: WorkerUser) -> ChainReportOut:
    """Recomputes every entry's hash; ``first_broken_seq`` names the first entry that was
    edited, removed or reordered behind the service's back."""
    return chain_report_out(await entries.verify_archive(actor=actor))

"""The worker's own archive (``/me/...``) and the activation of the worker's login.

No route here takes an archive id: a worker reaches exactly the archive their token is bound
to, so there is nothing to point at someone else's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import WorkerUser, throttle_credentials
from api.paging import paged
from api.responses import AUTH_ERRORS, THROTTLE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.archives import activation, entries, reading
from portfolio.archives.scope import DEFAULT_LIMIT, MAX_LIMIT
from portfolio.paging import PageRequest
from schemas.archives import AccessLogItemOut, ArchiveOut, ChainReportOut, EntryOut
from schemas.common import Page
from schemas.workers import ActivationIn, ActivationOut, WorkerOut

router = APIRouter(tags=["worker"])

# The archive's lists are shorter pages than the others (see archives/scope.py).
OwnPage = Annotated[PageRequest, paged(default=DEFAULT_LIMIT, maximum=MAX_LIMIT)]
OWN: Responses = {
    **AUTH_ERRORS,
    403: {"description": "Not a worker (problem+json)"},
    404: {"description": "The worker's archive does not exist"},
}
PAGED: Responses = {
    **OWN,
    422: {"description": "A cursor this list did not give out, or a limit out of range"},
}
_NO_STORE = {"Cache-Control": "no-store"}


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
        **THROTTLE_ERRORS,
    },
)
async def activate(
    body: ActivationIn, runtime: RuntimeDep, request: Request, response: Response
) -> ActivationOut:
    """Public: the code from real-name registration is the credential. Creates the worker's
    login (the username defaults to the registered phone number, stored only as its keyed
    blind index), or, for a code issued to
    an archive that has one, sets its new password and ends its sessions. Log in with
    ``POST /auth/token`` afterwards. A retry after a lost answer gets 401 (the code is used):
    the login exists, so log in."""
    # Per address only: the code, not a username, is what a guesser varies.
    await throttle_credentials(request, runtime, username=None)
    done = await activation.activate(
        settings=runtime.settings,
        keyring=runtime.keyring,
        code=body.code,
        password=body.password,
        username=body.username,
    )
    if not done.created:
        response.status_code = 200
    return ActivationOut.from_view(done)


@router.get(
    "/me/archive",
    summary="My archive: identity, links, entries, summary",
    response_model=ArchiveOut,
    responses=PAGED,
)
async def get_my_archive(actor: WorkerUser, runtime: RuntimeDep, page: OwnPage) -> Response:
    """Identity (masked), links, the newest entries (page with ``cursor``/``limit``) and the
    summary: highest certified level per occupation, training hours, certificates,
    apprenticeships, vouchers."""
    view = await reading.get_archive_view(
        actor=actor, keyring=runtime.keyring, cursor=page.cursor, limit=page.limit
    )
    # The most read route: the model encodes itself (pydantic-core), where returning it would
    # have FastAPI dump it, validate the dump again and then encode it.
    body = ArchiveOut.from_view(view).model_dump_json(by_alias=True)
    return Response(body, media_type="application/json")


@router.get("/me/identity", summary="My identity and links with full numbers", responses=OWN)
async def get_my_identity(actor: WorkerUser, runtime: RuntimeDep, response: Response) -> WorkerOut:
    """The worker's own data unmasked (``revealed``); reading one's own data is not logged."""
    view = await reading.get_worker(actor=actor, keyring=runtime.keyring, reveal=True)
    response.headers.update(_NO_STORE)
    return WorkerOut.from_view(view)


@router.get("/me/entries", summary="My archive entries, newest first", responses=PAGED)
async def get_my_entries(actor: WorkerUser, page: OwnPage) -> Page[EntryOut]:
    """One page of entries; pass ``next_cursor`` back as ``cursor`` for older ones."""
    found = await entries.list_entries(actor=actor, cursor=page.cursor, limit=page.limit)
    return Page[EntryOut].from_view(found)


@router.get("/me/access-log", summary="Who read my data, when and why", responses=PAGED)
async def get_my_access_log(actor: WorkerUser, page: OwnPage) -> Page[AccessLogItemOut]:
    """Every lookup and full read by someone else, newest first, with the stated purpose."""
    found = await reading.list_access_log(actor=actor, cursor=page.cursor, limit=page.limit)
    return Page[AccessLogItemOut].from_view(found)


@router.get("/me/archive/verify", summary="Check my archive's hash chain", responses=OWN)
async def verify_my_archive(actor: WorkerUser) -> ChainReportOut:
    """Recomputes every entry's hash; ``first_broken_seq`` names the first entry that was
    edited, removed or reordered behind the service's back."""
    return ChainReportOut.from_view(await entries.verify_archive(actor=actor))

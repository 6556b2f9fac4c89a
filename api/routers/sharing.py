"""Share links: the worker's (``/me/shares``) and the public opening (``/shared/{token}``).

The public routes answer only the link's state when it shows nothing: 404 for a token we did
not give out, 410 for an expired or revoked link, 401 while an access code is missing or
wrong (429 once wrong codes are too many). Every opening that shows the record is counted and
written to the worker's access log.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import Idempotent, WorkerUser
from api.responses import READ_ERRORS, WRITE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.sharing import items, links, opening
from portfolio.sharing.views import SharedRecord
from schemas.sharing import (
    CreatedShareOut,
    OpenShareIn,
    ShareDetailOut,
    SharedItemOut,
    SharedRecordOut,
    ShareIn,
    ShareLinkOut,
)

router = APIRouter(tags=["sharing"])
SHARE_PATH = "/s/"
STATUS = {"open": 200, "unknown": 404, "expired": 410, "revoked": 410}
OPEN_ERRORS: Responses = {
    401: {"description": "The link has an access code: missing or wrong (`status` says)"},
    404: {"description": "No such link"},
    410: {"description": "The link expired or was revoked (`status` says; nothing else)"},
    429: {"description": "Too many wrong access codes for this link (`Retry-After`)"},
}


def share_url(request: Request, runtime: RuntimeDep, token: str) -> str:
    """The page a link opens (``PORTFOLIO_PUBLIC_URL`` when set)."""
    base = runtime.settings.public_url or str(request.base_url)
    return base.rstrip("/") + SHARE_PATH + token


@router.get("/me/shares/items", summary="What of my record can be shared", responses=READ_ERRORS)
async def shareable(actor: WorkerUser, runtime: RuntimeDep) -> list[SharedItemOut]:
    """Every item a link may show, newest first; a link to chosen entries names their ``seq``."""
    found = await items.own_items(actor=actor, keyring=runtime.keyring)
    return [SharedItemOut.from_view(item) for item in found]


@router.post("/me/shares", status_code=201, summary="Make a share link", responses=WRITE_ERRORS)
async def create_share(
    body: ShareIn, actor: WorkerUser, runtime: RuntimeDep, request: Request, idem: Idempotent
) -> Response:
    """A link to the whole archive or chosen entries, for a purpose, for at most 90 days,
    with an optional access code. The token is in this answer only."""

    async def act() -> CreatedShareOut:
        made = await links.create_share(actor=actor, keyring=runtime.keyring, new=body.to_domain())
        return CreatedShareOut(
            link=ShareLinkOut.from_view(made.link),
            token=made.token,
            url=share_url(request, runtime, made.token),
        )

    return await idem.run(act, status_code=201)


@router.get("/me/shares", summary="My share links", responses=READ_ERRORS)
async def list_shares(actor: WorkerUser) -> list[ShareLinkOut]:
    """The worker's links, newest first, with their state and views."""
    return [ShareLinkOut.from_view(link) for link in await links.list_shares(actor=actor)]


@router.get("/me/shares/{link_id}", summary="One share link and its views", responses=READ_ERRORS)
async def share_detail(link_id: str, actor: WorkerUser, runtime: RuntimeDep) -> ShareDetailOut:
    """What the link shows and each time it was opened, newest first."""
    found = await links.share_detail(actor=actor, keyring=runtime.keyring, link_id=link_id)
    return ShareDetailOut.from_view(found)


@router.post(
    "/me/shares/{link_id}/revoke", summary="Revoke a share link at once", responses=WRITE_ERRORS
)
async def revoke_share(link_id: str, actor: WorkerUser, idem: Idempotent) -> Response:
    """From now on the link shows only that it was revoked. Revoking again changes nothing."""

    async def act() -> ShareLinkOut:
        return ShareLinkOut.from_view(await links.revoke_share(actor=actor, link_id=link_id))

    return await idem.run(act)


def _answer(found: SharedRecord, response: Response) -> SharedRecordOut:
    response.status_code = STATUS.get(found.status, 401)
    response.headers["Cache-Control"] = "no-store"
    return SharedRecordOut.from_view(found)


@router.get(
    "/shared/{token}",
    summary="Open a share link",
    responses={**OPEN_ERRORS},
    tags=["public"],
)
async def open_share(token: str, runtime: RuntimeDep, response: Response) -> SharedRecordOut:
    """Public: the record a link shows (its scope only), or why not."""
    found = await opening.open_share(keyring=runtime.keyring, token=token)
    return _answer(found, response)


@router.post(
    "/shared/{token}",
    summary="Open a share link with its access code",
    responses={**OPEN_ERRORS, 422: {"description": "No access code in the body"}},
    tags=["public"],
)
async def open_share_with_code(
    token: str, body: OpenShareIn, runtime: RuntimeDep, response: Response
) -> SharedRecordOut:
    """Public: as ``GET``, with the access code in the body (never in the address)."""
    found = await opening.open_share(
        keyring=runtime.keyring, token=token, access_code=body.access_code
    )
    return _answer(found, response)

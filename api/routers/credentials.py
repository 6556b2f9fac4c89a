"""Verifiable credentials: the worker's badges and CLR, the issuer's keys, the status list,
and verification for anyone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from api.deps import VerifyThrottled, WorkerUser
from api.prepared import NOT_MODIFIED, Prepared, encode, prepared_documents
from api.responses import READ_ERRORS, THROTTLE_ERRORS
from portfolio import credentials
from portfolio.archives import require_worker
from schemas.credentials import ClrOut, CredentialListOut, CredentialOut, VerdictOut, VerifyIn

router = APIRouter(tags=["verifiable credentials"])

JWT_MEDIA = "application/vc+jwt"
# Public keys may be cached a little; a rotation shows within five minutes, and old keys stay.
_KEYS_CACHE = "public, max-age=300"


@router.get(
    "/.well-known/did.json",
    summary="The issuer's did:web document",
    response_model=dict[str, Any],
    responses=NOT_MODIFIED,
)
async def did_document(request: Request) -> Response:
    """Every issuer key ever used (old credentials keep verifying), as a DID document.
    Prepared once per key set, with an ``ETag`` (``If-None-Match`` gets 304)."""
    return await _published(request, "did", credentials.did_document)


@router.get(
    "/credentials/jwks.json",
    summary="The issuer's keys as a JWKS",
    response_model=dict[str, Any],
    responses=NOT_MODIFIED,
)
async def issuer_jwks(request: Request) -> Response:
    """The same public keys as the DID document, as an RFC 7517 key set."""
    return await _published(request, "issuer-jwks", credentials.jwks)


async def _published(
    request: Request, name: str, document: Callable[[], Awaitable[dict[str, Any]]]
) -> Response:
    # One small query (ids and nonces); the document is built again only when they change.
    async def build() -> Prepared:
        return Prepared.of(encode(await document()))

    version = await credentials.published_keys_version()
    prepared = await prepared_documents(request).get(name, version, build)
    return prepared.answer(request, cache_control=_KEYS_CACHE)


@router.get(
    "/credentials/status/1",
    summary="The revocation status list (a signed credential)",
    response_class=PlainTextResponse,
)
async def status_list() -> PlainTextResponse:
    """A ``BitstringStatusListCredential`` as compact JWS; a set bit means revoked."""
    token = await credentials.status_list_credential()
    return PlainTextResponse(token, media_type=JWT_MEDIA, headers={"Cache-Control": "no-cache"})


@router.post(
    "/credentials/verify",
    summary="Verify a credential (anyone)",
    responses=THROTTLE_ERRORS,
    dependencies=[VerifyThrottled],
)
async def verify_credential(body: VerifyIn) -> VerdictOut:
    """Signature, issuer key, dates and status checked, and the content in plain words."""
    return VerdictOut.from_view(await credentials.check(body.credential))


@router.get("/me/credentials", summary="My badges (Open Badges 3.0)", responses=READ_ERRORS)
async def my_credentials(actor: WorkerUser) -> CredentialListOut:
    """One signed ``OpenBadgeCredential`` per certificate, completion and apprenticeship."""
    issued = await credentials.worker_credentials(str(require_worker(actor)))
    return CredentialListOut(items=[CredentialOut.from_view(item) for item in issued])


@router.get(
    "/me/credentials/clr", summary="My archive as a CLR 2.0 credential", responses=READ_ERRORS
)
async def my_clr(actor: WorkerUser) -> ClrOut:
    """The ``ClrCredential`` holding every badge as a compact JWS string."""
    return ClrOut(token=await credentials.archive_clr(str(require_worker(actor))))

"""Tokens, sessions and one's own account: ``/auth/*``, ``/me`` and the public signing keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from api.deps import CurrentPrincipal, throttle_credentials
from api.prepared import NOT_MODIFIED, Prepared, encode, prepared_documents
from api.responses import AUTH_ERRORS, THROTTLE_ERRORS
from api.runtime import RuntimeDep, get_runtime
from portfolio.accounts import service, sessions
from portfolio.accounts.sessions import IssuedTokens
from schemas.accounts import (
    Jwk,
    Jwks,
    Me,
    PasswordChange,
    RevokeRequest,
    SessionOut,
    TokenRequest,
    TokenResponse,
)

router = APIRouter(tags=["accounts"])

# RFC 6749 section 5.1: responses carrying tokens must not be cached anywhere.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _tokens(issued: IssuedTokens, response: Response) -> TokenResponse:
    response.headers.update(_NO_STORE)
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
    )


@router.post(
    "/auth/token",
    summary="Log in, or exchange a refresh token",
    responses={
        401: {"description": "Wrong credentials, a disabled account or a bad refresh token"},
        422: {"description": "A malformed form, unknown fields, or a grant's field missing"},
        **THROTTLE_ERRORS,
    },
)
async def post_token(
    form: Annotated[TokenRequest, Form()],
    runtime: RuntimeDep,
    request: Request,
    response: Response,
) -> TokenResponse:
    """OAuth2 token endpoint (form-encoded).

    ``grant_type=password`` with ``username`` and ``password`` starts a session;
    ``grant_type=refresh_token`` with ``refresh_token`` exchanges it for a new pair. A refresh
    token works once: presenting it again ends its whole session. An unknown username and a
    wrong password get the same answers; a client that keeps failing on one username waits
    longer and longer between guesses (429, ``Retry-After``), while others are not held up.
    """
    await throttle_credentials(request, runtime)
    if form.grant_type == "password":
        # The form's validator made sure the grant's fields are there.
        assert form.username is not None
        assert form.password is not None
        issued = await service.login(
            settings=runtime.settings,
            keyring=runtime.keyring,
            username=form.username,
            password=form.password,
            client=_client(request),
        )
    else:
        assert form.refresh_token is not None
        issued = await sessions.refresh(
            settings=runtime.settings, keyring=runtime.keyring, refresh_token=form.refresh_token
        )
    return _tokens(issued, response)


@router.post(
    "/auth/revoke",
    summary="End the session of a refresh token",
    response_class=Response,
    responses={200: {"description": "Revoked, or the token was not valid (RFC 7009)"}},
)
async def post_revoke(form: Annotated[RevokeRequest, Form()], runtime: RuntimeDep) -> Response:
    """RFC 7009 revocation: the refresh token's session ends, and with it the session's access
    tokens (at once in this process, within ``session_cache_seconds`` in every other).

    Holding the refresh token is the credential, so no access token is needed. The answer is
    the same whether or not the token was valid, so this cannot be used to test tokens.
    """
    # Access tokens are not stored, so only a refresh token can be revoked.
    if form.token_type_hint != "access_token":  # noqa: S105 - a token type, not a secret
        await sessions.revoke_refresh_token(refresh_token=form.token, keyring=runtime.keyring)
    return Response(status_code=200)


@router.post(
    "/auth/password",
    summary="Change one's own password",
    responses={
        **AUTH_ERRORS,
        409: {"description": "The account changed at the same time; retry"},
        422: {"description": "Wrong current password, or a weak new password"},
        **THROTTLE_ERRORS,
    },
)
async def post_password(
    body: PasswordChange,
    actor: CurrentPrincipal,
    runtime: RuntimeDep,
    request: Request,
    response: Response,
) -> TokenResponse:
    """Change the caller's password. Every session ends; the answer starts a new one. Wrong
    current passwords are throttled as failed logins of the caller's username are."""
    issued = await service.change_password(
        actor=actor,
        settings=runtime.settings,
        keyring=runtime.keyring,
        current_password=body.current_password,
        new_password=body.new_password,
        client=_client(request),
    )
    return _tokens(issued, response)


@router.post(
    "/auth/logout-all",
    summary="End every session of the caller",
    status_code=204,
    response_class=Response,
    responses=AUTH_ERRORS,
)
async def post_logout_all(actor: CurrentPrincipal) -> Response:
    """Every access and refresh token of the caller stops working, this one included."""
    await sessions.logout_all(actor=actor)
    return Response(status_code=204)


@router.get("/auth/sessions", summary="The caller's live sessions", responses=AUTH_ERRORS)
async def get_sessions(actor: CurrentPrincipal) -> list[SessionOut]:
    """One entry per login that can still be refreshed, newest first."""
    return [
        SessionOut(
            id=family.id,
            started_at=family.started_at,
            last_refreshed_at=family.last_refreshed_at,
            expires_at=family.expires_at,
        )
        for family in await sessions.list_sessions(actor=actor)
    ]


@router.post(
    "/auth/sessions/{session_id}/revoke",
    summary="End one of the caller's sessions",
    status_code=204,
    response_class=Response,
    responses={**AUTH_ERRORS, 404: {"description": "No such session of the caller"}},
)
async def post_session_revoke(session_id: str, actor: CurrentPrincipal) -> Response:
    """The session can no longer be refreshed and its access tokens stop working (at once
    here, within ``session_cache_seconds`` in every other process)."""
    await sessions.revoke_session(actor=actor, session_id=session_id)
    return Response(status_code=204)


@router.get("/me", summary="Who the caller is", responses=AUTH_ERRORS)
async def get_me(actor: CurrentPrincipal) -> Me:
    """The caller's account: username, role, sub-role and what it is bound to."""
    return Me(
        id=actor.principal_id,
        username=actor.username,
        role=actor.role,
        archive_id=actor.archive_id,
        organisation_id=actor.organisation_id,
        region_prefix=actor.region_prefix,
        staff_role=actor.staff_role,
    )


@router.get(
    "/.well-known/jwks.json",
    summary="Public keys that verify access tokens",
    response_model=Jwks,
    responses=NOT_MODIFIED,
)
async def get_jwks(request: Request) -> Response:
    """Every signing key that still verifies, newest last (select by the token's ``kid``).
    Prepared once per key set, with an ``ETag`` (``If-None-Match`` gets 304)."""
    # No dependency to solve: this route is hit as often as /healthz and should cost as little.
    runtime = get_runtime(request)
    settings, keyring = runtime.settings, runtime.keyring

    async def build() -> Prepared:
        keys = await sessions.public_keys(settings=settings, keyring=keyring)
        jwks = Jwks(keys=[Jwk.model_validate(key) for key in keys])
        return Prepared.of(encode(jwks.model_dump(mode="json")))

    version = await sessions.key_set_version(settings=settings, keyring=keyring)
    prepared = await prepared_documents(request).get("jwks", version, build)
    return prepared.answer(request, cache_control="public, max-age=300")

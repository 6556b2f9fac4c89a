"""Who may call a route, declared once as ``Annotated`` dependencies.

A route takes one of ``CurrentPrincipal`` (any logged-in principal), ``WorkerUser``,
``ProviderUser``, ``AgencyUser`` or ``Admin``; a route with none of them is public on purpose.
For a route several roles may call::

    actor: Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.ADMIN))]

No token or a bad one answers 401 (with ``WWW-Authenticate: Bearer``); a good token of the
wrong role answers 403. Whether the object is within the actor's reach is the service's
business (404 when it is not).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer

from api.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.idempotency import Idempotency
from api.runtime import RuntimeDep
from portfolio.accounts import sessions, throttle
from portfolio.accounts.principal import Actor, Role
from portfolio.audit import context as audit_context
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import AuthenticationFailed, Forbidden, RateLimited

# auto_error=False: a missing token becomes our own 401 problem, not FastAPI's plain 401.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_current_principal(
    runtime: RuntimeDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Actor:
    """The actor of the request's bearer token; 401 when it is missing or not valid."""
    if not token:
        raise AuthenticationFailed("a bearer access token is required")
    actor = await sessions.resolve_access_token(
        token, settings=runtime.settings, keyring=runtime.keyring
    )
    # So a 403 further down the request is recorded against who asked.
    audit_context.note_actor(actor)
    return actor


CurrentPrincipal = Annotated[Actor, Depends(get_current_principal)]

# For ``responses=`` of protected routes.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid access token (problem+json, `WWW-Authenticate: Bearer`)"},
    403: {"description": "The caller's role may not do this (problem+json)"},
}


def require_roles(*roles: Role) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that lets only ``roles`` through (403 for any other role)."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(role.value for role in allowed))

    async def dependency(actor: CurrentPrincipal) -> Actor:
        if actor.role not in allowed:
            raise Forbidden(f"this action is for: {names}")
        return actor

    # Lets tooling (and the access-matrix test) read which roles a route admits.
    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency


WorkerUser = Annotated[Actor, Depends(require_roles(Role.WORKER))]
ProviderUser = Annotated[Actor, Depends(require_roles(Role.PROVIDER))]
AgencyUser = Annotated[Actor, Depends(require_roles(Role.AGENCY))]
Admin = Annotated[Actor, Depends(require_roles(Role.ADMIN))]


def get_idempotency(
    request: Request,
    actor: CurrentPrincipal,
    key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
) -> Idempotency:
    """The ``Idempotency-Key`` handler of a state-changing request (keyed by the caller)."""
    return Idempotency(request, actor, key)


Idempotent = Annotated[Idempotency, Depends(get_idempotency)]

# For ``responses=`` of routes that take credentials.
THROTTLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many attempts from this address or for this username "
        "(problem+json, `Retry-After`)"
    },
}


async def throttle_credentials(
    request: Request, runtime: RuntimeDep, *, username: str | None
) -> None:
    """Count a credential attempt by client address and by username; 429 past the limit."""
    settings = runtime.settings
    try:
        await throttle.check_login(
            username=username,
            client=request.client.host if request.client else None,
            per_username=settings.login_rate_per_username,
            per_client=settings.login_rate_per_client,
            window_seconds=settings.login_rate_window_seconds,
        )
    except RateLimited as exc:
        await record(
            AuditKind.LOGIN_RATE_LIMITED,
            Outcome.DENIED,
            route=request.url.path,
            retry_after=exc.retry_after_seconds,
        )
        raise

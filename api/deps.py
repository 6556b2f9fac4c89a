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
from portfolio.accounts import sessions
from portfolio.accounts.principal import Actor, Role
from portfolio.errors import AuthenticationFailed, Forbidden

# auto_error=False: a missing token becomes our own 401 problem, not FastAPI's plain 401.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_current_principal(
    runtime: RuntimeDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Actor:
    """The actor of the request's bearer token; 401 when it is missing or not valid."""
    if not token:
        raise AuthenticationFailed("a bearer access token is required")
    return await sessions.resolve_access_token(
        token, settings=runtime.settings, keyring=runtime.keyring
    )


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

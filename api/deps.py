"""Who may call a route: a *principal source* that finds who is asking, and a *gate* on top.

Two sources, one per face of the service:

* :func:`get_current_principal` (the JSON API): the request's bearer access token. None or a
  bad one is 401 (``AuthenticationFailed``, ``WWW-Authenticate: Bearer``).
* :func:`page_principal` (the web pages): the web session the page layer finds for the
  request, through the resolver it registers at start-up (:func:`register_page_resolver`).
  None is :class:`~api.problems.LoginRequired`, which becomes a redirect to the login page.

A gate (:func:`gate`, or :func:`require_roles` / :func:`require_page_roles`) lets through the
roles it names and, of roles that have staff sub-roles, only the sub-roles it names (all of
them when it names none); anyone else gets 403 (``Forbidden``). Both faces' 401s and 403s are
recorded in the audit trail the same way. Whether the object is within the actor's reach is
the service's business (404 when it is not).

A route takes one of the aliases declared here; a route with none of them is public on purpose:

* API: ``CurrentPrincipal`` (anyone logged in), ``WorkerUser``, ``ProviderUser``,
  ``AgencyUser``, ``Admin``, ``OrganisationAdmin`` (a provider's or an agency's own admin);
  a public route that says more to whoever is logged in takes ``MaybePrincipal``;
* pages: ``PagePrincipal``, ``WorkerPage``, ``ProviderPage``, ``AgencyPage``, ``AdminPage``,
  ``OrganisationAdminPage``;
* several roles or chosen sub-roles::

    actor: Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.ADMIN))]
    actor: Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]

:func:`declared_access` reads back, from a route's dependencies, which source and which seats
(role and sub-role pairs) it admits: the access-matrix test and any tooling use it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.security import OAuth2PasswordBearer

from api.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.idempotency import Idempotency, PageIdempotency
from api.problems import LoginRequired
from api.responses import AUTH_ERRORS, THROTTLE_ERRORS
from api.runtime import RuntimeDep
from portfolio.accounts import session_cache, sessions, throttle
from portfolio.accounts.keys import throttle_secret
from portfolio.accounts.principal import (
    Actor,
    Role,
    Seat,
    StaffRole,
    seats_of,
    staff_roles_of,
)
from portfolio.audit import context as audit_context
from portfolio.audit.service import AuditKind, Outcome, record
from portfolio.errors import AuthenticationFailed, Forbidden, RateLimited

# auto_error=False: a missing token becomes our own 401 problem, not FastAPI's plain 401.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)

# A principal source: a dependency that returns who is asking or raises (401, LoginRequired).
PrincipalSource = Callable[..., Awaitable[Actor]]
# The page layer's look-up of a request's web session: the actor, or None without a live one.
PageResolver = Callable[[Request], Awaitable[Actor | None]]

# Where the page resolver is kept: on the app, so each app (and each test app) has its own.
PAGE_RESOLVER_STATE = "page_principal_resolver"


# --- sources --------------------------------------------------------------------------------


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


# The API's source under the name the page source pairs with.
bearer_principal = get_current_principal


async def optional_principal(
    runtime: RuntimeDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Actor | None:
    """The actor of a bearer token if one is sent (a bad one is 401), else None.

    For a public route that tells a signed-in caller more (the catalogue tells a worker which
    vouchers pay): not a principal source, so the route stays public in the access matrix.
    """
    if not token:
        return None
    return await get_current_principal(runtime, token)


def register_page_resolver(app: FastAPI, resolver: PageResolver) -> None:
    """Tell the page source how to find a request's web session (the page layer, at start-up).

    ``resolver(request)`` returns the session's actor, or None when the request has no live
    session (no cookie, unknown, expired, ended, or its account disabled): it never raises for
    those. It may keep what it learnt on ``request.state`` (the session, to touch or to check
    a CSRF token against).
    """
    setattr(app.state, PAGE_RESOLVER_STATE, resolver)


async def page_principal(request: Request) -> Actor:
    """The actor of the request's web session; ``LoginRequired`` when there is none."""
    resolver: PageResolver | None = getattr(request.app.state, PAGE_RESOLVER_STATE, None)
    actor = await resolver(request) if resolver is not None else None
    if actor is None:
        raise LoginRequired(_come_back_to(request))
    audit_context.note_actor(actor)
    return actor


def _come_back_to(request: Request) -> str | None:
    # A redirect after logging in can only repeat a GET: a form post starts over.
    if request.method not in ("GET", "HEAD"):
        return None
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


SOURCES: tuple[PrincipalSource, ...] = (get_current_principal, page_principal)


# --- gates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Admits:
    """The seats (role and sub-role pairs) a gate lets through."""

    seats: frozenset[Seat]

    @classmethod
    def of(cls, roles: Iterable[Role], staff: Iterable[StaffRole] | None = None) -> Admits:
        """``roles``, narrowed to the sub-roles ``staff`` for roles that have sub-roles.

        Raises ``ValueError`` (a programming error, at import) for a sub-role none of the
        roles has, or a role left with no sub-role at all.
        """
        roles = frozenset(roles)
        wanted = None if staff is None else frozenset(staff)
        if not roles:
            raise ValueError("a gate admits at least one role")
        if wanted is not None:
            stray = wanted - frozenset().union(*(staff_roles_of(role) for role in roles))
            if stray:
                raise ValueError(f"no admitted role has the sub-roles {sorted(stray)}")
        seats: set[Seat] = set()
        for role in roles:
            kept = [(r, s) for r, s in seats_of(role) if s is None or wanted is None or s in wanted]
            if not kept:
                raise ValueError(f"the gate admits no sub-role of {role.value}")
            seats.update(kept)
        return cls(frozenset(seats))

    @property
    def roles(self) -> frozenset[Role]:
        """The roles of which at least one seat is admitted."""
        return frozenset(role for role, _ in self.seats)

    def admits(self, actor: Actor) -> bool:
        """True when ``actor``'s seat is one of these."""
        return (actor.role, actor.staff_role) in self.seats

    def describe(self) -> str:
        """The seats in words, for a 403's detail: ``agency (officer, reviewer), admin``."""
        parts = []
        for role in sorted(self.roles):
            subs = sorted(s for r, s in self.seats if r is role and s is not None)
            whole = len(subs) == len(staff_roles_of(role))
            parts.append(role.value if whole else f"{role.value} ({', '.join(subs)})")
        return ", ".join(parts)


class Gate:
    """A dependency admitting ``admits`` of the principals that ``source`` finds (else 403).

    Its one parameter is the source, declared as a dependency, so FastAPI resolves the source
    once per request however many gates and handlers (idempotency) ask for it.
    """

    def __init__(self, source: PrincipalSource, admits: Admits) -> None:
        self.source = source
        self.admits = admits
        # Older tooling read the roles of a gate under this name.
        self.allowed_roles = admits.roles
        self.__signature__ = inspect.Signature(
            [
                inspect.Parameter(
                    "actor",
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=Annotated[Actor, Depends(source)],
                )
            ],
            return_annotation=Actor,
        )

    async def __call__(self, actor: Actor) -> Actor:
        """The actor, when admitted; ``Forbidden`` otherwise."""
        if not self.admits.admits(actor):
            raise Forbidden(f"this action is for: {self.admits.describe()}")
        return actor


def gate(source: PrincipalSource, *roles: Role, staff: Iterable[StaffRole] | None = None) -> Gate:
    """A dependency that lets only ``roles`` (narrowed to ``staff`` sub-roles) through."""
    return Gate(source, Admits.of(roles, staff))


def require_roles(*roles: Role, staff: Iterable[StaffRole] | None = None) -> Gate:
    """An API gate: bearer token, then only ``roles`` (and ``staff`` sub-roles)."""
    return gate(get_current_principal, *roles, staff=staff)


def require_page_roles(*roles: Role, staff: Iterable[StaffRole] | None = None) -> Gate:
    """A page gate: web session, then only ``roles`` (and ``staff`` sub-roles)."""
    return gate(page_principal, *roles, staff=staff)


CurrentPrincipal = Annotated[Actor, Depends(get_current_principal)]
MaybePrincipal = Annotated[Actor | None, Depends(optional_principal)]
WorkerUser = Annotated[Actor, Depends(require_roles(Role.WORKER))]
ProviderUser = Annotated[Actor, Depends(require_roles(Role.PROVIDER))]
AgencyUser = Annotated[Actor, Depends(require_roles(Role.AGENCY))]
Admin = Annotated[Actor, Depends(require_roles(Role.ADMIN))]
# An organisation's own account administrator: manages its staff.
OrganisationAdmin = Annotated[
    Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, staff=(StaffRole.ADMIN,)))
]

PagePrincipal = Annotated[Actor, Depends(page_principal)]
WorkerPage = Annotated[Actor, Depends(require_page_roles(Role.WORKER))]
ProviderPage = Annotated[Actor, Depends(require_page_roles(Role.PROVIDER))]
AgencyPage = Annotated[Actor, Depends(require_page_roles(Role.AGENCY))]
AdminPage = Annotated[Actor, Depends(require_page_roles(Role.ADMIN))]
OrganisationAdminPage = Annotated[
    Actor, Depends(require_page_roles(Role.PROVIDER, Role.AGENCY, staff=(StaffRole.ADMIN,)))
]


@dataclass(frozen=True)
class RouteAccess:
    """Who may call a route, as its dependencies declare it.

    ``source`` is None for a public route; ``seats`` is None when any principal the source
    finds is let through (no gate), else the seats every gate on the route admits.
    """

    source: PrincipalSource | None
    seats: frozenset[Seat] | None


def declared_access(dependant: Any) -> RouteAccess:
    """What a route's dependency tree (``route.dependant``) declares about its callers."""
    stack = list(dependant.dependencies) if dependant is not None else []
    source: PrincipalSource | None = None
    seats: frozenset[Seat] | None = None
    while stack:
        dependency = stack.pop()
        call = dependency.call
        if isinstance(call, Gate):
            seats = call.admits.seats if seats is None else seats & call.admits.seats
        if call in SOURCES:
            source = call
        stack.extend(dependency.dependencies)
    return RouteAccess(source=source, seats=seats)


# --- idempotency ----------------------------------------------------------------------------


async def get_idempotency(
    request: Request,
    actor: CurrentPrincipal,
    key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
) -> Idempotency:
    """The ``Idempotency-Key`` handler of a state-changing request (keyed by the caller)."""
    return Idempotency(request, actor, key)


async def get_page_idempotency(request: Request, actor: PagePrincipal) -> PageIdempotency:
    """The idempotency handler of a page's form post (the key is a hidden form field)."""
    return PageIdempotency(request, actor)


Idempotent = Annotated[Idempotency, Depends(get_idempotency)]
PageIdempotent = Annotated[PageIdempotency, Depends(get_page_idempotency)]


# --- credentials ----------------------------------------------------------------------------

# The earlier names of the shared tables, kept for the routers that still import them here.
AUTH_RESPONSES = AUTH_ERRORS
THROTTLE_RESPONSES = THROTTLE_ERRORS


async def throttle_credentials(
    request: Request, runtime: RuntimeDep, *, username: str | None = None
) -> None:
    """Count a credential attempt by client address; 429 past the limit.

    A page's login form calls this exactly as the token endpoint does: one limit for both.
    ``username`` is accepted for those callers and not used here: the wait that guesses on one
    username earn is the login service's to impose, since only it knows whether the password
    was right (``portfolio/accounts/throttle.py``).
    """
    del username
    settings = runtime.settings
    # Revocations this request makes (a password reset by activation) are this app's.
    session_cache.serve(runtime.keyring)
    try:
        await throttle.check_client(
            secret=await throttle_secret(runtime.keyring),
            client=request.client.host if request.client else None,
            per_client=settings.login_rate_per_client,
            window_seconds=settings.login_rate_window_seconds,
        )
    except RateLimited as exc:
        await record(
            AuditKind.LOGIN_RATE_LIMITED,
            Outcome.DENIED,
            route=request.url.path,
            limit="client",
            retry_after=exc.retry_after_seconds,
        )
        raise


async def throttle_verification(request: Request, runtime: RuntimeDep) -> None:
    """Count a credential verification by client address; 429 past the minute's limit."""
    if request.client is None:
        return
    await throttle.hit(
        "verify",
        request.client.host,
        secret=await throttle_secret(runtime.keyring),
        limit=runtime.settings.verify_rate_per_minute,
        window_seconds=60,
    )


VerifyThrottled = Depends(throttle_verification)

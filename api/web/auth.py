"""Who is looking at a page: the web session cookie, and the role gates of page routes.

The one module to switch to the shared principal sources and role gates (api/deps.py) when
they land. Its interface:

* ``await current_page_actor(request) -> Actor | None``: the signed-in actor of the session
  cookie, or None (resolved once per request);
* ``require_page_role(*roles)``: a dependency that answers a visitor who is not signed in
  with a 303 to ``/login?next=<this page>`` and a signed-in actor of another role with the 403
  page; ``SignedInPage``, ``WorkerPage``, ``ProviderPage``, ``AgencyPage``, ``AdminPage`` are
  its ``Annotated`` aliases;
* ``landing_url(role)``: the page a role lands on after signing in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, cast
from urllib.parse import quote

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from portfolio.accounts import web_sessions
from portfolio.accounts.principal import Actor, Role
from portfolio.audit import context as audit_context
from portfolio.errors import Forbidden

# ``__Host-``: only ever set by this host, over HTTPS (browsers count 127.0.0.1 and localhost
# as secure), for the whole site; another site or a subdomain cannot plant or read it.
SESSION_COOKIE = "__Host-portfolio-session"
# Before a session exists, the login form's CSRF token is bound to this one.
PRE_SESSION_COOKIE = "__Host-portfolio-login"

_UNRESOLVED = object()

LANDING = {
    Role.WORKER: "/my",
    Role.PROVIDER: "/provider",
    Role.AGENCY: "/agency",
    Role.ADMIN: "/administration",
}


class SignInRequired(Exception):
    """A page needs a signed-in visitor: answered with a 303 to the login page."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to

    @property
    def location(self) -> str:
        """The login page, with the page to come back to."""
        return f"/login?next={quote(self.back_to, safe='/')}"


def landing_url(role: Role) -> str:
    """Where a role lands after signing in."""
    return LANDING[role]


def session_secret(request: Request) -> str | None:
    """The session cookie's secret, if the browser sent one."""
    return request.cookies.get(SESSION_COOKIE) or None


async def current_page_actor(request: Request) -> Actor | None:
    """The actor of the request's web session, or None; resolved once per request."""
    cached = getattr(request.state, "page_actor", _UNRESOLVED)
    if cached is not _UNRESOLVED:
        return cast("Actor | None", cached)
    secret = session_secret(request)
    actor = await web_sessions.resolve(secret) if secret else None
    request.state.page_actor = actor
    if actor is not None:
        audit_context.note_actor(actor)
    return actor


def known_page_actor(request: Request) -> Actor | None:
    """The actor if this request already resolved it (error pages: never a database read)."""
    actor: Actor | None = getattr(request.state, "page_actor", None)
    return actor


def require_page_role(*roles: Role) -> Callable[[Request], Awaitable[Actor]]:
    """A dependency letting only signed-in actors of ``roles`` through (any role if none)."""
    allowed = frozenset(roles or Role)

    async def dependency(request: Request) -> Actor:
        actor = await current_page_actor(request)
        if actor is None:
            back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(back_to if request.method == "GET" else request.url.path)
        if actor.role not in allowed:
            raise Forbidden("this page is for another role")
        return actor

    # Lets tooling (and the page access tests) read which roles a page admits.
    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency


SignedInPage = Annotated[Actor, Depends(require_page_role())]
WorkerPage = Annotated[Actor, Depends(require_page_role(Role.WORKER))]
ProviderPage = Annotated[Actor, Depends(require_page_role(Role.PROVIDER))]
AgencyPage = Annotated[Actor, Depends(require_page_role(Role.AGENCY))]
AdminPage = Annotated[Actor, Depends(require_page_role(Role.ADMIN))]


def _cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="lax"
    )


def set_session_cookie(response: Response, secret: str) -> None:
    """Hand the browser its session (a browser-session cookie: gone when the browser closes)."""
    _cookie(response, SESSION_COOKIE, secret, None)


def clear_session_cookie(response: Response) -> None:
    """Make the browser forget its session cookie."""
    _cookie(response, SESSION_COOKIE, "", 0)


def set_pre_session_cookie(response: Response, secret: str) -> None:
    """The login form's CSRF anchor."""
    _cookie(response, PRE_SESSION_COOKIE, secret, None)

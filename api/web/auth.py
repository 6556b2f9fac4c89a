"""Who is looking at a page: the web session cookie, and the role gates of page routes.

The page principal source of api/deps.py asks this module who is signed in
(``register_page_resolver``, done by ``api.web.install``); the role gates are the shared ones.

* ``await current_page_actor(request) -> Actor | None``: the signed-in actor of the session
  cookie, or None (resolved once per request);
* the page gates of api/deps.py (``PagePrincipal``, ``WorkerPage``, ``ProviderPage``,
  ``AgencyPage``, ``AdminPage``, ``OrganisationAdminPage``): a visitor who is not signed in
  gets a 303 to ``/login?next=<this page>`` (``LoginRequired``), another role the 403 page;
* ``landing_url(role)``: the page a role lands on after signing in.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from api.runtime import get_runtime
from portfolio.accounts import session_cache, web_sessions
from portfolio.accounts.principal import Actor, Role
from portfolio.audit import context as audit_context

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


def login_location(back_to: str | None) -> str:
    """The login page, with the (local) page to come back to after signing in."""
    if not back_to:
        return "/login"
    return f"/login?next={quote(back_to, safe='/')}"


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
    actor = None
    if secret:
        # The app instance's session cache, as for access tokens: a page costs no round trip
        # for its session and account while they are remembered (revocation bound: the setting).
        runtime = get_runtime(request)
        actor = await web_sessions.resolve(
            secret,
            cache=session_cache.serve(runtime.keyring),
            ttl=runtime.settings.session_cache_seconds,
        )
    request.state.page_actor = actor
    if actor is not None:
        audit_context.note_actor(actor)
    return actor


def known_page_actor(request: Request) -> Actor | None:
    """The actor if this request already resolved it (error pages: never a database read)."""
    actor: Actor | None = getattr(request.state, "page_actor", None)
    return actor


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

"""Signing in and out: the login form opens a web session, the sign-out button ends it."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from api.deps import throttle_credentials
from api.runtime import get_runtime
from api.web import auth, csrf
from api.web.forms import (
    LoginForm,
    PageError,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    safe_next,
    see_other,
)
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.accounts import web_sessions
from portfolio.errors import AuthenticationFailed, RateLimited

router = page_router()


@router.get("/login")
async def login_page(request: Request, next: str = "") -> Response:
    """The sign-in form (with a failed attempt's errors); someone signed in goes on."""
    actor = await auth.current_page_actor(request)
    if actor is not None:
        return see_other(safe_next(next, auth.landing_url(actor.role)))
    pre_secret = request.cookies.get(auth.PRE_SESSION_COOKIE) or secrets.token_urlsafe(32)
    state = form_state(request)
    response = await render(
        request,
        "login.html",
        {
            "errors": state.errors,
            "error_of": state.error_of,
            "username": state.value("username"),
            "next": safe_next(next, ""),
            "login_token": csrf.token_for(pre_secret, "login"),
        },
    )
    if auth.PRE_SESSION_COOKIE not in request.cookies:
        auth.set_pre_session_cookie(response, pre_secret)
    forget_form_state(request, response)
    return response


def _refusal(request: Request, exc: Exception) -> PageError:
    if isinstance(exc, RateLimited):
        message = t(request, "Too many attempts. Wait a minute, then try again.")
        return PageError("username", message)
    if isinstance(exc, AuthenticationFailed) and exc.detail == web_sessions.DISABLED_ACCOUNT:
        message = t(request, "This account is disabled. Ask an administrator.")
        return PageError("username", message)
    return PageError("username", t(request, "The username or password is not right"))


def _again(next_page: str, username: str, errors: list[PageError]) -> Response:
    """Back to the form with its errors (the password is never kept)."""
    location = "/login" + (f"?next={quote(next_page, safe='/')}" if next_page else "")
    return back_to_form(location, errors, {"username": username})


@router.post("/login")
async def login(request: Request, form: LoginForm) -> Response:
    """Check the password as the token login does; a new session on success (PRG)."""
    username, password = form.get("username"), form.fields.get("password", "")
    next_page = safe_next(form.get("next"), "")
    if not username:
        form.error("username", t(request, "Enter your username"))
    if not password:
        form.error("password", t(request, "Enter your password"))
    if form.errors:
        return _again(next_page, username, form.errors)
    runtime = get_runtime(request)
    try:
        await throttle_credentials(request, runtime, username=username)
    except RateLimited as exc:
        return _again(next_page, username, [_refusal(request, exc)])
    pre_secret = request.cookies.get(auth.PRE_SESSION_COOKIE, "")

    async def act() -> Response:
        try:
            session = await web_sessions.login(
                settings=runtime.settings,
                keyring=runtime.keyring,
                username=username,
                password=password,
            )
        except (AuthenticationFailed, RateLimited) as exc:
            return _again(next_page, username, [_refusal(request, exc)])
        # A session this browser held before (another account) ends: one browser, one session.
        previous = auth.session_secret(request)
        if previous:
            await web_sessions.logout(previous)
        response = see_other(next_page or auth.landing_url(session.actor.role))
        auth.set_session_cookie(response, session.secret)
        return response

    return await once(request, form, f"login:{pre_secret}", act)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session in the database and forget the cookie (CSRF-checked like any form)."""
    runtime = get_runtime(request)
    csrf.check_origin(request, runtime.settings)
    secret = auth.session_secret(request)
    response = see_other("/?notice=signed-out")
    if secret is None:
        return response  # nothing to end: the session cookie is already gone
    raw = await request.form(max_files=0, max_fields=20)
    offered = raw.get("csrf_token")
    csrf.check_token(offered if isinstance(offered, str) else None, secret)
    await web_sessions.logout(secret)
    auth.clear_session_cookie(response)
    return response

"""The worker's account: activating the login with the agency's code, changing the password,
the signed-in devices (web and API sessions alike) and signing out of them.

Activation and the password change are throttled as the token login is
(``throttle_credentials``: by address, and by username where there is one); their logins are
audited by the same service (``web_sessions``).
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from api.deps import WorkerPage, throttle_credentials
from api.runtime import get_runtime
from api.web import auth, csrf
from api.web.forms import (
    LoginForm,
    PageError,
    PostedForm,
    SessionForm,
    back_to_form,
    forget_form_state,
    form_state,
    once,
    see_other,
)
from api.web.i18n import N_
from api.web.routing import page_router
from api.web.templating import render, t
from portfolio.accounts import sessions, web_sessions
from portfolio.archives import activation
from portfolio.errors import (
    AuthenticationFailed,
    Conflict,
    FieldError,
    RateLimited,
    ValidationFailed,
)

router = page_router()

NOTICES = {
    "password-changed": N_("Your password has been changed. Your other devices are signed out."),
    "session-ended": N_("That device is signed out."),
}
# What a refused field means to a person, by (field, rule) of the domain's errors.
MESSAGES = {
    ("username", "format"): N_(
        "A username has 3 to 64 letters, digits, full stops, underscores, @ or hyphens"
    ),
    ("username", "fixed"): N_("You have a login already: leave the username empty"),
    ("password", "min_length"): N_("Your password must have at least %(min)s characters"),
    ("password", "max_length"): N_("Your password is too long"),
    ("password", "equals_username"): N_("Your password must differ from your username"),
    ("new_password", "min_length"): N_("Your password must have at least %(min)s characters"),
    ("new_password", "max_length"): N_("Your password is too long"),
    ("new_password", "equals_username"): N_("Your password must differ from your username"),
    ("new_password", "unchanged"): N_("Your new password must differ from your current one"),
    ("current_password", "incorrect"): N_("Your current password is not right"),
}


def _message(request: Request, error: FieldError) -> str:
    message = MESSAGES.get((error.field, error.rule), N_("Check this answer"))
    minimum = get_runtime(request).settings.password_min_length
    return t(request, message) % {"min": minimum} if "%(min)s" in message else t(request, message)


def _locked(request: Request, exc: RateLimited) -> str:
    seconds = exc.retry_after_seconds
    minutes = max(1, -(-seconds // 60)) if isinstance(seconds, int) else 15
    return t(request, "Too many wrong passwords. Try again in %(minutes)s minutes.") % {
        "minutes": minutes
    }


# --- activation (public) --------------------------------------------------------------------


@router.get("/activate")
async def activation_page(request: Request) -> Response:
    """The activation form: the agency's code, an optional username, the new password."""
    actor = await auth.current_page_actor(request)
    if actor is not None:
        return see_other(auth.landing_url(actor.role))
    pre_secret = request.cookies.get(auth.PRE_SESSION_COOKIE) or secrets.token_urlsafe(32)
    state = form_state(request)
    response = await render(
        request,
        "worker/activate.html",
        {
            "errors": state.errors,
            "error_of": state.error_of,
            "username": state.value("username"),
            "login_token": csrf.token_for(pre_secret, "login"),
            "min_length": get_runtime(request).settings.password_min_length,
        },
    )
    if auth.PRE_SESSION_COOKIE not in request.cookies:
        auth.set_pre_session_cookie(response, pre_secret)
    forget_form_state(request, response)
    return response


def _activation_errors(request: Request, form: PostedForm) -> None:
    if not form.get("code"):
        form.error("code", t(request, "Enter the activation code your agency gave you"))
    if not form.fields.get("password"):
        form.error("password", t(request, "Enter a password"))
    elif form.fields.get("password") != form.fields.get("confirm"):
        form.error("confirm", t(request, "The two passwords are not the same"))


@router.post("/activate")
async def activate(request: Request, form: LoginForm) -> Response:
    """Turn the code into a login (as ``POST /auth/activate``), then sign in with it."""
    code, username = form.get("code"), form.get("username")
    password = form.fields.get("password", "")
    _activation_errors(request, form)
    if form.errors:
        return back_to_form("/activate", form.errors, {"username": username})
    runtime = get_runtime(request)
    try:
        # Per address only, as the API: the code, not a username, is what a guesser varies.
        await throttle_credentials(request, runtime, username=None)
    except RateLimited:
        message = t(request, "Too many attempts. Wait a minute, then try again.")
        return back_to_form("/activate", [PageError("code", message)], {"username": username})
    pre_secret = request.cookies.get(auth.PRE_SESSION_COOKIE, "")

    async def act() -> Response:
        try:
            done = await activation.activate(
                settings=runtime.settings,
                keyring=runtime.keyring,
                code=code,
                password=password,
                username=username or None,
            )
        except AuthenticationFailed:
            form.error("code", t(request, "The activation code is wrong, used or expired"))
        except Conflict:
            form.error("username", t(request, "This username is taken: choose another"))
        except ValidationFailed as failed:
            for error in failed.errors:
                form.error(error.field, _message(request, error))
        if form.errors:
            return back_to_form("/activate", form.errors, {"username": username})
        session = await web_sessions.login(
            settings=runtime.settings,
            keyring=runtime.keyring,
            username=done.username,
            password=password,
        )
        previous = auth.session_secret(request)
        if previous:
            await web_sessions.logout(previous)
        response = see_other("/my?notice=activated")
        auth.set_session_cookie(response, session.secret)
        return response

    return await once(request, form, f"activate:{pre_secret}", act)


# --- the account ----------------------------------------------------------------------------


@router.get("/my/account")
async def account_page(request: Request, actor: WorkerPage, notice: str | None = None) -> Response:
    """The signed-in devices (this browser marked), and the ways to sign out of them."""
    found = await sessions.list_sessions(actor=actor)
    secret = auth.session_secret(request)
    message = NOTICES.get(notice or "")
    return await render(
        request,
        "worker/account.html",
        {
            "sessions": found,
            "current": web_sessions.session_id_of(secret) if secret else None,
            "notice": t(request, message) if message else None,
        },
    )


@router.post("/my/account/sessions/{session_id}/end")
async def end_session(
    request: Request, actor: WorkerPage, form: SessionForm, session_id: str
) -> Response:
    """Sign one device out; signing out this browser ends here too."""

    async def act() -> Response:
        await sessions.revoke_session(actor=actor, session_id=session_id)
        secret = auth.session_secret(request)
        if secret and web_sessions.session_id_of(secret) == session_id:
            response = see_other("/?notice=signed-out")
            auth.clear_session_cookie(response)
            return response
        return see_other("/my/account?notice=session-ended")

    return await once(request, form, actor.principal_id, act)


@router.post("/my/account/sign-out-everywhere")
async def sign_out_everywhere(request: Request, actor: WorkerPage, form: SessionForm) -> Response:
    """End every session of the account, the API's included, this browser's too."""

    async def act() -> Response:
        await sessions.logout_all(actor=actor)
        response = see_other("/?notice=signed-out-everywhere")
        auth.clear_session_cookie(response)
        return response

    return await once(request, form, actor.principal_id, act)


@router.get("/my/account/password")
async def password_page(request: Request, actor: WorkerPage) -> Response:
    """The form to change the password (with a failed attempt's errors)."""
    state = form_state(request)
    response = await render(
        request,
        "worker/password.html",
        {
            "errors": state.errors,
            "error_of": state.error_of,
            "min_length": get_runtime(request).settings.password_min_length,
        },
    )
    forget_form_state(request, response)
    return response


@router.post("/my/account/password")
async def change_password(request: Request, actor: WorkerPage, form: SessionForm) -> Response:
    """Check the current password, set the new one; every other device is signed out and this
    browser gets a new session."""
    current, new = form.fields.get("current_password", ""), form.fields.get("new_password", "")
    if not current:
        form.error("current_password", t(request, "Enter your current password"))
    if not new:
        form.error("new_password", t(request, "Enter a new password"))
    elif new != form.fields.get("confirm", ""):
        form.error("confirm", t(request, "The two passwords are not the same"))
    if form.errors:
        return back_to_form("/my/account/password", form.errors, {})
    runtime = get_runtime(request)
    try:
        await throttle_credentials(request, runtime, username=actor.username)
    except RateLimited:
        message = t(request, "Too many attempts. Wait a minute, then try again.")
        return back_to_form("/my/account/password", [PageError("current_password", message)], {})

    async def act() -> Response:
        try:
            session = await web_sessions.change_password(
                settings=runtime.settings,
                keyring=runtime.keyring,
                actor=actor,
                current_password=current,
                new_password=new,
            )
        except ValidationFailed as failed:
            errors = [PageError(e.field, _message(request, e)) for e in failed.errors]
            return back_to_form("/my/account/password", errors, {})
        except RateLimited as exc:
            return back_to_form(
                "/my/account/password", [PageError("current_password", _locked(request, exc))], {}
            )
        response = see_other("/my/account?notice=password-changed")
        auth.set_session_cookie(response, session.secret)
        return response

    return await once(request, form, actor.principal_id, act)

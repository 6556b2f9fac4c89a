"""Posted forms: the CSRF checks, the fields, errors tied to fields, and "do it once".

A page route that changes state takes a checked form and wraps its one service call::

    @router.post("/my/thing")
    async def post_thing(request: Request, actor: WorkerPage, form: SessionForm) -> Response:
        async def act() -> Response:
            await service.do_thing(actor=actor, what=form.get("what"))
            return see_other("/my/thing/done")
        return await once(request, form, actor.principal_id, act)

``SessionForm`` (signed-in forms) and ``LoginForm`` (the login form) check the origin and the
CSRF token before the route runs; a failure is a 403 page and nothing changes. ``once`` keeps
the first redirect a form rendering produced (its hidden ``form_key``) and answers a double
submit with the same redirect, cookies included, without doing the work again.

A form that fails goes back to its page too (``back_to_form``): the errors and the values to
show again travel in a short-lived cookie that the next rendering reads and clears
(``form_state``/``forget_form_state``), so every post ends in a redirect and the browser's
history holds no post result (Chromium's back button cannot return to one without sending it
again). Secrets (passwords) are never among the values kept.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends
from pymongo.errors import PyMongoError
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.runtime import get_runtime
from api.web import auth, csrf
from portfolio import idempotency
from portfolio.identity.protection import FieldProtection

KEY_FIELD = "form_key"
# A failed form's errors and values, for its next rendering only.
STATE_COOKIE = "__Host-portfolio-form"
_STATE_SECONDS = 300
_STATE_MAX_BYTES = 3000
_VALID_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MAX_FIELD = 10_000


@dataclass(frozen=True)
class PageError:
    """One error of a form: the field's id (the summary links to it) and the message."""

    field: str
    message: str


@dataclass
class PostedForm:
    """A checked form's text fields (trimmed) and its rendering's key."""

    fields: dict[str, str]
    key: str
    errors: list[PageError] = field(default_factory=list)

    def get(self, name: str) -> str:
        """A field's trimmed text ('' when absent)."""
        return self.fields.get(name, "")

    def error(self, name: str, message: str) -> None:
        """Note an error of field ``name``."""
        self.errors.append(PageError(name, message))


@dataclass(frozen=True)
class FormState:
    """What a failed post hands to its form's next rendering: errors and values to show."""

    errors: list[PageError] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """A value to show again ('' when none)."""
        return self.values.get(name, "")

    def error_of(self, name: str) -> str | None:
        """The first error of field ``name`` (for the field macro)."""
        return next((e.message for e in self.errors if e.field == name), None)


def back_to_form(
    location: str, errors: list[PageError], values: dict[str, str]
) -> RedirectResponse:
    """A failed post: 303 back to the form's page, which shows ``errors`` and ``values``."""
    kept = {name: value[:500] for name, value in values.items()}
    payload = {
        "path": urlsplit(location).path,
        "errors": [[e.field, e.message] for e in errors],
        "values": kept,
    }
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    if len(encoded) > _STATE_MAX_BYTES:  # never a cookie the browser would drop
        payload["values"] = {}
        encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    response = see_other(location)
    response.set_cookie(
        STATE_COOKIE,
        encoded,
        max_age=_STATE_SECONDS,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


def form_state(request: Request) -> FormState:
    """The errors and values a failed post left for this page (empty when none)."""
    raw = request.cookies.get(STATE_COOKIE)
    if not raw:
        return FormState()
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw.encode()))
        if payload["path"] != request.url.path:
            return FormState()
        errors = [PageError(str(f), str(m)) for f, m in payload["errors"]]
        values = {str(k): str(v) for k, v in payload["values"].items()}
    except (ValueError, KeyError, TypeError, binascii.Error):
        return FormState()
    return FormState(errors=errors, values=values)


def forget_form_state(request: Request, response: Response) -> None:
    """Clear the failed post's cookie once its page has shown it."""
    if STATE_COOKIE in request.cookies:
        response.set_cookie(
            STATE_COOKIE, "", max_age=0, path="/", secure=True, httponly=True, samesite="lax"
        )


def see_other(location: str) -> RedirectResponse:
    """The answer to a successful post: 303 to the page to show next (post/redirect/get)."""
    return RedirectResponse(location, status_code=303)


def safe_next(value: str | None, default: str) -> str:
    """A local path to go on to after a form, else ``default`` (no open redirect)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x20 for c in value)
        or len(value) > 1000
    ):
        return default
    return value


async def _read(request: Request) -> dict[str, str]:
    raw = await request.form(max_files=0, max_fields=200)
    fields: dict[str, str] = {}
    for name, value in raw.multi_items():
        if isinstance(value, UploadFile) or name in fields:
            continue
        fields[name] = value.strip()[:_MAX_FIELD]
    return fields


async def _checked(request: Request, secret: str | None, purpose: str) -> PostedForm:
    runtime = get_runtime(request)
    csrf.check_origin(request, runtime.settings)
    fields = await _read(request)
    csrf.check_token(fields.get(csrf.FIELD), secret, purpose)
    key = fields.get(KEY_FIELD, "")
    if not _VALID_KEY.match(key):
        raise csrf.CsrfRejected("no-form-key")
    return PostedForm(fields=fields, key=key)


async def session_form(request: Request) -> PostedForm:
    """A signed-in page's form, checked against the session (403 page when it fails)."""
    return await _checked(request, auth.session_secret(request), "form")


async def login_form(request: Request) -> PostedForm:
    """The login form, checked against the pre-session cookie (403 page when it fails)."""
    return await _checked(request, request.cookies.get(auth.PRE_SESSION_COOKIE), "login")


SessionForm = Annotated[PostedForm, Depends(session_form)]
LoginForm = Annotated[PostedForm, Depends(login_form)]


async def once(
    request: Request, form: PostedForm, owner: str, act: Callable[[], Awaitable[Response]]
) -> Response:
    """Run ``act`` once per form rendering of ``owner``; a repeat gets the first redirect.

    Only redirects are kept (a success, or back to the form with its errors), encrypted like
    the API's stored answers (a login's carries the session cookie); any other answer is
    forgotten.
    """
    runtime = get_runtime(request)
    rid = idempotency.record_id(principal=owner, method="POST", path=request.url.path, key=form.key)
    protection = FieldProtection(runtime.keyring)
    # The key alone is the fingerprint: a resubmitted rendering is the same act.
    fingerprint = idempotency.body_hash(form.key.encode())
    stored = await idempotency.claim(
        rid,
        fingerprint,
        protection,
        lease=timedelta(seconds=runtime.settings.idempotency_lease_seconds),
    )
    if stored is not None:
        kept = json.loads(stored.body)
        replay = see_other(kept["location"])
        for cookie in kept["cookies"]:
            replay.headers.append("set-cookie", cookie)
        return replay
    try:
        response = await act()
    except BaseException:
        with contextlib.suppress(PyMongoError):
            await idempotency.release(rid)
        raise
    if not 300 <= response.status_code < 400:
        await idempotency.release(rid)
        return response
    kept_answer = {
        "location": response.headers["location"],
        "cookies": response.headers.getlist("set-cookie"),
    }
    await idempotency.complete(
        rid,
        idempotency.StoredAnswer(303, json.dumps(kept_answer).encode(), "application/json"),
        protection,
    )
    return response

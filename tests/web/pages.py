"""Driving pages in-process, as a browser would: read a form's hidden fields, post it back.

Sign in through the form, then post another page's form::

    secret = await sign_in(web, "worker-7", DEFAULT_PASSWORD)
    response = await post_form(web, "/logout", page="/my")
"""

from __future__ import annotations

import re
from typing import Any

from httpx import AsyncClient, Response

from api.web.auth import SESSION_COOKIE

ORIGIN = {"Origin": "https://testserver"}
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden fields of the first form of a page (csrf_token, form_key, ...)."""
    fields: dict[str, str] = {}
    for name, value in _HIDDEN.findall(html):
        fields.setdefault(name, value)
    return fields


async def post_form(
    web: AsyncClient,
    action: str,
    *,
    page: str,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> Response:
    """Open ``page``, then post its form's hidden fields plus ``data`` to ``action``."""
    shown = await web.get(page)
    assert shown.status_code == 200, shown.text
    body = {**hidden_fields(shown.text), **(data or {})}
    sent = ORIGIN if headers is None else headers
    return await web.post(action, data=body, headers=sent, **kwargs)


async def sign_in(web: AsyncClient, username: str, password: str) -> str:
    """Sign in through the login form; returns the session cookie's secret."""
    response = await post_form(
        web, "/login", page="/login", data={"username": username, "password": password}
    )
    assert response.status_code == 303, response.text
    secret = web.cookies.get(SESSION_COOKIE)
    assert secret, "no session cookie after signing in"
    return secret


def set_session(web: AsyncClient, secret: str) -> None:
    """Make the client present ``secret`` as its session cookie (a replayed cookie)."""
    web.cookies.delete(SESSION_COOKIE)
    # http.cookiejar files a host name without a dot under ".local".
    web.cookies.set(SESSION_COOKIE, secret, domain="testserver.local", path="/")

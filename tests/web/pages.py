"""Driving pages in-process, as a browser would: read a form's hidden fields, post it back.

Sign in through the form, then post another page's form::

    secret = await sign_in(web, "worker-7", DEFAULT_PASSWORD)
    response = await post_form(web, "/logout", page="/my")

A worker's pages read their archive: ``await worker_with_archive(settings)`` registers one
(through the agency's service) and makes the worker's login bound to it.
"""

from __future__ import annotations

import re
from typing import Any

from httpx import AsyncClient, Response

from api.web.auth import SESSION_COOKIE
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Actor, Role
from portfolio.archives import registration
from portfolio.archives.views import RegisteredWorker
from portfolio.identity.identifiers import IdType
from portfolio.keyring import Keyring, load_master_secret
from portfolio.settings import Settings
from tests.archives.factories import fresh_resident_id
from tests.helpers import create_principal

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


AGENCY = Actor(
    principal_id="agency-pages", username="agency-pages", role=Role.AGENCY, region_prefix="5101"
)


async def keyring_of(settings: Settings) -> Keyring:
    """The keys the app uses (the same master secret, read from the same store)."""
    keyring = Keyring(load_master_secret(settings))
    await keyring.load()
    return keyring


async def registered_worker(
    settings: Settings, *, name: str = "张三", phone: str = "13800138000"
) -> RegisteredWorker:
    """An archive registered by a Chengdu agency (with its activation code, unused)."""
    return await registration.register_worker(
        actor=AGENCY,
        keyring=await keyring_of(settings),
        settings=settings,
        name=name,
        id_type=IdType.RESIDENT_ID,
        id_number=fresh_resident_id(),
        phone=phone,
        region_code="510104",
    )


async def worker_with_archive(settings: Settings, **registered: str) -> Principal:
    """A worker login bound to a freshly registered archive."""
    done = await registered_worker(settings, **registered)
    return await create_principal(settings, Role.WORKER, archive_id=done.worker.archive_id)

"""Web sessions and form safety, over the in-process client (https://, so cookies are Secure).

The session cookie's prefix and flags, a new session id at every login, logout and "sign out
everywhere" ending the session in the database (the API no longer lists it), CSRF and origin
checks that change nothing, a double submit that does one thing, and the token login's
throttling, lock and audit applied to the form.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from api.web.auth import PRE_SESSION_COOKIE, SESSION_COOKIE
from portfolio import clock
from portfolio.accounts import web_sessions
from portfolio.accounts.documents import Principal, RefreshFamily
from portfolio.audit.documents import AuditEvent
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, auth_headers, request_tokens
from tests.web.pages import (
    ORIGIN,
    hidden_fields,
    post_form,
    set_session,
    sign_in,
    worker_with_archive,
)


async def _worker(settings: Settings) -> Principal:
    # A real worker: their pages read their archive.
    return await worker_with_archive(settings)


async def _api_sessions(web: AsyncClient, principal: Principal) -> list[str]:
    tokens = await request_tokens(web, principal.username, DEFAULT_PASSWORD)
    listed = await web.get("/auth/sessions", headers=auth_headers(tokens["access_token"]))
    assert listed.status_code == 200, listed.text
    return [session["id"] for session in listed.json()]


async def test_session_cookie_has_the_host_prefix_and_flags(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    login = await post_form(
        web,
        "/login",
        page="/login",
        data={"username": worker.username, "password": DEFAULT_PASSWORD},
    )
    assert login.status_code == 303
    assert login.headers["location"] == "/my"
    cookies = [c for c in login.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]
    assert len(cookies) == 1
    flags = [part.strip().lower() for part in cookies[0].split(";")[1:]]
    assert "httponly" in flags
    assert "secure" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    # ``__Host-``: no Domain; and no lifetime, so it ends with the browser's session.
    assert not any(f.startswith(("domain", "max-age", "expires")) for f in flags)
    landing = await web.get("/my")
    assert landing.status_code == 200
    assert worker.username in landing.text


async def test_each_login_gets_a_new_session_id_and_ends_the_one_before(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    first = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    # Signing in again from the same browser (the login page answers a signed-in visitor with
    # their page, so post the form of a fresh rendering).
    web.cookies.delete(SESSION_COOKIE)
    page = await web.get("/login")
    set_session(web, first)
    again = await web.post(
        "/login",
        data={
            **hidden_fields(page.text),
            "username": worker.username,
            "password": DEFAULT_PASSWORD,
        },
        headers=ORIGIN,
    )
    assert again.status_code == 303
    second = web.cookies.get(SESSION_COOKIE)
    assert second
    assert second != first
    assert await web_sessions.resolve(first) is None
    assert await web_sessions.resolve(second) is not None
    # Neither the secret nor anything but its hash is stored.
    assert await RefreshFamily.get(first) is None
    stored = await RefreshFamily.get(web_sessions.session_id_of(second))
    assert stored is not None
    assert stored.kind == "web"


async def test_logout_ends_the_session_in_the_database(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    session_id = web_sessions.session_id_of(secret)
    assert session_id in await _api_sessions(web, worker)

    out = await post_form(web, "/logout", page="/my")
    assert out.status_code == 303
    assert out.headers["location"] == "/?notice=signed-out"
    assert session_id not in await _api_sessions(web, worker)
    family = await RefreshFamily.get(session_id)
    assert family is not None
    assert family.revoked
    assert family.revoked_reason == "logout"
    # The old cookie, replayed, signs nobody in.
    set_session(web, secret)
    replayed = await web.get("/my")
    assert replayed.status_code == 303
    assert replayed.headers["location"] == "/login?next=/my"


async def test_sign_out_everywhere_and_a_password_change_end_web_sessions(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    tokens = await request_tokens(web, worker.username, DEFAULT_PASSWORD)
    ended = await web.post("/auth/logout-all", headers=auth_headers(tokens["access_token"]))
    assert ended.status_code == 204
    assert await web_sessions.resolve(secret) is None
    assert (await web.get("/my")).status_code == 303

    # Ending one session from the API's list ends the browser's too.
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    tokens = await request_tokens(web, worker.username, DEFAULT_PASSWORD)
    session_id = web_sessions.session_id_of(secret)
    revoked = await web.post(
        f"/auth/sessions/{session_id}/revoke", headers=auth_headers(tokens["access_token"])
    )
    assert revoked.status_code == 204
    assert await web_sessions.resolve(secret) is None


async def test_a_post_without_the_csrf_token_changes_nothing(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    page = await web.get("/my")
    fields = hidden_fields(page.text)

    for body in ({"form_key": fields["form_key"]}, {**fields, "csrf_token": "0" * 64}):
        refused = await web.post("/logout", data=body, headers=ORIGIN)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert await web_sessions.resolve(secret) is not None

    # The login form without its token: no session, no login attempt recorded.
    web.cookies.delete(SESSION_COOKIE)
    login_page = await web.get("/login")
    before = await AuditEvent.find({"kind": {"$in": ["login.succeeded", "login.failed"]}}).count()
    refused = await web.post(
        "/login",
        data={
            "form_key": hidden_fields(login_page.text)["form_key"],
            "username": worker.username,
            "password": DEFAULT_PASSWORD,
        },
        headers=ORIGIN,
    )
    assert refused.status_code == 403
    assert SESSION_COOKIE not in web.cookies
    after = await AuditEvent.find({"kind": {"$in": ["login.succeeded", "login.failed"]}}).count()
    assert after == before
    denied = {"kind": "request.denied", "details.reason": "csrf:no-token"}
    assert await AuditEvent.find_one(denied) is not None


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver"},  # another scheme is another origin
        {"Referer": "https://evil.example/page"},
        {},  # neither Origin nor Referer
    ],
    ids=["other-origin", "other-scheme", "other-referer", "no-origin"],
)
async def test_a_cross_origin_post_changes_nothing(
    web: AsyncClient, settings: Settings, headers: dict[str, str]
) -> None:
    worker = await _worker(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    # Every hidden field right, including the session's own token: only the origin is wrong.
    refused = await post_form(web, "/logout", page="/my", headers=headers)
    assert refused.status_code == 403
    assert await web_sessions.resolve(secret) is not None
    # The same form from our own page (a browser sending only Referer) works.
    done = await post_form(web, "/logout", page="/my", headers={"Referer": "https://testserver/my"})
    assert done.status_code == 303
    assert await web_sessions.resolve(secret) is None


async def test_a_double_submitted_login_starts_one_session(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    page = await web.get("/login")
    body = {
        **hidden_fields(page.text),
        "username": worker.username,
        "password": DEFAULT_PASSWORD,
    }
    first = await web.post("/login", data=body, headers=ORIGIN)
    web.cookies.delete(SESSION_COOKIE)  # the browser dropped the first answer
    second = await web.post("/login", data=body, headers=ORIGIN)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert first.cookies[SESSION_COOKIE] == second.cookies[SESSION_COOKIE]
    families = await RefreshFamily.find({"principal_id": str(worker.id), "kind": "web"}).to_list()
    assert len(families) == 1


async def test_the_login_form_counts_failures_throttles_and_audits_like_the_token_login(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    for _ in range(settings.login_free_failures):
        wrong = await post_form(
            web,
            "/login",
            page="/login",
            data={"username": worker.username, "password": "not the password"},
        )
        assert wrong.status_code == 303
        assert wrong.headers["location"] == "/login"
    # This browser failed too often on the name: even the right password waits.
    held = await post_form(
        web,
        "/login",
        page="/login",
        data={"username": worker.username, "password": DEFAULT_PASSWORD},
    )
    assert held.headers["location"] == "/login"
    shown = await web.get("/login")
    assert "Too many attempts" in shown.text or "尝试次数过多" in shown.text
    assert SESSION_COOKIE not in web.cookies
    failed = await AuditEvent.find(
        {"kind": "login.failed", "principal_id": str(worker.id)}
    ).to_list()
    assert len(failed) == settings.login_free_failures
    assert {e.details["reason"] for e in failed} == {"wrong-password"}
    assert await AuditEvent.find_one({"kind": "login.rate_limited"}) is not None


async def test_the_login_form_is_throttled_with_the_token_route(
    web: AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "login_rate_per_client", 2)
    worker = await _worker(settings)
    for _ in range(2):
        await request_tokens(web, worker.username, DEFAULT_PASSWORD)
    limited = await post_form(
        web,
        "/login",
        page="/login",
        data={"username": worker.username, "password": DEFAULT_PASSWORD},
    )
    assert limited.headers["location"] == "/login"
    assert SESSION_COOKIE not in web.cookies
    assert await AuditEvent.find_one({"kind": "login.rate_limited"}) is not None


async def test_a_wrong_password_goes_back_to_the_form_with_its_errors_once(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    wrong = await post_form(
        web,
        "/login",
        page="/login?next=/my",
        data={"username": worker.username, "password": "nope nope nope", "next": "/my"},
        headers={**ORIGIN, "Accept-Language": "en"},
    )
    assert wrong.status_code == 303
    assert wrong.headers["location"] == "/login?next=/my"
    shown = await web.get("/login?next=/my", headers={"Accept-Language": "en"})
    assert "The username or password is not right" in shown.text
    assert f'value="{worker.username}"' in shown.text
    assert "nope nope nope" not in shown.text
    # Shown once: the next rendering is a clean form.
    again = await web.get("/login?next=/my", headers={"Accept-Language": "en"})
    assert "The username or password is not right" not in again.text
    assert PRE_SESSION_COOKIE in web.cookies


async def test_idle_and_absolute_timeouts(settings: Settings, runtime: Runtime) -> None:
    worker = await _worker(settings)
    session = await web_sessions.login(
        settings=settings,
        keyring=runtime.keyring,
        username=worker.username,
        password=DEFAULT_PASSWORD,
    )
    now = clock.real_now()
    assert await web_sessions.resolve(session.secret, now=now) is not None
    idle = now + web_sessions.IDLE_TIMEOUT + timedelta(seconds=1)
    assert await web_sessions.resolve(session.secret, now=idle) is None
    # Used within the idle time, again and again, it still ends at its maximum age.
    too_old = now + web_sessions.MAX_AGE + timedelta(seconds=1)
    assert await web_sessions.resolve(session.secret, now=too_old) is None


async def test_a_disabled_account_loses_its_web_session(
    web: AsyncClient, settings: Settings
) -> None:
    worker = await _worker(settings)
    secret = await sign_in(web, worker.username, DEFAULT_PASSWORD)
    await Principal.get_pymongo_collection().update_one(
        {"_id": worker.id}, {"$set": {"disabled": True}}
    )
    assert await web_sessions.resolve(secret) is None
    assert (await web.get("/my")).status_code == 303

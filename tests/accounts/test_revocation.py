"""Every revocation stops the session's access tokens: at once in the app instance that made
it, within ``session_cache_seconds`` (at most 30 s) in every other one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import ValidationError

from api.app import create_app
from api.runtime import Runtime
from api.web.auth import SESSION_COOKIE
from portfolio.accounts.principal import Role, StaffRole
from portfolio.models import DOCUMENT_MODELS
from portfolio.settings import Settings
from portfolio.storage import init_documents
from tests.helpers import (
    DEFAULT_PASSWORD,
    LoggedIn,
    assert_problem,
    auth_headers,
    jwt_part,
    log_in_as,
    request_tokens,
)
from tests.web.pages import post_form, sign_in

Revoke = Callable[[AsyncClient, Settings, LoggedIn], Awaitable[None]]


async def _refresh_token_revoked(client: AsyncClient, settings: Settings, who: LoggedIn) -> None:
    response = await client.post("/auth/revoke", data={"token": who.refresh_token})
    assert response.status_code == 200


async def _session_ended(client: AsyncClient, settings: Settings, who: LoggedIn) -> None:
    sid = jwt_part(who.access_token, 1)["sid"]
    other = await request_tokens(client, who.principal.username, who.password)
    ended = await client.post(
        f"/auth/sessions/{sid}/revoke", headers=auth_headers(other["access_token"])
    )
    assert ended.status_code == 204, ended.text


async def _logged_out_everywhere(client: AsyncClient, settings: Settings, who: LoggedIn) -> None:
    assert (await client.post("/auth/logout-all", headers=who.headers)).status_code == 204


async def _password_changed(client: AsyncClient, settings: Settings, who: LoggedIn) -> None:
    other = await request_tokens(client, who.principal.username, who.password)
    changed = await client.post(
        "/auth/password",
        json={"current_password": who.password, "new_password": "an entirely new passphrase"},
        headers=auth_headers(other["access_token"]),
    )
    assert changed.status_code == 200, changed.text


async def _disabled(client: AsyncClient, settings: Settings, who: LoggedIn) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    disabled = await client.post(f"/admin/principals/{who.id}/disable", headers=admin.headers)
    assert disabled.status_code == 200, disabled.text


async def _removed(client: AsyncClient, settings: Settings, who: LoggedIn) -> None:
    boss = await log_in_as(
        client, settings, Role.PROVIDER, organisation_id=who.principal.organisation_id or ""
    )
    removed = await client.post(f"/staff/{who.id}/remove", headers=boss.headers)
    assert removed.status_code == 200, removed.text


REVOCATIONS: dict[str, Revoke] = {
    "refresh token revoked": _refresh_token_revoked,
    "one session ended": _session_ended,
    "logout everywhere": _logged_out_everywhere,
    "password changed": _password_changed,
    "account disabled": _disabled,
    "staff member removed": _removed,
}


@pytest.mark.parametrize("revoke", REVOCATIONS.values(), ids=REVOCATIONS.keys())
async def test_a_revoked_sessions_access_token_is_refused_at_once_here(
    client: AsyncClient, settings: Settings, revoke: Revoke
) -> None:
    who = await log_in_as(client, settings, Role.PROVIDER, staff_role=StaffRole.CLERK)
    assert (await client.get("/me", headers=who.headers)).status_code == 200  # remembered
    await revoke(client, settings, who)
    assert_problem(await client.get("/me", headers=who.headers), 401)


async def test_other_sessions_of_the_principal_keep_working(
    client: AsyncClient, settings: Settings
) -> None:
    who = await log_in_as(client, settings, Role.WORKER)
    other = await request_tokens(client, who.principal.username, DEFAULT_PASSWORD)
    await _refresh_token_revoked(client, settings, who)
    assert_problem(await client.get("/me", headers=who.headers), 401)
    mine = await client.get("/me", headers=auth_headers(other["access_token"]))
    assert mine.status_code == 200


async def test_an_enabled_accounts_new_tokens_work_at_once(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    who = await log_in_as(client, settings, Role.AGENCY)
    await _disabled(client, settings, who)
    assert_problem(await client.get("/me", headers=who.headers), 401)  # "disabled" remembered
    enabled = await client.post(f"/admin/principals/{who.id}/enable", headers=admin.headers)
    assert enabled.status_code == 200
    fresh = await request_tokens(client, who.principal.username, DEFAULT_PASSWORD)
    assert (await client.get("/me", headers=auth_headers(fresh["access_token"]))).status_code == 200


@pytest.fixture
async def second_instance(
    settings: Settings, runtime: Runtime
) -> AsyncIterator[tuple[AsyncClient, Settings]]:
    """Another app on the same database, as another replica would be (a 2 s cache).

    Beanie's binding of documents to a database client is per process, so the second app's
    start-up takes it over: it is handed back to the session app's client (the same
    database) at once, before the second app's client closes. What is under test, each app's
    own memory of sessions (one per keyring), is unaffected.
    """
    other_settings = settings.model_copy(update={"session_cache_seconds": 2})
    other = create_app(other_settings)
    try:
        async with LifespanManager(other, startup_timeout=60, shutdown_timeout=60):
            await init_documents(runtime.client, settings.database, DOCUMENT_MODELS)
            transport = ASGITransport(app=other)
            async with AsyncClient(transport=transport, base_url="http://replica") as http:
                yield http, other_settings
    finally:
        await init_documents(runtime.client, settings.database, DOCUMENT_MODELS)


async def _refused_within(http: AsyncClient, headers: dict[str, str], bound: float) -> float:
    """Seconds until ``GET /me`` with ``headers`` is refused; fails past ``bound``."""
    started = time.monotonic()
    while (answer := await http.get("/me", headers=headers)).status_code == 200:
        assert time.monotonic() - started < bound, "the revoked token still works"
        await asyncio.sleep(0.1)
    assert_problem(answer, 401)
    return time.monotonic() - started


@pytest.mark.parametrize("revoke", REVOCATIONS.values(), ids=REVOCATIONS.keys())
async def test_another_instance_refuses_the_token_within_its_cache_bound(
    client: AsyncClient,
    settings: Settings,
    second_instance: tuple[AsyncClient, Settings],
    revoke: Revoke,
) -> None:
    replica, replica_settings = second_instance
    ttl = replica_settings.session_cache_seconds
    who = await log_in_as(client, settings, Role.PROVIDER, staff_role=StaffRole.CLERK)
    remembered_at = time.monotonic()
    assert (await replica.get("/me", headers=who.headers)).status_code == 200
    await revoke(client, settings, who)
    # Here, at once.
    assert_problem(await client.get("/me", headers=who.headers), 401)
    # There, the replica goes on trusting what it read until that runs out: the bound.
    still = await replica.get("/me", headers=who.headers)
    if time.monotonic() - remembered_at < ttl / 2:  # a busy machine may already be past it
        assert still.status_code == 200
    await _refused_within(replica, who.headers, bound=ttl + 10)


def test_the_cache_bound_is_at_most_thirty_seconds(settings: Settings) -> None:
    values: dict[str, Any] = {**settings.model_dump(), "_env_file": None}
    assert Settings(**{**values, "session_cache_seconds": 0}).session_cache_seconds == 0
    assert Settings(_env_file=None).session_cache_seconds == 30  # the default
    with pytest.raises(ValidationError):
        Settings(**{**values, "session_cache_seconds": 31})


async def test_a_revocation_written_by_another_process_is_seen_within_the_bound(
    client: AsyncClient,
    settings: Settings,
    second_instance: tuple[AsyncClient, Settings],
    app: FastAPI,
) -> None:
    """Another process (the command line, a replica) writes a revocation and tells this one
    nothing: it is seen once what was read runs out."""
    replica, replica_settings = second_instance
    who = await log_in_as(client, settings, Role.WORKER)
    assert (await replica.get("/me", headers=who.headers)).status_code == 200
    sid = jwt_part(who.access_token, 1)["sid"]
    database = app.state.runtime.client[settings.database]
    await database["refresh_families"].update_one({"_id": sid}, {"$set": {"revoked": True}})
    await _refused_within(replica, who.headers, bound=replica_settings.session_cache_seconds + 10)


async def _page_status(http: AsyncClient, secret: str) -> int:
    """What a page answers a browser presenting the session cookie ``secret``."""
    answer = await http.get(
        "/my/account/password", headers={"Cookie": f"{SESSION_COOKIE}={secret}"}
    )
    return answer.status_code


async def test_a_web_session_ended_elsewhere_is_refused_within_the_bound(
    app: FastAPI, settings: Settings, second_instance: tuple[AsyncClient, Settings]
) -> None:
    """Pages remember their session as access tokens do: a logout ends it at once in the
    instance that wrote it, and within the bound in another instance that had read it."""
    replica, replica_settings = second_instance
    here = AsyncClient(transport=ASGITransport(app=app), base_url="https://testserver")
    async with here:
        worker = await log_in_as(here, settings, Role.WORKER)
        secret = await sign_in(here, worker.principal.username, worker.password)
        assert await _page_status(here, secret) == 200
        assert await _page_status(replica, secret) == 200
        signed_out = await post_form(here, "/logout", page="/my/account/password")
        assert signed_out.status_code == 303, signed_out.text
        # Here, at once: the page sends the browser to the login form.
        assert await _page_status(here, secret) == 303
    started = time.monotonic()
    while await _page_status(replica, secret) == 200:
        assert time.monotonic() - started < replica_settings.session_cache_seconds + 10
        await asyncio.sleep(0.1)
    assert await _page_status(replica, secret) == 303

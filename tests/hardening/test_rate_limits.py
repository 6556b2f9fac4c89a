"""Login and token rate limits: 429 problem+json with Retry-After, shared through MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pymongo import AsyncMongoClient

from portfolio.accounts import throttle
from portfolio.accounts.principal import Role
from portfolio.errors import RateLimited
from portfolio.settings import Settings
from tests.helpers import assert_problem, create_principal


@pytest.fixture
def tight_limits(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Small limits on the running app's settings (the suite's defaults are generous)."""
    monkeypatch.setattr(settings, "login_rate_per_username", 3)
    monkeypatch.setattr(settings, "login_rate_per_client", 5)
    monkeypatch.setattr(settings, "login_rate_window_seconds", 60)
    return settings


async def _client_from(app: FastAPI, address: str) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, client=(address, 40000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def elsewhere(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client at another address."""
    async for http in _client_from(app, "198.51.100.7"):
        yield http


WRONG = "wrong password!"


def _login(username: str, password: str = WRONG) -> dict[str, str]:
    return {"grant_type": "password", "username": username, "password": password}


async def test_per_username_limit_answers_429_with_retry_after(
    client: AsyncClient, elsewhere: AsyncClient, tight_limits: Settings
) -> None:
    principal = await create_principal(tight_limits, Role.PROVIDER, password="right password 1")
    for _ in range(3):
        response = await client.post("/auth/token", data=_login(principal.username))
        assert response.status_code == 401
    limited = await client.post("/auth/token", data=_login(principal.username))
    body = assert_problem(limited, 429)
    assert body["type"].endswith("rate-limited")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # The right password from another address does not get through either: the name is limited.
    also = await elsewhere.post("/auth/token", data=_login(principal.username, "right password 1"))
    assert_problem(also, 429)
    # Another username is not affected by this one's limit.
    other = await create_principal(tight_limits, Role.AGENCY, password="right password 2")
    ok = await elsewhere.post("/auth/token", data=_login(other.username, "right password 2"))
    assert ok.status_code == 200, ok.text


async def test_per_client_limit_counts_every_username_and_the_refresh_grant(
    client: AsyncClient, elsewhere: AsyncClient, tight_limits: Settings
) -> None:
    for n in range(4):
        response = await client.post("/auth/token", data=_login(f"nobody-{n}"))
        assert response.status_code == 401
    refresh = await client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": "x" * 40}
    )
    assert refresh.status_code == 401
    assert_problem(await client.post("/auth/token", data=_login("nobody-9")), 429)
    # Another address still may.
    assert (await elsewhere.post("/auth/token", data=_login("nobody-9"))).status_code == 401


async def test_activation_is_limited_per_client(
    client: AsyncClient, tight_limits: Settings
) -> None:
    attempt = {"code": "ABCD-EFGH-IJKL", "password": "a good long password"}
    for _ in range(5):
        assert (await client.post("/auth/activate", json=attempt)).status_code == 401
    limited = await client.post("/auth/activate", json=attempt)
    assert_problem(limited, 429)
    assert "retry-after" in limited.headers


async def test_counters_keep_no_username_and_expire(
    client: AsyncClient,
    tight_limits: Settings,
    db_client: AsyncMongoClient[dict[str, object]],
) -> None:
    await client.post("/auth/token", data=_login("my secret typed as a name"))
    counters = db_client[tight_limits.database]["rate_counters"]
    stored = await counters.find({}).to_list()
    assert stored, "the attempt was counted"
    assert all("secret" not in str(doc) for doc in stored)
    assert all(doc["expires_at"] > datetime.now(UTC) for doc in stored)
    indexes = await counters.index_information()
    assert any(info.get("expireAfterSeconds") == 0 for info in indexes.values())


async def test_window_limit_is_exact_and_a_new_window_starts_fresh(app: FastAPI) -> None:
    """The conditional $inc admits exactly ``limit`` hits per window (service level)."""
    moment = datetime(2030, 1, 1, 12, 0, 30, tzinfo=UTC)
    for _ in range(2):
        await throttle.hit("test", "k", limit=2, window_seconds=60, now=moment)
    with pytest.raises(RateLimited) as raised:
        await throttle.hit("test", "k", limit=2, window_seconds=60, now=moment)
    assert raised.value.retry_after_seconds == 30
    later = datetime(2030, 1, 1, 12, 1, 0, tzinfo=UTC)
    await throttle.hit("test", "k", limit=2, window_seconds=60, now=later)

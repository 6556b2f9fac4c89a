"""Credential rate limits per client address: 429 problem+json with Retry-After, shared
through MongoDB, under keyed counter names. (The per-username backoff on failed logins is
tested in tests/accounts/test_login_throttle.py.)"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pymongo import AsyncMongoClient

from portfolio.accounts import throttle
from portfolio.errors import RateLimited
from portfolio.settings import Settings
from tests.helpers import assert_problem


@pytest.fixture
def tight_limits(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Small limits on the running app's settings (the suite's defaults are generous)."""
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
SECRET = b"a throttle key for these tests only"


def _login(username: str, password: str = WRONG) -> dict[str, str]:
    return {"grant_type": "password", "username": username, "password": password}


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


def _unkeyed(value: str) -> set[str]:
    """The plain SHA-256 forms (whole, and cut as counters cut them) anyone could recompute."""
    digest = hashlib.sha256(value.encode()).hexdigest()
    return {digest, digest[:32], digest[:16]}


async def test_counters_keep_neither_names_nor_unkeyed_hashes_and_expire(
    client: AsyncClient,
    elsewhere: AsyncClient,
    tight_limits: Settings,
    db_client: AsyncMongoClient[dict[str, object]],
) -> None:
    typed = "My Secret Typed As A Name"
    for http in (client, elsewhere):
        await http.post("/auth/token", data=_login(typed))
    database = db_client[tight_limits.database]
    stored = [
        *await database["rate_counters"].find({}).to_list(),
        *await database["login_failures"].find({}).to_list(),
    ]
    assert stored, "the attempts were counted"
    text = str(stored)
    assert "secret" not in text.lower()
    # Neither the name typed (as typed or as counted) nor the addresses appear in a form
    # anyone could recompute without the key: counters are named by an HMAC.
    for value in (typed, typed.strip().lower(), "127.0.0.1", "198.51.100.7"):
        assert not any(form in text for form in _unkeyed(value)), value
    windows = await database["rate_counters"].find({}).to_list()
    assert all(doc["expires_at"] > datetime.now(UTC) for doc in windows)
    for name in ("rate_counters", "login_failures"):
        indexes = await database[name].index_information()
        assert any("expireAfterSeconds" in info for info in indexes.values()), name


async def test_window_limit_is_exact_and_a_new_window_starts_fresh(app: FastAPI) -> None:
    """The conditional $inc admits exactly ``limit`` hits per window (service level)."""
    moment = datetime(2030, 1, 1, 12, 0, 30, tzinfo=UTC)
    for _ in range(2):
        await throttle.hit("test", "k", secret=SECRET, limit=2, window_seconds=60, now=moment)
    with pytest.raises(RateLimited) as raised:
        await throttle.hit("test", "k", secret=SECRET, limit=2, window_seconds=60, now=moment)
    assert raised.value.retry_after_seconds == 30
    later = datetime(2030, 1, 1, 12, 1, 0, tzinfo=UTC)
    await throttle.hit("test", "k", secret=SECRET, limit=2, window_seconds=60, now=later)

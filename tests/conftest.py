"""One database server per test session, collections emptied after each test.

With ``PORTFOLIO_MONGODB_URI`` set the tests use that server, in a fresh randomly named
``portfolio_test_*`` database dropped at the end; otherwise nx-27017 is started on a free
loopback port with its data in a temporary directory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from api.app import create_app
from api.runtime import Runtime
from portfolio import clock
from portfolio.settings import Settings
from portfolio.storage import EmbeddedStore
from tests.helpers import KEEP_COLLECTIONS


@pytest.fixture(scope="session")
def store_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URI of the session's database server."""
    external = os.environ.get("PORTFOLIO_MONGODB_URI")
    if external:
        yield external
        return
    store = EmbeddedStore(tmp_path_factory.mktemp("store"))
    try:
        yield store.start()
    finally:
        store.stop()


def make_settings(uri: str, data_dir: Path, **overrides: Any) -> Settings:
    """Test settings: cheap password hashing, a fixed master key, a fresh database."""
    values: dict[str, Any] = {
        "env": "development",
        "mongodb_uri": SecretStr(uri),
        "database": f"portfolio_test_{secrets.token_hex(4)}",
        "data_dir": data_dir,
        "master_key": SecretStr("test-master-key-not-secret"),
        "argon2_time_cost": 1,
        "argon2_memory_cost_kib": 8,
        "argon2_parallelism": 1,
        # The suite logs in thousands of times from one address; the limits' own tests lower
        # these on the running settings.
        "login_rate_per_client": 100_000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def settings(store_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The session's settings."""
    return make_settings(store_uri, tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app, started once per session through its real lifespan."""
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        yield application
        runtime: Runtime = application.state.runtime
        if os.environ.get("PORTFOLIO_MONGODB_URI"):
            await runtime.client.drop_database(settings.database)


@pytest.fixture(scope="session")
def runtime(app: FastAPI) -> Runtime:
    """The running app's runtime (settings, client, keyring)."""
    value: Runtime = app.state.runtime
    return value


@pytest.fixture(scope="session")
def db_client(runtime: Runtime) -> AsyncMongoClient[dict[str, Any]]:
    """The app's own database client, for tests that inspect raw storage."""
    return runtime.client


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client driving the app in-process."""
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    """Each test starts on the real domain clock; one that moved it leaves it moved for none."""
    clock.resume()
    yield
    clock.resume()


@pytest.fixture(autouse=True)
async def _empty_collections(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test starts from empty collections (emptied, not dropped: indexes stay)."""
    if "app" not in request.fixturenames:
        yield
        return
    runtime: Runtime = request.getfixturevalue("runtime")
    yield
    database = runtime.client[runtime.settings.database]
    for name in await database.list_collection_names():
        if name not in KEEP_COLLECTIONS:
            await database[name].delete_many({})

"""The revocation bound at its real size: another process's revocation reaches an app instance
that had read the session and principal no later than ``session_cache_seconds`` (30 s by
default) after that read, and not before; shown with the monotonic clock moved forward
(``clock.advance_monotonic``) rather than waited for.

The same instance also stops re-checking the token's signature on every request
(``verified_tokens.py``): a repeated token still follows its session's and principal's state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from api.app import create_app
from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.jose_tokens import TokenRejected
from portfolio.accounts.principal import Role
from portfolio.accounts.verified_tokens import Verified, check_times
from portfolio.models import DOCUMENT_MODELS
from portfolio.settings import Settings
from portfolio.storage import init_documents
from tests.helpers import assert_problem, jwt_part, log_in_as


@pytest.fixture
async def replica(settings: Settings, runtime: Runtime) -> AsyncIterator[AsyncClient]:
    """Another app on the same database with the default 30 s bound (see the fixture of the
    same shape in ``test_revocation.py`` for the hand-back of Beanie's binding)."""
    default = Settings(_env_file=None).session_cache_seconds
    other = create_app(settings.model_copy(update={"session_cache_seconds": default}))
    try:
        async with LifespanManager(other, startup_timeout=60, shutdown_timeout=60):
            await init_documents(runtime.client, settings.database, DOCUMENT_MODELS)
            async with AsyncClient(transport=ASGITransport(app=other), base_url="http://r") as http:
                yield http
    finally:
        await init_documents(runtime.client, settings.database, DOCUMENT_MODELS)


@pytest.mark.parametrize("what", ["session revoked", "account disabled"])
async def test_a_revocation_elsewhere_holds_until_the_bound_and_not_past_it(
    client: AsyncClient, settings: Settings, replica: AsyncClient, app: FastAPI, what: str
) -> None:
    bound = Settings(_env_file=None).session_cache_seconds
    assert bound == 30
    who = await log_in_as(client, settings, Role.WORKER)
    assert (await replica.get("/me", headers=who.headers)).status_code == 200
    # Written straight to the store, as another process would: the replica is told nothing.
    database = app.state.runtime.client[settings.database]
    if what == "session revoked":
        sid = jwt_part(who.access_token, 1)["sid"]
        await database["refresh_families"].update_one({"_id": sid}, {"$set": {"revoked": True}})
    else:
        await database["principals"].update_one(
            {"username": who.principal.username}, {"$set": {"disabled": True}}
        )
    # Within the bound the replica still answers from what it read (no round trip)...
    clock.advance_monotonic(bound - 2)
    assert (await replica.get("/me", headers=who.headers)).status_code == 200
    # ...and once the bound has passed since that read, it reads again and refuses.
    clock.advance_monotonic(2.5)
    assert_problem(await replica.get("/me", headers=who.headers), 401)
    assert_problem(await client.get("/me", headers=who.headers), 401)


async def test_a_repeated_token_is_still_refused_once_its_session_ends(
    client: AsyncClient, settings: Settings
) -> None:
    who = await log_in_as(client, settings, Role.WORKER)
    for _ in range(3):  # verified once, then taken from what this process verified
        assert (await client.get("/me", headers=who.headers)).status_code == 200
    assert (await client.post("/auth/logout-all", headers=who.headers)).status_code == 204
    assert_problem(await client.get("/me", headers=who.headers), 401)


def test_a_verified_token_is_still_checked_for_its_times() -> None:
    """What the JOSE library checks of ``exp`` and ``nbf``, checked again on every repeat."""
    seen = Verified(claims=None, kid="jwt-0001", key_secret=b"k", nbf=1_000, exp=2_000)
    check_times(seen, now=1_500, leeway=10)
    check_times(seen, now=2_009, leeway=10)  # within the leeway
    with pytest.raises(TokenRejected) as expired:
        check_times(seen, now=2_011, leeway=10)
    assert expired.value.expired
    with pytest.raises(TokenRejected):
        check_times(seen, now=989, leeway=10)

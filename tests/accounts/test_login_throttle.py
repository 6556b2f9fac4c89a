"""Failed logins: no way to tell a username that exists, and no way to lock its owner out.

Known and unknown usernames get the same statuses, bodies and headers after the same work;
repeated failures on a username make a client that keeps failing wait longer and longer (429,
``Retry-After``), while a client that has not failed on it gets in with the right password.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pymongo import AsyncMongoClient

from portfolio.accounts import passwords
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, assert_problem, create_principal, log_in_as

WRONG = "wrong password!"
ATTACKER = "198.51.100.7"


@pytest.fixture
async def attacker(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client at another address than the default test client's (127.0.0.1)."""
    transport = ASGITransport(app=app, client=(ATTACKER, 40000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _login(http: AsyncClient, username: str, password: str = WRONG) -> Response:
    return await http.post(
        "/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )


def _shape(response: Response) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Everything an answer shows, but its request id and the second it was computed at."""
    body = {k: v for k, v in response.json().items() if k != "request_id"}
    headers = {
        name: value
        for name, value in response.headers.items()
        if name not in ("x-request-id", "retry-after", "content-length")
    }
    if "retry-after" in response.headers:
        headers["retry-after"] = "present"
    return response.status_code, body, headers


async def _age_failures(db: AsyncMongoClient[dict[str, Any]], settings: Settings, s: int) -> None:
    """Move every recorded failure ``s`` seconds into the past, rather than wait that long."""
    await db[settings.database]["login_failures"].update_many({}, {"$inc": {"last_ms": -s * 1000}})


async def test_known_and_unknown_usernames_get_the_same_answers(
    client: AsyncClient, settings: Settings
) -> None:
    known = await create_principal(settings, Role.PROVIDER)
    tries = settings.login_free_failures + 2
    known_answers, unknown_answers = [], []
    for _ in range(tries):  # interleaved, so both see the same moments
        known_answers.append(await _login(client, known.username))
        unknown_answers.append(await _login(client, "nobody-by-this-name"))
    assert [_shape(r) for r in known_answers] == [_shape(r) for r in unknown_answers]
    assert [r.status_code for r in known_answers] == [401] * settings.login_free_failures + [
        429,
        429,
    ]
    for mine, theirs in zip(known_answers, unknown_answers, strict=True):
        if mine.status_code == 429:
            assert abs(int(mine.headers["retry-after"]) - int(theirs.headers["retry-after"])) <= 1
    limited = assert_problem(known_answers[-1], 429)
    assert limited["type"].endswith("rate-limited")
    assert "lock" not in str(limited).lower()


async def test_known_and_unknown_usernames_cost_the_same_hashing(
    client: AsyncClient, settings: Settings
) -> None:
    known = await create_principal(settings, Role.AGENCY)
    await passwords.prepare_dummy_hash(settings)
    work = {}
    for name in (known.username, "nobody-by-this-name"):
        passwords.GATE.reset_counts()
        assert_problem(await _login(client, name), 401)
        work[name] = passwords.GATE.runs
    assert work == {known.username: 1, "nobody-by-this-name": 1}
    # A client made to wait is answered before any hashing, whatever the name.
    for name in (known.username, "nobody-by-this-name"):
        for _ in range(settings.login_free_failures):
            await _login(client, name)
        passwords.GATE.reset_counts()
        assert_problem(await _login(client, name, DEFAULT_PASSWORD), 429)
        assert passwords.GATE.runs == 0


async def test_the_owner_is_not_locked_out_by_someone_elses_guessing(
    client: AsyncClient, attacker: AsyncClient, settings: Settings
) -> None:
    owner = await create_principal(settings, Role.WORKER)
    statuses = [
        (await _login(attacker, owner.username)).status_code
        for _ in range(settings.login_free_failures + 3)
    ]
    assert statuses == [401] * settings.login_free_failures + [429] * 3
    # The guesser waits, even with the right password, and is not told it was right.
    right_from_attacker = await _login(attacker, owner.username, DEFAULT_PASSWORD)
    assert_problem(right_from_attacker, 429)
    assert int(right_from_attacker.headers["retry-after"]) >= 1
    # The owner, on a device that has not failed, gets in at once.
    assert (await _login(client, owner.username, DEFAULT_PASSWORD)).status_code == 200


async def test_the_wait_grows_with_each_failure_up_to_the_maximum(
    client: AsyncClient,
    settings: Settings,
    db_client: AsyncMongoClient[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "login_backoff_base_seconds", 10)
    monkeypatch.setattr(settings, "login_backoff_max_seconds", 30)
    principal = await create_principal(settings, Role.PROVIDER)
    for _ in range(settings.login_free_failures):
        assert_problem(await _login(client, principal.username), 401)
    waits = []
    for _ in range(4):
        held = assert_problem(await _login(client, principal.username, DEFAULT_PASSWORD), 429)
        assert held["detail"] == "too many attempts; wait before trying again"
        response = await _login(client, principal.username, DEFAULT_PASSWORD)
        waits.append(int(response.headers["retry-after"]))
        await _age_failures(db_client, settings, waits[-1])  # the wait is over
        assert_problem(await _login(client, principal.username), 401)  # another failure
    expected = [10, 20, 30, 30]
    assert all(e - 2 <= w <= e for w, e in zip(waits, expected, strict=True)), waits


async def test_a_success_forgets_that_clients_failures_only(
    client: AsyncClient,
    attacker: AsyncClient,
    settings: Settings,
    db_client: AsyncMongoClient[dict[str, Any]],
) -> None:
    owner = await create_principal(settings, Role.PROVIDER)
    for _ in range(settings.login_free_failures):
        assert_problem(await _login(client, owner.username), 401)
    assert_problem(await _login(client, owner.username, DEFAULT_PASSWORD), 429)
    await _age_failures(db_client, settings, 60)
    # Waited out: the right password gets in, and this device's failures are forgotten.
    assert (await _login(client, owner.username, DEFAULT_PASSWORD)).status_code == 200
    # Someone else fails again: the name's count goes on (they wait) …
    assert_problem(await _login(attacker, owner.username), 401)
    assert_problem(await _login(attacker, owner.username), 429)
    # … but the owner's device, which no longer counts as failing, is not held.
    assert (await _login(client, owner.username, DEFAULT_PASSWORD)).status_code == 200


async def test_failures_are_forgotten_after_the_memory_period(
    client: AsyncClient, settings: Settings, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    principal = await create_principal(settings, Role.PROVIDER)
    for _ in range(settings.login_free_failures):
        assert_problem(await _login(client, principal.username), 401)
    await _age_failures(db_client, settings, settings.login_failure_memory_seconds + 1)
    # Forgotten: the count starts again, with its free failures.
    for _ in range(settings.login_free_failures):
        assert_problem(await _login(client, principal.username), 401)
    assert_problem(await _login(client, principal.username), 429)


async def test_wrong_current_passwords_are_throttled_not_locked(
    client: AsyncClient, attacker: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.WORKER)
    change = {"current_password": "guess guess guess", "new_password": "whatever it is now"}
    statuses = []
    for _ in range(settings.login_free_failures + 1):
        response = await client.post("/auth/password", json=change, headers=session.headers)
        statuses.append(response.status_code)
    assert statuses == [422] * settings.login_free_failures + [429]
    assert "retry-after" in response.headers
    # The session still works, and the owner logs in from a device that has not failed.
    assert (await client.get("/me", headers=session.headers)).status_code == 200
    assert (await _login(attacker, session.principal.username, DEFAULT_PASSWORD)).status_code == 200


async def test_no_answer_is_423_any_more(app: FastAPI) -> None:
    document = app.openapi()
    statuses = {
        status
        for path in document["paths"].values()
        for operation in path.values()
        for status in operation.get("responses", {})
    }
    assert "423" not in statuses
    assert "429" in document["paths"]["/auth/password"]["post"]["responses"]

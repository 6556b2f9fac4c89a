"""``portfolio admin create-user`` and ``portfolio keys rotate`` as real processes.

On a data directory nobody serves, a command starts (and stops) its own embedded store; while
``portfolio serve`` runs, it uses that server's store, and the server sees what it did.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from pymongo import MongoClient

from portfolio.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portfolio.storage import EmbeddedStore, free_port
from tests.helpers import jwt_part

PASSWORD = "first admin passphrase"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    env.update(
        PORTFOLIO_DATA_DIR=str(data_dir),
        PORTFOLIO_ARGON2_TIME_COST="1",
        PORTFOLIO_ARGON2_MEMORY_COST_KIB="8",
        PORTFOLIO_ARGON2_PARALLELISM="1",
        **extra,
    )
    return env


def portfolio(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(data_dir),
        cwd=data_dir.parent,  # no stray .env file from the repository
        timeout=120,
        check=False,
    )


def create_user(
    data_dir: Path, *args: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    return portfolio(
        data_dir, "admin", "create-user", *args, "--password-stdin", stdin=password + "\n"
    )


def test_commands_start_their_own_store_on_an_idle_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    created = create_user(data_dir, "--username", "Root", "--role", "admin")
    assert created.returncode == 0, created.stderr
    assert re.fullmatch(r"created admin root \([0-9a-f]{24}\)\n", created.stdout)

    duplicate = create_user(data_dir, "--username", "root", "--role", "admin")
    assert duplicate.returncode == 1
    assert "already taken" in duplicate.stderr
    bad = create_user(
        data_dir, "--username", "chengdu", "--role", "agency", "--region", "5", password="short"
    )
    assert bad.returncode == 2
    assert "region_prefix" in bad.stderr
    assert "password" in bad.stderr
    worker = create_user(data_dir, "--username", "w", "--role", "worker")
    assert worker.returncode == 2  # not a choice: workers activate their own accounts

    rotated = portfolio(data_dir, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout == "new signing key jwt-0002\n"
    assert not (data_dir / "store.json").exists()  # each command stopped its store

    store = EmbeddedStore(data_dir)
    try:
        with MongoClient(store.start()) as raw:
            database = raw["portfolio"]
            principal = database["principals"].find_one({"username": "root"})
            assert principal is not None
            assert principal["role"] == "admin"
            assert principal["password_hash"].startswith("$argon2id$")
            assert PASSWORD not in str(principal)
            # Made outside the API, still on the trail: who (the command line), what, whom.
            created = database["audit_events"].find_one({"kind": "principal.created"})
            assert created is not None
            assert (created["username"], created["role"], created["outcome"]) == (
                "cli",
                "operator",
                "success",
            )
            assert created["target"] == str(principal["_id"])
            assert created["details"]["target_role"] == "admin"
            assert database["audit_events"].count_documents({"kind": "principal.created"}) == 1
            kids = sorted(k["_id"] for k in database["keys"].find({"purpose": "jwt"}))
            assert kids == ["jwt-0001", "jwt-0002"]
    finally:
        store.stop()


@contextlib.contextmanager
def served(data_dir: Path) -> Iterator[str]:
    port = free_port()
    env = _env(data_dir, PORTFOLIO_PORT=str(port), PORTFOLIO_SIGNING_KEY_REFRESH_SECONDS="1")
    data_dir.mkdir(parents=True)
    with (data_dir.parent / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--demo"],
            env=env,
            cwd=data_dir.parent,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (data_dir.parent / "serve.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base_url + "/readyz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "serve did not become ready"
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _login(base_url: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        base_url + "/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
        timeout=10,
    )


def test_commands_use_the_store_of_a_running_serve(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    with served(data_dir) as base_url:
        # serve --demo: every demo login works against the real server.
        for account in DEMO_ACCOUNTS:
            response = _login(base_url, account.username, DEMO_PASSWORD)
            assert response.status_code == 200, (account.username, response.text)

        created = create_user(
            data_dir, "--username", "chengdu-2", "--role", "agency", "--region", "5101"
        )
        assert created.returncode == 0, created.stderr
        first = _login(base_url, "chengdu-2", PASSWORD)
        assert first.status_code == 200
        old_token = first.json()["access_token"]
        assert jwt_part(old_token, 1)["region"] == "5101"

        rotated = portfolio(data_dir, "keys", "rotate")
        assert rotated.returncode == 0, rotated.stderr
        new_kid = rotated.stdout.split()[-1]
        # The server re-reads its keys (every second here) and signs with the new one.
        deadline = time.monotonic() + 10
        while True:
            token = _login(base_url, "chengdu-2", PASSWORD).json()["access_token"]
            if jwt_part(token, 0)["kid"] == new_kid:
                break
            assert time.monotonic() < deadline, "serve never picked up the rotated key"
            time.sleep(0.5)
        for access in (old_token, token):
            me = httpx.get(
                base_url + "/me", headers={"Authorization": f"Bearer {access}"}, timeout=10
            )
            assert me.status_code == 200
        jwks = httpx.get(base_url + "/.well-known/jwks.json", timeout=10).json()
        assert new_kid in {k["kid"] for k in jwks["keys"]}

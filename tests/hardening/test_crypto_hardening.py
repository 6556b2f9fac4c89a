"""Hardening of what is already right: bounded argon2 memory, and python-jose's ``ecdsa``
dependency (a timing attack its maintainers will not fix) never loaded at run time."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portfolio.accounts import passwords
from portfolio.settings import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("limit", [1, 2, 3])
async def test_at_most_the_configured_number_of_hashes_run_at_once(
    settings: Settings, limit: int
) -> None:
    # Heavy enough that the hashes overlap in time; each one waits for a slot otherwise.
    heavy = settings.model_copy(
        update={"argon2_max_concurrent": limit, "argon2_memory_cost_kib": 2048}
    )
    passwords.GATE.reset_counts()
    hashes = await asyncio.gather(
        *(passwords.hash_password(f"password number {n}", settings=heavy) for n in range(8)),
        *(passwords.verify_password("not it", "$argon2id$bad", settings=heavy) for _ in range(4)),
    )
    assert passwords.GATE.runs == 12
    assert passwords.GATE.peak == limit
    assert passwords.GATE.in_flight == 0
    assert len(set(hashes[:8])) == 8


def test_two_hashes_at_once_by_default() -> None:
    assert Settings(_env_file=None).argon2_max_concurrent == 2  # type: ignore[call-arg]


_PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path

    from asgi_lifespan import LifespanManager
    from httpx import ASGITransport, AsyncClient
    from pydantic import SecretStr

    from api.app import create_app
    from portfolio.accounts import service
    from portfolio.accounts.principal import Role
    from portfolio.settings import Settings

    async def main(uri: str, data_dir: str) -> dict[str, object]:
        settings = Settings(
            _env_file=None,
            mongodb_uri=SecretStr(uri),
            database="portfolio_test_ecdsa_probe",
            data_dir=Path(data_dir),
            master_key=SecretStr("test-master-key-not-secret"),
            argon2_time_cost=1,
            argon2_memory_cost_kib=8,
            argon2_parallelism=1,
        )
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
            password = "correct horse battery"
            await service.create_principal(
                settings=settings, username="ecdsa-probe", password=password,
                role=Role.PROVIDER, organisation_id="org-probe", created_by="test",
            )
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://probe") as http:
                login = await http.post("/auth/token", data={
                    "grant_type": "password", "username": "ecdsa-probe", "password": password,
                })
                tokens = login.json()
                headers = {"Authorization": "Bearer " + tokens["access_token"]}
                me = await http.get("/me", headers=headers)
                refreshed = await http.post("/auth/token", data={
                    "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                })
                jwks = await http.get("/.well-known/jwks.json")
                forged = await http.get("/me", headers={"Authorization": "Bearer a.b.c"})
            await app.state.runtime.client.drop_database(settings.database)
        return {
            "statuses": [r.status_code for r in (login, me, refreshed, jwks, forged)],
            "jose": "jose" in sys.modules,
            "ecdsa": sorted(m for m in sys.modules if m.split(".")[0] == "ecdsa"),
        }

    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2]))))
    """
)


def test_ecdsa_is_never_imported_at_run_time(store_uri: str, tmp_path: Path) -> None:
    """A fresh interpreter starts the app, logs in, uses, refreshes and checks tokens and
    publishes the keys: python-jose verifies through ``cryptography`` and ``ecdsa`` (a
    dependency of python-jose that pip-audit flags) is never imported."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, store_uri, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [200, 200, 200, 200, 401]
    assert report["jose"] is True
    assert report["ecdsa"] == []

"""Tampering behind the service's back is reported: ``GET /me/archive/verify`` and the command."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bson import ObjectId
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import log_in_as
from tests.workers.factories import Worker, employment, registered_worker, social_security


async def _worker_with_entries(client: AsyncClient, settings: Settings) -> Worker:
    """A worker whose archive has four entries (registered, two links, a change)."""
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    base = f"/workers/{worker.archive_id}"
    number = worker.registered.id_number
    for method, path, body in [
        ("PUT", f"{base}/social-security", social_security(number)),
        ("POST", f"{base}/employment", employment()),
        ("PUT", f"{base}/social-security", social_security(number, card_number="B7654321")),
    ]:
        response = await client.request(method, path, json=body, headers=agency.headers)
        assert response.status_code in (200, 201), response.text
    return worker


async def test_verify_reports_the_first_entry_edited_in_the_database(
    client: AsyncClient, settings: Settings, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    worker = await _worker_with_entries(client, settings)
    clean = await client.get("/me/archive/verify", headers=worker.headers)
    assert clean.status_code == 200, clean.text
    assert clean.json() == {
        "archive_id": worker.archive_id,
        "ok": True,
        "first_broken_seq": None,
        "entries_checked": 4,
        "head_seq": 4,
    }
    entries = db_client[settings.database]["archive_entries"]
    edited = await entries.update_one(
        {"archive_id": worker.archive_id, "seq": 3},
        {"$set": {"payload.employer_name": "somebody else"}},
    )
    assert edited.modified_count == 1
    report = (await client.get("/me/archive/verify", headers=worker.headers)).json()
    assert (report["ok"], report["first_broken_seq"]) == (False, 3)

    await entries.delete_one({"archive_id": worker.archive_id, "seq": 2})
    report = (await client.get("/me/archive/verify", headers=worker.headers)).json()
    assert (report["ok"], report["first_broken_seq"], report["entries_checked"]) == (False, 2, 3)


def _run_verify(settings: Settings, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``portfolio archive verify`` as its own process, on the test session's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    assert settings.mongodb_uri is not None
    assert settings.master_key is not None
    env.update(
        PORTFOLIO_MONGODB_URI=settings.mongodb_uri.get_secret_value(),
        PORTFOLIO_DATABASE=settings.database,
        PORTFOLIO_MASTER_KEY=settings.master_key.get_secret_value(),
        PORTFOLIO_DATA_DIR=str(data_dir),
    )
    return subprocess.run(
        [sys.executable, "-m", "api", "archive", "verify", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir,  # no stray .env file from the repository
        timeout=120,
        check=False,
    )


async def test_the_verify_command_prints_broken_archives_and_fails(
    client: AsyncClient,
    settings: Settings,
    db_client: AsyncMongoClient[dict[str, Any]],
    tmp_path: Path,
) -> None:
    intact = await _worker_with_entries(client, settings)
    tampered = await _worker_with_entries(client, settings)

    def run(*args: str) -> Any:
        return asyncio.to_thread(_run_verify, settings, tmp_path, *args)

    clean = await run("--all")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == "checked 2 archive(s): 0 broken\n"

    # Reorder two entries: swap the contents of seq 2 and 3.
    entries = db_client[settings.database]["archive_entries"]
    second = await entries.find_one({"archive_id": tampered.archive_id, "seq": 2})
    third = await entries.find_one({"archive_id": tampered.archive_id, "seq": 3})
    assert second is not None
    assert third is not None
    for target, source in ((second, third), (third, second)):
        fields = {k: v for k, v in source.items() if k not in ("_id", "seq")}
        await entries.update_one({"_id": target["_id"]}, {"$set": fields})

    broken = await run("--all")
    assert broken.returncode == 1, broken.stderr
    assert broken.stdout.splitlines() == [
        f"archive {tampered.archive_id}: BROKEN at seq 2 (4 entries stored, head 4)",
        "checked 2 archive(s): 1 broken",
    ]
    one = await run("--archive", intact.archive_id)
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[0] == f"archive {intact.archive_id}: ok (4 entries)"

    unknown = await run("--archive", str(ObjectId()))
    assert unknown.returncode == 2
    assert "no such worker" in unknown.stderr
    assert (await run()).returncode == 2

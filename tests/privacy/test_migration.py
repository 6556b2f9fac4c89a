"""``portfolio migrate`` brings data stored by the previous version to the new forms: twice is
once, an interrupted run finishes, and the service reads the result."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from portfolio import bootstrap, migrations
from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_1, DEMO_PASSWORD
from portfolio.accounts.principal import Role
from portfolio.archives import entries
from portfolio.archives.personal import BIRTH_DATE_FIELD, PHONE_FIELD
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.identity.protection import FieldProtection, Sealed, associated_data
from portfolio.migrations.archives import CRASH_AFTER_ENTRIES
from portfolio.seed import seed_province
from portfolio.settings import Settings
from tests.helpers import auth_headers, log_in_as, request_tokens
from tests.privacy.candidates import RULE, is_masked_identity, worst_case
from tests.privacy.old_forms import OldPerson, downgrade, old_seed_nonce
from tests.privacy.scan import Person, scan_personal
from tests.workers.factories import WORKER_PASSWORD, registered_worker

SEED = 5
AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
# Everything but the run's own bookkeeping.
# Not compared between snapshots. Besides the bookkeeping, the throttle's counters: they expire
# by the wall clock within a minute (a TTL index, which nx-27017 purges on every read), so a row
# can vanish between two snapshots of a long test, and the migration never touches them.
SKIP = {
    "migrations",
    "keys",
    "seed_runs",
    "repair_checkpoints",
    "repair_leases",
    "rate_counters",
    "login_failures",
}


async def _snapshot(db: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        name: await db[name].find({}).sort("_id", 1).to_list()
        for name in sorted(await db.list_collection_names())
        if name not in SKIP
    }


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    else:
        yield value


async def _old_province(client: AsyncClient, runtime: Runtime, archives: int) -> Any:
    """Demo data, a seeded province and an HTTP-registered phone login, in the old forms."""
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    summary = await seed_province(
        runtime.settings,
        runtime.keyring,
        archives=archives,
        seed=SEED,
        password="seed-password",
        as_of=AS_OF,
    )
    assert summary.finished
    return summary


async def test_migrate_twice_brings_old_data_to_the_new_forms(
    client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[Any]
) -> None:
    db = db_client[runtime.settings.database]
    await _old_province(client, runtime, 24)
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    phone_worker = await registered_worker(client, agency)
    new = await _snapshot(db)
    people = await downgrade(db, runtime.keyring, seed=SEED)

    # The old forms as the previous version left them: plaintext, completable, confirmable.
    plain = {aid: Person(p.phone, p.birth) for aid, p in people.items()}
    assert len(await scan_personal(db_client, runtime.settings.database, plain)) > len(people)
    masked = [
        v for d in (await _snapshot(db))["archives"] for v in _walk(d) if is_masked_identity(v)
    ]
    assert masked
    assert all(worst_case(value) < RULE for value in masked)
    assert await _confirmable(db, people) > 0
    assert await migrations.pending()
    # One archive's chain was tampered with before the migration: it must stay as found.
    tampered = await db["archive_entries"].find_one({"archive_id": DEMO_ARCHIVE_WORKER_1, "seq": 2})
    assert tampered is not None
    await db["archive_entries"].update_one(
        {"_id": tampered["_id"]}, {"$set": {"payload.issuing_region": "510199"}}
    )

    stopped = await migrations.migrate(runtime.keyring, batch_size=7, stop_after=2)
    assert not stopped.finished
    done = await migrations.migrate(runtime.keyring, batch_size=7)
    assert done.finished
    assert done.broken_chains == [DEMO_ARCHIVE_WORKER_1]
    assert done.counts["archives_migrated"] == len(people)
    assert done.counts["chains_rehashed"] == len(people) - 1
    assert done.counts["phone_logins_renamed"] == 1
    after_first = await _snapshot(db)
    again = await migrations.migrate(runtime.keyring, batch_size=7)
    assert again.batches == 0
    rechecked = await migrations.migrate(runtime.keyring, batch_size=7, recheck=True)
    assert rechecked.batches > 0
    assert await _snapshot(db) == after_first
    assert not await migrations.pending()

    # Everything but the sealed bytes is as today's code writes it: the same masks, payloads,
    # hashes (the chains re-hashed over the same payloads), names and voucher grounds.
    migrated = after_first
    for name, documents in new.items():
        if name in ("archives", "audit_events"):
            continue
        expected = documents
        if name == "archive_entries":
            expected = [d for d in documents if d["archive_id"] != DEMO_ARCHIVE_WORKER_1]
            migrated_docs = [d for d in migrated[name] if d["archive_id"] != DEMO_ARCHIVE_WORKER_1]
        else:
            migrated_docs = migrated[name]
        assert migrated_docs == expected, name
    protection = FieldProtection(runtime.keyring)
    for before, after in zip(new["archives"], migrated["archives"], strict=True):
        sealed = {"id_number", "birth_date", "phone", "social_security", "employment"}
        if after["_id"] == ObjectId(DEMO_ARCHIVE_WORKER_1):
            sealed.add("head")  # left on its old chain
        assert {k: v for k, v in after.items() if k not in sealed} == {
            k: v for k, v in before.items() if k not in sealed
        }
        aid = str(after["_id"])
        person = people[aid]
        for field, plaintext in (
            (BIRTH_DATE_FIELD, person.birth.isoformat()),
            (PHONE_FIELD, person.phone),
        ):
            opened = await protection.open(
                Sealed(**after[field]), aad=associated_data("archives", field, aid)
            )
            assert opened == plaintext
    assert await _confirmable(db, people) == 0
    reports = [r async for r in entries.verify_all()]
    assert [r.archive_id for r in reports if not r.ok] == [DEMO_ARCHIVE_WORKER_1]
    # Nothing in the clear any more, but the tampered archive's untouched entries.
    untouched = {aid: p for aid, p in plain.items() if aid != DEMO_ARCHIVE_WORKER_1}
    findings = await scan_personal(db_client, runtime.settings.database, untouched)
    assert findings == []

    # The service reads the migrated data: the phone login, a seeded worker, an agency.
    tokens = await request_tokens(client, phone_worker.registered.phone, WORKER_PASSWORD)
    mine = await client.get("/me/archive", headers=auth_headers(tokens["access_token"]))
    assert mine.status_code == 200, mine.text
    seeded = await request_tokens(client, "seed-worker-0000003", "seed-password")
    archive = await client.get("/me/archive", headers=auth_headers(seeded["access_token"]))
    assert archive.status_code == 200, archive.text
    assert archive.json()["worker"]["identity"]["birth_date"] is not None
    sichuan = await request_tokens(client, "agency-sichuan", DEMO_PASSWORD)
    for aid in list(people)[:10]:
        read = await client.get(f"/workers/{aid}", headers=auth_headers(sichuan["access_token"]))
        assert read.status_code == 200, read.text
        assert read.json()["identity"]["birth_date"] is None


async def _confirmable(db: Any, people: dict[str, OldPerson]) -> int:
    """Archives whose stored nonce confirms the right ID number to anyone who knows the seed."""
    hits = 0
    async for raw in db["archives"].find({}):
        aid = str(raw["_id"])
        aad = associated_data("archives", "id_number", aid)
        if bytes(raw["id_number"]["nonce"]) == old_seed_nonce(SEED, aad, people[aid].number):
            hits += 1
    return hits


def _command(settings: Settings, *arguments: str, fault: str | None = None) -> Any:
    """``portfolio migrate`` in a process of its own, on this session's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    assert settings.mongodb_uri is not None
    assert settings.master_key is not None
    env.update(
        PORTFOLIO_MONGODB_URI=settings.mongodb_uri.get_secret_value(),
        PORTFOLIO_DATABASE=settings.database,
        PORTFOLIO_MASTER_KEY=settings.master_key.get_secret_value(),
        PORTFOLIO_DATA_DIR=str(settings.data_dir),
    )
    if fault is not None:
        env[FAULT_ENV] = fault
    command = [sys.executable, "-m", "api", "migrate", *arguments]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


async def test_cli_migrate_finishes_a_run_killed_in_the_middle_of_an_archive(
    client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[Any]
) -> None:
    db = db_client[runtime.settings.database]
    await seed_province(
        runtime.settings,
        runtime.keyring,
        archives=12,
        seed=SEED,
        password="seed-password",
        as_of=AS_OF,
    )
    new = await _snapshot(db)
    people = await downgrade(db, runtime.keyring, seed=SEED)
    assert _command(runtime.settings, "--check").returncode == 2

    # Killed after the first archive's entries were re-hashed, before its document moved on:
    # the journal is there, the head still names the old hash, the chain no longer verifies.
    killed = _command(runtime.settings, "--batch-size", "5", fault=CRASH_AFTER_ENTRIES)
    assert killed.returncode == FAULT_EXIT_CODE, killed.stderr
    (half,) = [a for a in await db["archives"].find({}).to_list() if "migrating" in a]
    assert not (await entries.verify_chain(half["_id"])).ok

    finished = _command(runtime.settings, "--batch-size", "5")
    assert finished.returncode == 0, finished.stderr
    assert "privacy-2: finished" in finished.stdout
    again = _command(runtime.settings, "--batch-size", "5")
    assert again.returncode == 0, again.stderr
    assert "(0 batch(es)" in again.stdout
    assert _command(runtime.settings, "--check").returncode == 0

    migrated = await _snapshot(db)
    assert migrated["archive_entries"] == new["archive_entries"]
    assert all([r.ok async for r in entries.verify_all()])
    assert not [a for a in await db["archives"].find({}).to_list() if "migrating" in a]
    assert await _confirmable(db, people) == 0
    plain = {aid: Person(p.phone, p.birth) for aid, p in people.items()}
    assert await scan_personal(db_client, runtime.settings.database, plain) == []

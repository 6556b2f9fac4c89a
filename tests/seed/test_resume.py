"""Determinism and resumption of ``portfolio seed``, through the library and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from portfolio.seed import SeedRefused, seed_province
from portfolio.seed.progress import RUN_ID
from tests.helpers import KEEP_COLLECTIONS
from tests.seed.test_seed import AS_OF, PASSWORD

# The start-up repair leaves its lease behind when this runs first in a session.
SKIP = {"keys", "seed_runs", "repair_checkpoints", "repair_leases"}


async def _snapshot(db: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        name: await db[name].find({}).sort("_id", 1).to_list()
        for name in sorted(await db.list_collection_names())
        if name not in SKIP
    }


async def _wipe(db: Any) -> None:
    for name in await db.list_collection_names():
        if name not in KEEP_COLLECTIONS:
            await db[name].delete_many({})


async def _seed(runtime: Runtime, **extra: Any) -> Any:
    return await seed_province(
        runtime.settings,
        runtime.keyring,
        archives=50,
        seed=11,
        password=PASSWORD,
        as_of=AS_OF,
        batch_size=20,
        **extra,
    )


async def test_same_seed_same_documents_and_resume_writes_nothing_twice(
    runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = db_client[runtime.settings.database]
    full = await _seed(runtime)
    assert full.finished
    first = await _snapshot(db)
    assert sum(len(v) for v in first.values()) > 500
    run = await db["seed_runs"].find_one({"_id": RUN_ID})
    assert run is not None
    assert run["finished"]
    assert run["done"] == {"catalogue": 1, "workers": 3, "finish": 1}
    assert all(run["counts"][name] == len(first[name]) for name in run["counts"])

    await _wipe(db)
    stopped = await _seed(runtime, stop_after=2)  # the catalogue and one batch of workers
    assert not stopped.finished
    # A crash after the second batch's inserts but before its mark: done says one batch.
    partial = await _seed(runtime, stop_after=1)
    await db["seed_runs"].update_one({"_id": RUN_ID}, {"$set": {"done.workers": 1}})
    assert not partial.finished
    resumed = await _seed(runtime)
    assert resumed.finished
    assert await _snapshot(db) == first

    again = await _seed(runtime)
    assert again.batches_written == 0
    assert await _snapshot(db) == first

    with pytest.raises(SeedRefused):
        await seed_province(
            runtime.settings, runtime.keyring, archives=51, seed=11, password=PASSWORD
        )


def test_cli_seeds_a_fresh_data_directory_and_resumes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_")}
    env.update(
        PORTFOLIO_DATA_DIR=str(tmp_path / "var"),
        PORTFOLIO_ARGON2_TIME_COST="1",
        PORTFOLIO_ARGON2_MEMORY_COST_KIB="8",
        PORTFOLIO_ARGON2_PARALLELISM="1",
    )
    command = [sys.executable, "-m", "api", "seed", "--archives", "30"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "province of 30 archives" in first.stdout
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "0 batch(es) written" in second.stdout

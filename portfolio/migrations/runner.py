"""Running ``privacy-2``: the steps in order, in batches, with a checkpoint after each batch.

The run is one raw document in ``migrations`` (``_id: "privacy-2"``): per step the last
``_id`` done and whether the step finished, counters of what changed (``count_<name>``), the
archives whose chain did not verify, and ``finished``. Beanie must be initialised and the keys
loaded (as every command has them).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from portfolio.archives.documents import ARCHIVE_FORM, Archive
from portfolio.identity.protection import FieldProtection
from portfolio.keyring import Keyring
from portfolio.migrations.archives import migrate_archive
from portfolio.migrations.copies import AuditNames, masked_copy, phone_login
from portfolio.once import insert_raw_once

MIGRATION_ID = "privacy-2"
COLLECTION = "migrations"
COUNT_PREFIX = "count_"
DEFAULT_BATCH = 200
# Step -> the collection it walks. The archives first: the rest reads nothing of them.
STEPS: dict[str, str] = {
    "archives": "archives",
    "enrolments": "enrolments",
    "apprenticeships": "apprenticeships",
    "vouchers": "vouchers",
    "principals": "principals",
    "audit_events": "audit_events",
}

Progress = Callable[[str, int], None]
"""``progress(step, documents_looked_at_so_far_in_this_step)``."""
Raw = dict[str, Any]


@dataclass(frozen=True)
class MigrationSummary:
    """What the run document says after a call of ``migrate``."""

    finished: bool
    counts: dict[str, int]
    broken_chains: list[str]
    batches: int
    seconds: float


@dataclass
class _Run:
    """The run document, and the batches this call wrote."""

    steps: dict[str, dict[str, Any]]
    batches: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _collection(name: str) -> AsyncCollection[Raw]:
    collection: AsyncCollection[Raw] = Archive.get_pymongo_collection().database[name]
    return collection


async def _run_document(recheck: bool) -> _Run:
    runs = _collection(COLLECTION)
    found = await runs.find_one({"_id": MIGRATION_ID})
    steps = {name: {"after": None, "done": False} for name in STEPS}
    if found is None:
        # ``started_at`` is an ISO string (informational only): nx-27017 mangles a top-level
        # datetime given to $set.
        await insert_raw_once(
            runs,
            {
                "_id": MIGRATION_ID,
                "steps": steps,
                "finished": False,
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "broken_chains": [],
                "seconds": 0.0,
            },
        )
        return _Run(steps)
    if recheck:
        await runs.update_one({"_id": MIGRATION_ID}, {"$set": {"steps": steps, "finished": False}})
        return _Run(steps)
    return _Run({name: dict(found.get("steps", {}).get(name, {})) for name in STEPS})


async def _checkpoint(
    step: str, after: Any, done: bool, counts: Mapping[str, int], broken: list[str]
) -> None:
    update: dict[str, Any] = {"$set": {f"steps.{step}.after": after, f"steps.{step}.done": done}}
    # Top-level counters: nx-27017 turns a $inc of "counts.<name>" into a field of that name.
    increments = {f"{COUNT_PREFIX}{name}": n for name, n in counts.items() if n}
    if increments:
        update["$inc"] = increments
    await _collection(COLLECTION).update_one({"_id": MIGRATION_ID}, update)
    for archive_id in broken:
        await _collection(COLLECTION).update_one(
            {"_id": MIGRATION_ID}, {"$addToSet": {"broken_chains": archive_id}}
        )


async def _write(collection: str, writes: list[UpdateOne]) -> tuple[int, int]:
    """Apply ``writes``; (modified, refused as duplicates). A duplicate name is left as is."""
    if not writes:
        return 0, 0
    try:
        result = await _collection(collection).bulk_write(writes, ordered=False)
    except BulkWriteError as failure:
        errors = failure.details.get("writeErrors", [])
        if any(error.get("code") != 11000 for error in errors):
            raise
        return int(failure.details.get("nModified", 0)), len(errors)
    return result.modified_count, 0


Handler = Callable[[list[Raw]], Awaitable[tuple[dict[str, int], list[str]]]]


def _handlers(protection: FieldProtection) -> dict[str, Handler]:
    audit = AuditNames(protection)

    async def archives(batch: list[Raw]) -> tuple[dict[str, int], list[str]]:
        counts = {"archives_migrated": 0, "chains_rehashed": 0, "chains_left_broken": 0}
        broken: list[str] = []
        for raw in batch:
            outcome = await migrate_archive(raw, protection)
            counts["archives_migrated"] += int(outcome.changed)
            counts["chains_rehashed"] += int(outcome.rechained)
            if outcome.broken:
                counts["chains_left_broken"] += 1
                broken.append(str(raw["_id"]))
        return counts, broken

    def copies(collection: str) -> Handler:
        async def handle(batch: list[Raw]) -> tuple[dict[str, int], list[str]]:
            writes = []
            for raw in batch:
                update = masked_copy(raw)
                if update:
                    # Only from the form it was read in: a racing write wins.
                    guard = {key: raw[key] for key in update if key == "worker_masked_id"}
                    writes.append(UpdateOne({"_id": raw["_id"], **guard}, {"$set": update}))
            modified, _ = await _write(collection, writes)
            return {f"{collection}_rewritten": modified}, []

        return handle

    async def principals(batch: list[Raw]) -> tuple[dict[str, int], list[str]]:
        writes = [
            UpdateOne({"_id": raw["_id"], "username": raw["username"]}, {"$set": update})
            for raw in batch
            if (update := phone_login(raw, protection))
        ]
        modified, refused = await _write("principals", writes)
        return {"phone_logins_renamed": modified, "phone_logins_taken": refused}, []

    async def audit_events(batch: list[Raw]) -> tuple[dict[str, int], list[str]]:
        writes = []
        for raw in batch:
            if update := await audit.update(raw):
                writes.append(
                    UpdateOne({"_id": raw["_id"], "username": raw["username"]}, {"$set": update})
                )
        modified, _ = await _write("audit_events", writes)
        return {"audit_names_rewritten": modified}, []

    return {
        "archives": archives,
        "enrolments": copies("enrolments"),
        "apprenticeships": copies("apprenticeships"),
        "vouchers": copies("vouchers"),
        "principals": principals,
        "audit_events": audit_events,
    }


async def migrate(
    keyring: Keyring,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    stop_after: int | None = None,
    recheck: bool = False,
) -> MigrationSummary:
    """Run (or continue) ``privacy-2``; safe to run again and to interrupt.

    ``recheck`` walks every step from the start again even if it finished (a no-op on data
    in the new form). ``stop_after`` stops after that many batches (tests of resumption).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    run = await _run_document(recheck)
    handlers = _handlers(FieldProtection(keyring))
    stopped = False
    for step, collection in STEPS.items():
        state = run.steps.get(step, {})
        if state.get("done"):
            continue
        after = state.get("after")
        seen = 0
        while True:
            if stop_after is not None and run.batches >= stop_after:
                stopped = True
                break
            query: Raw = {"_id": {"$gt": after}} if after is not None else {}
            batch = (
                await _collection(collection).find(query).sort("_id", 1).limit(batch_size).to_list()
            )
            counts, broken = await handlers[step](batch) if batch else ({}, [])
            after = batch[-1]["_id"] if batch else after
            done = len(batch) < batch_size
            await _checkpoint(step, after, done, counts, broken)
            run.batches += 1
            seen += len(batch)
            for name, n in counts.items():
                run.counts[name] = run.counts.get(name, 0) + n
            if progress is not None:
                progress(step, seen)
            if done:
                break
        if stopped:
            break
    runs = _collection(COLLECTION)
    await runs.update_one(
        {"_id": MIGRATION_ID},
        {"$set": {"finished": not stopped}, "$inc": {"seconds": time.perf_counter() - started}},
    )
    stored = await runs.find_one({"_id": MIGRATION_ID}) or {}
    return MigrationSummary(
        finished=bool(stored.get("finished")),
        counts={
            key.removeprefix(COUNT_PREFIX): int(value)
            for key, value in stored.items()
            if key.startswith(COUNT_PREFIX)
        },
        broken_chains=list(stored.get("broken_chains", [])),
        batches=run.batches,
        seconds=time.perf_counter() - started,
    )


async def pending() -> bool:
    """True when stored data needs ``portfolio migrate`` (a cheap check: one or two reads)."""
    run = await _collection(COLLECTION).find_one({"_id": MIGRATION_ID}, {"finished": 1})
    if run is not None:
        return not run.get("finished", False)
    first = await Archive.get_pymongo_collection().find_one({}, {"form": 1}, sort=[("_id", 1)])
    return first is not None and int(first.get("form", 1)) < ARCHIVE_FORM

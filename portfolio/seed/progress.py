"""The ``seed_runs`` progress document and the bulk writer.

One document, ``_id: "province"``: which province was asked for (archives, seed, as-of day,
batch size), how many batches of each phase are done, the documents written per collection and
whether the run finished. A batch's documents are inserted first and the batch is marked done
after, with one update; a run stopped in between rebuilds that batch and inserts it again,
and the unique ``_id`` of every document refuses what is already there (deterministic ids), so
nothing is written twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from beanie import Document
from pydantic import Field
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

RUN_ID = "province"
CHUNK = 1000


class SeedRun(Document):
    """The synthetic province written into this database, and how far the seeder got."""

    id: str  # type: ignore[assignment]
    archives: int
    seed: int
    # The day the province's history runs up to (its midnight, UTC), fixed by the first run.
    as_of: datetime
    batch_size: int
    # Phase -> batches done.
    done: dict[str, int] = Field(default_factory=dict)
    # Collection -> documents written by the batches done.
    counts: dict[str, int] = Field(default_factory=dict)
    finished: bool = False
    started_at: datetime
    seconds: float = 0.0

    class Settings:
        name = "seed_runs"
        indexes: ClassVar[list[Any]] = []


async def insert_all(
    database: AsyncDatabase[dict[str, Any]], collection: str, documents: Sequence[dict[str, Any]]
) -> int:
    """Insert ``documents`` unordered in chunks; duplicates (written before) are skipped.

    Returns how many were new.
    """
    inserted = 0
    for first in range(0, len(documents), CHUNK):
        chunk = list(documents[first : first + CHUNK])
        try:
            result = await database[collection].insert_many(chunk, ordered=False)
            inserted += len(result.inserted_ids)
        except BulkWriteError as failure:
            errors = failure.details.get("writeErrors", [])
            if any(error.get("code") != 11000 for error in errors):
                raise
            inserted += len(chunk) - len(errors)
    return inserted


async def mark_done(phase: str, batches: int, counts: Mapping[str, int]) -> None:
    """Record that ``phase`` has ``batches`` batches done and add their document counts."""
    update: dict[str, Any] = {"$set": {f"done.{phase}": batches}}
    if counts:
        update["$inc"] = {f"counts.{name}": n for name, n in counts.items()}
    await SeedRun.get_pymongo_collection().update_one(
        {"_id": RUN_ID, f"done.{phase}": batches - 1}, update
    )

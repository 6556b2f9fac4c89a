"""The MongoDB patterns the accounts area adds, checked against the configured server.

See ../shared/STORAGE.md: each asserts MongoDB's documented result.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from api.runtime import Runtime

Collection = AsyncCollection[dict[str, Any]]

_ON_NX = not os.environ.get("PORTFOLIO_MONGODB_URI")


@pytest.fixture
async def scratch(runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]) -> Collection:
    collection: Collection = db_client[runtime.settings.database]["account_scratch"]
    await collection.drop()
    return collection


async def test_current_date_writes_a_date_that_ranges_compare(scratch: Collection) -> None:
    # Every instant the accounts area writes after insert is "now", written with $currentDate.
    before = datetime.now(UTC) - timedelta(seconds=5)
    await scratch.insert_many([{"_id": n, "at": None, "revoked": False} for n in (1, 2, 3)])
    await scratch.update_one({"_id": 1}, {"$currentDate": {"at": True}})
    await scratch.update_many(
        {"_id": {"$in": [2, 3]}, "revoked": False},
        {"$set": {"revoked": True}, "$currentDate": {"at": True}},
    )
    after = await scratch.find_one_and_update(
        {"_id": 1}, {"$currentDate": {"at": True}}, return_document=ReturnDocument.AFTER
    )
    assert after is not None
    assert isinstance(after["at"], datetime)
    assert after["at"].tzinfo is not None
    found = await scratch.find({"at": {"$gt": before}}).sort("_id").to_list()
    assert [d["_id"] for d in found] == [1, 2, 3]


async def test_boolean_set_by_update_still_matches_and_guards(scratch: Collection) -> None:
    await scratch.insert_many([{"_id": 1, "rotated": False}, {"_id": 2, "rotated": False}])
    first = await scratch.update_one({"_id": 1, "rotated": False}, {"$set": {"rotated": True}})
    second = await scratch.update_one({"_id": 1, "rotated": False}, {"$set": {"rotated": True}})
    assert (first.modified_count, second.modified_count) == (1, 0)
    assert [d["_id"] for d in await scratch.find({"rotated": True}).to_list()] == [1]
    assert [d["_id"] for d in await scratch.find({"rotated": False}).to_list()] == [2]


async def test_single_use_token_rotation_has_one_winner(scratch: Collection) -> None:
    await scratch.insert_one({"_id": "hash", "rotated": False})

    async def rotate() -> int:
        result = await scratch.update_one(
            {"_id": "hash", "rotated": False},
            {"$set": {"rotated": True}, "$currentDate": {"rotated_at": True}},
        )
        return result.modified_count

    assert sorted(await asyncio.gather(*(rotate() for _ in range(10)))) == [0] * 9 + [1]


async def test_inc_then_conditional_on_the_seen_count(scratch: Collection) -> None:
    # The login lock: count a failure, and lock only if nobody counted another one since.
    await scratch.insert_one({"_id": 1, "failed": 3, "locked_at": None})
    after = await scratch.find_one_and_update(
        {"_id": 1}, {"$inc": {"failed": 1}}, return_document=ReturnDocument.AFTER
    )
    assert after is not None
    assert after["failed"] == 4
    stale = await scratch.update_one(
        {"_id": 1, "failed": 3}, {"$set": {"failed": 0}, "$currentDate": {"locked_at": True}}
    )
    fresh = await scratch.update_one(
        {"_id": 1, "failed": 4}, {"$set": {"failed": 0}, "$currentDate": {"locked_at": True}}
    )
    assert (stale.modified_count, fresh.modified_count) == (0, 1)


@pytest.mark.xfail(
    condition=_ON_NX,
    strict=True,
    reason="nx-27017 0.8.1 stores a datetime given to $set as a naive string",
)
async def test_set_of_a_datetime_keeps_a_date(scratch: Collection) -> None:
    await scratch.insert_one({"_id": 1, "at": None})
    await scratch.update_one({"_id": 1}, {"$set": {"at": datetime.now(UTC)}})
    stored = await scratch.find_one({"_id": 1})
    assert stored is not None
    assert isinstance(stored["at"], datetime)

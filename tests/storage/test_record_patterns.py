"""The MongoDB patterns the worker's record pages add (portfolio/record/), checked against the
configured server.

See ../shared/STORAGE.md: each asserts MongoDB's documented result.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from api.runtime import Runtime

Collection = AsyncCollection[dict[str, Any]]
START = datetime(2025, 12, 31, 15, 0, tzinfo=UTC)  # 2026-01-01 00:00 in China


@pytest.fixture
async def scratch(runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]) -> Collection:
    collection: Collection = db_client[runtime.settings.database]["record_scratch"]
    await collection.drop()
    await collection.create_index([("archive", ASCENDING), ("seq", ASCENDING)], unique=True)
    await collection.create_index([("archive", ASCENDING)])
    return collection


async def _entries(scratch: Collection) -> None:
    # One entry a month across two years, alternating two kinds; another archive around.
    await scratch.insert_many(
        [
            {
                "archive": "a",
                "seq": n + 1,
                "kind": "x" if n % 2 else "y",
                "at": START - timedelta(days=365) + timedelta(days=30 * n),
            }
            for n in range(24)
        ]
        + [{"archive": "b", "seq": 1, "kind": "x", "at": START}]
    )


async def test_a_year_range_on_an_inserted_date_with_equalities(scratch: Collection) -> None:
    # The timeline's year filter: the archive (and a kind), a range on the inserted date,
    # newest first by seq, one more than the page.
    await _entries(scratch)
    year = {"$gte": START, "$lt": START + timedelta(days=365)}
    found = (
        await scratch.find({"archive": "a", "at": year}).sort("seq", DESCENDING).limit(5).to_list()
    )
    assert [d["seq"] for d in found] == [24, 23, 22, 21, 20]
    everything = await scratch.find({"archive": "a", "at": year}).to_list()
    assert sorted(d["seq"] for d in everything) == list(range(14, 25))
    of_kind = await scratch.find({"archive": "a", "kind": "x", "at": year}).to_list()
    assert sorted(d["seq"] for d in of_kind) == [14, 16, 18, 20, 22, 24]


async def test_a_year_range_with_a_seq_range_in_both_directions(scratch: Collection) -> None:
    # Paging inside a filter: older than a seq (descending) and newer than one (ascending).
    await _entries(scratch)
    year = {"$gte": START, "$lt": START + timedelta(days=365)}
    older = (
        await scratch.find({"archive": "a", "at": year, "seq": {"$lt": 16}})
        .sort("seq", DESCENDING)
        .to_list()
    )
    assert [d["seq"] for d in older] == [15, 14]
    newer = (
        await scratch.find({"archive": "a", "at": year, "seq": {"$gt": 21}})
        .sort("seq", ASCENDING)
        .limit(2)
        .to_list()
    )
    assert [d["seq"] for d in newer] == [22, 23]
    exists = await scratch.find_one({"archive": "a", "at": year, "seq": {"$gt": 24}}, {"_id": 1})
    assert exists is None


async def test_an_id_range_in_both_directions_within_one_archive(scratch: Collection) -> None:
    # The access log's paging: an equality, then _id after or before a cursor.
    ids = [ObjectId() for _ in range(6)]
    await scratch.insert_many([{"_id": i, "archive": "a", "seq": n} for n, i in enumerate(ids)])
    newer = (
        await scratch.find({"archive": "a", "_id": {"$gt": ids[2]}})
        .sort("_id", ASCENDING)
        .limit(2)
        .to_list()
    )
    assert [d["_id"] for d in newer] == ids[3:5]
    older = await scratch.find({"archive": "a", "_id": {"$lt": ids[2]}}).sort("_id", -1).to_list()
    assert [d["_id"] for d in older] == [ids[1], ids[0]]

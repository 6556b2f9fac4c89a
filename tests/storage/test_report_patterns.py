"""The MongoDB patterns the report counters use, checked against the configured server.

See ../shared/STORAGE.md: each asserts MongoDB's documented result.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from pymongo import ASCENDING, AsyncMongoClient, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from api.runtime import Runtime

Collection = AsyncCollection[dict[str, Any]]


@pytest.fixture
async def scratch(runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]) -> Collection:
    collection: Collection = db_client[runtime.settings.database]["report_scratch"]
    await collection.drop()
    return collection


async def test_upsert_with_set_and_inc_creates_then_adds(scratch: Collection) -> None:
    key = "training|510104|2026-03|employment_skills|sichuan_chef|4-03-02-01"
    dims = {"kind": "training", "region_code": "510104", "month": "2026-03"}
    for _ in range(3):
        await scratch.update_one(
            {"_id": key}, {"$set": dims, "$inc": {"completions": 1, "minutes": 90}}, upsert=True
        )
    await scratch.update_one(
        {"_id": key}, {"$set": dims, "$inc": {"completions": -1, "people": 2}}, upsert=True
    )
    stored = await scratch.find_one({"_id": key})
    assert stored == {"_id": key, **dims, "completions": 2, "minutes": 270, "people": 2}


async def test_concurrent_upserts_of_one_key_add_up(scratch: Collection) -> None:
    async def bump() -> None:
        try:
            await scratch.update_one({"_id": "k"}, {"$inc": {"n": 1}}, upsert=True)
        except DuplicateKeyError:
            # MongoDB may report a lost upsert race as a duplicate; the retry is an update.
            await scratch.update_one({"_id": "k"}, {"$inc": {"n": 1}}, upsert=True)

    await asyncio.gather(*(bump() for _ in range(20)))
    stored = await scratch.find_one({"_id": "k"})
    assert stored is not None
    assert stored["n"] == 20


@pytest.mark.xfail(
    condition=not os.environ.get("PORTFOLIO_MONGODB_URI"),
    strict=True,
    reason="nx-27017 0.8.1 stores a dotted $inc path of an upsert's insert as a literal key",
)
async def test_inc_of_a_dotted_subdocument_field_by_upsert(scratch: Collection) -> None:
    for days in (3, 3, 17):
        await scratch.update_one({"_id": "v"}, {"$inc": {f"redeem_days.{days}": 1}}, upsert=True)
    stored = await scratch.find_one({"_id": "v"})
    assert stored == {"_id": "v", "redeem_days": {"3": 2, "17": 1}}


async def test_inc_of_flat_histogram_fields_by_upsert(scratch: Collection) -> None:
    # The portable form of a histogram: one top-level field per bucket, no dotted path.
    for days in (3, 3, 17, 120):
        await scratch.update_one(
            {"_id": "v"}, {"$inc": {"redeemed": 1, f"rd_{days:03d}": 1}}, upsert=True
        )
    await scratch.update_one({"_id": "v"}, {"$inc": {"rd_003": -1}}, upsert=True)
    stored = await scratch.find_one({"_id": "v"})
    assert stored == {"_id": "v", "redeemed": 4, "rd_003": 1, "rd_017": 1, "rd_120": 1}


async def test_bulk_write_of_upserts_counts_and_applies(scratch: Collection) -> None:
    await scratch.insert_one({"_id": "a", "n": 5})
    result = await scratch.bulk_write(
        [
            UpdateOne({"_id": "a"}, {"$set": {"m": "x"}, "$inc": {"n": 2}}, upsert=True),
            UpdateOne({"_id": "b"}, {"$set": {"m": "y"}, "$inc": {"n": 3}}, upsert=True),
            UpdateOne({"_id": "c"}, {"$inc": {"n": 1, "h_4": 1}}, upsert=True),
        ],
        ordered=False,
    )
    assert (result.matched_count, result.upserted_count) == (1, 2)
    stored = {d["_id"]: d async for d in scratch.find({})}
    assert stored == {
        "a": {"_id": "a", "n": 7, "m": "x"},
        "b": {"_id": "b", "n": 3, "m": "y"},
        "c": {"_id": "c", "n": 1, "h_4": 1},
    }


async def test_find_one_and_update_upsert_inc_returns_the_count(scratch: Collection) -> None:
    async def inc(delta: int) -> int:
        after = await scratch.find_one_and_update(
            {"_id": "marker"},
            {"$set": {"tally": "pt|cell"}, "$inc": {"n": delta}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert after is not None
        value: int = after["n"]
        return value

    assert [await inc(1), await inc(1), await inc(-1), await inc(-1), await inc(1)] == [
        1,
        2,
        1,
        0,
        1,
    ]
    # Racing increments each see a different count, so exactly one sees 1.
    await scratch.delete_many({})
    seen = await asyncio.gather(*(inc(1) for _ in range(10)), return_exceptions=True)
    counts = sorted(s for s in seen if isinstance(s, int))
    lost = [s for s in seen if isinstance(s, DuplicateKeyError)]
    assert counts == list(range(1, len(counts) + 1))
    assert len(counts) + len(lost) == 10


async def test_unordered_insert_many_names_the_duplicates(scratch: Collection) -> None:
    await scratch.insert_one({"_id": "m2"})
    with pytest.raises(BulkWriteError) as caught:
        await scratch.insert_many(
            [{"_id": "m1"}, {"_id": "m2"}, {"_id": "m3"}, {"_id": "m3"}], ordered=False
        )
    duplicates = sorted(
        e["index"] for e in caught.value.details["writeErrors"] if e["code"] == 11000
    )
    assert duplicates == [1, 3]
    assert sorted([d["_id"] async for d in scratch.find({})]) == ["m1", "m2", "m3"]


async def test_string_id_prefix_range_and_month_range(scratch: Collection) -> None:
    await scratch.create_index([("region_code", ASCENDING), ("month", ASCENDING)])
    await scratch.create_index([("region_code", ASCENDING)])
    rows = [
        ("training|510104|2026-02", "510104", "2026-02"),
        ("training|510104|2026-03", "510104", "2026-03"),
        ("training|510107|2026-04", "510107", "2026-04"),
        ("training|510703|2026-03", "510703", "2026-03"),
        ("vouchers|510104|2026-03", "510104", "2026-03"),
    ]
    await scratch.insert_many([{"_id": i, "region_code": r, "month": m} for i, r, m in rows])
    by_id = await scratch.find(
        {
            "_id": {"$gte": "training|5101", "$lt": "training|5102"},
            "month": {"$gte": "2026-03", "$lte": "2026-04"},
        }
    ).to_list()
    assert sorted(d["_id"] for d in by_id) == ["training|510104|2026-03", "training|510107|2026-04"]
    by_fields = await scratch.find(
        {"region_code": {"$gte": "5101", "$lt": "5102"}, "month": {"$gte": "2026-03"}}
    ).to_list()
    assert sorted(d["_id"] for d in by_fields) == [
        "training|510104|2026-03",
        "training|510107|2026-04",
        "vouchers|510104|2026-03",
    ]


async def test_group_by_a_plain_stored_field_sums(scratch: Collection) -> None:
    await scratch.insert_many(
        [
            {"kind": "training", "region4": "5101", "n": 2, "m": 10},
            {"kind": "training", "region4": "5101", "n": 3},
            {"kind": "training", "region4": "5107", "n": 1, "m": 4},
            {"kind": "vouchers", "region4": "5107", "n": 100},
        ]
    )
    cursor = await scratch.aggregate(
        [
            {"$match": {"kind": "training"}},
            {"$group": {"_id": "$region4", "n": {"$sum": "$n"}, "m": {"$sum": "$m"}}},
            {"$sort": {"_id": 1}},
        ]
    )
    assert await cursor.to_list() == [
        {"_id": "5101", "n": 5, "m": 10},
        {"_id": "5107", "n": 1, "m": 4},
    ]
    # Counting the documents of each group (distinct workers: markers above zero).
    counted = await scratch.aggregate(
        [
            {"$match": {"n": {"$gt": 1}}},
            {"$group": {"_id": "$region4", "k": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ]
    )
    assert await counted.to_list() == [{"_id": "5101", "k": 2}, {"_id": "5107", "k": 1}]


async def test_an_upsert_guarded_by_an_event_id_applies_once(scratch: Collection) -> None:
    # The guard of a counter write (portfolio.reports.counters): the filter matches only while
    # the list lacks the event's id, and the write pushes it; a second delivery finds the
    # document, does not match it, tries to insert it and is refused as a duplicate.
    def guarded(event: str, n: int) -> UpdateOne:
        return UpdateOne(
            {"_id": "cell", "unsettled": {"$nin": [event]}},
            {"$set": {"kind": "training"}, "$inc": {"n": n}, "$push": {"unsettled": event}},
            upsert=True,
        )

    await scratch.bulk_write([guarded("e1", 1)], ordered=False)  # creates the cell
    await scratch.bulk_write([guarded("e2", 10)], ordered=False)
    with pytest.raises(BulkWriteError) as refused:
        await scratch.bulk_write([guarded("e1", 1)], ordered=False)
    assert [e["code"] for e in refused.value.details["writeErrors"]] == [11000]
    stored = await scratch.find_one({"_id": "cell"})
    assert stored == {"_id": "cell", "kind": "training", "n": 11, "unsettled": ["e1", "e2"]}
    # Settled: the id pulled out again, and a document without the list matches the guard.
    await scratch.update_many({"_id": {"$in": ["cell", "other"]}}, {"$pull": {"unsettled": "e1"}})
    await scratch.insert_one({"_id": "bare", "n": 1})
    matched = await scratch.find({"unsettled": {"$nin": ["e2"]}}).to_list()
    assert [d["_id"] for d in matched] == ["bare"]
    assert (await scratch.find_one({"_id": "cell"}) or {})["unsettled"] == ["e2"]

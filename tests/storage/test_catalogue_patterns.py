"""The query shapes of the public catalogue (portfolio/training/catalogue.py), against the
configured server: dates stored as Beanie writes a ``date`` (that day's midnight), a range on
one date field with equality or a range on another, and keyset pages on (date, ``_id``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from bson import ObjectId
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from api.runtime import Runtime

Collection = AsyncCollection[dict[str, Any]]


def _day(value: date) -> datetime:
    return datetime.combine(value, time.min)  # naive, as Beanie's encoder writes a date


def _at(value: date) -> datetime:
    return datetime.combine(value, time.min, tzinfo=UTC)


@pytest.fixture
async def runs(runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]) -> Collection:
    collection: Collection = db_client[runtime.settings.database]["catalogue_scratch"]
    await collection.delete_many({})
    await collection.create_index([("end_date", ASCENDING)])
    await collection.create_index([("region_code", ASCENDING)])
    return collection


async def test_open_runs_in_start_order_with_a_keyset_on_date_and_id(runs: Collection) -> None:
    ids = [ObjectId() for _ in range(5)]
    rows = [
        (ids[0], date(2026, 3, 9), date(2026, 3, 12), "510104"),
        (ids[1], date(2026, 3, 2), date(2026, 3, 5), "510104"),
        (ids[2], date(2026, 3, 9), date(2026, 3, 9), "510703"),
        (ids[3], date(2026, 3, 9), date(2026, 3, 20), "510104"),
        (ids[4], date(2026, 2, 1), date(2026, 2, 3), "510104"),  # ended
    ]
    await runs.insert_many(
        [
            {"_id": i, "start_date": _day(s), "end_date": _day(e), "region_code": r}
            for i, s, e, r in rows
        ]
    )
    base = {"end_date": {"$gte": _at(date(2026, 3, 1))}}
    order = [("start_date", ASCENDING), ("_id", ASCENDING)]

    first = [d["_id"] async for d in runs.find(base).sort(order).limit(2)]
    rest_of_day = {**base, "start_date": _at(date(2026, 3, 9)), "_id": {"$gt": ids[0]}}
    same_day = [d["_id"] async for d in runs.find(rest_of_day).sort("_id", ASCENDING)]
    later = [
        d["_id"]
        async for d in runs.find(
            {**base, "start_date": {"$gte": _at(date(2026, 3, 1)), "$gt": _at(date(2026, 3, 2))}}
        ).sort(order)
    ]
    chengdu = [
        d["_id"]
        async for d in runs.find({**base, "region_code": {"$gte": "5101", "$lt": "5102"}}).sort(
            order
        )
    ]

    assert first == [ids[1], ids[0]]
    assert same_day == [ids[2], ids[3]]
    assert later == [ids[0], ids[2], ids[3]]
    assert chengdu == [ids[1], ids[0], ids[3]]

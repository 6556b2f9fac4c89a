"""``find_each``: the same documents whether it asks value by value or with one ``$in``."""

from __future__ import annotations

from api.runtime import Runtime
from portfolio.lookups import EACH_UP_TO, find_each
from portfolio.repair import RepairCheckpoint


async def test_short_and_long_lists_find_the_same_documents(runtime: Runtime) -> None:
    await RepairCheckpoint.insert_many(
        [RepairCheckpoint(id=f"check-{n:03d}", checked_until_ms=n % 50) for n in range(200)]
    )
    short = [3, 7, 7, 49, 99]  # a repeat, and a value nothing has
    long = list(range(EACH_UP_TO + 10))

    by_value = await find_each(RepairCheckpoint, "checked_until_ms", short, sort="+_id")
    at_once = await find_each(RepairCheckpoint, "checked_until_ms", long)
    filtered = await find_each(
        RepairCheckpoint, "checked_until_ms", short, {"_id": {"$lt": "check-100"}}
    )

    assert [c.id for c in by_value] == [
        f"check-{n:03d}" for value in (3, 7, 49) for n in range(200) if n % 50 == value
    ]
    assert len(at_once) == 200  # every document's value is in the long list
    assert sorted(c.id for c in filtered) == [f"check-{n:03d}" for n in (3, 7, 49, 53, 57, 99)]

"""What a TTL index costs a read on nx-27017: ``python -m bench.ttl_reads``.

neosqlite (under nx-27017 0.8.1) purges expired documents before every find, find_one,
count and aggregate on a collection with a TTL index: two ``delete_many`` over the TTL field,
evaluated document by document while the store's one lock is held. A read by ``_id`` then
costs time in proportion to the collection's size, and stalls every other request meanwhile.
This prints a read by ``_id`` on two collections of the same documents, one with a plain
index on ``expires_at``, one with a TTL index, as they grow (nothing has expired).

A figure printer, not a test.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient

from bench.harness import embedded_store

SIZES = (2_000, 20_000, 60_000)
READS = 20


async def main() -> None:
    """Grow both collections and time reads by ``_id`` at each size."""
    with embedded_store() as uri:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
        db = client["ttl_reads"]
        later = datetime.now(UTC) + timedelta(hours=24)
        await db["plain"].create_index([("expires_at", ASCENDING)])
        await db["ttl"].create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
        for size in SIZES:
            for name in ("plain", "ttl"):
                collection = db[name]
                have = await collection.estimated_document_count()
                docs = [
                    {"_id": f"k{i}", "expires_at": later, "body": "x" * 200}
                    for i in range(have, size)
                ]
                for start in range(0, len(docs), 5000):
                    await collection.insert_many(docs[start : start + 5000])
                started = time.perf_counter()
                for i in range(READS):
                    await collection.find_one({"_id": f"k{i * 7}"})
                mean_ms = (time.perf_counter() - started) / READS * 1000
                print(f"{name:5} index, {size:6,} documents: find_one by _id {mean_ms:6.2f} ms")
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())

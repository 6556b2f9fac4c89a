"""Login and token rate limits, counted in MongoDB so every API replica shares them.

A fixed window per (limit, key): the counter document's ``_id`` names the window, so a new
window starts a new document and nothing is ever reset. Counting is one conditional ``$inc``
(``hits < limit``) on the window's document; when none matched, the first request of the
window inserts it, and a duplicate key means the window is already full. A TTL index removes
old windows; reads also filter on ``expires_at`` because the TTL monitor runs about once a
minute. Keys are stored hashed: people type their password into the username field. Windows
are security times, on the real clock (``clock.real_now()``), never the domain clock.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio import clock
from portfolio.errors import RateLimited
from portfolio.once import insert_raw_once


class RateCounter(Document):
    """Requests counted in one window for one key (``_id`` = limit name, key hash, window)."""

    id: str  # type: ignore[assignment]
    hits: int
    expires_at: datetime

    class Settings:
        name = "rate_counters"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


async def hit(
    name: str, key: str, *, limit: int, window_seconds: int, now: datetime | None = None
) -> None:
    """Count one request of ``key`` under the limit ``name``; ``RateLimited`` past ``limit``.

    ``retry_after_seconds`` is the time left in the current window.
    """
    now = now or clock.real_now()
    epoch = now.timestamp()
    window = int(epoch // window_seconds)
    window_end = (window + 1) * window_seconds
    counter_id = f"{name}|{_key_hash(key)}|{window}"
    collection = RateCounter.get_pymongo_collection()
    under_limit = {"_id": counter_id, "hits": {"$lt": limit}, "expires_at": {"$gt": now}}
    counted = await collection.update_one(under_limit, {"$inc": {"hits": 1}})
    if counted.matched_count:
        return
    first = {
        "_id": counter_id,
        "hits": 1,
        "expires_at": datetime.fromtimestamp(window_end, UTC) + timedelta(seconds=1),
    }
    if await insert_raw_once(collection, first):
        return
    # Another request of this window inserted its document first (two first requests racing):
    # count on it unless the window is full by now.
    counted = await collection.update_one(under_limit, {"$inc": {"hits": 1}})
    if not counted.matched_count:
        raise RateLimited(
            "too many attempts; wait before trying again",
            retry_after_seconds=max(1, math.ceil(window_end - epoch)),
        )


async def check_login(
    *,
    username: str | None,
    client: str | None,
    per_username: int,
    per_client: int,
    window_seconds: int,
    now: datetime | None = None,
) -> None:
    """Count a credential attempt against the caller's address and the username it names."""
    if client is not None:
        await hit("client", client, limit=per_client, window_seconds=window_seconds, now=now)
    if username is not None:
        await hit(
            "username",
            username.strip().lower(),
            limit=per_username,
            window_seconds=window_seconds,
            now=now,
        )

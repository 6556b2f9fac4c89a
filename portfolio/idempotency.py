"""Idempotency records: a retried request with the same key replays the first answer.

The record is written *before* the work as ``pending`` (its ``_id`` is a hash of principal,
method, path and key, so the unique ``_id`` decides which of two racing requests does the work),
then set to ``done`` with the stored answer. A repeat with the same body waits (bounded) for the
first to finish and replays it; the same key with another body is refused. 5xx answers are not
stored, so the client may retry. A pending record whose worker died is taken over once its lease
runs out. Records expire after a day (TTL index for clean-up; every read filters on expiry too).
Stored answers are encrypted with the field key: one may carry a one-time activation code or a
revealed identity number, and must be no easier to read in the database than the original.

Every time here is the real clock's (``clock.real_now``), not the domain's: leases and the TTL
are about requests and processes, and the store's TTL monitor expires records by its own clock.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Literal

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio import clock
from portfolio.errors import Conflict, ValidationFailed
from portfolio.identity.protection import FieldProtection, Sealed
from portfolio.once import insert_once

RECORD_TTL = timedelta(hours=24)
LEASE = timedelta(seconds=30)
WAIT_FOR_FIRST = timedelta(seconds=10)
_POLL_S = 0.05


class IdempotencyRecord(Document):
    """The first answer to one (principal, method, path, key)."""

    id: str  # type: ignore[assignment]
    body_hash: str
    state: Literal["pending", "done"]
    # Epoch milliseconds: nx-27017 stores a datetime given to $set as a naive string.
    lease_until_ms: int
    status: int = 0
    body: Sealed | None = None
    media_type: str = ""
    created_at: datetime
    expires_at: datetime

    class Settings:
        name = "idempotency_records"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)
        ]


@dataclass(frozen=True)
class StoredAnswer:
    """A finished request's answer, to replay byte for byte."""

    status: int
    body: bytes
    media_type: str


def record_id(*, principal: str, method: str, path: str, key: str) -> str:
    """The record's id: one per principal, method, path and key."""
    material = "\n".join((principal, method.upper(), path, key)).encode()
    return hashlib.sha256(material).hexdigest()


def body_hash(body: bytes) -> str:
    """The fingerprint of a request body."""
    return hashlib.sha256(body).hexdigest()


async def claim(
    rid: str, fingerprint: str, protection: FieldProtection, *, lease: timedelta = LEASE
) -> StoredAnswer | None:
    """None when the caller now owns the key and must do the work; else the answer to replay.

    A pending record older than ``lease`` belongs to a request that died: the caller takes over.
    """
    deadline = clock.real_now() + WAIT_FOR_FIRST
    collection = IdempotencyRecord.get_pymongo_collection()
    while True:
        now = clock.real_now()
        record = IdempotencyRecord(
            id=rid,
            body_hash=fingerprint,
            state="pending",
            lease_until_ms=clock.epoch_ms(now + lease),
            created_at=now,
            expires_at=now + RECORD_TTL,
        )
        if await insert_once(record):
            return None
        existing = await IdempotencyRecord.find_one({"_id": rid, "expires_at": {"$gt": now}})
        if existing is None:
            # Expired but not yet swept: remove it (only if still expired) and try again.
            await collection.delete_one({"_id": rid, "expires_at": {"$lte": now}})
            continue
        if existing.body_hash != fingerprint:
            raise ValidationFailed.single(
                "header.Idempotency-Key",
                "reused_with_different_body",
                "this Idempotency-Key was already used with a different request body",
            )
        if existing.state == "done":
            body = b""
            if existing.body is not None:
                body = (await protection.open(existing.body, aad=rid.encode())).encode()
            return StoredAnswer(existing.status, body, existing.media_type)
        if existing.lease_until_ms <= clock.epoch_ms(now):
            taken = await collection.update_one(
                {"_id": rid, "state": "pending", "lease_until_ms": existing.lease_until_ms},
                {"$set": {"lease_until_ms": clock.epoch_ms(now + lease)}},
            )
            if taken.modified_count == 1:
                return None
        if now >= deadline:
            raise Conflict("a request with this Idempotency-Key is still in progress; retry later")
        await asyncio.sleep(_POLL_S)


async def complete(rid: str, answer: StoredAnswer, protection: FieldProtection) -> None:
    """Store the answer (encrypted) of the request that owns the key."""
    sealed = protection.seal(answer.body.decode(), aad=rid.encode())
    await IdempotencyRecord.get_pymongo_collection().update_one(
        {"_id": rid, "state": "pending"},
        {
            "$set": {
                "state": "done",
                "status": answer.status,
                "body": sealed.model_dump(),
                "media_type": answer.media_type,
            }
        },
    )


async def release(rid: str) -> None:
    """Forget a pending key whose request failed with a server error, so a retry does the work."""
    await IdempotencyRecord.get_pymongo_collection().delete_one({"_id": rid, "state": "pending"})

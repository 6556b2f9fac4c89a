"""Revocation through a W3C Bitstring Status List.

Every credential about one version of a record (``certificate:<id>:v<version>``,
``completion:<archive>:<seq>``…) gets one index in the list, allocated once: a counter
document moved by one ``$inc``, then the record's status document inserted once (a loser of a
race reads the winner's index; its own number is simply never used). Revoking is one
conditional update ``revoked: false -> true``, so flipping a bit twice changes nothing.

The list itself is built on request from the revoked documents: 131,072 bits (more in steps
of that size when more indexes exist), index 0 the most significant bit of the first byte,
gzip, base64url without padding, multibase prefix ``u`` (W3C Bitstring Status List v1.0).
"""

from __future__ import annotations

import base64
import gzip
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel, ReturnDocument

from portfolio.once import insert_once

MIN_ENTRIES = 131_072
COUNTER_ID = "status-list-1"


class StatusCounter(Document):
    """The next free index of a status list (``_id`` names the list)."""

    id: str  # type: ignore[assignment]
    next: int = 0

    class Settings:
        name = "credential_status_counters"


class CredentialStatus(Document):
    """The status-list index of the credentials about one version of one record."""

    id: str  # type: ignore[assignment]
    index: int
    archive_id: str
    # The record it speaks of (certificate, enrolment or apprenticeship id) and its version
    # (the certificate's version, the entry seq of a completion or an apprenticeship).
    record: str = ""
    version: int = 0
    revoked: bool = False

    class Settings:
        name = "credential_status"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("record", ASCENDING)]),
            IndexModel([("revoked", ASCENDING)]),
        ]


async def _next_index() -> int:
    await insert_once(StatusCounter(id=COUNTER_ID, next=0))
    moved = await StatusCounter.get_pymongo_collection().find_one_and_update(
        {"_id": COUNTER_ID}, {"$inc": {"next": 1}}, return_document=ReturnDocument.AFTER
    )
    assert moved is not None
    return int(moved["next"]) - 1


async def status_of(
    subject: str, *, archive_id: str, record: str, version: int
) -> CredentialStatus:
    """The status document of ``subject``, with its index allocated on first issue."""
    found = await CredentialStatus.get(subject)
    if found is not None:
        return found
    fresh = CredentialStatus(
        id=subject,
        index=await _next_index(),
        archive_id=archive_id,
        record=record,
        version=version,
    )
    if await insert_once(fresh):
        return fresh
    winner = await CredentialStatus.get(subject)
    assert winner is not None
    return winner


async def revoke_before(record: str, version: int) -> int:
    """Revoke every credential of the record's versions before ``version`` (idempotent)."""
    result = await CredentialStatus.get_pymongo_collection().update_many(
        {"record": record, "version": {"$lt": version}, "revoked": False},
        {"$set": {"revoked": True}},
    )
    return int(result.modified_count)


async def revoked_indexes() -> list[int]:
    """The indexes whose bit is set."""
    cursor = CredentialStatus.get_pymongo_collection().find({"revoked": True}, {"index": 1})
    return [int(raw["index"]) async for raw in cursor]


async def list_size() -> int:
    """Entries in the list: at least 131,072, grown in whole steps of that size."""
    counter = await StatusCounter.get(COUNTER_ID)
    used = counter.next if counter else 0
    return max(1, -(-used // MIN_ENTRIES)) * MIN_ENTRIES


def encode_list(revoked: list[int], size: int = MIN_ENTRIES) -> str:
    """The ``encodedList``: bitstring, gzip, base64url without padding, multibase ``u``."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def bit_at(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an ``encodedList`` is set (ValueError when malformed)."""
    if not encoded.startswith("u"):
        raise ValueError("the encoded list lacks the multibase 'u' prefix")
    raw = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    if index < 0 or index // 8 >= len(bits):
        raise ValueError("status index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))

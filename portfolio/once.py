"""Insert once: the write every retried or racing step relies on.

Work that spans several documents is a sequence of idempotent steps with deterministic keys
(STORAGE.md, "Consistency without transactions"): the step inserts a document whose ``_id``
(or unique key) is derived from what it records, and a duplicate key means the step was done
already, by an earlier attempt or by a racing request. This module is the one place that
turns that duplicate key into an answer, so callers read as what they mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from beanie import Document
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


async def insert_once(document: Document) -> bool:
    """Insert ``document``; False (and nothing written) when its unique key is taken."""
    try:
        await document.insert()
    except DuplicateKeyError:
        return False
    return True


async def insert_raw_once(collection: AsyncCollection[Any], document: Mapping[str, Any]) -> bool:
    """:func:`insert_once` for a raw document (bulk and repair paths that skip Beanie)."""
    try:
        await collection.insert_one(dict(document))
    except DuplicateKeyError:
        return False
    return True

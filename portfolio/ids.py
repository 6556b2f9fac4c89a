"""Ids from the outside world (paths, cursors, tokens) as ObjectIds, in one place.

Two meanings, two names: an id that names an object the caller asked for, where a malformed
one is simply an object that does not exist (404, as for any unknown id); and an id that may
or may not be an ObjectId, where the caller decides what a malformed one means.
"""

from __future__ import annotations

from beanie import PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId

from portfolio.errors import NotFound


def parse_or_none(raw: str | ObjectId | None) -> PydanticObjectId | None:
    """``raw`` as an ObjectId, or None when it is not one."""
    if raw is None:
        return None  # ObjectId(None) would be a fresh id, not "no id"
    if isinstance(raw, str) and len(raw) != 24:
        return None
    try:
        return PydanticObjectId(raw)
    except (InvalidId, TypeError):
        return None


def parse(raw: str | ObjectId | None, what: str) -> PydanticObjectId:
    """The id of a requested ``what``; a malformed one is "no such ``what``" (404)."""
    parsed = parse_or_none(raw)
    if parsed is None:
        raise NotFound(f"no such {what}")
    return parsed

"""Query parameters of paginated lists: a bounded ``limit`` and an opaque ``cursor``."""

from __future__ import annotations

from typing import Annotated

from beanie import PydanticObjectId
from bson.errors import InvalidId
from fastapi import Depends, Query

from portfolio.errors import ValidationFailed
from schemas.common import MAX_PAGE


def _cursor(cursor: Annotated[str | None, Query(max_length=64)] = None) -> PydanticObjectId | None:
    if cursor is None:
        return None
    try:
        return PydanticObjectId(cursor)
    except (InvalidId, TypeError):
        raise ValidationFailed.single(
            "query.cursor", "format", "not a cursor this list gave out"
        ) from None


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")]
IdCursor = Annotated[PydanticObjectId | None, Depends(_cursor)]


def next_cursor(ids: list[PydanticObjectId | None], limit: int) -> str | None:
    """The cursor of the page after one that returned ``ids`` (None when it was the last)."""
    return str(ids[-1]) if len(ids) == limit and ids[-1] is not None else None

"""Keyset paging, written once: every list asks for one row more than it shows.

A list use case takes a :class:`PageRequest` (how many, after which cursor) and returns a
:class:`Page` view: the items and the cursor of the next page. It reads ``limit + 1`` rows in
key order after the cursor; the extra row is never shown, it only says that more exist. So
``next_cursor`` is set exactly when there is a next page: a list whose last page happens to
be full ends there, and no client is sent to fetch an empty page.

A cursor is opaque to the caller: the key of the last item shown (an ObjectId's hex, or an
archive entry's seq). One that the list did not give out is refused as malformed input, never
turned into a query operator, and before anything else: a list over ``_id`` starts with
``keys = by_id(page)``, checks the caller's reach, then reads ``id_page(..., keys, ...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from beanie import Document, PydanticObjectId

from portfolio import ids
from portfolio.errors import ValidationFailed

T = TypeVar("T")
R = TypeVar("R")
D = TypeVar("D", bound=Document)

CURSOR_FIELD = "query.cursor"


@dataclass(frozen=True)
class PageRequest:
    """At most ``limit`` items after ``cursor`` (None or empty: from the start of the list)."""

    limit: int
    cursor: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, and the cursor of the next page (None on the last)."""

    items: list[T]
    next_cursor: str | None


def bad_cursor() -> ValidationFailed:
    """The refusal of a cursor the list did not give out."""
    return ValidationFailed.single(CURSOR_FIELD, "format", "not a cursor this list gave out")


def id_cursor(cursor: str | None) -> PydanticObjectId | None:
    """The ObjectId a cursor names (None: from the start); anything else is refused."""
    if not cursor:
        return None
    parsed = ids.parse_or_none(cursor)
    if parsed is None:
        raise bad_cursor()
    return parsed


@dataclass(frozen=True)
class IdKeys:
    """A page request over ``_id``: its size, and the id it starts after (parsed)."""

    limit: int
    after: PydanticObjectId | None


def by_id(request: PageRequest) -> IdKeys:
    """``request`` as a page over ``_id``; a cursor the list did not give out is refused."""
    return IdKeys(limit=request.limit, after=id_cursor(request.cursor))


def seq_cursor(cursor: str | None) -> int | None:
    """The sequence number a cursor names (None: from the start); anything else is refused."""
    if not cursor:
        return None
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 12:
        raise bad_cursor()
    return int(cursor)


def page_of(
    rows: Sequence[R], limit: int, *, key: Callable[[R], object], view: Callable[[R], T]
) -> Page[T]:
    """The page of ``rows`` read as ``limit + 1``: the first ``limit`` shown, and the key of
    the last shown as the next cursor only when the extra row says more exist."""
    shown = rows[:limit]
    more = len(rows) > limit and bool(shown)
    return Page(
        items=[view(row) for row in shown], next_cursor=str(key(shown[-1])) if more else None
    )


def after_id(
    query: Mapping[str, Any], after: PydanticObjectId | None, *, newest_first: bool = False
) -> dict[str, Any]:
    """``query`` restricted to ids past ``after`` in the paging order, keeping any id
    condition it already has (a provider's list is its one organisation)."""
    if after is None:
        return dict(query)
    current = query.get("_id")
    condition: dict[str, Any] = {"$lt" if newest_first else "$gt": after}
    if current is not None:
        condition["$eq"] = current
    return {**query, "_id": condition}


async def id_page(
    document: type[D],
    query: Mapping[str, Any],
    keys: IdKeys,
    *,
    view: Callable[[D], T],
    newest_first: bool = False,
) -> Page[T]:
    """One page of ``document`` matching ``query``, keyset-paged on ``_id`` (oldest first,
    or newest first), each row shown through ``view``."""
    rows = (
        await document.find(after_id(query, keys.after, newest_first=newest_first))
        .sort("-_id" if newest_first else "+_id")
        .limit(keys.limit + 1)
        .to_list()
    )
    return page_of(rows, keys.limit, key=lambda row: row.id, view=view)

"""Query parameters of paginated lists: a bounded ``limit`` and an opaque ``cursor``.

A list route takes ``page: Paged`` (or ``paged(default=..., maximum=...)`` for other bounds),
passes the :class:`~portfolio.paging.PageRequest` to its use case and renders the page view
it gets back with ``Page[ItemOut].from_view(...)`` (schemas/common.py). The domain parses the
cursor (it knows what its key is) and decides whether there is a next page.
"""

# No ``from __future__ import annotations`` here: the dependency's parameter annotations must
# be evaluated when ``paged`` runs, since FastAPI reads bounds that live in its closure.
from typing import Annotated, Any

from beanie import PydanticObjectId
from fastapi import Depends, Query

from portfolio import ids
from portfolio.paging import PageRequest, bad_cursor
from schemas.common import MAX_PAGE

DEFAULT_PAGE = 50


def paged(*, default: int = DEFAULT_PAGE, maximum: int = MAX_PAGE) -> Any:
    """A dependency reading ``limit`` (1 to ``maximum``) and ``cursor`` into a PageRequest."""

    # ``async``: a plain function dependency would run in the thread pool.
    async def page_request(
        limit: Annotated[int, Query(ge=1, le=maximum, description="page size")] = default,
        cursor: Annotated[
            str | None, Query(max_length=64, description="next_cursor of the previous page")
        ] = None,
    ) -> PageRequest:
        return PageRequest(limit=limit, cursor=cursor)

    return Depends(page_request)


Paged = Annotated[PageRequest, paged()]


# The forms below predate PageRequest; lists not yet moved to it still use them.
async def _cursor(
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> PydanticObjectId | None:
    if cursor is None:
        return None
    parsed = ids.parse_or_none(cursor)
    if parsed is None:
        raise bad_cursor()
    return parsed


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")]
IdCursor = Annotated[PydanticObjectId | None, Depends(_cursor)]


def next_cursor(found: list[PydanticObjectId | None], limit: int) -> str | None:
    """The cursor of the page after one that returned ids ``found`` (None when it was the last).

    Superseded by :func:`portfolio.paging.page_of`, which reads one row more and so knows
    whether a full page was the last one; this guess sends a client to an empty last page.
    """
    return str(found[-1]) if len(found) == limit and found[-1] is not None else None

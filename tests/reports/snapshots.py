"""The stored counters and markers, normalised, to compare live counting with a rebuild."""

from __future__ import annotations

from typing import Any

from portfolio.reports.counters import numbers
from portfolio.reports.documents import CELL_DOCUMENTS, ReportMarker


async def counters(kind: str | None = None) -> dict[str, dict[str, Any]]:
    """Every cell's dimensions and non-zero figures (cells whose figures are all zero left out:
    live counting may leave them behind after a move, a rebuild never writes them); of one
    kind only when ``kind`` is given."""
    found: dict[str, dict[str, Any]] = {}
    for cells in CELL_DOCUMENTS:
        async for document in cells.get_pymongo_collection().find(
            {} if kind is None else {"kind": kind}
        ):
            figures = {name: value for name, value in numbers(document).items() if value}
            if figures:
                labels = {k: v for k, v in document.items() if isinstance(v, str) and k != "_id"}
                found[str(document["_id"])] = {**labels, **figures}
    return found


async def markers() -> dict[str, int]:
    """Every marker above zero."""
    return {
        str(m["_id"]): int(m["n"])
        async for m in ReportMarker.get_pymongo_collection().find({})
        if m["n"]
    }

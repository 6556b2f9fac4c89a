"""What anyone may see of an occupation: the catalogue is public, so is every field here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio.occupations.catalogue import Row, Tier, parent_of
from portfolio.occupations.documents import AddedOccupation

ADDED_SOURCE = "added"


@dataclass(frozen=True)
class OccupationView:
    """One catalogue row, published in the file or added by an agency (then ``added_at``,
    ``source_document`` and ``reason`` say when, from which publication and why)."""

    code: str
    name: str
    tier: Tier
    parent_code: str | None
    digital: bool
    green: bool
    source: str
    source_document: str = ""
    reason: str = ""
    added_at: datetime | None = None

    @classmethod
    def of_row(cls, row: Row) -> OccupationView:
        """The view of a row of the published file."""
        return cls(
            code=row.code,
            name=row.name,
            tier=row.tier,
            parent_code=parent_of(row.code),
            digital=row.digital,
            green=row.green,
            source=row.source,
        )

    @classmethod
    def of_added(cls, added: AddedOccupation) -> OccupationView:
        """The view of an occupation an agency added."""
        return cls(
            code=added.id,
            name=added.name,
            tier=Tier.OCCUPATION,
            parent_code=parent_of(added.id),
            digital=added.digital,
            green=added.green,
            source=ADDED_SOURCE,
            source_document=added.source_document,
            reason=added.reason,
            added_at=added.added_at,
        )

"""Requests and responses of the occupation catalogue and the uncatalogued report.

Responses read the domain's views (``portfolio/occupations/views.py``,
``portfolio/reports/uncatalogued.py``); the request converts itself with ``to_domain()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from portfolio.occupations import NewOccupation, Search, Tier
from schemas.common import Input, Output


class OccupationSearchParams(BaseModel):
    """What the catalogue is searched by (query parameters; absent: the whole catalogue).

    Unknown parameters are ignored, as the other public searches do.
    """

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: Annotated[str, Field(max_length=40)] = Field(
        default="", description="a code prefix (4-03) or part of a name (烹调)"
    )
    tier: Tier | None = Field(
        default=None, description="only this tier: major, middle, minor or occupation"
    )

    def to_domain(self) -> Search:
        """The search as the domain states it."""
        return Search(query=self.q, tier=self.tier)


class OccupationIn(Input):
    """An occupation the ministry has published since the catalogue file, to add."""

    code: Annotated[str, Field(min_length=1, max_length=20)] = Field(
        description="N-NN-NN-NN, optionally followed by (S) digital and/or (L) green"
    )
    name: Annotated[str, Field(min_length=1, max_length=60)]
    source_document: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="the publication it comes from (the ministry's notice, its number)"
    )
    reason: Annotated[str, Field(max_length=500)] = ""
    digital: StrictBool = Field(default=False, description="a digital occupation (S)")
    green: StrictBool = Field(default=False, description="a green occupation (L)")

    def to_domain(self) -> NewOccupation:
        """The addition as the domain states it."""
        return NewOccupation(
            code=self.code,
            name=self.name,
            source_document=self.source_document,
            reason=self.reason,
            digital=self.digital,
            green=self.green,
        )


class OccupationOut(Output):
    """One catalogue row; an added occupation says when, from which publication and why."""

    code: str
    name: str
    tier: Tier
    parent_code: str | None
    digital: bool
    green: bool
    source: str = Field(description="where the row comes from; `added` for an agency's")
    source_document: str
    reason: str
    added_at: datetime | None


class UncataloguedCodeOut(Output):
    """One stored code the catalogue lacks, with its count in each collection."""

    code: str
    counts: dict[str, int]
    total: int


class UncataloguedOut(Output):
    """The stored occupation codes within your reach that the catalogue lacks."""

    region_prefix: str | None = Field(description="your region; null: the whole service")
    collections: list[str]
    codes: list[UncataloguedCodeOut]

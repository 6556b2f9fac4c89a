"""Requests and responses of the public catalogue and of a worker's applications.

The catalogue is searched with query parameters, read into :class:`CatalogueParams`, which
converts itself into the domain's :class:`~portfolio.training.catalogue.Search`: the JSON
route and the search page ask alike.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from portfolio.training.catalogue import Closed, Search
from portfolio.training.enums import Delivery
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType
from schemas.common import Input, Output
from schemas.enrolments import EnrolmentOut
from schemas.training import SessionOut


class CatalogueParams(BaseModel):
    """What the catalogue is searched by (query parameters; absent: any).

    Like the reports' parameters it ignores parameters it does not know: a cache-busting or
    tracking parameter must not turn a search into a 422.
    """

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    occupation: Annotated[str | None, Field(max_length=16)] = Field(
        default=None, description="an occupation code, e.g. 6-18-02-04"
    )
    level: SkillLevel | None = Field(default=None, description="the level the course aims at")
    region: Annotated[str | None, Field(max_length=6)] = Field(
        default=None, description="where: a region code prefix (51, 5101 for Chengdu, 510104)"
    )
    starts_from: date | None = Field(default=None, description="starting on or after")
    starts_by: date | None = Field(default=None, description="starting on or before")
    voucher_pays: bool = Field(
        default=False, description="only classes one of your usable vouchers pays for (a worker)"
    )
    voucher: Annotated[str | None, Field(max_length=64)] = Field(
        default=None, description="only classes this voucher of yours pays for (a worker)"
    )

    def to_domain(self) -> Search:
        """The search as the domain checks it."""
        return Search(
            occupation_code=self.occupation or None,
            level=self.level,
            region_prefix=self.region or None,
            starts_from=self.starts_from,
            starts_by=self.starts_by,
            voucher_pays=self.voucher_pays,
            voucher_id=self.voucher or None,
        )


class PayingVoucherOut(Output):
    """One of your usable vouchers that pays for a class."""

    id: str
    policy_name: str
    face_value_fen: int
    valid_until: datetime


class CatalogueRunOut(Output):
    """A class of the catalogue: its course, provider, dates, place and seats left."""

    id: str = Field(description="the run's id")
    course_id: str
    course_title: str
    occupation_code: str
    digital: bool
    green: bool
    training_type: TrainingType
    brand: SkillBrand | None
    target_level: SkillLevel
    planned_hours: float
    delivery: Delivery
    subsidy_standard_fen: int = Field(description="the course's subsidy standard, in fen")
    provider_id: str
    provider_name: str
    region_code: str
    start_date: date
    end_date: date
    location: str
    capacity: int
    seats_left: int
    open: bool = Field(description="whether the class takes applications now")
    closed: Closed | None = Field(description="why it takes none (null while open)")
    voucher_pays: bool | None = Field(
        description="whether one of your usable vouchers pays for it (null: not a worker)"
    )
    paying_vouchers: list[PayingVoucherOut] | None = Field(
        description="your usable vouchers that pay for it (null: not a worker)"
    )


class CatalogueRunDetailOut(CatalogueRunOut):
    """A class in full: trainers, sessions, and your application (a worker's) if any."""

    trainers: list[str]
    sessions: list[SessionOut]
    session_hours: float
    my_application: EnrolmentOut | None


class ApplicationIn(Input):
    """The class a worker applies to."""

    run_id: Annotated[str, Field(min_length=1, max_length=64)]

"""The honours area's stored documents (storage only)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio.stated import PENDING


class HonourTitle(StrEnum):
    """The plan's honours for skilled workers (and a city's own, named by its title)."""

    TIANFU_ENGINEER = "tianfu_engineer"  # 天府卓越工程师
    TIANFU_CRAFTSMAN = "tianfu_craftsman"  # 天府工匠
    SICHUAN_MASTER = "sichuan_master"  # 四川技能大师
    SICHUAN_EXPERT = "sichuan_expert"  # 四川省技术能手
    CITY = "city"  # a city or prefecture's honour (its title given)


class HonourStatus(StrEnum):
    """Valid (possibly corrected) or voided."""

    VALID = "valid"
    VOIDED = "voided"


class Honour(Document):
    """An honour conferred on a worker, as the agency recorded it: the title, the year, who
    nominated the worker and the selection (the decision's document number and date).
    ``entry_seq``: the archive entry stating it (``portfolio.stated``)."""

    key: str  # archive|title|city title|year: one honour is recorded once
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    title: HonourTitle
    city_title: str = ""
    year: int
    nominated_by: str
    decision_number: str
    decision_date: date
    # The region of the agency that recorded it (the conferring authority's level).
    region_code: str
    status: HonourStatus = HonourStatus.VALID
    void_reason: str = ""
    entry_seq: int = PENDING
    corrects_seq: int = 0
    change_reason: str = ""
    changed_by: str = ""
    changed_at_ms: int = 0
    version: int = 0
    recorded_at: datetime
    recorded_by: str

    class Settings:
        name = "honours"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("worker_region_code", ASCENDING)]),
            IndexModel([("entry_seq", ASCENDING)]),
            IndexModel([("recorded_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]

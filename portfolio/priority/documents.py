"""The priority-groups area's stored documents (storage only)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio.identity import Sealed
from portfolio.vocabulary import PriorityGroup


class MembershipStatus(StrEnum):
    """Current (possibly with a planned end) or ended by an officer with a reason."""

    ACTIVE = "active"
    ENDED = "ended"


class PriorityMembership(Document):
    """A worker's membership of one of the plan's priority groups (or the designation as a
    village craftsman), as an officer of the worker's region recorded it.

    A sensitive group (disability, poverty: ``portfolio.vocabulary.SENSITIVE_GROUPS``) keeps
    ``group`` None and ``source`` empty: both are in ``sealed`` (JSON, AES-GCM, bound to this
    collection, the field and ``archive_id/membership id``). ``open_key`` makes one open
    membership per worker and group: ``<archive>|<group>`` in the clear for the others, a keyed
    blind index of it for a sensitive one (equal for the same worker and group, meaningless
    without the key), ``ended|<id>`` once ended.
    """

    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    sensitive: bool
    group: PriorityGroup | None
    source: str = ""
    sealed: Sealed | None = None
    open_key: str
    since: date
    until: date | None = None
    status: MembershipStatus = MembershipStatus.ACTIVE
    end_reason: str = ""
    # The region of the agency that recorded it.
    region_code: str
    version: int = 0
    recorded_at: datetime
    recorded_by: str
    changed_by: str = ""
    changed_at_ms: int = 0

    class Settings:
        name = "priority_memberships"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("open_key", ASCENDING)], unique=True),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("worker_region_code", ASCENDING)]),
            IndexModel([("recorded_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]

"""The competitions area's stored documents: events and their entrants (storage only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from beanie import Document
from pydantic import BaseModel
from pymongo import ASCENDING, IndexModel

from portfolio.competitions.rules import CompetitionStatus, ResultStatus, Tier
from portfolio.stated import NOT_STATED
from portfolio.vocabulary import SkillLevel


class StoredStep(BaseModel):
    """One step of an event's level rule (``rules.RuleStep``)."""

    up_to_rank: int
    grant: str


class Competition(Document):
    """A skills competition an agency recorded: what, who organised it, when, where, and the
    level rule it declared. Entrants are documents of their own (``Entrant``)."""

    key: str  # tier|name|start date: the same event is recorded once
    tier: Tier
    name: str
    occupation_code: str
    organiser: str
    start_date: date
    end_date: date
    region_code: str
    level_rule: list[StoredStep]
    status: CompetitionStatus = CompetitionStatus.OPEN
    entrants: int = 0
    created_at: datetime
    created_by: str
    published_by: str = ""
    # When it was last changed (epoch ms: entrants added, published; the repair's window).
    changed_at_ms: int = 0
    version: int = 0

    class Settings:
        name = "competitions"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("created_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class Entrant(Document):
    """One worker entered in one competition, with their result once entered.

    ``entry_seq`` is the seq of the archive entry stating the result: ``NOT_STATED`` until the
    competition is published, 0 while an entry is being written (``portfolio.stated``).
    """

    key: str  # competition id|archive id: a worker enters an event once
    competition_id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    # The event's year and occupation, kept here for the reports and the entry.
    year: int
    occupation_code: str
    rank: int | None = None
    award: str = ""
    # The level the worker held in the occupation when the results were published, and the
    # level the rule granted from it (None: none).
    held_level: SkillLevel | None = None
    level_granted: SkillLevel | None = None
    result_status: ResultStatus = ResultStatus.VALID
    void_reason: str = ""
    entry_seq: int = NOT_STATED
    corrects_seq: int = 0
    change_reason: str = ""
    changed_by: str = ""
    changed_at_ms: int = 0
    version: int = 0
    recorded_at: datetime
    recorded_by: str

    class Settings:
        name = "competition_entrants"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("competition_id", ASCENDING)]),
            IndexModel([("worker_region_code", ASCENDING)]),
            IndexModel([("entry_seq", ASCENDING)]),
            IndexModel([("recorded_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]

"""Requests and responses of competitions: events, entrants, results."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from portfolio.competitions.holding import NewCompetition
from portfolio.competitions.results import ResultRow
from portfolio.competitions.rules import CompetitionStatus, ResultStatus, RuleStep, Tier
from portfolio.vocabulary import SkillLevel
from schemas.common import Input, Output

Text = Annotated[str, Field(min_length=1, max_length=120)]
Rank = Annotated[int | None, Field(ge=1, le=10_000, description="null: took part, no place")]
Award = Annotated[str, Field(max_length=40, description="e.g. 金牌, 一等奖; may be empty")]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class RuleStepIn(Input):
    """Ranks up to ``up_to_rank`` (not covered by an earlier step) get ``grant``."""

    up_to_rank: Annotated[int, Field(ge=1, le=10_000)]
    grant: Annotated[
        str, Field(max_length=30, description="a level (junior ... chief_technician) or one_up")
    ]


class CompetitionIn(Input):
    """An event: tier, name, occupation, organiser, dates, region and its level rule."""

    tier: Tier
    name: Text
    occupation_code: Annotated[str, Field(min_length=1, max_length=20)]
    organiser: Text
    start_date: date
    end_date: date
    region_code: Annotated[str, Field(min_length=6, max_length=6)]
    level_rule: Annotated[list[RuleStepIn], Field(default_factory=list, max_length=5)]

    def to_domain(self) -> NewCompetition:
        """The event as the domain checks it."""
        return NewCompetition(
            tier=self.tier,
            name=self.name,
            occupation_code=self.occupation_code,
            organiser=self.organiser,
            start_date=self.start_date,
            end_date=self.end_date,
            region_code=self.region_code,
            level_rule=[RuleStep(s.up_to_rank, s.grant) for s in self.level_rule],
        )


class ResultIn(Input):
    """One entrant's rank and award."""

    entrant_id: Annotated[str, Field(min_length=1, max_length=40)]
    rank: Rank = None
    award: Award = ""


class ResultsIn(Input):
    """Ranks and awards of some entrants, while the event is open."""

    results: Annotated[list[ResultIn], Field(min_length=1, max_length=500)]

    def to_domain(self) -> list[ResultRow]:
        """The rows as the domain checks them."""
        return [ResultRow(r.entrant_id, r.rank, r.award) for r in self.results]


class ResultCorrectionIn(Input):
    """A published result restated, and why."""

    rank: Rank = None
    award: Award = ""
    reason: Reason


class VoidIn(Input):
    """Why a published record is withdrawn."""

    reason: Reason


class RuleStepOut(Output):
    """One step of the declared level rule."""

    up_to_rank: int
    grant: str


class EntrantOut(Output):
    """An entrant and their result (the ID number masked)."""

    id: str
    competition_id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    rank: int | None
    award: str
    held_level: SkillLevel | None = Field(description="held in the occupation at publication")
    level_granted: SkillLevel | None
    result_status: ResultStatus
    void_reason: str
    change_reason: str
    entry_seq: int | None = Field(description="the archive entry stating it, once published")
    version: int


class CompetitionOut(Output):
    """An event, with its entrants (best rank first) on the event's own route."""

    id: str
    tier: Tier
    name: str
    occupation_code: str
    organiser: str
    start_date: date
    end_date: date
    region_code: str
    level_rule: list[RuleStepOut]
    status: CompetitionStatus
    entrant_count: int
    version: int
    entrants: list[EntrantOut]

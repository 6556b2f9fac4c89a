"""What callers of the competitions area see: events and entrants (numbers masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio.competitions.documents import Competition, Entrant
from portfolio.competitions.rules import CompetitionStatus, ResultStatus, RuleStep, Tier
from portfolio.stated import NOT_STATED
from portfolio.vocabulary import SkillLevel


@dataclass(frozen=True)
class EntrantView:
    """An entrant with their result (``stated``: the archive has it)."""

    id: str
    competition_id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    rank: int | None
    award: str
    held_level: SkillLevel | None
    level_granted: SkillLevel | None
    result_status: ResultStatus
    void_reason: str
    change_reason: str
    entry_seq: int | None
    version: int

    @classmethod
    def of(cls, found: Entrant) -> EntrantView:
        """The view of a stored entrant."""
        return cls(
            id=str(found.id),
            competition_id=found.competition_id,
            archive_id=found.archive_id,
            worker_name=found.worker_name,
            worker_masked_id=found.worker_masked_id,
            worker_region_code=found.worker_region_code,
            rank=found.rank,
            award=found.award,
            held_level=found.held_level,
            level_granted=found.level_granted,
            result_status=found.result_status,
            void_reason=found.void_reason,
            change_reason=found.change_reason,
            entry_seq=found.entry_seq if found.entry_seq > 0 else None,
            version=found.version,
        )

    @property
    def stated(self) -> bool:
        """True once the archive states the result."""
        return self.entry_seq is not None and self.entry_seq != NOT_STATED


@dataclass(frozen=True)
class CompetitionView:
    """An event as its agency sees it, with its entrants when asked for."""

    id: str
    tier: Tier
    name: str
    occupation_code: str
    organiser: str
    start_date: date
    end_date: date
    region_code: str
    level_rule: list[RuleStep]
    status: CompetitionStatus
    entrant_count: int
    version: int
    entrants: list[EntrantView]

    @classmethod
    def of(cls, found: Competition, entrants: list[Entrant] | None = None) -> CompetitionView:
        """The view of a stored event (and of its entrants, best rank first)."""
        ordered = sorted(entrants or [], key=lambda e: (e.rank is None, e.rank or 0, e.worker_name))
        return cls(
            id=str(found.id),
            tier=found.tier,
            name=found.name,
            occupation_code=found.occupation_code,
            organiser=found.organiser,
            start_date=found.start_date,
            end_date=found.end_date,
            region_code=found.region_code,
            level_rule=[RuleStep(s.up_to_rank, s.grant) for s in found.level_rule],
            status=found.status,
            entrant_count=found.entrants,
            version=found.version,
            entrants=[EntrantView.of(e) for e in ordered],
        )

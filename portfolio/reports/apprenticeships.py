"""Apprenticeship figures: agreements by state, completions by level reached, subsidy owed.

Cells (kind ``apprenticeships``): the region is the employer's (the agreement's
``region_code``), the dimensions are the occupation and the target level. Two kinds of month:

* the *intake*: ``agreements`` counts the agreements created in the month, and
  ``st_<state>`` how many of those are in each state now. Every state change moves one agreement
  from its old state to its new one in its creation month's cell (one ``$inc`` of both), so
  ``st_*`` always add up to ``agreements``;
* the *end*: ``completed`` (with ``reached_<level>``, ``reached_none`` when no level is
  recorded, and ``below_plan`` for those completed below their target level) and ``stopped``
  count agreements that ended in the month of their end date, and
  ``subsidy_owed_fen`` adds the subsidy owed for each of them, fixed when it ends (whole months
  of active days, pauses excluded: ``portfolio.apprenticeships.rules.subsidy``). The subsidy
  still accruing on running agreements is not in the counters.

Apprenticeships carry no training type or brand, so this report refuses those filters.
The counters take the apprenticeship area's ``apprenticeships.agreement_changed`` events
(``portfolio.reports.events``), which carry the subsidy owed of an agreement that ended;
``portfolio reports rebuild`` recomputes the same cells from the stored agreements and events
(``portfolio.apprenticeships.agreements_to_count``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any, Protocol

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.apprenticeships import owed_for
from portfolio.reports import levels
from portfolio.reports.counters import Cell, Changes, Rollup, apply, china_month, unsettle
from portfolio.reports.query import GroupBy, ReportQuery, resolve
from portfolio.reports.tables import Column, Kind, Value, build, read
from portfolio.reports.views import ReportView
from portfolio.vocabulary import LABELS, SkillLevel

KIND = "apprenticeships"
NONE = "none"
STATES = ("draft", "approved", "confirmed", "active", "paused", "stopped", "completed")
ENDED = frozenset({"stopped", "completed"})
LEVEL_KEYS = (*(level.value for level in SkillLevel if level is not SkillLevel.APPRENTICE), NONE)

DIMS = ("occupation", "level")
ROLLUPS: tuple[Rollup, ...] = ((2, ()), (2, DIMS), (4, ()), (4, DIMS), (6, ()))
GROUPS = frozenset({GroupBy.REGION, GroupBy.MONTH, GroupBy.OCCUPATION, GroupBy.LEVEL})
FILTERS = frozenset({"occupation", "level"})


class AgreementState(Protocol):
    """What the counters need of an agreement as a change left it (``AgreementChanged``)."""

    @property
    def region_code(self) -> str: ...
    @property
    def occupation_code(self) -> str: ...
    @property
    def target_level(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def level_reached(self) -> str | None: ...
    @property
    def below_plan(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def ended_on(self) -> str: ...


class AgreementFacts(AgreementState, Protocol):
    """An agreement with its id (``Apprenticeship`` has it): what the direct hook needs."""

    @property
    def id(self) -> Any: ...


def cell(*, region_code: str, month: str, occupation: str, level: str) -> Cell:
    """The apprenticeship cell of these dimension values."""
    return Cell(
        KIND, region_code, month, (("occupation", occupation), ("level", level)), rollups=ROLLUPS
    )


def _cells(agreement: AgreementState) -> tuple[Cell, Cell | None]:
    """The intake cell and, once the agreement ended, the end cell."""
    dims = {"occupation": agreement.occupation_code, "level": str(agreement.target_level)}
    intake = cell(
        region_code=agreement.region_code, month=china_month(agreement.created_at), **dims
    )
    if str(agreement.status) not in ENDED or not agreement.ended_on:
        return intake, None
    return intake, cell(region_code=agreement.region_code, month=agreement.ended_on[:7], **dims)


def add_agreement(
    changes: Changes,
    before_status: str | None,
    agreement: AgreementState,
    subsidy_owed_fen: int,
) -> None:
    """What one change of an agreement (``before_status`` None: its creation) adds."""
    status = str(agreement.status)
    intake, end = _cells(agreement)
    if before_status is None:
        changes.add(intake, {"agreements": 1, f"st_{status}": 1})
    elif before_status != status:
        changes.add(intake, {f"st_{before_status}": -1, f"st_{status}": 1})
    if end is not None and before_status != status:
        if status == "completed":
            reached = str(agreement.level_reached) if agreement.level_reached else NONE
            changes.add(end, {"completed": 1, f"reached_{reached}": 1})
            if agreement.below_plan:
                changes.add(end, {"below_plan": 1})
        else:
            changes.add(end, {"stopped": 1})
        changes.add(end, {"subsidy_owed_fen": subsidy_owed_fen})


async def agreement_changed(
    before_status: str | None, agreement: AgreementFacts, *, subsidy_owed_fen: int | None = None
) -> None:
    """Count an agreement created (``before_status`` None) or moved to another state straight
    away, outside the events (hand-made data sets and the benchmarks): the same writes under a
    guard of their own.

    On a stop or completion the subsidy owed for the whole agreement is added: the figure
    given, or else worked out from the stored agreement and its events as the apprenticeship
    area does for its event. A change that keeps the state adds nothing.
    """
    status = str(agreement.status)
    owed = subsidy_owed_fen or 0
    if subsidy_owed_fen is None and status in ENDED and before_status != status:
        owed = await owed_for(str(agreement.id))
    changes = Changes()
    add_agreement(changes, before_status, agreement, owed)
    levels.add_agreement(changes, before_status, agreement)
    guard = f"direct:{uuid.uuid4().hex}"
    await unsettle(await apply(changes, guard=guard), guard)


COLUMNS: tuple[Column, ...] = (
    Column("agreements", "新签协议数", people=True),
    *(
        Column(
            f"agreements_by_state.{state}",
            f"当前状态·{label_zh}",
            people=True,
            part_of="agreements",
        )
        for state, label_zh in zip(
            STATES, ("草拟", "已批准", "已确认", "在训", "暂停", "中止", "结业"), strict=True
        )
    ),
    Column("completed", "结业人数", people=True),
    *(
        Column(
            f"completed_by_level.{key}",
            f"结业·{LABELS.get(key, '未记录等级')}",
            people=True,
            part_of="completed",
        )
        for key in LEVEL_KEYS
    ),
    # A subset of ``completed``, not a part of a partition: no ``part_of``.
    Column("completed_below_plan", "结业·低于计划等级", people=True),
    Column("stopped", "中止人数", people=True),
    Column("subsidy_owed_fen", "应付补贴（分）", follows=("completed", "stopped")),
)


FIELDS = (
    "agreements",
    *(f"st_{state}" for state in STATES),
    "completed",
    *(f"reached_{key}" for key in LEVEL_KEYS),
    "below_plan",
    "stopped",
    "subsidy_owed_fen",
)
COUNTERS = Kind(KIND, DIMS, ROLLUPS, FIELDS)


def figures(sums: Counter[str]) -> dict[str, Value]:
    """A row's figures from its cells' summed counters."""
    values: dict[str, Value] = {"agreements": sums["agreements"]}
    for state in STATES:
        values[f"agreements_by_state.{state}"] = sums[f"st_{state}"]
    values["completed"] = sums["completed"]
    for key in LEVEL_KEYS:
        values[f"completed_by_level.{key}"] = sums[f"reached_{key}"]
    values["completed_below_plan"] = sums["below_plan"]
    values["stopped"] = sums["stopped"]
    values["subsidy_owed_fen"] = sums["subsidy_owed_fen"]
    return values


async def report(*, actor: Actor, query: ReportQuery, threshold: int) -> ReportView:
    """The apprenticeship report of an agency (see the module docstring for each figure)."""
    scope = resolve(actor, query, groups=GROUPS, filters=FILTERS, now=clock.now())
    table = build(
        report=KIND,
        scope=scope,
        threshold=threshold,
        columns=COLUMNS,
        groups=await read(COUNTERS, scope),
        figures=figures,
        label=lambda key: LABELS.get(key, key),
    )
    return ReportView.of(table)

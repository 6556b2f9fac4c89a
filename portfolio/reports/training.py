"""Training figures: completions, people trained, hours, certificates by level, high skill.

Cells (kind ``training``): the region is the run's (where the training was given, the
provider's region), the dimensions are the course's training type and brand (``none`` when it
has none) and the occupation. Stored figures per cell:

* ``completions``: completed enrolments, passed or failed; ``passed``: the passed ones. Their
  month is the month the run ended (the training's own date, not the day the result was
  typed in). The completion rate is ``passed / completions``.
* ``minutes``: training hours attended in those completions, in whole minutes (integers add
  up exactly; the report shows hours).
* ``people``: people trained = distinct workers with a passed completion in the cell. A marker
  per (cell, worker) counts them once however many courses of that cell they passed; a row or
  total covering several cells adds the cells up, so a worker who passed trainings in two
  months (or two occupations, types, regions) counts once in each: the programme's
  "person-times" (人次) with repeats inside one cell removed.
* ``certificates`` and ``cert_<level>`` (``cert_none`` for special-ability certificates, which
  have no level): valid certificates, in the month of their issue date and the occupation they
  state, with the type and brand of the course they followed. A correction moves a certificate
  from its old cell and level to its new ones; a void takes it out.
* ``certified`` / ``high_skill``: distinct workers holding at least one valid certificate
  with a level (qualification or skill level), and at least one at 高级工 (senior) or above,
  in the cell (markers with a count, so a void only uncounts a worker's last certificate). The
  share of high-skill workers is ``high_skill / certified``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.reports.counters import Cell, Changes, Rollup, apply, month_of, unsettle
from portfolio.reports.markers import MarkerKey, move_markers
from portfolio.reports.query import GroupBy, ReportQuery, resolve
from portfolio.reports.tables import Column, Kind, Value, build, ratio, read
from portfolio.reports.views import ReportView
from portfolio.training import (
    CertificateChanged,
    CertificateFacts,
    CertificateStatus,
    CompletionResult,
    CompletionsRecorded,
    Course,
    Enrolment,
    Run,
)
from portfolio.training import completions_recorded as completion_facts
from portfolio.vocabulary import LABELS, SkillBrand, SkillLevel, TrainingType

KIND = "training"
NONE = "none"
# Marker kinds: people trained, certified workers, high-skill workers.
PEOPLE_TRAINED = "pt"
CERTIFIED = "cw"
HIGH_SKILL = "hs"

GROUPS = frozenset({GroupBy.REGION, GroupBy.MONTH, GroupBy.TYPE, GroupBy.BRAND, GroupBy.OCCUPATION})
FILTERS = frozenset({"type", "brand", "occupation"})
CERTIFIED_LEVELS = tuple(level for level in SkillLevel if level is not SkillLevel.APPRENTICE)
LEVEL_KEYS = (*(level.value for level in CERTIFIED_LEVELS), NONE)
DIMS = ("type", "brand", "occupation")
# By province, city or district, with or without type and brand (and by province or city
# with every dimension): what a report reads unless it is a district's by occupation.
ROLLUPS: tuple[Rollup, ...] = (
    (2, ()),
    (2, ("type", "brand")),
    (2, DIMS),
    (4, ()),
    (4, ("type", "brand")),
    (4, DIMS),
    (6, ()),
    (6, ("type", "brand")),
)
FIELDS = (
    "completions",
    "passed",
    "minutes",
    "people",
    "certificates",
    *(f"cert_{key}" for key in LEVEL_KEYS),
    "certified",
    "high_skill",
)
COUNTERS = Kind(KIND, DIMS, ROLLUPS, FIELDS)
NONE_LABELS = {GroupBy.BRAND: "无品牌", GroupBy.LEVEL: "无等级"}


def cell(
    *, region_code: str, month: str, training_type: str, brand: str | None, occupation: str
) -> Cell:
    """The training cell of these dimension values."""
    return Cell(
        KIND,
        region_code,
        month,
        (("type", training_type), ("brand", brand or NONE), ("occupation", occupation)),
        rollups=ROLLUPS,
    )


def _place_cell(
    region_code: str,
    training_type: TrainingType,
    brand: SkillBrand | None,
    month: str,
    occupation: str,
) -> Cell:
    return cell(
        region_code=region_code,
        month=month,
        training_type=training_type.value,
        brand=brand.value if brand else None,
        occupation=occupation,
    )


def completions_cell(facts: CompletionsRecorded) -> Cell:
    """Where completions count: the run's region and last month, the course's dimensions."""
    return _place_cell(
        facts.region_code,
        facts.training_type,
        facts.brand,
        month_of(facts.run_end_date),
        facts.occupation_code,
    )


def minutes(hours: float) -> int:
    """Hours attended as whole minutes."""
    return round(hours * 60)


async def completion_changes(facts: CompletionsRecorded, *, guard: str) -> Changes:
    """What completions recorded in one run (all in one cell) add: the counts, and the passed
    workers' markers moved (once per ``guard``) for the people trained."""
    # Once each, even if an event lists an enrolment twice.
    enrolments = list({e.enrolment_id: e for e in facts.enrolments}.values())
    changes = Changes()
    if not enrolments:
        return changes
    where = completions_cell(facts)
    passed = [e.archive_id for e in enrolments if e.result is CompletionResult.PASSED]
    changes.add(
        where,
        {
            "completions": len(enrolments),
            "passed": len(passed),
            "minutes": sum(minutes(e.hours_attended) for e in enrolments),
        },
    )
    if passed:
        moves = Counter((PEOPLE_TRAINED, where, archive_id) for archive_id in passed)
        moved = await move_markers(moves, guard=guard)
        changes.add(where, {"people": sum(moved.values())})
    return changes


def certificate_cell(facts: CertificateChanged, version: CertificateFacts) -> Cell:
    """Where a certificate counts: its issue month and occupation, its course's type/brand."""
    assert facts.training_type is not None  # only course certificates are counted here
    return _place_cell(
        facts.region_code,
        facts.training_type,
        facts.brand,
        month_of(version.issue_date),
        version.occupation_code,
    )


def certificate_increments(version: CertificateFacts, sign: int) -> dict[str, int]:
    """What one certificate adds to (``sign`` 1) or takes from (-1) its cell's counts."""
    level = version.level.value if version.level else NONE
    return {"certificates": sign, f"cert_{level}": sign}


def certificate_markers(version: CertificateFacts) -> list[str]:
    """The distinct counts a certificate's holder takes part in through it."""
    level = version.level
    if level is None or level is SkillLevel.APPRENTICE:
        return []
    return [CERTIFIED, HIGH_SKILL] if level.is_high_skill else [CERTIFIED]


def certificate_moves(facts: CertificateChanged) -> tuple[Changes, Counter[MarkerKey]]:
    """A certificate issued, corrected or voided: the old version's contribution taken out,
    the new one's put in (only valid versions count), and the markers to move."""
    changes = Changes()
    moves: Counter[MarkerKey] = Counter()
    if facts.training_type is None:
        # No course behind it (an assessment body, an enterprise...): the levels report
        # counts it, by road.
        return changes, moves
    for version, sign in ((facts.before, -1), (facts.after, 1)):
        if version is None or version.status is not CertificateStatus.VALID:
            continue
        where = certificate_cell(facts, version)
        changes.add(where, certificate_increments(version, sign))
        for what in certificate_markers(version):
            moves[(what, where, facts.archive_id)] += sign
    return changes, moves


async def certificate_changes(facts: CertificateChanged, *, guard: str) -> Changes:
    """What a certificate's change adds, its holder's markers moved once per ``guard``."""
    changes, moves = certificate_moves(facts)
    for (what, where, _), moved in (await move_markers(moves, guard=guard)).items():
        changes.add(where, {"certified" if what == CERTIFIED else "high_skill": moved})
    return changes


async def completions_recorded(run: Run, course: Course, enrolments: Sequence[Enrolment]) -> None:
    """Count completions of one run straight away, outside the events (hand-made data sets
    and the benchmarks' raw path): the same writes under a guard of their own."""
    guard = f"direct:{uuid.uuid4().hex}"
    facts = completion_facts(run, course, enrolments)
    await unsettle(await apply(await completion_changes(facts, guard=guard), guard=guard), guard)


COLUMNS: tuple[Column, ...] = (
    Column("people_trained", "培训人数", people=True),
    Column("completions", "结业人次", people=True),
    Column("passed", "合格人次", people=True),
    Column("completion_rate", "合格率", follows=("completions", "passed")),
    Column("training_hours", "培训学时", follows=("completions",)),
    Column("certificates", "证书数", people=True),
    *(
        Column(
            f"certificates_by_level.{key}",
            f"证书·{LABELS.get(key, '无等级')}",
            people=True,
            part_of="certificates",
        )
        for key in LEVEL_KEYS
    ),
    Column("certified_workers", "持证人数", people=True),
    Column("high_skill_workers", "高技能人数", people=True),
    Column(
        "high_skill_share", "高技能人才占比", follows=("certified_workers", "high_skill_workers")
    ),
)


def figures(sums: Counter[str]) -> dict[str, Value]:
    """A row's figures from its cells' summed counters."""
    values: dict[str, Value] = {
        "people_trained": sums["people"],
        "completions": sums["completions"],
        "passed": sums["passed"],
        "completion_rate": ratio(sums["passed"], sums["completions"]),
        "training_hours": round(sums["minutes"] / 60, 2),
        "certificates": sums["certificates"],
        "certified_workers": sums["certified"],
        "high_skill_workers": sums["high_skill"],
        "high_skill_share": ratio(sums["high_skill"], sums["certified"]),
    }
    for key in LEVEL_KEYS:
        values[f"certificates_by_level.{key}"] = sums[f"cert_{key}"]
    return values


def label(group_by: GroupBy, key: str) -> str:
    """The Chinese label of a row key (codes and months are their own label)."""
    if key == NONE:
        return NONE_LABELS.get(group_by, key)
    return LABELS.get(key, key)


async def report(*, actor: Actor, query: ReportQuery, threshold: int) -> ReportView:
    """The training report of an agency (see the module docstring for each figure)."""
    scope = resolve(actor, query, groups=GROUPS, filters=FILTERS, now=clock.now())
    table = build(
        report=KIND,
        scope=scope,
        threshold=threshold,
        columns=COLUMNS,
        groups=await read(COUNTERS, scope),
        figures=figures,
        label=lambda key: label(scope.group_by, key),
    )
    return ReportView.of(table)

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

from collections import Counter
from collections.abc import Sequence

from beanie import PydanticObjectId

from portfolio import clock
from portfolio.accounts.principal import Actor
from portfolio.reports.counters import (
    Cell,
    Changes,
    Rollup,
    add_first,
    apply,
    month_of,
    move_marker,
)
from portfolio.reports.query import GroupBy, ReportQuery, resolve
from portfolio.reports.tables import Column, Kind, Value, build, ratio, read
from portfolio.reports.views import ReportView
from portfolio.training.documents import Certificate, Course, Enrolment, Run
from portfolio.training.enums import CertificateStatus, CompletionResult
from portfolio.vocabulary import LABELS, SkillLevel

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


def _course_cell(run: Run, course: Course, month: str, occupation: str) -> Cell:
    return cell(
        region_code=run.region_code,
        month=month,
        training_type=course.training_type.value,
        brand=course.brand.value if course.brand else None,
        occupation=occupation,
    )


def minutes(hours: float) -> int:
    """Hours attended as whole minutes."""
    return round(hours * 60)


async def completions_recorded(run: Run, course: Course, enrolments: Sequence[Enrolment]) -> None:
    """Count newly recorded completions of one run (all in one cell): one bulk write of the
    passed workers' markers, then one ``$inc`` of the cell."""
    # Once each, even if a caller lists an enrolment twice.
    enrolments = list({str(e.id): e for e in enrolments}.values())
    if not enrolments:
        return
    where = _course_cell(run, course, month_of(run.end_date), course.occupation_code)
    passed = [e.archive_id for e in enrolments if e.result is CompletionResult.PASSED]
    changes = Changes()
    changes.add(
        where,
        {
            "completions": len(enrolments),
            "passed": len(passed),
            "minutes": sum(minutes(e.hours_attended) for e in enrolments),
        },
    )
    if passed:
        changes.add(where, {"people": await add_first(PEOPLE_TRAINED, where, passed)})
    await apply(changes)


async def _run_and_course(enrolment_id: str) -> tuple[Run, Course]:
    enrolment = await Enrolment.get(PydanticObjectId(enrolment_id))
    assert enrolment is not None  # a certificate follows a stored enrolment
    run = await Run.get(PydanticObjectId(enrolment.run_id))
    course = await Course.get(PydanticObjectId(enrolment.course_id))
    assert run is not None
    assert course is not None
    return run, course


def certificate_cell(certificate: Certificate, run: Run, course: Course) -> Cell:
    """Where a certificate counts: its issue month and occupation, its course's type/brand."""
    return _course_cell(run, course, month_of(certificate.issue_date), certificate.occupation_code)


def certificate_increments(certificate: Certificate, sign: int) -> dict[str, int]:
    """What one certificate adds to (``sign`` 1) or takes from (-1) its cell's counts."""
    level = certificate.level.value if certificate.level else NONE
    return {"certificates": sign, f"cert_{level}": sign}


def certificate_markers(certificate: Certificate) -> list[str]:
    """The distinct counts a certificate's holder takes part in through it."""
    level = certificate.level
    if level is None or level is SkillLevel.APPRENTICE:
        return []
    return [CERTIFIED, HIGH_SKILL] if level.is_high_skill else [CERTIFIED]


async def certificate_changed(before: Certificate | None, after: Certificate | None) -> None:
    """Count a certificate issued (``before`` None), corrected (both) or voided (``after``
    None): the old version's contribution is taken out, the new one's put in."""
    changes = Changes()
    moves: Counter[tuple[str, Cell, str]] = Counter()
    places: dict[str, tuple[Run, Course]] = {}
    for version, sign in ((before, -1), (after, 1)):
        if version is None or version.status is not CertificateStatus.VALID:
            continue
        if version.enrolment_id not in places:
            places[version.enrolment_id] = await _run_and_course(version.enrolment_id)
        where = certificate_cell(version, *places[version.enrolment_id])
        changes.add(where, certificate_increments(version, sign))
        for what in certificate_markers(version):
            moves[(what, where, version.archive_id)] += sign
    for (what, where, archive_id), delta in moves.items():
        moved = await move_marker(what, where, archive_id, delta)
        changes.add(where, {"certified" if what == CERTIFIED else "high_skill": moved})
    await apply(changes)


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

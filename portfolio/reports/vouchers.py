"""Voucher figures: issued, bound, claimed, redeemed, expired, cancelled; money; uptake; days.

Cells (kind ``vouchers``): the region is the voucher's (the worker's region at issue), the
month is the month of the event (China time), the dimensions are the policy (its key; the
name of the version a voucher was issued under is kept as a label) and the training type and
brand of the course the voucher was bound to. Issue, expiry and cancellation concern the
voucher, not a course: they count under type and brand ``none``, so a type or brand filter
narrows the report to bound, claimed and redeemed vouchers.

Every transition event of a voucher adds to one cell (the event-to-figure table is
``FIGURES``): a count, and for issue, bind, expiry and cancellation the face value, for claims
and redemption the amount claimed / redeemed (``amount_fen`` in the event's details, the face
value when absent), all in fen. A redemption adds two more things:

* ``rd_NNN``: a histogram of the days from issue to redemption (China dates): one bucket per
  day up to 60, one per week after that (``rd_061`` holds 61 to 67 days), ``rd_366`` for a
  year and more; so the median of any group of cells is computed from counters (to the day
  up to 60 days, to the middle of the week beyond), from at most 106 fields;
* ``redeemed_of_issued`` in the cell where the voucher was *issued* (its issue month, type and
  brand ``none``): the uptake rate of a period is ``redeemed_of_issued / issued``, the share of
  the vouchers issued in the period that have been redeemed so far.

The hook is ``events_recorded`` (or ``event_recorded`` for one), called after the voucher's
conditional update and its event row; ``portfolio reports rebuild`` recomputes the same cells
from the stored ``voucher_events`` and ``vouchers``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from portfolio import clock, ids
from portfolio.accounts.principal import Actor
from portfolio.reports.counters import Cell, Changes, Rollup, apply, china_month
from portfolio.reports.query import GroupBy, ReportQuery, resolve
from portfolio.reports.tables import Column, Kind, Value, build, ratio, read
from portfolio.reports.views import ReportView
from portfolio.training.documents import Course, Enrolment
from portfolio.vocabulary import LABELS

KIND = "vouchers"
NONE = "none"
# The days histogram: one bucket per day up to EXACT_DAYS, then one per week (named by its
# first day, counted as its middle day), and the last one for MAX_DAYS and more.
EXACT_DAYS = 60
MAX_DAYS = 366
DIMS = ("policy", "type", "brand")
ROLLUPS: tuple[Rollup, ...] = (
    (2, ()),
    (2, ("policy",)),
    (2, DIMS),
    (4, ()),
    (4, ("policy",)),
    (4, DIMS),
    (6, ()),
    (6, ("policy",)),
)

GROUPS = frozenset({GroupBy.REGION, GroupBy.MONTH, GroupBy.POLICY, GroupBy.TYPE, GroupBy.BRAND})
FILTERS = frozenset({"type", "brand", "policy"})

# Event action -> (the count it adds to, where its money comes from: face value, the amount
# in the event's details, or no money).
FIGURES: dict[str, tuple[str, str | None]] = {
    "issue": ("issued", "face"),
    "bind": ("bound", "face"),
    "release": ("released", None),
    "claim": ("claimed", "amount"),
    "reject": ("claims_rejected", None),
    "redeem": ("redeemed", "amount"),
    "expire": ("expired", "face"),
    "cancel": ("cancelled", "face"),
}
# Events that concern the course the voucher is (or was) bound to.
WITH_COURSE = frozenset({"bind", "release", "claim", "reject", "redeem"})


class VoucherFacts(Protocol):
    """What the counters need of a voucher (``portfolio.vouchers.documents.Voucher`` has it)."""

    @property
    def region_code(self) -> str: ...
    @property
    def policy_key(self) -> str: ...
    @property
    def policy_name(self) -> str: ...
    @property
    def face_value_fen(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def enrolment_id(self) -> str: ...


class EventFacts(Protocol):
    """What the counters need of one voucher event (``EventRecord`` / ``VoucherEvent``)."""

    @property
    def action(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def details(self) -> Mapping[str, str]: ...


def cell(
    *, region_code: str, month: str, policy: str, training_type: str, brand: str, name: str
) -> Cell:
    """The voucher cell of these dimension values (``name``: the policy's label)."""
    return Cell(
        KIND,
        region_code,
        month,
        (("policy", policy), ("type", training_type), ("brand", brand)),
        labels=(("policy", "policy_name", name),),
        rollups=ROLLUPS,
    )


class CourseLookup:
    """The training type and brand of the course behind an event, read once per course."""

    def __init__(self) -> None:
        self._courses: dict[str, tuple[str, str]] = {}
        self._enrolments: dict[str, str] = {}

    async def type_and_brand(self, voucher: VoucherFacts, event: EventFacts) -> tuple[str, str]:
        """``(type, brand)`` of the event's course, ``("none", "none")`` when it has none."""
        if event.action not in WITH_COURSE:
            return NONE, NONE
        course_id = event.details.get("course_id", "")
        enrolment_id = event.details.get("enrolment_id") or voucher.enrolment_id
        if not course_id and enrolment_id:
            if enrolment_id not in self._enrolments:
                oid = ids.parse_or_none(enrolment_id)
                enrolment = await Enrolment.get(oid) if oid else None
                self._enrolments[enrolment_id] = enrolment.course_id if enrolment else ""
            course_id = self._enrolments[enrolment_id]
        if not course_id:
            return NONE, NONE
        if course_id not in self._courses:
            oid = ids.parse_or_none(course_id)
            course = await Course.get(oid) if oid else None
            self._courses[course_id] = (
                (course.training_type.value, course.brand.value if course.brand else NONE)
                if course
                else (NONE, NONE)
            )
        return self._courses[course_id]


def _amount(voucher: VoucherFacts, event: EventFacts) -> int:
    raw = event.details.get("amount_fen", "")
    return int(raw) if raw.isdigit() else voucher.face_value_fen


def days_to_redeem(voucher: VoucherFacts, event: EventFacts) -> int:
    """Whole days from the issue to the redemption, by China dates."""
    return max(0, (clock.china_today(event.at) - clock.china_today(voucher.created_at)).days)


def bucket(days: int) -> str:
    """The histogram field that counts a redemption after ``days`` days."""
    if days >= MAX_DAYS:
        days = MAX_DAYS
    elif days > EXACT_DAYS:
        days = EXACT_DAYS + 1 + (days - EXACT_DAYS - 1) // 7 * 7
    return f"rd_{days:03d}"


def _bucket_days(first: int) -> float:
    """The days a bucket stands for in the median: its day, or its week's middle day."""
    return float(first) if first <= EXACT_DAYS or first >= MAX_DAYS else first + 3.0


async def add_event(
    changes: Changes, lookup: CourseLookup, voucher: VoucherFacts, event: EventFacts
) -> None:
    """What one event adds to the counters (unknown actions, such as consent, add nothing)."""
    figure = FIGURES.get(str(event.action))
    if figure is None:
        return
    count, money = figure
    training_type, brand = await lookup.type_and_brand(voucher, event)
    where = cell(
        region_code=voucher.region_code,
        month=china_month(event.at),
        policy=voucher.policy_key,
        training_type=training_type,
        brand=brand,
        name=voucher.policy_name,
    )
    increments = {count: 1}
    if money == "face":
        increments[f"{count}_fen"] = voucher.face_value_fen
    elif money == "amount":
        increments[f"{count}_fen"] = _amount(voucher, event)
    if event.action == "redeem":
        increments[bucket(days_to_redeem(voucher, event))] = 1
        issued = cell(
            region_code=voucher.region_code,
            month=china_month(voucher.created_at),
            policy=voucher.policy_key,
            training_type=NONE,
            brand=NONE,
            name=voucher.policy_name,
        )
        changes.add(issued, {"redeemed_of_issued": 1})
    changes.add(where, increments)


async def events_recorded(events: Sequence[tuple[VoucherFacts, EventFacts]]) -> None:
    """Count voucher events just recorded (each after its voucher's update and event row)."""
    changes = Changes()
    lookup = CourseLookup()
    for voucher, event in events:
        await add_event(changes, lookup, voucher, event)
    await apply(changes)


async def event_recorded(voucher: VoucherFacts, event: EventFacts) -> None:
    """Count one voucher event just recorded."""
    await events_recorded([(voucher, event)])


def median_days(sums: Mapping[str, int]) -> float | None:
    """The median of the days-to-redemption histogram (the mean of the middle two when even)."""
    histogram = sorted(
        (_bucket_days(int(name[3:])), n) for name, n in sums.items() if name.startswith("rd_")
    )
    total = sum(n for _, n in histogram if n > 0)
    if total == 0:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[float] = []
    seen = 0
    for days, n in histogram:
        if n <= 0:
            continue
        while wanted and wanted[0] < seen + n:
            found.append(days)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


_COUNTS = {
    "issued": "发放张数",
    "bound": "绑定张数",
    "released": "解绑张数",
    "claimed": "申领张数",
    "claims_rejected": "申领退回次数",
    "redeemed": "兑付张数",
    "expired": "过期张数",
    "cancelled": "作废张数",
}
_MONEY = {"issued", "bound", "claimed", "redeemed", "expired", "cancelled"}


def _columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    for name, label_zh in _COUNTS.items():
        columns.append(Column(name, label_zh, people=True))
        if name in _MONEY:
            columns.append(Column(f"{name}_fen", f"{label_zh[:2]}金额（分）", follows=(name,)))
    columns += [
        Column("redeemed_of_issued", "当期发放已兑付张数", people=True),
        Column("uptake_rate", "兑付率", follows=("issued", "redeemed_of_issued")),
        Column("median_days_to_redemption", "发放至兑付天数中位数", follows=("redeemed",)),
    ]
    return tuple(columns)


COLUMNS = _columns()
# Every histogram field there can be: a day each up to EXACT_DAYS, a week each after, the last.
BUCKETS = tuple(sorted({bucket(days) for days in range(MAX_DAYS + 1)}))
# What a voucher cell stores, summed by the store's $group (121 sums: as fast as reading the
# cells and summing here, and only the groups travel).
STORED = (
    *_COUNTS,
    *(f"{count}_fen" for count in _MONEY),
    "redeemed_of_issued",
    *BUCKETS,
)
COUNTERS = Kind(KIND, DIMS, ROLLUPS, STORED, labels=("policy_name",))


def figures(sums: Counter[str]) -> dict[str, Value]:
    """A row's figures from its cells' summed counters."""
    values: dict[str, Value] = {}
    for name in _COUNTS:
        values[name] = sums[name]
        if name in _MONEY:
            values[f"{name}_fen"] = sums[f"{name}_fen"]
    values["redeemed_of_issued"] = sums["redeemed_of_issued"]
    values["uptake_rate"] = ratio(sums["redeemed_of_issued"], sums["issued"])
    values["median_days_to_redemption"] = median_days(sums)
    return values


async def report(*, actor: Actor, query: ReportQuery, threshold: int) -> ReportView:
    """The voucher report of an agency (see the module docstring for each figure)."""
    scope = resolve(actor, query, groups=GROUPS, filters=FILTERS, now=clock.now())
    groups = await read(COUNTERS, scope)
    names = {str(g["_id"]): str(g.get("policy_name") or g["_id"]) for g in groups}

    def label(key: str) -> str:
        if scope.group_by is GroupBy.POLICY:
            return names.get(key, key)
        if key == NONE:
            return "无品牌" if scope.group_by is GroupBy.BRAND else "未绑定课程"
        return LABELS.get(key, key)

    table = build(
        report=KIND,
        scope=scope,
        threshold=threshold,
        columns=COLUMNS,
        groups=groups,
        figures=figures,
        label=label,
    )
    return ReportView.of(table)

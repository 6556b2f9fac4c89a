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

The counters take the vouchers area's ``vouchers.changed`` events (``portfolio.reports.events``);
``portfolio reports rebuild`` recomputes the same cells from the stored ``voucher_events`` and
``vouchers`` (``portfolio.vouchers.changes_to_count``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.reports.counters import Cell, Changes, Rollup, apply, china_month, unsettle
from portfolio.reports.query import GroupBy, ReportQuery, resolve
from portfolio.reports.tables import Column, Kind, Value, build, ratio, read
from portfolio.reports.views import ReportView
from portfolio.vocabulary import LABELS
from portfolio.vouchers import CourseKinds, VoucherAction, VoucherChange

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


def _amount(change: VoucherChange) -> int:
    raw = change.details.get("amount_fen", "")
    return int(raw) if raw.isdigit() else change.face_value_fen


def days_to_redeem(change: VoucherChange) -> int:
    """Whole days from the issue to the redemption, by China dates."""
    return max(0, (clock.china_today(change.at) - clock.china_today(change.issued_at)).days)


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


def add_change(changes: Changes, change: VoucherChange) -> None:
    """What one change adds to the counters (others, such as a consent, add nothing)."""
    figure = FIGURES.get(change.action.value)
    if figure is None:
        return
    count, money = figure
    where = cell(
        region_code=change.region_code,
        month=china_month(change.at),
        policy=change.policy_key,
        training_type=change.training_type.value if change.training_type else NONE,
        brand=change.brand.value if change.brand else NONE,
        name=change.policy_name,
    )
    increments = {count: 1}
    if money == "face":
        increments[f"{count}_fen"] = change.face_value_fen
    elif money == "amount":
        increments[f"{count}_fen"] = _amount(change)
    if change.action is VoucherAction.REDEEM:
        increments[bucket(days_to_redeem(change))] = 1
        issued = cell(
            region_code=change.region_code,
            month=china_month(change.issued_at),
            policy=change.policy_key,
            training_type=NONE,
            brand=NONE,
            name=change.policy_name,
        )
        changes.add(issued, {"redeemed_of_issued": 1})
    changes.add(where, increments)


async def event_recorded(voucher: VoucherFacts, event: EventFacts) -> None:
    """Count one voucher event straight away, outside the events (hand-made data sets and the
    benchmarks' raw path): the same writes under a guard of their own."""
    action = VoucherAction(str(event.action))
    training_type, brand = await CourseKinds().of(action, event.details, voucher.enrolment_id)
    change = VoucherChange(
        voucher_id="",
        version=0,
        region_code=voucher.region_code,
        policy_key=voucher.policy_key,
        policy_name=voucher.policy_name,
        face_value_fen=voucher.face_value_fen,
        issued_at=voucher.created_at,
        enrolment_id=voucher.enrolment_id,
        action=action,
        at=event.at,
        details=dict(event.details),
        training_type=training_type,
        brand=brand,
    )
    changes = Changes()
    add_change(changes, change)
    guard = f"direct:{uuid.uuid4().hex}"
    await unsettle(await apply(changes, guard=guard), guard)


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

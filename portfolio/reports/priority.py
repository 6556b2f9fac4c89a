"""Priority groups (issue 27): members of the plan's priority groups (and village craftsmen),
and their training and vouchers, by the worker's region or by group.

Read at each request from the memberships and the members' enrolments and vouchers (query
time, like ``distinctions``): one scan of the region's memberships (each sensitive one opened:
one AES-GCM decryption), then one batched lookup of their enrolments and one of their
vouchers. Its cost grows with the members of the region, not with the period: about a
membership, an enrolment and a voucher read per member. Small cells are suppressed as in every
report, which matters most here (a disability count of 1 in a district names someone).

* ``members``: memberships current at some day of the period (a worker in two groups counts
  in each; 人次), ``members_by_group.<g>`` by group;
* ``enrolled``: enrolments requested in the period while the worker was a member (once per
  row: a worker in two groups counts once in their region's row, once in each group's row),
  ``completed``: of them, completed (by now);
* ``vouchers``: vouchers issued in the period while the worker was a member (counted the same
  way), ``redeemed``: of them, paid.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.keyring import Keyring
from portfolio.priority import MemberFacts, members_to_count
from portfolio.reports.query import GroupBy, ReportQuery, Scope, resolve
from portfolio.reports.tables import Column, Value, build
from portfolio.reports.views import ReportView
from portfolio.training import enrolment_times
from portfolio.vocabulary import LABELS, PriorityGroup
from portfolio.vouchers import voucher_times

KIND = "priority"
GROUPS = frozenset({GroupBy.REGION, GroupBy.PRIORITY_GROUP})
FILTERS: frozenset[str] = frozenset()
GROUP_KEYS = tuple(g.value for g in PriorityGroup)

COLUMNS: tuple[Column, ...] = (
    Column("members", "重点群体人次", people=True),
    *(
        Column(f"members_by_group.{key}", f"人次·{LABELS[key]}", people=True, part_of="members")
        for key in GROUP_KEYS
    ),
    Column("enrolled", "参加培训人次", people=True),
    Column("completed", "培训结业人次", people=True),
    Column("vouchers", "发放培训券", people=True),
    Column("redeemed", "已兑付培训券", people=True),
)


def _period(scope: Scope) -> tuple[date, date]:
    start = date.fromisoformat(f"{scope.month_from}-01")
    year, month = int(scope.month_to[:4]), int(scope.month_to[5:])
    following = date(year + month // 12, month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _member_on(member: MemberFacts, day: date) -> bool:
    return member.since <= day and (member.until is None or member.until >= day)


def _row_key(scope: Scope, member: MemberFacts) -> str:
    if scope.group_by is GroupBy.PRIORITY_GROUP:
        return member.group.value
    return member.region_code[: scope.region_depth]


async def _groups(scope: Scope, keyring: Keyring) -> list[dict[str, Any]]:
    start, end = _period(scope)
    members = [
        m
        async for m in members_to_count(keyring, scope.region)
        if m.since <= end and (m.until is None or m.until >= start)
    ]
    archive_ids = list(dict.fromkeys(m.archive_id for m in members))
    enrolments: dict[str, list[tuple[date, bool]]] = {}
    for archive_id, at, completed in await enrolment_times(archive_ids):
        enrolments.setdefault(archive_id, []).append((_day(at), completed is not None))
    vouchers: dict[str, list[tuple[date, bool]]] = {}
    for archive_id, at, redeemed in await voucher_times(archive_ids):
        vouchers.setdefault(archive_id, []).append((_day(at), redeemed))
    rows: dict[str, Counter[str]] = {}
    # An enrolment or voucher counts once per row: a worker in two groups is one person in
    # their region's row (and one in each group's row).
    seen: set[tuple[str, str, str, int]] = set()
    for member in members:
        key = _row_key(scope, member)
        counts = rows.setdefault(key, Counter())
        counts["members"] += 1
        counts[f"group_{member.group.value}"] += 1
        for kind, names, items in (
            ("e", ("enrolled", "completed"), enrolments.get(member.archive_id, [])),
            ("v", ("vouchers", "redeemed"), vouchers.get(member.archive_id, [])),
        ):
            for index, (day, done) in enumerate(items):
                mark = (key, kind, member.archive_id, index)
                if mark in seen or not start <= day <= end or not _member_on(member, day):
                    continue
                seen.add(mark)
                counts[names[0]] += 1
                counts[names[1]] += done
    return [{"_id": key, **counts} for key, counts in rows.items()]


def _day(at: datetime) -> date:
    return clock.china_today(at)


def figures(sums: Counter[str]) -> dict[str, Value]:
    """A row's figures from its summed counts."""
    values: dict[str, Value] = {
        name: sums[name] for name in ("members", "enrolled", "completed", "vouchers", "redeemed")
    }
    for key in GROUP_KEYS:
        values[f"members_by_group.{key}"] = sums[f"group_{key}"]
    return values


def _label(key: str) -> str:
    return LABELS.get(key, key)


async def report(
    *, actor: Actor, query: ReportQuery, threshold: int, keyring: Keyring
) -> ReportView:
    """The priority-groups report of an agency (see the module docstring)."""
    scope = resolve(actor, query, groups=GROUPS, filters=FILTERS, now=clock.now())
    table = build(
        report=KIND,
        scope=scope,
        threshold=threshold,
        columns=COLUMNS,
        groups=await _groups(scope, keyring),
        figures=figures,
        label=_label,
    )
    return ReportView.of(table)

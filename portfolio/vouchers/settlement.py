"""The agency's settlement file: what its region owes each provider for a period.

Read from the ledger only (what was redeemed, integer fen), grouped by provider with a plain
``$group``; the provider's name and credit code come from its organisation. CSV for the
finance office's spreadsheet: UTF-8 with a byte-order mark so that Excel reads the Chinese
names, CRLF line ends, one row per provider and a total row.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from portfolio.accounts import Actor, Role, region_range
from portfolio.clock import CHINA_TIME, epoch_ms
from portfolio.errors import Forbidden, ValidationFailed
from portfolio.exports import Cell, Sheet
from portfolio.training import organisations_by_ids
from portfolio.vouchers.ledger import LedgerEntry, by_source
from portfolio.vouchers.views import SettlementRowView, SettlementView

MAX_PERIOD_DAYS = 366
HEADER = ("provider", "credit_code", "provider_id", "vouchers", "amount_fen", "amount_yuan")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=CHINA_TIME)


async def settlement(*, actor: Actor, start: date, end: date) -> SettlementView:
    """The agency's region's redemptions from ``start`` to ``end`` (China dates, inclusive)."""
    if actor.role is not Role.AGENCY or not actor.region_prefix:
        raise Forbidden("only an agency exports a settlement")
    if end < start:
        raise ValidationFailed.single("to", "before_from", "the period ends before it starts")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed.single("to", "too_long", f"at most {MAX_PERIOD_DAYS} days")
    match = {
        "region_code": region_range(actor.region_prefix),
        "at_ms": {
            "$gte": epoch_ms(_start_of(start)),
            "$lt": epoch_ms(_start_of(end + timedelta(days=1))),
        },
    }
    cursor = await LedgerEntry.get_pymongo_collection().aggregate(
        [
            {"$match": match},
            {
                "$group": {
                    "_id": "$organisation_id",
                    "n": {"$sum": 1},
                    "fen": {"$sum": "$amount_fen"},
                }
            },
        ]
    )
    groups = await cursor.to_list()
    organisations = await organisations_by_ids([g["_id"] for g in groups])
    rows = []
    for group in groups:
        organisation = organisations.get(group["_id"])
        rows.append(
            SettlementRowView(
                organisation_id=group["_id"],
                provider=organisation.name if organisation else "",
                credit_code=organisation.credit_code if organisation else "",
                vouchers=group["n"],
                amount_fen=group["fen"],
            )
        )
    rows.sort(key=lambda r: (-r.amount_fen, r.organisation_id))
    return SettlementView(actor.region_prefix, start, end, tuple(rows), await by_source(match))


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def as_sheet(result: SettlementView) -> Sheet:
    """The settlement as a table for the export writer, one row per provider, a total last."""
    rows: list[list[Cell]] = [
        [
            row.provider,
            row.credit_code,
            row.organisation_id,
            row.vouchers,
            row.amount_fen,
            _yuan(row.amount_fen),
        ]
        for row in result.rows
    ]
    rows.append(
        ["合计 total", "", "", result.vouchers, result.amount_fen, _yuan(result.amount_fen)]
    )
    return Sheet(f"settlement {result.region_prefix}", HEADER, rows)

"""The agency's settlement file: what its region owes each provider for a period.

Read from the ledger only (what was redeemed, integer fen), grouped by provider with a plain
``$group``; the provider's name and credit code come from its organisation. CSV for the
finance office's spreadsheet: UTF-8 with a byte-order mark so that Excel reads the Chinese
names, CRLF line ends, one row per provider and a total row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portfolio.accounts.principal import Actor, Role, region_range
from portfolio.errors import Forbidden, ValidationFailed
from portfolio.identity.identifiers import CHINA_TIME
from portfolio.ids import parse as object_id
from portfolio.training.documents import Organisation
from portfolio.vouchers.ledger import LedgerEntry
from portfolio.vouchers.rules import epoch_ms

MAX_PERIOD_DAYS = 366
BOM = "\ufeff"
HEADER = ("provider", "credit_code", "provider_id", "vouchers", "amount_fen", "amount_yuan")


@dataclass(frozen=True)
class SettlementRow:
    """What one provider is owed for the period."""

    organisation_id: str
    provider: str
    credit_code: str
    vouchers: int
    amount_fen: int


@dataclass(frozen=True)
class Settlement:
    """The period (China dates, both included) and its rows, largest amount first."""

    region_prefix: str
    start: date
    end: date
    rows: tuple[SettlementRow, ...]

    @property
    def vouchers(self) -> int:
        """Vouchers redeemed in the period."""
        return sum(r.vouchers for r in self.rows)

    @property
    def amount_fen(self) -> int:
        """Money owed for the period, in fen."""
        return sum(r.amount_fen for r in self.rows)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=CHINA_TIME)


async def settlement(*, actor: Actor, start: date, end: date) -> Settlement:
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
    oids = [object_id(g["_id"], "organisation") for g in groups]
    organisations = {str(o.id): o async for o in Organisation.find({"_id": {"$in": oids}})}
    rows = []
    for group in groups:
        organisation = organisations.get(group["_id"])
        rows.append(
            SettlementRow(
                organisation_id=group["_id"],
                provider=organisation.name if organisation else "",
                credit_code=organisation.credit_code if organisation else "",
                vouchers=group["n"],
                amount_fen=group["fen"],
            )
        )
    rows.sort(key=lambda r: (-r.amount_fen, r.organisation_id))
    return Settlement(actor.region_prefix, start, end, tuple(rows))


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def to_csv(result: Settlement) -> str:
    """The settlement as CSV text, starting with the byte-order mark, ending with a total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in result.rows:
        writer.writerow(
            (
                row.provider,
                row.credit_code,
                row.organisation_id,
                row.vouchers,
                row.amount_fen,
                _yuan(row.amount_fen),
            )
        )
    writer.writerow(
        ("合计 total", "", "", result.vouchers, result.amount_fen, _yuan(result.amount_fen))
    )
    return BOM + out.getvalue()

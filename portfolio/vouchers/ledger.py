"""The insert-only money ledger: one entry per money movement, integer fen.

An entry's ``_id`` is derived from what moved the money (``"redeem:<voucher id>"``), so the
redemption that writes it, a retry of that redemption and the repair routine finishing it all
try to insert the same ``_id``: the unique ``_id`` lets exactly one of them land. Entries are
never updated or deleted; a correction would be a new entry of its own kind. Written with
``portfolio.once.insert_once``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio import clock
from portfolio.archives import Recorder
from portfolio.once import insert_once
from portfolio.vocabulary import FundingSource
from portfolio.vouchers.views import SourceTotalView

REDEEM = "redeem"


def redeem_entry_id(voucher_id: str) -> str:
    """The deterministic id of the ledger entry a voucher's redemption writes."""
    return f"{REDEEM}:{voucher_id}"


class LedgerEntry(Document):
    """One movement of money: an amount owed to a provider by the agency's programme."""

    id: str  # type: ignore[assignment]
    kind: str
    voucher_id: str
    # The voucher's region (whose agency pays) and the provider paid.
    region_code: str
    organisation_id: str
    archive_id: str
    enrolment_id: str
    policy_key: str
    amount_fen: int
    # The fund it was paid from; entries written before sources were recorded read
    # "unspecified" (a default, so no migration rewrites the insert-only ledger).
    funding_source: FundingSource = FundingSource.UNSPECIFIED
    # When the money moved: the redemption's moment (epoch ms for range filters: nx-27017
    # compares datetimes in filters to the whole second only).
    at: datetime
    at_ms: int
    by: Recorder

    class Settings:
        name = "ledger"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("voucher_id", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("at_ms", ASCENDING)]),
        ]


def source_of(value: object) -> FundingSource:
    """A stored entry's fund as read by an aggregation (a missing field: unspecified)."""
    try:
        return FundingSource(str(value))
    except ValueError:
        return FundingSource.UNSPECIFIED


async def by_source(match: dict[str, Any]) -> tuple[SourceTotalView, ...]:
    """The ledger entries matching ``match`` totalled by fund, in the vocabulary's order.

    One ``$group`` on the stored field; entries without it (written before sources) group
    under null and are counted as unspecified.
    """
    cursor = await LedgerEntry.get_pymongo_collection().aggregate(
        [
            {"$match": match},
            {
                "$group": {
                    "_id": "$funding_source",
                    "n": {"$sum": 1},
                    "fen": {"$sum": "$amount_fen"},
                }
            },
        ]
    )
    counts: dict[FundingSource, tuple[int, int]] = {}
    for row in await cursor.to_list():
        source = source_of(row["_id"])
        n, fen = counts.get(source, (0, 0))
        counts[source] = (n + row["n"], fen + row["fen"])
    return tuple(
        SourceTotalView(source, *counts[source]) for source in FundingSource if source in counts
    )


MILESTONE = "milestone"


@dataclass(frozen=True)
class Payment:
    """A payment that is not a voucher's redemption (a project's milestone): everything its
    ledger entry says, derived by the caller from its own stored state, so every writer of
    the entry writes the same document."""

    entry_id: str
    kind: str
    reference: str
    region_code: str
    organisation_id: str
    amount_fen: int
    funding_source: FundingSource
    at_ms: int
    by: Recorder


async def post(payment: Payment) -> bool:
    """Insert the payment's ledger entry under its deterministic id; True if this call wrote
    it (False: it was there already)."""
    return await insert_once(
        LedgerEntry(
            id=payment.entry_id,
            kind=payment.kind,
            voucher_id="",
            region_code=payment.region_code,
            organisation_id=payment.organisation_id,
            archive_id="",
            enrolment_id="",
            policy_key=payment.reference,
            amount_fen=payment.amount_fen,
            funding_source=payment.funding_source,
            at=clock.from_epoch_ms(payment.at_ms),
            at_ms=payment.at_ms,
            by=payment.by,
        )
    )

"""The insert-only money ledger: one entry per money movement, integer fen.

An entry's ``_id`` is derived from what moved the money (``"redeem:<voucher id>"``), so the
redemption that writes it, a retry of that redemption and the repair routine finishing it all
try to insert the same ``_id``: the unique ``_id`` lets exactly one of them land. Entries are
never updated or deleted; a correction would be a new entry of its own kind. Written with
``portfolio.once.insert_once``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio.archives import Recorder

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

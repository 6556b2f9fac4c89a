"""The change trail as a kind of chain for signed checkpoints (``portfolio.checkpoints``).

A trail chain is one object's change records, linked by hash from version to version. Someone
who can write to the database could rewrite a record and recompute the hashes after it; a
checkpoint signed before that names the chain, because the record at the signed version no
longer hashes to what was signed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from portfolio.audit.trail import ChangeRecord, check_chain, trail_heads
from portfolio.chain_heads import ChainHead


class TrailChains:
    """Every object's chain of change records (``change_records``)."""

    def heads(self) -> AsyncIterator[ChainHead]:
        """The newest record of every chain, ordered by chain."""
        return trail_heads()

    async def recompute(self, chain: str, seq: int) -> str | None:
        """The hash of the record at version ``seq``, when the whole chain holds (None when a
        record is missing, altered or forked: the check names the chain either way)."""
        if await check_chain(chain):
            return None
        raw = await ChangeRecord.get_pymongo_collection().find_one(
            {"chain": chain, "version": seq}, {"hash": 1}
        )
        return None if raw is None else str(raw["hash"])

"""The worker's home page: their name, the highest level they reached, the newest entries,
the vouchers ready to use and what waits for them (the inbox)."""

from __future__ import annotations

from portfolio.accounts.principal import Actor
from portfolio.archives.entries import entry_page
from portfolio.archives.kept_summary import summary_of
from portfolio.archives.scope import archive_for_reader
from portfolio.archives.views import OccupationLevel
from portfolio.record.inbox import inbox
from portfolio.record.views import HighestLevel, HomeView
from portfolio.vouchers import reading as vouchers
from portfolio.vouchers.enums import VoucherStatus

LATEST = 5
VOUCHERS = 5


def highest_of(levels: list[OccupationLevel]) -> HighestLevel | None:
    """The highest level across occupations (the first such occupation on a tie)."""
    if not levels:
        return None
    best = max(levels, key=lambda item: item.level.rank)
    return HighestLevel(level=best.level, occupation_code=best.occupation_code)


async def home(*, actor: Actor) -> HomeView:
    """What the worker's home page shows (their own archive only)."""
    archive = await archive_for_reader(actor, None)
    assert archive.id is not None
    summary = await summary_of(archive)
    latest = await entry_page(archive.id, cursor=None, limit=LATEST)
    ready = await vouchers.list_for_worker(
        actor=actor, status=VoucherStatus.ISSUED, after=None, limit=VOUCHERS
    )
    return HomeView(
        name=archive.name,
        highest=highest_of(summary.highest_levels),
        levels=summary.highest_levels,
        latest=latest.entries,
        entry_count=archive.head.seq,
        vouchers=list(ready.items),
        notices=await inbox(actor=actor),
    )

"""Two first requests of a rate window racing: both count, neither is refused.

Found by the benchmark (two logins at once from one address at the start of a window: one got
429 with the window nearly empty): both missed the conditional ``$inc`` (no document yet), both
inserted the window's document, and the loser of the insert was refused as if the window were
full.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI

from portfolio.accounts import throttle
from portfolio.accounts.throttle import RateCounter
from portfolio.errors import RateLimited

SECRET = b"a throttle key for these tests only"


def _later() -> datetime:
    # One fixed moment for every hit (so one window), ahead of now so no TTL sweep removes it.
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)


async def test_racing_first_hits_of_a_window_both_count(app: FastAPI) -> None:
    now = _later()
    await asyncio.gather(
        *(
            throttle.hit("race", "k", secret=SECRET, limit=5, window_seconds=60, now=now)
            for _ in range(4)
        )
    )
    [counter] = await RateCounter.find_all().to_list()
    assert counter.hits == 4


async def test_the_window_still_fills_up(app: FastAPI) -> None:
    now = _later()
    outcomes = await asyncio.gather(
        *(
            throttle.hit("race", "k", secret=SECRET, limit=3, window_seconds=60, now=now)
            for _ in range(6)
        ),
        return_exceptions=True,
    )
    assert sum(1 for o in outcomes if o is None) == 3
    assert all(isinstance(o, RateLimited) for o in outcomes if o is not None)
    with pytest.raises(RateLimited):
        await throttle.hit("race", "k", secret=SECRET, limit=3, window_seconds=60, now=now)

"""Recount every stored counter from the records it summarises, and correct drift.

A counter that guards a limit (seats taken in a run, a mentor's apprentices, a policy's
issued vouchers) moves by a conditional ``$inc`` in one step and the record it counts is
written in another; a process killed between the two leaves the counter one off for good
(a seat that nobody holds, an apprentice slot never given back). The repair routine calls
:func:`recount` to put each back to what the records say.

Each area owns its counters and says how to count them (``<area>/recount.py``: a
:class:`StoredCounter` exported by the area's face). A request may be between its two steps
while we count, so a difference is only corrected when it is *stable*: seen the same (same
stored value, same count) twice, ``settle`` seconds apart, and the correction is a
compare-and-set on the stored value seen, so a request that moved the counter meanwhile wins.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from portfolio import apprenticeships, training, vouchers

log = logging.getLogger(__name__)

# How long a difference must stay the same before it is corrected: far longer than the gap
# between a request's two steps (milliseconds), short enough for a start-up.
SETTLE_SECONDS = 1.0


@dataclass(frozen=True)
class Drift:
    """One counter whose stored value differs from the count of its records."""

    counter: str
    key: str
    stored: int
    counted: int


class StoredCounter(Protocol):
    """A kind of stored counter, as an area describes it."""

    @property
    def name(self) -> str:
        """What is counted (``run_seats``…): the key of the repair report."""
        ...

    async def differences(self) -> list[tuple[str, int, int]]:
        """Every counter of this kind whose stored value differs from its records' count:
        (the counting document's id, stored value, count)."""
        ...

    async def correct(self, key: str, stored: int, counted: int) -> bool:
        """Set the counter ``key`` to ``counted`` if it still holds ``stored``."""
        ...


def counters() -> tuple[StoredCounter, ...]:
    """Every stored counter of every area."""
    return (training.SEAT_COUNTER, apprenticeships.MENTOR_COUNTER, vouchers.ISSUED_COUNTER)


async def _observe(kinds: tuple[StoredCounter, ...]) -> set[Drift]:
    found: set[Drift] = set()
    for kind in kinds:
        for key, stored, counted in await kind.differences():
            found.add(Drift(kind.name, key, stored, counted))
    return found


async def recount(settle: float = SETTLE_SECONDS) -> dict[str, int]:
    """Correct every stable difference; how many counters of each kind were corrected."""
    kinds = counters()
    first = await _observe(kinds)
    if not first:
        return {}
    await asyncio.sleep(settle)
    stable = first & await _observe(kinds)
    by_name = {kind.name: kind for kind in kinds}
    corrected: dict[str, int] = {}
    for drift in sorted(stable, key=lambda d: (d.counter, d.key)):
        if await by_name[drift.counter].correct(drift.key, drift.stored, drift.counted):
            corrected[drift.counter] = corrected.get(drift.counter, 0) + 1
            log.warning(
                "counter corrected",
                extra={
                    "counter": drift.counter,
                    "key": drift.key,
                    "stored": drift.stored,
                    "counted": drift.counted,
                },
            )
    return corrected

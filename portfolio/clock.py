"""Domain time: the one place that says what "now" is, and the helpers for its stored forms.

Every rule, window and expiry of the domain reads the time from :func:`now` (or
:func:`china_today`), and every field such a rule compares against is written from it, never
from the database server's clock (``$currentDate``): otherwise a clock moved for a test, the
demo data or a staged month of training would disagree with what the store wrote.

The clock can be moved, which is part of the design rather than a test trick:

* tests freeze it at a moment (:func:`travel_to`) and move it (:func:`advance`);
* the demo data builds months of history by moving it through the real services;
* a development service can run shifted by whole days (``PORTFOLIO_CLOCK_OFFSET_DAYS``,
  refused in production), so a person can stage a month of training across restarts.

Security times that libraries, browsers or the store check stay on the real clock and do not
come from here: token ``iat``/``nbf``/``exp``, cookie lifetimes, throttling windows, TTL
clean-up (:func:`real_now`).

The age of what an in-process cache remembers (a TTL, never a date) is measured on
:func:`monotonic`: the machine's monotonic clock, which a test may move forward
(:func:`advance_monotonic`) to show a bound such as the 30 s within which a revocation reaches
every process, without waiting for it. It never moves back.

BSON keeps milliseconds, so :func:`now` returns UTC truncated to the millisecond: what is
stored then equals what was computed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Process-wide, as the real clock is: a moved clock applies to every request of the process.
_offset = timedelta(0)
_frozen_at: datetime | None = None
# Seconds the monotonic clock has been moved ahead of the machine's (only ever grows).
_monotonic_ahead = 0.0


def monotonic() -> float:
    """Seconds on the monotonic clock (only differences mean anything), for cache ages."""
    return time.monotonic() + _monotonic_ahead


def advance_monotonic(seconds: float) -> None:
    """Move :func:`monotonic` forward by ``seconds`` for the rest of the process (tests)."""
    global _monotonic_ahead
    if seconds < 0:
        raise ValueError("the monotonic clock never moves back")
    _monotonic_ahead += seconds


def truncate_to_millis(moment: datetime) -> datetime:
    """``moment`` in UTC with the precision BSON keeps (milliseconds)."""
    if moment.tzinfo is None:
        raise ValueError("domain times must be timezone-aware")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def real_now() -> datetime:
    """The machine's clock, for security times checked outside the domain (tokens, TTLs)."""
    return datetime.now(UTC)


def now() -> datetime:
    """The domain's current moment: UTC, millisecond precision, moved as the clock is set."""
    base = _frozen_at if _frozen_at is not None else datetime.now(UTC)
    return truncate_to_millis(base + _offset)


def china_today(moment: datetime | None = None) -> date:
    """The date in China at ``moment`` (default: the domain's now)."""
    return (moment or now()).astimezone(CHINA_TIME).date()


def epoch_ms(moment: datetime) -> int:
    """``moment`` as whole epoch milliseconds (what filters compare: exact on every server)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    """The UTC moment of whole epoch milliseconds ``ms``."""
    return _EPOCH + timedelta(milliseconds=ms)


def set_offset(offset: timedelta) -> None:
    """Run the clock ``offset`` ahead of (or behind) the real one from now on."""
    global _offset
    _offset = offset


def travel_to(moment: datetime) -> None:
    """Stop the clock at ``moment`` (until :func:`resume`); :func:`advance` moves it."""
    global _frozen_at, _offset
    _frozen_at = truncate_to_millis(moment)
    _offset = timedelta(0)


def advance(delta: timedelta) -> None:
    """Move the clock forward by ``delta`` (stopped or running)."""
    global _frozen_at, _offset
    if _frozen_at is not None:
        _frozen_at = _frozen_at + delta
    else:
        _offset = _offset + delta


def resume() -> None:
    """Back to the real clock, with no offset."""
    global _frozen_at, _offset
    _frozen_at = None
    _offset = timedelta(0)


@contextlib.contextmanager
def stopped_at(moment: datetime) -> Iterator[None]:
    """The clock stopped at ``moment`` inside the block, then as it was before."""
    global _frozen_at, _offset
    saved = (_frozen_at, _offset)
    travel_to(moment)
    try:
        yield
    finally:
        _frozen_at, _offset = saved

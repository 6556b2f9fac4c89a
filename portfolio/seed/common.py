"""Small helpers the batch's stories share: a weighted draw and the start of a working day.

Kept apart so that training, vouchers and apprenticeships draw and date things the same way
(a draw from a table is one ``rng.choices`` call, whichever module makes it).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from typing import Any

from portfolio.identity.identifiers import CHINA_TIME


def weighted(rng: random.Random, table: tuple[tuple[Any, Any], ...]) -> Any:
    """One value of ``table`` (pairs of value and weight), drawn by weight."""
    return rng.choices([t[0] for t in table], weights=[t[1] for t in table])[0]


def day_start(day: date) -> datetime:
    """09:00 China time on ``day`` (01:00 UTC)."""
    return datetime.combine(day, time(9), tzinfo=CHINA_TIME).astimezone(UTC)

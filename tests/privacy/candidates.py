"""How many identity numbers a masked form leaves, given what else a reader knows.

The rule (SECURITY.md, "Personal data"): with every other field shown to the same reader or
stored in the clear beside it, a masked 18-character number leaves at least 1,000 numbers. We
count as a determined reader would, and generously to them:

* the area code is known (shown, or guessed from the region code beside it);
* the sex is known (shown beside it: the parity of the 17th digit);
* the birth date lies in a known window: one day if the date is visible, else one year (an
  age band, cut by an eligibility answer of the same day, still leaves a year; nothing shown
  to a reader who is not the worker is finer);
* every visible character of the mask is matched, and the check character must be right.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

RULE = 1_000
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# An 18-character masked number as stored or shown (mask characters anywhere).
MASKED_18 = re.compile(r"[0-9A-Z*]{18}")


def check_character(body: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def is_masked_identity(value: object) -> bool:
    """An 18-character value with at least one hidden character."""
    return isinstance(value, str) and bool(MASKED_18.fullmatch(value)) and "*" in value


def candidates(masked: str, *, window: Iterable[date], area: str, male: bool | None) -> int:
    """Resident-ID numbers with ``area``, born in ``window``, of that sex, matching ``masked``."""
    if len(masked) != 18:
        raise ValueError("an 18-character masked number")
    shown = {i: c for i, c in enumerate(masked) if c != "*"}
    if any(area[i] != c for i, c in shown.items() if i < 6):
        return 0
    hidden_sequence = [i for i in (14, 15, 16) if i not in shown]
    count = 0
    for day in window:
        birth = f"{day:%Y%m%d}"
        if any(birth[i - 6] != c for i, c in shown.items() if 6 <= i < 14):
            continue
        for digits in itertools.product("0123456789", repeat=len(hidden_sequence)):
            sequence = [shown.get(i, "") for i in (14, 15, 16)]
            for i, digit in zip(hidden_sequence, digits, strict=True):
                sequence[i - 14] = digit
            if male is not None and (int(sequence[2]) % 2 == 1) != male:
                continue
            body = area + birth + "".join(sequence)
            if 17 in shown and check_character(body) != shown[17]:
                continue
            count += 1
    return count


def one_year(start: date) -> list[date]:
    """365 consecutive days from ``start``."""
    return [start + timedelta(days=n) for n in range(365)]


@lru_cache(maxsize=512)
def worst_case(masked: str) -> int:
    """The fewest candidates ``masked`` leaves a reader who knows its area, its sex and any one
    year of the birth date (the minimum over windows spread across working ages)."""
    area = masked[:6] if "*" not in masked[:6] else "510104"
    # The sex is shown beside every masked number: when the mask hides its digit, both.
    sexes = [True, False] if masked[16] == "*" else [int(masked[16]) % 2 == 1]
    starts = (date(1962, 2, 1), date(1975, 7, 15), date(1988, 11, 30), date(2003, 5, 5))
    return min(
        candidates(masked, window=one_year(start), area=area, male=male)
        for start in starts
        for male in sexes
    )

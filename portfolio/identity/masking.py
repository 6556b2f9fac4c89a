"""Masked forms of identifiers for display (PIPL: show no more than a person needs).

A masked form must not be completable (DOMAIN.md, SECURITY.md "Personal data"): together with
everything else shown to the same reader, or stored in the clear beside it, at least 1,000
numbers must stay possible. An 18-character number hides its birth date (digits 7-14), so a
reader who also knows the birth date would be left with the 3-digit sequence and the check
character: the old form ``510104********1234`` beside the birth date named exactly one number.
The rule is kept by two choices together:

* no reader but the worker (and an agency's logged reveal) sees more of the birth date than an
  age band, so at best the reader narrows it to one year (365 days);
* the 18-character mask shows the area code and only the last two characters
  (``510104**********37``): with the area, the sex and any one year of birth known, the hidden
  two sequence digits and the date leave 36,500 bodies, of which the shown check character
  keeps at least 3,314 (one in eleven; ``tests/privacy/`` computes it for every form shown).

A masked value can never be turned back into the number.
"""

from __future__ import annotations

import re
from datetime import date

MASK = "*"
# How many characters of an 18-character number stay visible at each end.
ID18_KEEP_START = 6
ID18_KEEP_END = 2
# The form shown up to 2026 (area code and last four): recognised only to migrate it.
_LEGACY_ID18 = re.compile(r"[0-9A-Z]{6}\*{8}[0-9A-Z]{4}")
# Ages are shown in bands of this many years, relative to today (China time).
AGE_BAND_YEARS = 5


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        # Too short to show anything safely: hide it all.
        return MASK * len(value)
    return value[:keep_start] + MASK * hidden + value[len(value) - keep_end :]


def mask_identity_number(number: str) -> str:
    """``510104**********37`` for 18-character numbers, proportionate masks for others.

    * 18 characters (resident ID, residence permit, 2017 permanent residence card): the first
      6 (area, or card prefix and nationality) and the last 2 stay; the birth date, the first
      two sequence digits are hidden (see the module docstring for why two, not four).
    * 15 characters (2004 permanent residence card): the nationality letters and the last 4
      (its check digit has no published algorithm, so nothing narrows the hidden 8).
    * anything else (passports): the first and the last 2 characters, at least half hidden.
    """
    if len(number) == 18:
        return _mask(number, ID18_KEEP_START, ID18_KEEP_END)
    if len(number) == 15:
        return _mask(number, 3, 4)
    if len(number) >= 8:
        return _mask(number, 1, 2)
    return _mask(number, 0, 2)


def remask_legacy(masked: str) -> str:
    """A masked value stored in the old 18-character form, in today's form; others unchanged.

    The new form shows a subset of what the old one showed, so no full number is needed: the
    migration turns every stored copy (archives, entries, enrolments, vouchers…) with this.
    """
    if _LEGACY_ID18.fullmatch(masked):
        return masked[:ID18_KEEP_START] + MASK * 10 + masked[-ID18_KEEP_END:]
    return masked


def mask_phone(phone: str) -> str:
    """``138****5678``: the operator prefix and the last four digits (10,000 candidates)."""
    return _mask(phone, 3, 4)


def mask_document_number(number: str) -> str:
    """A card or certificate number: the last four characters (fewer for short numbers)."""
    if len(number) == 18:
        return mask_identity_number(number)
    return _mask(number, 0, min(4, len(number) // 2))


def age_on(birth: date, today: date) -> int:
    """Completed years of age on ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def age_band(birth: date, today: date) -> str:
    """The age on ``today`` as a five-year band, ``"30-34"``.

    Relative to today like every age rule (voucher eligibility compares whole years of age on
    the day it is asked), so a rule's answer never cuts the band to less than a year.
    """
    low = age_on(birth, today) // AGE_BAND_YEARS * AGE_BAND_YEARS
    return f"{low}-{low + AGE_BAND_YEARS - 1}"

"""Masked forms of identifiers for display (PIPL: show no more than a person needs).

The masked form keeps enough to tell two records apart on a screen (the area code and the last
four characters of an identity number) and hides what identifies or profiles the person (the
birth date and sequence). A masked value can never be turned back into the number.
"""

from __future__ import annotations

MASK = "*"


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        # Too short to show anything safely: hide it all.
        return MASK * len(value)
    return value[:keep_start] + MASK * hidden + value[len(value) - keep_end :]


def mask_identity_number(number: str) -> str:
    """``510104********1234`` for 18-character numbers, proportionate masks for others.

    * 18 characters (resident ID, residence permit, 2017 permanent residence card): the first
      6 and last 4 stay, the 8 characters of the birth date are hidden.
    * 15 characters (2004 permanent residence card): the nationality letters and the last 4.
    * anything else (passports): the first and the last 2 characters, at least half hidden.
    """
    if len(number) == 18:
        return _mask(number, 6, 4)
    if len(number) == 15:
        return _mask(number, 3, 4)
    if len(number) >= 8:
        return _mask(number, 1, 2)
    return _mask(number, 0, 2)


def mask_phone(phone: str) -> str:
    """``138****5678``: the operator prefix and the last four digits."""
    return _mask(phone, 3, 4)


def mask_document_number(number: str) -> str:
    """A card or certificate number: the last four characters (fewer for short numbers)."""
    if len(number) == 18:
        return mask_identity_number(number)
    return _mask(number, 0, min(4, len(number) // 2))

"""How the pages write money, dates, skill levels and occupations, in each language (Jinja filters).

Money is integer fen in the domain and yuan with two decimals on a page, computed with
integers (no float ever touches an amount). Dates are written as people in China write them
(2026年12月5日) in Chinese and ISO-like (2026-12-05) in English; moments are shown in China
time. Skill levels go by their names and, where the ladder numbers them, their numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from api.web.i18n import CHINESE, Language
from portfolio.clock import CHINA_TIME
from portfolio.occupations import published
from portfolio.vocabulary import LABELS, SkillLevel

# The national numbering of the ladder (五级 … 一级); the others have a name only.
_LEVEL_NUMBER = {
    SkillLevel.JUNIOR: 5,
    SkillLevel.INTERMEDIATE: 4,
    SkillLevel.SENIOR: 3,
    SkillLevel.TECHNICIAN: 2,
    SkillLevel.SENIOR_TECHNICIAN: 1,
}
_CHINESE_DIGITS = "零一二三四五六七八九"
_ENGLISH_LEVEL = {
    SkillLevel.APPRENTICE: "Apprentice",
    SkillLevel.JUNIOR: "Junior worker",
    SkillLevel.INTERMEDIATE: "Intermediate worker",
    SkillLevel.SENIOR: "Senior worker",
    SkillLevel.TECHNICIAN: "Technician",
    SkillLevel.SENIOR_TECHNICIAN: "Senior technician",
    SkillLevel.PRINCIPAL_TECHNICIAN: "Principal technician",
    SkillLevel.CHIEF_TECHNICIAN: "Chief technician",
}


def yuan_digits(fen: int) -> str:
    """Integer fen as yuan with two decimals and thousands separators: 123456 -> 1,234.56."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def yuan(fen: int, language: Language) -> str:
    """An amount for people: ``1,234.56 元`` in Chinese, ``¥1,234.56`` in English."""
    if language is CHINESE:
        return f"{yuan_digits(fen)} 元"
    digits = yuan_digits(fen)
    return f"-¥{digits[1:]}" if digits.startswith("-") else f"¥{digits}"


def day(value: date | datetime | str, language: Language) -> str:
    """A date (a moment: its day in China; an ISO date as archive payloads keep it):
    ``2026年12月5日`` or ``2026-12-05``."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(CHINA_TIME).date()
    if language is CHINESE:
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def moment(value: datetime, language: Language) -> str:
    """A moment in China time to the minute: ``2026年12月5日 14:05`` or ``2026-12-05 14:05``."""
    local = value.astimezone(CHINA_TIME)
    return f"{day(local.date(), language)} {local:%H:%M}"


def level_name(level: SkillLevel | str, language: Language) -> str:
    """A skill level by name: ``高级工`` or ``Senior worker``."""
    level = SkillLevel(level)
    return LABELS[level] if language is CHINESE else _ENGLISH_LEVEL[level]


def level(level: SkillLevel | str, language: Language) -> str:
    """A skill level by name and number: ``高级工（三级）`` or ``Senior worker (level 3)``."""
    level = SkillLevel(level)
    name = level_name(level, language)
    number = _LEVEL_NUMBER.get(level)
    if number is None:
        return name
    if language is CHINESE:
        return f"{name}（{_CHINESE_DIGITS[number]}级）"
    return f"{name} (level {number})"


def occupation(code: str | None) -> str:
    """An occupation code with its name from the published catalogue (4-03-02-01 中式烹调师);
    a code the file lacks (one an agency added, or one stored before) shows alone."""
    if not code:
        return ""
    row = published().rows.get(code)
    return f"{code} {row.name}" if row is not None else code


def filters(language: Language) -> dict[str, Callable[..., Any]]:
    """The Jinja filters of one language's environment."""
    return {
        "yuan": lambda fen: yuan(fen, language),
        "day": lambda value: day(value, language),
        "moment": lambda value: moment(value, language),
        "level": lambda value: level(value, language),
        "level_name": lambda value: level_name(value, language),
        "occupation": occupation,
    }

"""How pages write money, dates and skill levels, and which language a visitor gets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from api.web import formatting, i18n
from api.web.i18n import CHINESE, ENGLISH
from portfolio.vocabulary import SkillLevel


@pytest.mark.parametrize(
    ("fen", "chinese", "english"),
    [
        (0, "0.00 元", "¥0.00"),
        (5, "0.05 元", "¥0.05"),
        (123456, "1,234.56 元", "¥1,234.56"),
        (500_000, "5,000.00 元", "¥5,000.00"),
        (-250, "-2.50 元", "-¥2.50"),
    ],
)
def test_money_is_yuan_with_two_decimals_from_fen(fen: int, chinese: str, english: str) -> None:
    assert formatting.yuan(fen, CHINESE) == chinese
    assert formatting.yuan(fen, ENGLISH) == english


def test_dates_as_people_write_them() -> None:
    assert formatting.day(date(2026, 12, 5), CHINESE) == "2026年12月5日"
    assert formatting.day(date(2026, 12, 5), ENGLISH) == "2026-12-05"
    # A moment is shown on its day in China: 20:30 UTC is the next morning there.
    late = datetime(2026, 12, 4, 20, 30, tzinfo=UTC)
    assert formatting.day(late, CHINESE) == "2026年12月5日"
    assert formatting.moment(late, CHINESE) == "2026年12月5日 04:30"
    assert formatting.moment(late, ENGLISH) == "2026-12-05 04:30"


@pytest.mark.parametrize(
    ("level", "chinese", "english"),
    [
        (SkillLevel.APPRENTICE, "学徒工", "Apprentice"),
        (SkillLevel.JUNIOR, "初级工（五级）", "Junior worker (level 5)"),
        (SkillLevel.SENIOR, "高级工（三级）", "Senior worker (level 3)"),
        (SkillLevel.SENIOR_TECHNICIAN, "高级技师（一级）", "Senior technician (level 1)"),
        (SkillLevel.CHIEF_TECHNICIAN, "首席技师", "Chief technician"),
    ],
)
def test_skill_levels_by_name_and_number(level: SkillLevel, chinese: str, english: str) -> None:
    assert formatting.level(level, CHINESE) == chinese
    assert formatting.level(level.value, ENGLISH) == english


def test_every_level_has_both_names() -> None:
    for level in SkillLevel:
        assert formatting.level_name(level, CHINESE)
        assert formatting.level_name(level, ENGLISH)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", CHINESE),
        ("zh-CN,zh;q=0.9", CHINESE),
        ("en-US,en;q=0.9", ENGLISH),
        ("fr-FR,en;q=0.5,zh;q=0.4", ENGLISH),
        ("fr-FR,de;q=0.5", CHINESE),
        ("en;q=0,zh;q=0.1", CHINESE),
        ("en;q=nonsense,zh", CHINESE),
    ],
)
def test_accept_language_decides_the_first_visit(header: str, expected: i18n.Language) -> None:
    assert i18n.from_accept_language(header) is expected

"""Who confers which honour, and their names.

天府卓越工程师, 天府工匠, 四川技能大师 and 四川省技术能手 are provincial honours: recorded by a
province-level agency (scope ``51``). A city honour is recorded by the city's agency (or the
province's), with its own title.
"""

from __future__ import annotations

from portfolio.honours.documents import HonourTitle

TITLE_LABELS = {
    HonourTitle.TIANFU_ENGINEER: "天府卓越工程师",
    HonourTitle.TIANFU_CRAFTSMAN: "天府工匠",
    HonourTitle.SICHUAN_MASTER: "四川技能大师",
    HonourTitle.SICHUAN_EXPERT: "四川省技术能手",
    HonourTitle.CITY: "市（州）荣誉",
}
PROVINCIAL = frozenset(set(HonourTitle) - {HonourTitle.CITY})


def may_confer(region_prefix: str | None, title: HonourTitle) -> bool:
    """A provincial honour needs a province-level agency; a city honour any agency."""
    if region_prefix is None:
        return False
    return title not in PROVINCIAL or len(region_prefix) == 2


def title_text(title: HonourTitle, city_title: str) -> str:
    """The honour's name as the archive states it."""
    return city_title if title is HonourTitle.CITY else TITLE_LABELS[title]

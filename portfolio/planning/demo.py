"""The demo plan (issue 27): the province's targets for the 14th and 15th periods and the
employed counts of Sichuan (51) and Chengdu (5101), entered by the province's officer
``officer-sichuan``; four platforms (a master studio hosted by provider A in Chengdu, a
high-skill base hosted by provider B in Mianyang, a public training base and a competition
training base) with provider A's courses and one of provider B's runs linked, so the dashboard
at /agency/targets shows every figure. Loading twice changes nothing: when a platform exists,
the demo has been loaded (targets and counts re-entered as they are change nothing).
"""

from __future__ import annotations

import contextlib
from datetime import date

from portfolio import clock
from portfolio.accounts.demo import DEMO_ORGANISATION_A, DEMO_ORGANISATION_B, demo_actor
from portfolio.errors import Conflict
from portfolio.planning import platforms, targets
from portfolio.planning.documents import LinkKind, Platform, PlatformKind, PlatformTier
from portfolio.training import courses_of_organisation, training_of

TARGETS = {
    "14": targets.TargetValues(2_800_000, 300, 300, 60, 150, 40, 20, 300),
    "15": targets.TargetValues(3_000_000, 330, 330, 80, 200, 60, 30, 400),
}
# Employed people (statistics yearbook figures, rounded) of the province and of Chengdu.
PUBLIC, CONTEST = PlatformKind.PUBLIC_BASE, PlatformKind.COMPETITION_BASE
EMPLOYED = {"51": 47_000_000, "5101": 12_500_000}


async def ensure_demo_planning() -> None:
    """The demo targets, counts, platforms and links (after the training demo)."""
    officer = await demo_actor("officer-sichuan")
    for period, values in TARGETS.items():
        await targets.set_targets(actor=officer, period=period, values=values)
    this_year = clock.china_today().year
    for region, employed in EMPLOYED.items():
        for year in range(2021, min(this_year, 2030) + 1):
            await targets.set_employed(
                actor=officer,
                region_code=region,
                year=year,
                employed=employed + (year - 2021) * 100_000,
                source=f"四川统计年鉴{year}（就业人员）",
            )
    if await Platform.find_one({}) is not None:
        return
    approved = date(this_year - 1, 6, 1)
    studio = await platforms.create(
        actor=officer,
        content=platforms.PlatformContent(
            PlatformKind.MASTER_STUDIO,
            PlatformTier.PROVINCIAL,
            "张川菜技能大师工作室",
            "锦江烹饪职业培训学校",
            "张川菜",
            approved,
            date(this_year + 2, 5, 31),
            "510104",
        ),
    )
    base = await platforms.create(
        actor=officer,
        content=platforms.PlatformContent(
            PlatformKind.HIGH_SKILL_BASE,
            PlatformTier.NATIONAL,
            "绵阳焊接高技能人才培训基地",
            "绵阳技师学院",
            "",
            approved,
            None,
            "510703",
        ),
    )
    for kind, tier, name, host, region in (
        (
            PlatformKind.PUBLIC_BASE,
            PlatformTier.PROVINCIAL,
            "成都公共实训基地",
            "成都市就业服务管理局",
            "510104",
        ),
        (
            PlatformKind.COMPETITION_BASE,
            PlatformTier.PARK,
            "天府新区世赛集训基地",
            "天府新区产业园",
            "510116",
        ),
    ):
        await platforms.create(
            actor=officer,
            content=platforms.PlatformContent(kind, tier, name, host, "", approved, None, region),
        )
    for course in await courses_of_organisation(DEMO_ORGANISATION_A):
        with contextlib.suppress(Conflict):
            await platforms.link(
                actor=officer, platform_id=studio.id, kind=LinkKind.COURSE, target_id=str(course.id)
            )
    courses_b = [str(c.id) for c in await courses_of_organisation(DEMO_ORGANISATION_B)]
    runs_b = await training_of(run_ids=[], course_ids=courses_b)
    for run_id in sorted(runs_b)[:1]:
        await platforms.link(
            actor=officer, platform_id=base.id, kind=LinkKind.RUN, target_id=run_id
        )

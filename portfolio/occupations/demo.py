"""Demo occupations: what the province agency added after the catalogue file.

``agency-sichuan`` (province, 51) adds two occupations of the ministry's 2024 new-occupation
notice through the real service, so the catalogue page shows them as added, with their
publication, and the change trail records them. Their codes are the demo's examples (the
notice's codes are to be checked before a real addition). Loading twice changes nothing.
"""

from __future__ import annotations

from portfolio.accounts import Actor
from portfolio.occupations.additions import NewOccupation, add_occupation
from portfolio.occupations.documents import AddedOccupation

NOTICE = "演示：人力资源社会保障部 2024年新职业信息公示（示例编码，待核对）"
DEMO_ADDITIONS: tuple[NewOccupation, ...] = (
    NewOccupation(
        code="4-04-05-09",
        name="生成式人工智能系统应用员",
        source_document=NOTICE,
        reason="天府数智工匠培训需要",
        digital=True,
    ),
    NewOccupation(
        code="6-31-07-05",
        name="储能电站运维管理员",
        source_document=NOTICE,
        reason="新能源产业培训需要",
        green=True,
    ),
)


async def ensure_demo_occupations(*, actor: Actor) -> None:
    """The province agency's additions, once."""
    for addition in DEMO_ADDITIONS:
        if await AddedOccupation.get(addition.code) is None:
            await add_occupation(actor=actor, addition=addition)

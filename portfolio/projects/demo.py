"""The demo training project (issue 27): Chengdu's officer bought a 川菜 training project from
demo provider A for the workers of its finished classes, paid from the employment subsidy
fund, with two milestones: the start (attendance of the group at least 50 %), claimed by
``provider-a`` and paid by ``officer-chengdu`` (one ledger entry, ``milestone:<project>:1``),
and the completion (one worker completed with a pass), open for the provider to claim.
Loading twice changes nothing: a project of that name in Chengdu means the demo is loaded.
"""

from __future__ import annotations

import contextlib

from portfolio import clock
from portfolio.accounts import Actor, actor_of, find_login
from portfolio.accounts.demo import DEMO_ORGANISATION_A
from portfolio.errors import Conflict, ValidationFailed
from portfolio.integrity import Thresholds
from portfolio.keyring import Keyring
from portfolio.projects.documents import Condition, TrainingProject
from portfolio.projects.milestones import claim, decide
from portfolio.projects.service import MilestoneContent, ProjectContent, create
from portfolio.settings import Settings
from portfolio.training import runs_of_organisation
from portfolio.vocabulary import FundingSource

NAME = "成都市川菜烹饪项目制培训（2026）"


async def _actor(username: str, keyring: Keyring) -> Actor | None:
    found = await find_login(username, keyring)
    return actor_of(found) if found is not None else None


async def ensure_demo_projects(*, settings: Settings, keyring: Keyring) -> None:
    """The demo project with its first milestone paid (after the training demo)."""
    officer = await _actor("officer-chengdu", keyring)
    provider = await _actor("provider-a", keyring)
    if officer is None or provider is None:
        return
    if await TrainingProject.find_one({"name": NAME}) is not None:
        return
    today = clock.china_today()
    runs = [
        str(r.id)
        for r in await runs_of_organisation(DEMO_ORGANISATION_A)
        if r.end_date < today and not r.historical
    ]
    if not runs:
        return
    made = await create(
        actor=officer,
        content=ProjectContent(
            name=NAME,
            organisation_id=DEMO_ORGANISATION_A,
            funding_source=FundingSource.EMPLOYMENT_SUBSIDY,
            budget_fen=2_000_000,
            run_ids=runs,
            milestones=[
                MilestoneContent("开班", 800_000, Condition.ATTENDANCE_RATE, 50),
                MilestoneContent("结业", 1_200_000, Condition.COMPLETIONS, 1),
            ],
            two_approvals_above_fen=1_000_000,
        ),
    )
    share = settings.claim_min_attendance_share
    with contextlib.suppress(ValidationFailed, Conflict):
        await claim(
            actor=provider,
            project_id=made.id,
            n=1,
            note="开班签到已由学员确认",
            min_share=share,
            limits=Thresholds.of(settings),
        )
        await decide(
            actor=officer,
            project_id=made.id,
            n=1,
            approve=True,
            note="开班材料齐全",
            acknowledge_flags=True,
            min_share=share,
        )

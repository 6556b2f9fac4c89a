"""The demo competition (issue 26, part 3), recorded through the real services so the archive
entries, the change trail and the badges are real (the honours: ``portfolio.honours.demo``):

* the provincial 四川工匠杯 welding event of last year, published: demo worker-2 (李小红, a
  certified senior welder of Mianyang) took first place and the rule (place 1: technician)
  made her a 技师; demo worker-1 (王小明, Chengdu) took part without a place;

The province's officer ``officer-sichuan`` recorded it; ``agency-sichuan`` sees it, each
worker sees their result in the archive. Loading twice changes nothing: the event has a fixed
key (a repeat is refused as a duplicate and skipped) and publishing again only finishes what
is left.
"""

from __future__ import annotations

import contextlib
from datetime import date

from portfolio import clock
from portfolio.accounts import Actor, actor_of, find_login
from portfolio.archives import WorkerRef
from portfolio.archives.demo import DEMO_WORKERS
from portfolio.competitions import holding, results
from portfolio.competitions.documents import Competition, Entrant
from portfolio.competitions.rules import CompetitionStatus, RuleStep, Tier
from portfolio.errors import Conflict
from portfolio.identity import IdType
from portfolio.keyring import Keyring

WELDER = "6-18-02-04"
EVENT_NAME = "四川工匠杯职业技能大赛·焊工赛项"


async def _actor(username: str, keyring: Keyring) -> Actor | None:
    found = await find_login(username, keyring)
    return actor_of(found) if found is not None else None


def _ref(index: int) -> WorkerRef:
    worker = DEMO_WORKERS[index]
    return WorkerRef(IdType.RESIDENT_ID, worker.id_number, worker.name)


async def _competition(province: Actor, keyring: Keyring) -> None:
    year = clock.china_today().year - 1
    new = holding.NewCompetition(
        tier=Tier.PROVINCIAL,
        name=EVENT_NAME,
        occupation_code=WELDER,
        organiser="四川省人力资源和社会保障厅",
        start_date=date(year, 10, 20),
        end_date=date(year, 10, 22),
        region_code="510000",
        level_rule=[RuleStep(1, "technician"), RuleStep(5, "one_up")],
    )
    with contextlib.suppress(Conflict):  # loaded before
        await holding.create(actor=province, new=new)
    key = f"{Tier.PROVINCIAL.value}|{EVENT_NAME}|{new.start_date.isoformat()}"
    found = await Competition.find_one({"key": key})
    assert found is not None
    competition_id = str(found.id)
    if found.status is CompetitionStatus.OPEN:
        for index in (1, 0):
            with contextlib.suppress(Conflict):
                await results.add_entrant(
                    actor=province,
                    keyring=keyring,
                    competition_id=competition_id,
                    worker=_ref(index),
                )
        winner = DEMO_WORKERS[1].archive_id
        rows = [
            results.ResultRow(
                str(e.id),
                1 if e.archive_id == winner else None,
                "金奖" if e.archive_id == winner else "",
            )
            async for e in Entrant.find({"competition_id": competition_id})
        ]
        await results.enter_results(actor=province, competition_id=competition_id, rows=rows)
    await results.publish(actor=province, competition_id=competition_id)


async def ensure_demo_competitions(*, keyring: Keyring) -> None:
    """The demo competition (after the archives and the training demo)."""
    province = await _actor("officer-sichuan", keyring)
    if province is None:
        return
    await _competition(province, keyring)

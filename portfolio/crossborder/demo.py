"""The demo's recognitions across borders (issue 27), made through the real service:

* worker-1 (Chengdu): a 中式烹调师 初级工 certificate from Chongqing's 渝中区, recorded and
  recognised by Chengdu's officer after the check with Chongqing; and a Japanese cook's
  licence claimed as 高级工, refused with the officer's reason;
* worker-2 (Mianyang): an Australian welding trade certificate, recognised by the province's
  officer as 高级工 焊工 (below the 技师 she holds, so her summary keeps 技师).

Loading twice changes nothing: a record is made once (a repeat is refused as a duplicate) and a
decided one is not decided again.
"""

from __future__ import annotations

from datetime import date

from portfolio import clock
from portfolio.accounts import Actor, actor_of, find_login
from portfolio.archives import WorkerRef
from portfolio.archives.demo import DEMO_WORKERS
from portfolio.crossborder import service
from portfolio.crossborder.documents import BorderRecognition, BorderStatus, Origin
from portfolio.crossborder.rules import BorderContent, Decision
from portfolio.errors import Conflict
from portfolio.identity import IdType
from portfolio.keyring import Keyring
from portfolio.vocabulary import SkillLevel


async def _actor(username: str, keyring: Keyring) -> Actor | None:
    found = await find_login(username, keyring)
    return actor_of(found) if found is not None else None


async def _made(
    actor: Actor, keyring: Keyring, index: int, content: BorderContent, decision: Decision
) -> None:
    worker = DEMO_WORKERS[index]
    ref = WorkerRef(IdType.RESIDENT_ID, worker.id_number, worker.name)
    try:
        made = (await service.record(actor=actor, keyring=keyring, worker=ref, content=content)).id
    except Conflict:
        found = await BorderRecognition.find_one(
            {
                "archive_id": worker.archive_id,
                "origin": content.origin.value,
                "issuing_body": content.issuing_body,
            }
        )
        if found is None or found.status is not BorderStatus.PENDING:
            return
        made = str(found.id)
    await service.decide(actor=actor, recognition_id=made, decision=decision)


async def ensure_demo_borders(*, keyring: Keyring) -> None:
    """The three demo records (after the demo archives)."""
    chengdu = await _actor("officer-chengdu", keyring)
    province = await _actor("officer-sichuan", keyring)
    if chengdu is None or province is None:
        return
    year = clock.china_today().year - 1
    await _made(
        chengdu,
        keyring,
        0,
        BorderContent(
            Origin.CHONGQING,
            f"S000050010300{year}0417",
            "重庆市渝中区职业技能鉴定中心",
            "500103",
            "CHN",
            "",
            "4-03-02-01",
            SkillLevel.JUNIOR,
            date(year, 4, 17),
        ),
        Decision(True, None, f"川渝互认核验〔{year}〕0623"),
    )
    await _made(
        chengdu,
        keyring,
        0,
        BorderContent(
            Origin.FOREIGN,
            "",
            "東京都調理師会",
            "",
            "JPN",
            "調理師免許",
            "4-03-02-03",
            SkillLevel.SENIOR,
            date(year - 3, 3, 20),
        ),
        Decision(
            False, reason="调理师执照为从业许可，不是职业技能等级证书；可参加西式烹调师等级认定"
        ),
    )
    await _made(
        province,
        keyring,
        1,
        BorderContent(
            Origin.FOREIGN,
            "MEM31215-0471",
            "TAFE NSW",
            "",
            "AUS",
            "Certificate III in Engineering - Fabrication Trade",
            "6-18-02-04",
            SkillLevel.SENIOR,
            date(year - 2, 11, 30),
        ),
        Decision(True, SkillLevel.SENIOR, reason="课程与考核对照高级工焊工标准，予以认定"),
    )

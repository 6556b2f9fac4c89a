"""The demo honours (issue 26, part 3), recorded through the real service: 四川省技术能手 for
demo worker-2 (recorded by the province's officer ``officer-sichuan``) and the city honour
成都工匠 for demo worker-1 (recorded by Chengdu's officer). ``agency-sichuan`` sees both,
``officer-chengdu`` worker-1's; each worker sees their own in the archive. Loading twice
changes nothing: an honour is recorded once (a repeat is refused as a duplicate and skipped).
"""

from __future__ import annotations

import contextlib
from datetime import date

from portfolio import clock
from portfolio.accounts import Actor, actor_of, find_login
from portfolio.archives import WorkerRef
from portfolio.archives.demo import DEMO_WORKERS
from portfolio.errors import Conflict
from portfolio.honours import service as honours
from portfolio.honours.documents import HonourTitle
from portfolio.identity import IdType
from portfolio.keyring import Keyring


async def _actor(username: str, keyring: Keyring) -> Actor | None:
    found = await find_login(username, keyring)
    return actor_of(found) if found is not None else None


def _ref(index: int) -> WorkerRef:
    worker = DEMO_WORKERS[index]
    return WorkerRef(IdType.RESIDENT_ID, worker.id_number, worker.name)


async def _honour(
    actor: Actor, keyring: Keyring, index: int, content: honours.HonourContent
) -> None:
    with contextlib.suppress(Conflict):
        await honours.record(actor=actor, keyring=keyring, worker=_ref(index), content=content)


async def ensure_demo_honours(*, keyring: Keyring) -> None:
    """The two demo honours (after the demo archives)."""
    province = await _actor("officer-sichuan", keyring)
    chengdu = await _actor("officer-chengdu", keyring)
    if province is None or chengdu is None:
        return
    year = clock.china_today().year - 1
    await _honour(
        province,
        keyring,
        1,
        honours.HonourContent(
            HonourTitle.SICHUAN_EXPERT,
            "",
            year,
            "绵阳市人力资源和社会保障局",
            f"川人社函〔{year}〕88号",
            date(year, 12, 10),
        ),
    )
    await _honour(
        chengdu,
        keyring,
        0,
        honours.HonourContent(
            HonourTitle.CITY,
            "成都工匠",
            year,
            "成都市锦江区人力资源和社会保障局",
            f"成人社发〔{year}〕15号",
            date(year, 11, 28),
        ),
    )

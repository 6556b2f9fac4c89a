"""The demo priority groups (issue 27), recorded through the real service: demo worker-1 (Chengdu)
is a migrant worker and a village craftsman (recorded by ``officer-chengdu``); worker-2
(Mianyang) a college graduate and, sensitive, a person with a disability (recorded by the
province's ``officer-sichuan``: the agency sees it only with a purpose). The voucher demo's
``成都市重点群体就业技能培训券`` is aimed at migrant workers, so worker-1 is eligible. Loading
twice changes nothing: an open membership of a group is recorded once (a repeat is refused and
skipped).
"""

from __future__ import annotations

import contextlib
from datetime import date

from portfolio.accounts import Actor, actor_of, find_login
from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_1, DEMO_ARCHIVE_WORKER_2
from portfolio.errors import Conflict
from portfolio.keyring import Keyring
from portfolio.priority import service
from portfolio.vocabulary import PriorityGroup

# (worker, officer, group, source, since)
_MEMBERSHIPS = (
    (
        DEMO_ARCHIVE_WORKER_1,
        "officer-chengdu",
        PriorityGroup.MIGRANT_WORKER,
        "农民工实名制登记（锦江区就业服务中心）",
        date(2023, 3, 1),
    ),
    (
        DEMO_ARCHIVE_WORKER_1,
        "officer-chengdu",
        PriorityGroup.VILLAGE_CRAFTSMAN,
        "成都市乡村工匠认定（成人社发〔2025〕9号，竹编）",
        date(2025, 6, 1),
    ),
    (
        DEMO_ARCHIVE_WORKER_2,
        "officer-sichuan",
        PriorityGroup.COLLEGE_GRADUATE,
        "高校毕业生就业登记（西南科技大学，2024届）",
        date(2024, 7, 1),
    ),
    (
        DEMO_ARCHIVE_WORKER_2,
        "officer-sichuan",
        PriorityGroup.DISABLED,
        "中华人民共和国残疾人证（四级）",
        date(2022, 9, 15),
    ),
)


async def _actor(username: str, keyring: Keyring) -> Actor | None:
    found = await find_login(username, keyring)
    return actor_of(found) if found is not None else None


async def ensure_demo_priority(*, keyring: Keyring) -> None:
    """The demo memberships (after the demo archives and officers)."""
    for archive_id, username, group, source, since in _MEMBERSHIPS:
        actor = await _actor(username, keyring)
        if actor is None:
            continue
        with contextlib.suppress(Conflict):
            await service.record(
                actor=actor,
                keyring=keyring,
                archive_id=archive_id,
                group=group,
                source=source,
                since=since,
            )

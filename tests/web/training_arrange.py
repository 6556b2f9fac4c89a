"""Objects of one worker for the page tests of training, vouchers and apprenticeships.

Each ``arrange_*`` makes, through the JSON API of the in-process app, an object of a worker
whose account is ``owner`` (a principal the test made) and returns the page that shows it: the
shape of ``PageCrossOwnerCase.arrange`` (tests/web/test_page_access.py). The agency registers
a real worker (an archive), and ``owner``'s account is bound to that archive, as activation
binds a worker's login.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.documents import Principal
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.apprenticeships.factories import PersonRef, create, employment_at, make_world, step
from tests.helpers import LoggedIn, log_in_as
from tests.training.factories import COURSE, credit_code, during_session, sessions
from tests.vouchers.factories import issued, make_policy
from tests.workers.factories import Registered, register

_serial = itertools.count(1)


async def bind_account(owner: Principal, archive_id: str) -> None:
    """Bind ``owner``'s worker account to ``archive_id`` (what activation does)."""
    stored = await Principal.get(owner.id)
    assert stored is not None
    await stored.set({"archive_id": archive_id, "binding_key": f"archive:{archive_id}"})


@dataclass(frozen=True)
class Class:
    """A provider's open class and the worker's enrolment in it (with its provider user)."""

    provider: LoggedIn
    run_id: str
    enrolment_id: str


async def worker_of(
    web: AsyncClient, settings: Settings, owner: Principal
) -> tuple[LoggedIn, Registered]:
    """A worker registered by a new agency of Chengdu, with ``owner`` as their account."""
    agency = await log_in_as(web, settings, Role.AGENCY, region_prefix="5101")
    registered = await register(web, agency, name="王测试")
    await bind_account(owner, registered.archive_id)
    return agency, registered


async def open_class(
    web: AsyncClient, agency: LoggedIn, settings: Settings
) -> tuple[LoggedIn, str]:
    """A provider of Chengdu with a class starting in ten days: (its user, the run's id)."""
    made = await web.post(
        "/providers",
        json={
            "name": f"页面测试学校 {next(_serial)}",
            "credit_code": credit_code("510104"),
            "kind": "training_institution",
            "region_code": "510104",
        },
        headers=agency.headers,
    )
    assert made.status_code == 201, made.text
    provider = await log_in_as(web, settings, Role.PROVIDER, organisation_id=made.json()["id"])
    course = await web.post("/courses", json=COURSE, headers=provider.headers)
    assert course.status_code == 201, course.text
    start = clock.china_today() + timedelta(days=10)
    run = await web.post(
        f"/courses/{course.json()['id']}/runs",
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=3)).isoformat(),
            "capacity": 30,
            "location": "成都市武侯区实训楼",
            "trainers": ["李师傅"],
            "sessions": sessions(start, 4),
        },
        headers=provider.headers,
    )
    assert run.status_code == 201, run.text
    return provider, run.json()["id"]


async def enrolled_class(
    web: AsyncClient, settings: Settings, owner: Principal, *, start: bool = False
) -> Class:
    """``owner``'s worker enrolled (accepted; in training with ``start``) in an open class."""
    agency, registered = await worker_of(web, settings, owner)
    provider, run_id = await open_class(web, agency, settings)
    enrolled = await web.post(
        f"/runs/{run_id}/enrolments",
        json={"id_number": registered.id_number, "name": "王测试", "accept": True},
        headers=provider.headers,
    )
    assert enrolled.status_code == 201, enrolled.text
    enrolment_id = enrolled.json()["id"]
    if start:
        started = await web.post(
            f"/enrolments/{enrolment_id}/start", json={}, headers=provider.headers
        )
        assert started.status_code == 200, started.text
    return Class(provider, run_id, enrolment_id)


async def record_presence(web: AsyncClient, found: Class, session_n: int = 1) -> str:
    """The provider records the worker's presence (unconfirmed); the record's id.

    The clock moves into session ``session_n`` and stays there (attendance is taken while a
    session runs; the worker answers during the class)."""
    run = await web.get(f"/runs/{found.run_id}", headers=found.provider.headers)
    assert run.status_code == 200, run.text
    clock.travel_to(max(clock.now(), during_session(run.json(), session_n)))
    recorded = await web.post(
        f"/enrolments/{found.enrolment_id}/attendance",
        json={"session_n": session_n, "hours": 4, "capture_method": "manual"},
        headers=found.provider.headers,
    )
    assert recorded.status_code == 201, recorded.text
    record_id: str = recorded.json()["id"]
    return record_id


async def issued_voucher(web: AsyncClient, settings: Settings, owner: Principal) -> dict[str, Any]:
    """A skill-upgrading voucher of Chengdu issued to ``owner``'s worker."""
    agency, registered = await worker_of(web, settings, owner)
    policy = await make_policy(web, agency, training_types=["skill_upgrading"])
    return await issued(web, agency, policy["id"], registered.archive_id)


async def approved_agreement(
    web: AsyncClient, settings: Settings, owner: Principal
) -> dict[str, Any]:
    """An apprenticeship of ``owner``'s worker that the three parties approved."""
    world = await make_world(web, settings)
    registered = await register(web, world.agency, name="张学徒")
    employed = await web.post(
        f"/workers/{registered.archive_id}/employment",
        json=employment_at(world.enterprise),
        headers=world.agency.headers,
    )
    assert employed.status_code == 201, employed.text
    await bind_account(owner, registered.archive_id)
    created = await create(web, world, PersonRef(registered.id_number, "张学徒"))
    assert created.status_code == 201, created.text
    agreement: dict[str, Any] = created.json()
    for who in (world.enterprise.user, world.institution.user, world.agency):
        approved = await step(web, who, agreement["id"], "approve")
        assert approved.status_code == 200, approved.text
        agreement = approved.json()
    assert agreement["status"] == "approved"
    return agreement


# The shape of PageCrossOwnerCase.arrange: the page that shows the object.


async def arrange_class(web: AsyncClient, settings: Settings, owner: Principal) -> str:
    """The page of ``owner``'s class."""
    return f"/my/training/{(await enrolled_class(web, settings, owner)).enrolment_id}"


async def arrange_voucher(web: AsyncClient, settings: Settings, owner: Principal) -> str:
    """The page of ``owner``'s voucher."""
    return f"/my/vouchers/{(await issued_voucher(web, settings, owner))['id']}"


async def arrange_agreement(web: AsyncClient, settings: Settings, owner: Principal) -> str:
    """The page of ``owner``'s apprenticeship agreement."""
    return f"/my/apprenticeships/{(await approved_agreement(web, settings, owner))['id']}"

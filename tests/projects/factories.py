"""Factories for project tests: an officer, a provider's class of trained workers, a project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

from httpx import AsyncClient, Response

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import LoggedIn, log_in_as
from tests.training.factories import Provider, make_course, make_provider, make_run
from tests.vouchers.claim_factories import during
from tests.vouchers.factories import enrol
from tests.workers.factories import Worker, registered_worker

SESSIONS = 4


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": uuid4().hex}


async def officer(client: AsyncClient, runtime: Runtime, region: str = "5101") -> LoggedIn:
    """An officer of the agency of ``region``."""
    return await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix=region, staff_role=StaffRole.OFFICER
    )


@dataclass(frozen=True)
class Class:
    """An officer of 5101, a provider's run and the workers enrolled in it."""

    officer: LoggedIn
    provider: Provider
    run: dict[str, Any]
    workers: list[Worker]
    enrolment_ids: list[str]


async def make_class(client: AsyncClient, runtime: Runtime, size: int = 2) -> Class:
    """A provider's run (next week) with ``size`` workers of 5101 enrolled, not yet trained."""
    agency = await officer(client, runtime)
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"], start=clock.china_today() + timedelta(7))
    workers, enrolments = [], []
    for _ in range(size):
        worker = await registered_worker(client, agency)
        workers.append(worker)
        enrolments.append((await enrol(client, provider, run["id"], worker))["id"])
    return Class(agency, provider, run, workers, enrolments)


async def train(client: AsyncClient, made: Class, *, sessions: int = SESSIONS) -> None:
    """Every worker attends ``sessions`` sessions (entered by the provider, confirmed by the
    worker) and passes; the clock goes back to where it was."""
    provider = made.provider.user.headers
    for worker, enrolment_id in zip(made.workers, made.enrolment_ids, strict=True):
        started = await client.post(f"/enrolments/{enrolment_id}/start", headers=provider)
        assert started.status_code == 200, started.text
        for n in range(1, sessions + 1):
            with clock.stopped_at(during(made.run, n)):
                recorded = await client.post(
                    f"/enrolments/{enrolment_id}/attendance",
                    json={"session_n": n, "hours": 4, "capture_method": "manual"},
                    headers=provider,
                )
                assert recorded.status_code == 201, recorded.text
                confirmed = await client.post(
                    f"/me/attendance/{recorded.json()['id']}/confirm", headers=worker.headers
                )
                assert confirmed.status_code == 200, confirmed.text
        with clock.stopped_at(during(made.run, len(made.run["sessions"])) + timedelta(hours=6)):
            done = await client.post(
                f"/enrolments/{enrolment_id}/completion",
                json={"result": "passed"},
                headers=provider,
            )
        assert done.status_code == 200, done.text


def project_body(made: Class, **changes: Any) -> dict[str, Any]:
    """A project of 30,000 yuan for the class: start (attendance 50%), completion (2 passed)."""
    return {
        "name": "成都市川菜烹饪项目制培训",
        "organisation_id": made.provider.organisation_id,
        "funding_source": "employment_subsidy",
        "budget_fen": 3_000_000,
        "run_ids": [made.run["id"]],
        "milestones": [
            {
                "name": "开班",
                "amount_fen": 1_000_000,
                "condition": "attendance_rate",
                "threshold": 50,
            },
            {
                "name": "结业",
                "amount_fen": 2_000_000,
                "condition": "completions",
                "threshold": 2,
            },
        ],
        **changes,
    }


async def create(client: AsyncClient, made: Class, **changes: Any) -> Response:
    """``POST /projects`` by the class's officer (raw response)."""
    return await client.post(
        "/projects", json=project_body(made, **changes), headers={**made.officer.headers, **key()}
    )


async def claim(client: AsyncClient, made: Class, project_id: str, n: int) -> Response:
    """The provider claims milestone ``n`` (raw response)."""
    return await client.post(
        f"/projects/{project_id}/milestones/{n}/claim",
        json={"note": "按计划完成"},
        headers={**made.provider.user.headers, **key()},
    )


async def decide(
    client: AsyncClient, who: LoggedIn, project_id: str, n: int, **body: Any
) -> Response:
    """An officer's decision (approve by default; raw response)."""
    return await client.post(
        f"/projects/{project_id}/milestones/{n}/decision",
        json={"decision": "approve", **body},
        headers={**who.headers, **key()},
    )

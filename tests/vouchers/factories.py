"""Plain factories for voucher tests: a policy, workers, a provider's class, vouchers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Actor, Role
from portfolio.accounts.sessions import actor_of
from portfolio.keyring import Keyring
from portfolio.vouchers import issuance
from portfolio.vouchers.views import VoucherView
from tests.helpers import LoggedIn, log_in_as
from tests.training.factories import Provider, make_course, make_provider, make_run
from tests.workers.factories import Worker, registered_worker

POLICY: dict[str, Any] = {
    "name": "成都市职业技能培训券",
    "training_types": ["employment_skills"],
    "brands": [],
    "occupation_codes": [],
    "face_value_fen": 100_000,
    "validity_days": 180,
    "quantity": 100,
    "rules": {"min_age": 16, "max_age": 60},
}


async def make_policy(client: AsyncClient, agency: LoggedIn, **changes: Any) -> dict[str, Any]:
    """A published policy of ``agency`` (by default: Chengdu's, employment skills, 1,000 yuan)."""
    response = await client.post(
        "/voucher-policies", json={**POLICY, **changes}, headers=agency.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def issue(
    client: AsyncClient, agency: LoggedIn, policy_id: str, worker_id: str, **extra: Any
) -> Any:
    """``POST /vouchers``; the raw response."""
    return await client.post(
        "/vouchers",
        json={"policy_id": policy_id, "worker_id": worker_id, **extra},
        headers=agency.headers,
    )


async def issued(
    client: AsyncClient, agency: LoggedIn, policy_id: str, worker_id: str
) -> dict[str, Any]:
    """A voucher issued through HTTP (asserts 201)."""
    response = await issue(client, agency, policy_id, worker_id)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def actor(logged_in: LoggedIn) -> Actor:
    """The domain actor of a logged-in principal (for service calls that fix the time)."""
    return actor_of(logged_in.principal)


async def issued_back_then(
    agency: LoggedIn,
    policy_id: str,
    worker_id: str,
    *,
    keyring: Keyring,
    ends_in: timedelta,
    validity_days: int,
) -> VoucherView:
    """A voucher issued as of a past moment chosen so that it ends ``ends_in`` from now
    (negative: already past its end, not swept)."""
    moment = datetime.now(UTC) + ends_in - timedelta(days=validity_days)
    return await issuance.issue(
        actor=actor(agency), keyring=keyring, policy_id=policy_id, worker_id=worker_id, now=moment
    )


@dataclass(frozen=True)
class World:
    """An agency of 5101, its policy, a worker of its region, and a provider's class."""

    agency: LoggedIn
    policy: dict[str, Any]
    worker: Worker
    provider: Provider
    course: dict[str, Any]
    run: dict[str, Any]
    # For service calls that open the worker's sealed birth date (eligibility).
    keyring: Keyring


async def make_world(client: AsyncClient, runtime: Runtime, **policy: Any) -> World:
    """Everything a voucher needs to walk its life cycle."""
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    made = await make_policy(client, agency, **policy)
    worker = await registered_worker(client, agency)
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    # A week ahead: vouchers issued now are issued before the first session (the time rule).
    run = await make_run(client, provider, course["id"], start=clock.china_today() + timedelta(7))
    return World(agency, made, worker, provider, course, run, runtime.keyring)


async def enrol(
    client: AsyncClient, provider: Provider, run_id: str, worker: Worker
) -> dict[str, Any]:
    """The worker enrolled (accepted) in the run by its provider."""
    response = await client.post(
        f"/runs/{run_id}/enrolments",
        json={
            "id_type": "resident_id",
            "id_number": worker.registered.id_number,
            "name": worker.registered.body["worker"]["identity"]["name"],
            "accept": True,
        },
        headers=provider.user.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body

"""Factories for claims and redemption: vouchers bound to a passed, fully attended training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

from api.runtime import Runtime
from portfolio import clock
from tests.training.factories import after_run, during_session
from tests.vouchers.factories import World, enrol, issued, make_world
from tests.workers.factories import Worker, registered_worker

SESSIONS = 4  # the default run: four sessions of 4 hours; the course plans 16 hours


@dataclass(frozen=True)
class Trained:
    """A worker's voucher bound to their enrolment in the world's run, and the enrolment."""

    worker: Worker
    voucher_id: str
    enrolment_id: str


async def train(
    client: AsyncClient,
    world: World,
    worker: Worker,
    *,
    confirmed_sessions: int = SESSIONS,
    worker_confirms: int = 0,
    result: str | None = "passed",
) -> Trained:
    """Issue, bind (by the worker), start, attend and complete; no claim yet.

    ``confirmed_sessions`` sessions are checked in by face; ``worker_confirms`` more are
    entered by hand and confirmed by the worker. ``result`` None leaves the training running.
    """
    voucher = await issued(client, world.agency, world.policy["id"], worker.archive_id)
    enrolment = await enrol(client, world.provider, world.run["id"], worker)
    provider = world.provider.user.headers
    bound = await client.post(
        f"/vouchers/{voucher['id']}/bind",
        json={"enrolment_id": enrolment["id"]},
        headers=worker.headers,
    )
    assert bound.status_code == 200, bound.text
    started = await client.post(f"/enrolments/{enrolment['id']}/start", headers=provider)
    assert started.status_code == 200, started.text
    for n in range(1, confirmed_sessions + worker_confirms + 1):
        manual = n > confirmed_sessions
        # Each session's attendance is taken while it runs (the time rules refuse it before).
        with clock.stopped_at(during_session(world.run, n)):
            recorded = await client.post(
                f"/enrolments/{enrolment['id']}/attendance",
                json={
                    "session_n": n,
                    "hours": 4,
                    "capture_method": "manual" if manual else "face",
                    "check_in_ref": "" if manual else f"face-{n}",
                },
                headers=provider,
            )
        assert recorded.status_code == 201, recorded.text
        if manual:
            confirmed = await client.post(
                f"/me/attendance/{recorded.json()['id']}/confirm", headers=worker.headers
            )
            assert confirmed.status_code == 200, confirmed.text
    if result is not None:
        # Completed once the last session is over; the clock stays after the run.
        clock.travel_to(max(clock.now(), after_run(world.run)))
        done = await client.post(
            f"/enrolments/{enrolment['id']}/completion",
            json={"result": result},
            headers=provider,
        )
        assert done.status_code == 200, done.text
    return Trained(worker, voucher["id"], enrolment["id"])


async def claim(
    client: AsyncClient, world: World, voucher_id: str, amount: Any = 80_000, **extra: Any
) -> Response:
    """``POST /vouchers/{id}/claim`` as the world's provider; the raw response."""
    return await client.post(
        f"/vouchers/{voucher_id}/claim",
        json={"amount_fen": amount, **extra},
        headers=world.provider.user.headers,
    )


async def claimed_vouchers(
    client: AsyncClient, runtime: Runtime, count: int, *, amounts: list[int] | None = None
) -> tuple[World, list[Trained]]:
    """``count`` workers of one world, each with a claimed voucher (amounts in fen)."""
    world = await make_world(client, runtime)
    trained = []
    for i in range(count):
        worker = await registered_worker(client, world.agency)
        made = await train(client, world, worker)
        amount = amounts[i] if amounts else 80_000
        response = await claim(client, world, made.voucher_id, amount)
        assert response.status_code == 200, response.text
        trained.append(made)
    return world, trained

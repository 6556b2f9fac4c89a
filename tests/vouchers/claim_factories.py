"""Factories for claims and redemption: vouchers bound to a passed, fully attended training."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from httpx import AsyncClient, Response

from api.runtime import Runtime
from portfolio import clock
from portfolio.training.evidence import session_start
from tests.training.factories import make_run
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
    run: dict[str, Any] | None = None,
    confirm_face: bool = True,
) -> Trained:
    """Issue, bind (by the worker), start, attend and complete; no claim yet.

    ``confirmed_sessions`` sessions are checked in by face and confirmed by the worker (a
    face check-in the provider reports counts only then; ``confirm_face`` False leaves them
    awaiting the worker); ``worker_confirms`` more are entered by hand and confirmed.
    ``result`` None leaves the training running.
    The voucher is issued now, before the class (``run``, default the world's) begins; each
    session's attendance is recorded with the clock at that session, the completion after the
    last, and the clock is back where it was for what follows.
    """
    run = run or world.run
    voucher = await issued(client, world.agency, world.policy["id"], worker.archive_id)
    enrolment = await enrol(client, world.provider, run["id"], worker)
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
        with clock.stopped_at(during(run, n)):
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
            if manual or confirm_face:
                confirmed = await client.post(
                    f"/me/attendance/{recorded.json()['id']}/confirm", headers=worker.headers
                )
                assert confirmed.status_code == 200, confirmed.text
    if result is not None:
        with clock.stopped_at(during(run, len(run["sessions"])) + timedelta(hours=6)):
            done = await client.post(
                f"/enrolments/{enrolment['id']}/completion",
                json={"result": result},
                headers=provider,
            )
        assert done.status_code == 200, done.text
    return Trained(worker, voucher["id"], enrolment["id"])


def during(run: dict[str, Any], n: int) -> datetime:
    """An hour into session ``n`` of ``run`` (China time)."""
    session = run["sessions"][n - 1]
    start = session_start(date.fromisoformat(session["day"]), session["start"])
    return start + timedelta(hours=1)


async def claim(
    client: AsyncClient,
    world: World,
    voucher_id: str,
    amount: Any = 80_000,
    *,
    attest: bool = True,
    **extra: Any,
) -> Response:
    """``POST /vouchers/{id}/claim`` as the world's provider; the raw response. A claim made
    is then attested by an officer who saw the worker at the counter (``attest``), so it may
    be decided at once."""
    response = await client.post(
        f"/vouchers/{voucher_id}/claim",
        json={"amount_fen": amount, **extra},
        headers=world.provider.user.headers,
    )
    if attest and response.status_code == 200:
        seen = await client.post(
            f"/vouchers/{voucher_id}/attestation/counter",
            json={"note": "身份证核验"},
            headers=world.agency.headers,
        )
        assert seen.status_code == 200, seen.text
    return response


async def claimed_vouchers(
    client: AsyncClient,
    runtime: Runtime,
    count: int,
    *,
    amounts: list[int] | None = None,
    **policy: Any,
) -> tuple[World, list[Trained]]:
    """``count`` workers of one world, each with a claimed voucher (amounts in fen). Each
    trains in a class of their own: one register of many workers all present at every
    session, checked in by the provider alone, is what a fraud rule looks for. ``policy``
    changes the world's policy."""
    world = await make_world(client, runtime, **policy)
    trained = []
    for i in range(count):
        worker = await registered_worker(client, world.agency)
        run = world.run
        if i:
            start = date.fromisoformat(world.run["start_date"])
            run = await make_run(client, world.provider, world.course["id"], start=start)
        made = await train(client, world, worker, run=run)
        amount = amounts[i] if amounts else 80_000
        response = await claim(client, world, made.voucher_id, amount)
        assert response.status_code == 200, response.text
        trained.append(made)
    return world, trained

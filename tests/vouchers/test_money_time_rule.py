"""The voucher time rule: a voucher pays only for a class that starts after its issue (or
within the policy's retroactive window) and before its end; historical training never."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.training.documents import Enrolment
from portfolio.training.evidence import RunFacts, SessionSlot
from portfolio.vouchers.documents import ClaimTerms, Voucher
from portfolio.vouchers.timing import time_problems
from tests.helpers import assert_problem
from tests.training.factories import during_session, make_run
from tests.vouchers.claim_factories import Trained, claim, train
from tests.vouchers.factories import make_world


def _rules(response: Any) -> set[str]:
    return {e["rule"] for e in response.json()["errors"]}


async def _past_class(
    client: AsyncClient, world: Any, days_ago: int, *, count: int = 4
) -> dict[str, Any]:
    start = clock.china_today() - timedelta(days=days_ago)
    run: dict[str, Any] = await make_run(
        client, world.provider, world.course["id"], start=start, at="19:00", count=count
    )
    return run


async def _trained_from(
    client: AsyncClient, world: Any, run: dict[str, Any], session_n: int
) -> Trained:
    """The voucher issued, and the worker enrolled, while session ``session_n`` of the past
    ``run`` was under way (the time rules let nobody into a class that has ended); the
    training then goes on as it did, and the claim comes now, after it."""
    with clock.stopped_at(during_session(run, session_n)):
        return await train(client, world, world.worker, run=run)


async def test_a_voucher_issued_after_the_class_began_does_not_pay(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    run = await _past_class(client, world, 40)
    made = await _trained_from(client, world, run, 1)
    refused = await claim(client, world, made.voucher_id, 80_000)
    assert_problem(refused, 422)
    assert _rules(refused) == {"voucher_issued_after_training_start"}
    shown = await client.get(f"/vouchers/{made.voucher_id}", headers=world.agency.headers)
    assert shown.json()["status"] == "bound"  # nothing written


async def test_a_voucher_issued_before_the_class_pays(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)  # the class starts a week after the issue
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200


async def test_the_policys_retroactive_window_admits_a_class_begun_shortly_before(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, claim_terms={"retroactive_days": 30})
    assert world.policy["claim_terms"]["retroactive_days"] == 30
    inside = await _trained_from(client, world, await _past_class(client, world, 20), 1)
    assert (await claim(client, world, inside.voucher_id, 80_000)).status_code == 200


async def test_a_class_begun_before_the_retroactive_window_does_not_pay(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, claim_terms={"retroactive_days": 10})
    # A class of 15 daily sessions: the voucher comes on its 12th day, 11 days after it began.
    run = await _past_class(client, world, 40, count=15)
    outside = await _trained_from(client, world, run, 12)
    refused = await claim(client, world, outside.voucher_id, 80_000)
    assert _rules(refused) == {"voucher_issued_after_training_start"}


def test_a_class_starting_after_the_voucher_ends_does_not_pay() -> None:
    # A claim comes after the class, and a voucher past its end cannot be claimed at all; the
    # rule still names the case, for a claim the clock would let through.
    now = clock.now()
    run = RunFacts(
        "run",
        "org",
        (),
        (SessionSlot("run", 1, now + timedelta(days=40), now + timedelta(days=40, hours=4), ()),),
        historical=False,
    )
    voucher = Voucher.model_construct(valid_from=now, valid_until=now + timedelta(days=30))
    [problem] = time_problems(voucher, run, ClaimTerms())
    assert problem.rule == "training_after_voucher_end"
    in_time = Voucher.model_construct(valid_from=now, valid_until=now + timedelta(days=60))
    assert time_problems(in_time, run, ClaimTerms()) == []


async def test_historical_training_is_never_payable(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    # The historical import (time rules) marks an enrolment so; written here as it would.
    enrolment = await Enrolment.get(made.enrolment_id)
    assert enrolment is not None
    await Enrolment.get_pymongo_collection().update_one(
        {"_id": enrolment.id}, {"$set": {"historical": True}}
    )
    refused = await claim(client, world, made.voucher_id, 80_000)
    assert _rules(refused) == {"historical_not_payable"}

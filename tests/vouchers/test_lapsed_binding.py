"""Found by the state-machine test: a voucher past its end still holds its enrolment.

Issue 7: "a voucher past its end counts as expired in every check, whether or not a sweep has
marked it yet". A bound voucher that lapsed keeps ``binding_key`` on its enrolment until the
sweep marks it, so binding a fresh voucher to that enrolment is refused with 409 "another
voucher is bound to this enrolment already" although that voucher counts as expired. Issuing
already expires the lapsed holders of ``holding_key`` (issuance._expire_lapsed); bind does not
do the same for ``binding_key``. Now bind marks the lapsed holder expired first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Actor, Role
from portfolio.vouchers import issuance, transitions
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from tests.vouchers.factories import actor, enrol, issued, make_world


async def test_a_lapsed_voucher_does_not_keep_its_enrolment_from_a_fresh_one(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, rules={"one_unused_voucher": False})
    enrolment = await enrol(client, world.provider, world.run["id"], world.worker)
    # The fresh voucher first: issuing marks the worker's lapsed vouchers expired, which would
    # hide the case (in real time: B issued while A was still valid, A lapsed bound to the
    # enrolment, then B is bound to it before any sweep).
    fresh = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    back_then = datetime.now(UTC) - timedelta(days=182)
    lapsed = await issuance.issue(
        actor=actor(world.agency),
        keyring=world.keyring,
        policy_id=world.policy["id"],
        worker_id=world.worker.archive_id,
        now=back_then,
    )
    await transitions.bind(
        actor=Actor("test", "worker", Role.WORKER, archive_id=world.worker.archive_id),
        voucher_id=str(lapsed.id),
        enrolment_id=enrolment["id"],
        now=back_then + timedelta(days=1),
    )
    shown = await client.get(f"/vouchers/{lapsed.id}", headers=world.worker.headers)
    assert shown.json()["status"] == "expired"  # counts as expired, not yet swept
    bound = await client.post(
        f"/vouchers/{fresh['id']}/bind",
        json={"enrolment_id": enrolment["id"]},
        headers=world.worker.headers,
    )
    assert bound.status_code == 200, bound.text
    # The lapsed one is now marked expired in storage too (its expiry event written).
    stored = await Voucher.get(lapsed.id)
    assert stored is not None
    assert (stored.status, stored.last_event.action) == (
        VoucherStatus.EXPIRED,
        VoucherAction.EXPIRE,
    )

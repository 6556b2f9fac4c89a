"""The worker's attestation of a claim moves apart from the voucher's version: each answer is
a record of its own chain (``attestation:<voucher id>``), with the worker's words personal."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.audit_trail.trail_reading import auditor_of, lose_and_restore, records_of
from tests.helpers import log_in_as
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import make_world
from tests.workers.factories import registered_worker


async def test_a_dispute_and_the_counter_are_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    worker = await registered_worker(client, world.agency)
    made = await train(client, world, worker)
    claimed = await claim(client, world, made.voucher_id, attest=False)
    assert claimed.status_code == 200, claimed.text
    disputed = await client.post(
        f"/me/vouchers/{made.voucher_id}/attestation",
        json={"took_part": False, "words": "我没有参加"},
        headers=worker.headers,
    )
    assert disputed.status_code == 200, disputed.text
    seen = await client.post(
        f"/vouchers/{made.voucher_id}/attestation/counter",
        json={"note": "本人到窗口核验"},
        headers=world.agency.headers,
    )
    assert seen.status_code == 200, seen.text

    auditor = await auditor_of(client, runtime)
    records = await records_of(client, auditor, "attestation", made.voucher_id)
    assert [(r["version"], r["reason"]) for r in records] == [(2, "counter"), (1, "disputed")]
    assert (records[1]["before"]["attestation"], records[1]["after"]["words"]) == ("", "我没有参加")
    assert records[1]["role"] == "worker"
    assert records[0]["before"]["attestation"] == "disputed"
    assert records[0]["after"]["words"].endswith("本人到窗口核验")
    assert records[0]["principal_id"] == world.agency.id
    # The voucher's own chain did not move with it: its last record is the claim.
    [last, *_] = await records_of(client, auditor, "voucher", made.voucher_id)
    assert last["after"]["status"] == "claimed"
    root = await log_in_as(client, runtime.settings, Role.ADMIN)
    assert all(
        "words" not in r["after"]
        for r in await records_of(client, root, "attestation", made.voucher_id)
    )
    [restored] = await lose_and_restore([f"attestation:{made.voucher_id}:v2"])
    assert restored.after["attestation"] == "counter"

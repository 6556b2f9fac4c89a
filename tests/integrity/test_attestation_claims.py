"""The worker's attestation: a claim waits for the worker, a dispute holds it, an officer who
saw the worker at the counter settles it."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from tests.helpers import assert_problem
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import make_world


async def test_a_claim_waits_for_the_worker_then_pays_once_confirmed(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, attest=False)).status_code == 200
    agency = world.agency.headers
    held = await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=agency)
    assert "awaits the worker's attestation" in assert_problem(held, 409)["detail"]
    [item] = (await client.get("/claims", headers=agency)).json()["items"]
    assert item["review"]["attestation"] == "awaiting"
    assert item["review"]["attestation_due"] is not None

    said = await client.post(
        f"/me/vouchers/{made.voucher_id}/attestation",
        json={"took_part": True},
        headers=made.worker.headers,
    )
    assert said.status_code == 200, said.text
    again = await client.post(
        f"/me/vouchers/{made.voucher_id}/attestation",
        json={"took_part": False, "words": "改主意"},
        headers=made.worker.headers,
    )
    assert_problem(again, 409)  # the first answer stands
    paid = await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=agency)
    assert (paid.status_code, paid.json()["status"]) == (200, "redeemed")


async def test_a_dispute_holds_the_claim_with_the_workers_words(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, attest=False)).status_code == 200
    wordless = await client.post(
        f"/me/vouchers/{made.voucher_id}/attestation",
        json={"took_part": False},
        headers=made.worker.headers,
    )
    assert_problem(wordless, 422)
    disputed = await client.post(
        f"/me/vouchers/{made.voucher_id}/attestation",
        json={"took_part": False, "words": "我没有参加这个班，只在报名表上签过字"},
        headers=made.worker.headers,
    )
    assert disputed.status_code == 200, disputed.text
    agency = world.agency.headers
    [item] = (await client.get("/claims?disputed=true", headers=agency)).json()["items"]
    assert item["review"]["attestation"] == "disputed"
    assert item["review"]["attestation_words"].startswith("我没有参加")
    assert item["review"]["under_review"] is True
    # Clock past the wait: a dispute still holds.
    clock.advance(timedelta(days=30))
    held = await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=agency)
    assert "disputes" in assert_problem(held, 409)["detail"]
    # The provider sees that its claim is under review, not what the worker said.
    [mine] = (await client.get("/claims", headers=world.provider.user.headers)).json()["items"]
    assert mine["review"]["under_review"] is True
    assert (mine["review"]["attestation"], mine["review"]["attestation_words"]) == ("", "")
    rejected = await client.post(
        f"/vouchers/{made.voucher_id}/reject",
        json={"reason": "worker_not_confirmed"},
        headers=agency,
    )
    assert rejected.status_code == 200, rejected.text


async def test_an_officer_who_saw_the_worker_settles_it_at_the_counter(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, attest=False)).status_code == 200
    await client.post(
        f"/me/vouchers/{made.voucher_id}/attestation",
        json={"took_part": False, "words": "不记得了"},
        headers=made.worker.headers,
    )
    seen = await client.post(
        f"/vouchers/{made.voucher_id}/attestation/counter",
        json={"note": "本人持身份证到窗口确认参加了培训"},
        headers=world.agency.headers,
    )
    assert seen.status_code == 200, seen.text
    [item] = (await client.get("/claims", headers=world.agency.headers)).json()["items"]
    assert item["review"]["attestation"] == "counter"
    assert "不记得了" in item["review"]["attestation_words"]
    paid = await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=world.agency.headers)
    assert paid.status_code == 200, paid.text


async def test_after_the_wait_a_claim_is_decided_without_the_worker(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, claim_terms={"attestation_wait_days": 3})
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, attest=False)).status_code == 200
    agency = world.agency.headers
    assert_problem(await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=agency), 409)
    clock.advance(timedelta(days=3, minutes=1))
    paid = await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=agency)
    assert paid.status_code == 200, paid.text

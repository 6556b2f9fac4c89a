"""Four eyes: a flagged claim is approved only with the flags acknowledged in a note; a claim
above the policy's amount needs two approvals by two officers, one winner per step."""

from __future__ import annotations

import asyncio

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.audit.documents import AuditEvent
from tests.helpers import assert_problem, log_in_as
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import make_world


async def _officer(client: AsyncClient, runtime: Runtime) -> dict[str, str]:
    officer = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    return officer.headers


async def test_a_claim_above_the_amount_needs_two_different_officers(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, claim_terms={"two_approvals_above_fen": 50_000})
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    path = f"/vouchers/{made.voucher_id}/redeem"
    first = await client.post(path, json={"note": "材料齐全"}, headers=world.agency.headers)
    assert (first.status_code, first.json()["status"]) == (200, "claimed")
    same = await client.post(path, json={"note": "再批"}, headers=world.agency.headers)
    assert "second officer" in assert_problem(same, 409)["detail"]
    [item] = (await client.get("/claims", headers=world.agency.headers)).json()["items"]
    assert item["review"]["first_approved_by"] == str(world.agency.principal.id)
    second = await client.post(path, json={"note": "复核"}, headers=await _officer(client, runtime))
    assert (second.status_code, second.json()["status"]) == (200, "redeemed")
    steps = [
        e.details["step"]
        for e in await AuditEvent.find({"kind": "claim.approved", "target": made.voucher_id})
        .sort("+_id")
        .to_list()
    ]
    assert steps == ["first", "second"]


async def test_a_claim_at_or_below_the_amount_needs_one_approval(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, claim_terms={"two_approvals_above_fen": 80_000})
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    paid = await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=world.agency.headers)
    assert paid.json()["status"] == "redeemed"
    [event] = await AuditEvent.find({"kind": "claim.approved", "target": made.voucher_id}).to_list()
    assert event.details["step"] == "only"


async def test_one_winner_per_approval_step_under_concurrency(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, claim_terms={"two_approvals_above_fen": 50_000})
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    path = f"/vouchers/{made.voucher_id}/redeem"
    officers = [await _officer(client, runtime) for _ in range(6)]
    firsts = await asyncio.gather(*(client.post(path, headers=h) for h in officers[:3]))
    # One winner per step. Three requests racing for the first approval: one wins, the others
    # are refused; but on a loaded machine one may arrive after the first approval landed, and
    # is then rightly a second officer's approval. Never two of one step, never a third.
    assert all(a.status_code in (200, 409) for a in firsts), [a.text for a in firsts]
    won = sorted(a.json()["status"] for a in firsts if a.status_code == 200)
    assert won in (["claimed"], ["claimed", "redeemed"]), won
    seconds = await asyncio.gather(*(client.post(path, headers=h) for h in officers[3:]))
    assert all(a.status_code in (200, 409) for a in seconds), [a.text for a in seconds]
    paid = [a.json()["status"] for a in seconds if a.status_code == 200]
    assert paid == ([] if "redeemed" in won else ["redeemed"])
    approvals = await AuditEvent.find(
        {"kind": "claim.approved", "target": made.voucher_id}
    ).to_list()
    assert sorted(e.details["step"] for e in approvals) == ["first", "second"]

"""Funding source (issue 27): a policy names the fund that pays its vouchers, each redemption's
ledger entry carries it, entries stored before sources read "unspecified", and the money and
settlement reports total by fund."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.identity.identifiers import china_today
from portfolio.vouchers.ledger import LedgerEntry
from tests.helpers import assert_problem
from tests.vouchers.claim_factories import claimed_vouchers
from tests.vouchers.factories import POLICY, make_world


async def test_a_policy_names_its_fund_and_the_default_is_unspecified(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, funding_source="employment_subsidy")
    assert world.policy["funding_source"] == "employment_subsidy"
    plain = await client.post("/voucher-policies", json=POLICY, headers=world.agency.headers)
    assert plain.json()["funding_source"] == "unspecified"
    wrong = await client.post(
        "/voucher-policies",
        json={**POLICY, "funding_source": "lottery"},
        headers=world.agency.headers,
    )
    problem = assert_problem(wrong, 422)
    assert any(e["field"].endswith("funding_source") for e in problem["errors"]), problem


async def test_each_payment_carries_the_fund_and_reports_total_by_fund(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, trained = await claimed_vouchers(
        client, runtime, 2, amounts=[12_000, 30_000], funding_source="unemployment_insurance"
    )
    for made in trained:
        done = await client.post(
            f"/vouchers/{made.voucher_id}/redeem", headers=world.agency.headers
        )
        assert done.status_code == 200, done.text
    entry = await LedgerEntry.get(f"redeem:{trained[0].voucher_id}")
    assert entry is not None
    assert entry.funding_source == "unemployment_insurance"
    # An entry written before sources were recorded: stored without the field.
    old = entry.model_dump(by_alias=True)
    old.pop("funding_source")
    old.update({"_id": "redeem:old", "voucher_id": "old", "amount_fen": 5_000})
    await LedgerEntry.get_pymongo_collection().insert_one(old)
    stored = await LedgerEntry.get("redeem:old")
    assert stored is not None
    assert stored.funding_source == "unspecified"

    money = (await client.get("/claims/money", headers=world.agency.headers)).json()
    assert money["paid_fen"] == 47_000
    assert money["paid_by_source"] == [
        {"funding_source": "unemployment_insurance", "payments": 2, "amount_fen": 42_000},
        {"funding_source": "unspecified", "payments": 1, "amount_fen": 5_000},
    ]
    today = china_today(clock.now())
    params = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    settled = (await client.get("/settlements", params=params, headers=world.agency.headers)).json()
    assert settled["amount_fen"] == 47_000
    assert settled["sources"] == money["paid_by_source"]
    # Counted independently from the ledger's documents.
    by_fund: dict[str, int] = {}
    async for row in LedgerEntry.find_all():
        by_fund[row.funding_source] = by_fund.get(row.funding_source, 0) + row.amount_fen
    assert by_fund == {s["funding_source"]: s["amount_fen"] for s in settled["sources"]}

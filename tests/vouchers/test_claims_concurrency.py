"""Exactly-once redemption under concurrent requests (different keys, the same key, many
vouchers at once)."""

from __future__ import annotations

import asyncio
import random
import uuid

from httpx import AsyncClient, Response

from api.runtime import Runtime
from portfolio.archives.documents import ArchiveEntry
from portfolio.vouchers.documents import Voucher, VoucherEvent
from portfolio.vouchers.ledger import LedgerEntry
from tests.vouchers.claim_factories import claimed_vouchers


async def _redeem(client: AsyncClient, headers: dict[str, str], vid: str, key: str) -> Response:
    return await client.post(f"/vouchers/{vid}/redeem", headers={**headers, "Idempotency-Key": key})


async def _redeemed_entries(archive_id: str) -> list[ArchiveEntry]:
    return await ArchiveEntry.find({"archive_id": archive_id, "kind": "voucher_redeemed"}).to_list()


async def test_fifty_redemptions_with_different_keys_one_succeeds(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [made] = await claimed_vouchers(client, runtime, 1, amounts=[88_800])
    vid = made.voucher_id
    answers = await asyncio.gather(
        *(_redeem(client, world.agency.headers, vid, str(uuid.uuid4())) for _ in range(50))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 49, statuses
    ledger = await LedgerEntry.find({"voucher_id": vid}).to_list()
    assert [e.amount_fen for e in ledger] == [88_800]
    assert len(await _redeemed_entries(made.worker.archive_id)) == 1
    redeems = await VoucherEvent.find({"voucher_id": vid, "action": "redeem"}).to_list()
    assert len(redeems) == 1


async def test_fifty_redemptions_with_the_same_key_one_effect_identical_answers(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [made] = await claimed_vouchers(client, runtime, 1)
    vid = made.voucher_id
    key = str(uuid.uuid4())
    answers = await asyncio.gather(
        *(_redeem(client, world.agency.headers, vid, key) for _ in range(50))
    )
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["status"] == "redeemed"
    assert len(await LedgerEntry.find({"voucher_id": vid}).to_list()) == 1
    assert len(await _redeemed_entries(made.worker.archive_id)) == 1


async def test_two_hundred_redemptions_over_twenty_vouchers(
    client: AsyncClient, runtime: Runtime
) -> None:
    amounts = [10_000 + 1_111 * i for i in range(20)]
    world, trained = await claimed_vouchers(client, runtime, 20, amounts=amounts)
    requests = [made.voucher_id for made in trained for _ in range(10)]
    random.Random(8).shuffle(requests)
    answers = await asyncio.gather(
        *(_redeem(client, world.agency.headers, vid, str(uuid.uuid4())) for vid in requests)
    )
    wins = [a.json()["id"] for a in answers if a.status_code == 200]
    assert sorted(wins) == sorted(m.voucher_id for m in trained)
    assert {a.status_code for a in answers} == {200, 409}
    ids = [m.voucher_id for m in trained]
    redeemed = await Voucher.find({"status": "redeemed"}).to_list()
    assert sorted(str(v.id) for v in redeemed) == sorted(ids)
    ledger = await LedgerEntry.find({"voucher_id": {"$in": ids}}).to_list()
    assert len(ledger) == 20
    assert sum(e.amount_fen for e in ledger) == sum(amounts)
    for made in trained:
        assert len(await _redeemed_entries(made.worker.archive_id)) == 1

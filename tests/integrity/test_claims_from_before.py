"""A claim stored before the claim review existed (no flags, no attestation fields at all) is
given the review's defaults by the repair routine, run at start-up after an upgrade, and can
then be paid. Without that, the decision's conditional update, which names the attestation it
read, never matched it: an old claim could never be paid."""

from __future__ import annotations

from datetime import timedelta

from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.repair import repair
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.review_fields import REVIEW_FIELDS
from tests.vouchers.claim_factories import claimed_vouchers


async def _as_before_the_upgrade(voucher_id: str) -> None:
    await Voucher.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(voucher_id)}, {"$unset": dict.fromkeys(REVIEW_FIELDS, "")}
    )


async def test_an_old_claim_is_decidable_after_the_repair(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [old, fresh] = await claimed_vouchers(client, runtime, 2)
    await _as_before_the_upgrade(old.voucher_id)
    stored = Voucher.get_pymongo_collection()
    raw = await stored.find_one({"_id": PydanticObjectId(old.voucher_id)})
    assert raw is not None
    assert "attestation" not in raw

    agency = world.agency.headers
    refused = await client.post(f"/vouchers/{old.voucher_id}/redeem", headers=agency)
    assert refused.status_code == 409, refused.text

    report = await repair(grace=timedelta(0))
    assert report.claims_given_review_fields == 1
    assert (await repair(grace=timedelta(0))).claims_given_review_fields == 0
    for made in (old, fresh):
        paid = await client.post(f"/vouchers/{made.voucher_id}/redeem", headers=agency)
        assert paid.status_code == 200, paid.text
        assert paid.json()["status"] == "redeemed"

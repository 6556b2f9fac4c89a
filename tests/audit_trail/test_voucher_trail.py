"""A voucher's life after its issue is in the change trail: who bound it, who claimed what,
which officer paid it, with the state before and after; an auditor of the region reads it, the
service admin reads it without the worker's name; a change whose record a crash lost is
restored by the repair routine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import audit, clock
from portfolio.accounts.principal import Role, StaffRole
from portfolio.audit import ChangeRecord
from portfolio.repair import repair
from portfolio.vouchers.documents import Voucher
from tests.helpers import LoggedIn, log_in_as
from tests.vouchers.claim_factories import claimed_vouchers
from tests.vouchers.factories import POLICY, make_policy


async def _changes(client: AsyncClient, reader: LoggedIn, voucher_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/audit/changes",
        params={"object_kind": "voucher", "object_id": voucher_id},
        headers=reader.headers,
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_claim_from_bind_to_payment_is_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [made] = await claimed_vouchers(client, runtime, 1)
    paid = await client.post(
        f"/vouchers/{made.voucher_id}/redeem",
        json={"note": "材料齐全"},
        headers=world.agency.headers,
    )
    assert paid.status_code == 200, paid.text

    auditor = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.AUDITOR
    )
    records = await _changes(client, auditor, made.voucher_id)
    steps = [(r["before"]["status"], r["after"]["status"]) for r in reversed(records)]
    assert steps == [("issued", "bound"), ("bound", "claimed"), ("claimed", "redeemed")]
    redeemed = records[0]
    assert redeemed["principal_id"] == world.agency.id
    assert redeemed["reason"] == "材料齐全"
    assert redeemed["after"]["redeemed_amount_fen"] == 80_000
    assert redeemed["after"]["worker_name"].endswith("*")
    claimed = records[1]
    assert claimed["principal_id"] == world.provider.user.id
    assert claimed["after"]["claimed_amount_fen"] == 80_000

    root = await log_in_as(client, runtime.settings, Role.ADMIN)
    for record in await _changes(client, root, made.voucher_id):
        assert "worker_name" not in record["after"]
    other_region = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5107", staff_role=StaffRole.AUDITOR
    )
    assert await _changes(client, other_region, made.voucher_id) == []


async def test_a_voucher_change_whose_record_was_lost_is_restored(
    client: AsyncClient, runtime: Runtime
) -> None:
    _, [made] = await claimed_vouchers(client, runtime, 1)
    voucher = await Voucher.get(PydanticObjectId(made.voucher_id))
    assert voucher is not None
    # The process died after the claim's update, before its record.
    await ChangeRecord.get_pymongo_collection().delete_one(
        {"_id": f"voucher:{made.voucher_id}:v{voucher.version}"}
    )
    # (A few seconds on: the store compares dates to the second.)
    report = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=5))
    assert report.trail_records_restored == 1
    restored = await ChangeRecord.get(f"voucher:{made.voucher_id}:v{voucher.version}")
    assert restored is not None
    assert restored.after["status"] == "claimed"
    assert restored.restored
    again = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=6))
    assert again.trail_records_restored == 0
    assert await audit.check_chain(f"voucher:{made.voucher_id}") == []


async def test_each_version_of_a_policy_is_in_the_trail_with_its_change_note(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    first = await make_policy(client, agency)
    second = await client.post(
        f"/voucher-policies/{first['id']}/versions",
        json={**POLICY, "face_value_fen": 120_000, "change_note": "提高面值"},
        headers=agency.headers,
    )
    assert second.status_code == 201, second.text
    auditor = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.AUDITOR
    )
    response = await client.get(
        "/audit/changes",
        params={"object_kind": "voucher_policy", "object_id": first["id"]},
        headers=auditor.headers,
    )
    records = response.json()["items"]
    assert [r["version"] for r in records] == [2, 1]
    assert records[0]["reason"] == "提高面值"
    assert records[0]["principal_id"] == agency.id
    assert (records[0]["before"]["face_value_fen"], records[0]["after"]["face_value_fen"]) == (
        first["face_value_fen"],
        120_000,
    )
    assert records[1]["before"] is None
    assert await audit.check_chain(f"voucher_policy:{first['id']}") == []

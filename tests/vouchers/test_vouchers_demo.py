"""The demo data set has voucher policies and vouchers in every state, and loads idempotently."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.vouchers import demo, demo_fraud
from portfolio.vouchers.documents import VoucherEvent
from tests.helpers import auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def _mine(client: AsyncClient, username: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/me/vouchers", headers=await _headers(client, username))
    assert response.status_code == 200, response.text
    return {v["id"]: v for v in response.json()["items"]}


async def test_demo_vouchers_in_every_state_and_loading_twice_changes_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    events = await VoucherEvent.get_pymongo_collection().find({}, {"_id": 1}).to_list()
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    assert await VoucherEvent.get_pymongo_collection().find({}, {"_id": 1}).to_list() == events

    worker_1 = await _mine(client, "worker-1")
    worker_2 = await _mine(client, "worker-2")
    states = {vid: v["status"] for vid, v in {**worker_1, **worker_2}.items()}
    assert states == {
        demo.CANCELLED_VOUCHER: "cancelled",
        demo.EXPIRED_VOUCHER: "expired",
        demo.BOUND_VOUCHER_1: "bound",
        demo.CONSENTED_VOUCHER: "issued",
        demo.BOUND_VOUCHER_2: "bound",
        demo.ISSUED_VOUCHER: "issued",
        demo.REDEEMED_VOUCHER: "redeemed",
        demo.CLAIMED_VOUCHER: "claimed",
        # The dishonest provider's claims (portfolio/vouchers/demo_fraud.py).
        demo_fraud.FIRST_CLAIM: "claimed",
        demo_fraud.SECOND_CLAIM: "claimed",
    }
    assert worker_1[demo.CONSENTED_VOUCHER]["provider_may_bind"] is True
    assert worker_1[demo.BOUND_VOUCHER_1]["policy_version"] == 2
    assert worker_1[demo.EXPIRED_VOUCHER]["policy_version"] == 1
    assert all(v["grounds"] and all(g["passed"] for g in v["grounds"]) for v in worker_1.values())
    # The bound ones are bound to the training demo's classes, and their providers see them.
    provider_a = await _headers(client, "provider-a")
    seen = await client.get("/vouchers", headers=provider_a)
    assert {v["id"] for v in seen.json()["items"]} == {
        demo.BOUND_VOUCHER_1,
        demo.BOUND_VOUCHER_2,
        demo.REDEEMED_VOUCHER,
        demo.CLAIMED_VOUCHER,
    }

    sichuan = await _headers(client, "agency-sichuan")
    policies = (await client.get("/voucher-policies", headers=sichuan)).json()["items"]
    assert {(p["id"] if p["version_no"] == 1 else p["policy_key"]) for p in policies} == {
        demo.PROVINCE_POLICY,
        demo.MIANYANG_POLICY,
        demo.CHENGDU_POLICY,
        demo.CLAIMS_POLICY,
        demo_fraud.WELDING_POLICY,
        demo.PRIORITY_POLICY,
    }
    province = next(p for p in policies if p["policy_key"] == demo.PROVINCE_POLICY)
    assert (province["version_no"], province["face_value_fen"], province["issued"]) == (
        2,
        150_000,
        4,
    )
    # Mianyang's officer sees provider B's second claim flagged: a second claim in a year
    # under a one-a-year policy, attendance entered (as approved late corrections) long after.
    mianyang = await _headers(client, "agency-mianyang")
    second = await client.get(f"/claims/{demo_fraud.SECOND_CLAIM}", headers=mianyang)
    assert second.status_code == 200, second.text
    codes = {flag["code"] for flag in second.json()["review"]["flags"]}
    assert {"claimed_too_often", "late_attendance"} <= codes, codes
    history = await client.get(
        f"/vouchers/{demo.BOUND_VOUCHER_2}/events", headers=await _headers(client, "worker-2")
    )
    assert [e["action"] for e in history.json()] == ["issue", "bind"]

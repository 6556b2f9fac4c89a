"""Access rules of voucher policies, eligibility and vouchers.

Agencies publish, issue and cancel; a worker reads their own vouchers and eligibility, consents
and binds; a provider binds (with the worker's consent) and reads the vouchers bound to it.
The cross-owner cases here are an agency of another region; another provider and another
worker are refused in tests/vouchers/test_vouchers_access.py, which needs a real class and archives
(claims and decisions: tests/vouchers/test_claims.py).
"""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.access.matrix import Access, Call, CrossOwnerCase, Route, only
from tests.helpers import LoggedIn
from tests.vouchers.factories import POLICY
from tests.workers.factories import register

AGENCY = only(Role.AGENCY)
WORKER = only(Role.WORKER)
HOLDER_SIDE = only(Role.WORKER, Role.PROVIDER, Role.AGENCY)

ROUTES: dict[Route, Access] = {
    ("POST", "/voucher-policies"): AGENCY,
    ("GET", "/voucher-policies"): AGENCY,
    ("GET", "/voucher-policies/{policy_id}"): AGENCY,
    ("POST", "/voucher-policies/{policy_id}/versions"): AGENCY,
    ("GET", "/voucher-policies/{policy_id}/eligibility/{worker_id}"): AGENCY,
    ("GET", "/me/voucher-policies"): WORKER,
    ("GET", "/me/voucher-policies/{policy_id}/eligibility"): WORKER,
    ("POST", "/vouchers"): AGENCY,
    ("POST", "/vouchers/bulk"): AGENCY,
    ("POST", "/vouchers/expire"): only(Role.AGENCY, Role.ADMIN),
    ("GET", "/vouchers"): only(Role.PROVIDER, Role.AGENCY),
    ("GET", "/me/vouchers"): WORKER,
    ("GET", "/vouchers/{voucher_id}"): HOLDER_SIDE,
    ("GET", "/vouchers/{voucher_id}/events"): HOLDER_SIDE,
    ("POST", "/me/vouchers/{voucher_id}/consent"): WORKER,
    ("POST", "/vouchers/{voucher_id}/bind"): only(Role.WORKER, Role.PROVIDER),
    ("POST", "/vouchers/{voucher_id}/release"): HOLDER_SIDE,
    ("POST", "/vouchers/{voucher_id}/cancel"): AGENCY,
    ("POST", "/vouchers/{voucher_id}/claim"): only(Role.PROVIDER),
    ("POST", "/vouchers/{voucher_id}/redeem"): AGENCY,
    ("POST", "/vouchers/{voucher_id}/reject"): AGENCY,
    ("GET", "/claims"): only(Role.PROVIDER, Role.AGENCY),
    ("GET", "/claims/money"): only(Role.PROVIDER, Role.AGENCY),
    ("GET", "/claims/{voucher_id}"): only(Role.PROVIDER, Role.AGENCY),
    ("GET", "/settlements"): AGENCY,
    ("POST", "/claims/{voucher_id}/screening"): AGENCY,
    ("POST", "/me/vouchers/{voucher_id}/attestation"): WORKER,
    ("POST", "/vouchers/{voucher_id}/attestation/counter"): AGENCY,
}

# The owner is an agency of 5101 (the default binding); the other one is of 5107.
_OTHER_REGION = {Role.AGENCY: {"region_prefix": "5107"}}


async def _policy(client: AsyncClient, owner: LoggedIn) -> dict[str, Any]:
    response = await client.post("/voucher-policies", json=POLICY, headers=owner.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _voucher(client: AsyncClient, owner: LoggedIn) -> str:
    policy = await _policy(client, owner)
    worker = await register(client, owner)
    response = await client.post(
        "/vouchers",
        json={"policy_id": policy["id"], "worker_id": worker.archive_id},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    voucher_id: str = response.json()["id"]
    return voucher_id


async def _read_policy(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    return Call("GET", f"/voucher-policies/{(await _policy(client, owner))['id']}")


async def _new_version(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    policy = await _policy(client, owner)
    body = {**POLICY, "change_note": "提高面值"}
    return Call("POST", f"/voucher-policies/{policy['id']}/versions", body)


async def _eligibility(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    policy = await _policy(client, owner)
    worker = await register(client, owner)
    return Call("GET", f"/voucher-policies/{policy['id']}/eligibility/{worker.archive_id}")


async def _issue(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    policy = await _policy(client, owner)
    worker = await register(client, owner)
    return Call("POST", "/vouchers", {"policy_id": policy["id"], "worker_id": worker.archive_id})


async def _read_voucher(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    return Call("GET", f"/vouchers/{await _voucher(client, owner)}")


async def _events(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    return Call("GET", f"/vouchers/{await _voucher(client, owner)}/events")


async def _cancel(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    return Call("POST", f"/vouchers/{await _voucher(client, owner)}/cancel", {"reason": "错发"})


async def _redeem(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    # Not claimed: the owner reaches it and is told its state (409); another region: 404.
    return Call("POST", f"/vouchers/{await _voucher(client, owner)}/redeem", {})


async def _reject(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    voucher_id = await _voucher(client, owner)
    return Call("POST", f"/vouchers/{voucher_id}/reject", {"reason": "documents_missing"})


async def _read_claim(client: AsyncClient, settings: Settings, owner: LoggedIn) -> Call:
    return Call("GET", f"/claims/{await _voucher(client, owner)}")


CROSS_OWNER_CASES: list[CrossOwnerCase] = [
    CrossOwnerCase(
        "read another region's voucher policy", (Role.AGENCY,), _read_policy, 200, _OTHER_REGION
    ),
    CrossOwnerCase(
        "version another region's voucher policy", (Role.AGENCY,), _new_version, 201, _OTHER_REGION
    ),
    CrossOwnerCase(
        "eligibility under another region's policy",
        (Role.AGENCY,),
        _eligibility,
        200,
        _OTHER_REGION,
    ),
    CrossOwnerCase(
        "issue under another region's policy", (Role.AGENCY,), _issue, 201, _OTHER_REGION
    ),
    CrossOwnerCase(
        "read another region's voucher", (Role.AGENCY,), _read_voucher, 200, _OTHER_REGION
    ),
    CrossOwnerCase(
        "events of another region's voucher", (Role.AGENCY,), _events, 200, _OTHER_REGION
    ),
    CrossOwnerCase("cancel another region's voucher", (Role.AGENCY,), _cancel, 200, _OTHER_REGION),
    CrossOwnerCase("redeem another region's voucher", (Role.AGENCY,), _redeem, 409, _OTHER_REGION),
    CrossOwnerCase("reject another region's claim", (Role.AGENCY,), _reject, 409, _OTHER_REGION),
    CrossOwnerCase("read another region's claim", (Role.AGENCY,), _read_claim, 200, _OTHER_REGION),
]

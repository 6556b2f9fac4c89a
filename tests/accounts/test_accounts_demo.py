"""The demo data set: every listed login works, and loading it twice changes nothing."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import (
    DEMO_ASSESSMENT_BODY,
    DEMO_ENTERPRISE,
    DEMO_ORGANISATION_A,
    DEMO_ORGANISATION_B,
    DEMO_PASSWORD,
)
from tests.helpers import auth_headers, request_tokens

EXPECTED = {
    "admin": ("admin", {}),
    "agency-sichuan": ("agency", {"region_prefix": "51"}),
    "agency-chengdu": ("agency", {"region_prefix": "5101"}),
    "agency-mianyang": ("agency", {"region_prefix": "5107"}),
    "officer-chengdu": ("agency", {"region_prefix": "5101", "staff_role": "officer"}),
    "officer-sichuan": ("agency", {"region_prefix": "51", "staff_role": "officer"}),
    "reviewer-mianyang": ("agency", {"region_prefix": "5107", "staff_role": "reviewer"}),
    "provider-a": ("provider", {"organisation_id": DEMO_ORGANISATION_A}),
    "provider-b": ("provider", {"organisation_id": DEMO_ORGANISATION_B}),
    "enterprise": ("provider", {"organisation_id": DEMO_ENTERPRISE}),
    "assessor": ("provider", {"organisation_id": DEMO_ASSESSMENT_BODY}),
    "worker-1": ("worker", {"archive_id": "64d0000000000000000000a1"}),
    "worker-2": ("worker", {"archive_id": "64d0000000000000000000a2"}),
}


async def test_demo_logins_work_and_loading_is_idempotent(
    client: AsyncClient, runtime: Runtime
) -> None:
    first = await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    second = await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    assert first == second
    accounts = {login.username: login for login in first if login.username in EXPECTED}
    assert set(accounts) == set(EXPECTED)
    assert {login.password for login in accounts.values()} == {DEMO_PASSWORD}

    for username, (role, binding) in EXPECTED.items():
        tokens = await request_tokens(client, username, DEMO_PASSWORD)
        me = (await client.get("/me", headers=auth_headers(tokens["access_token"]))).json()
        assert (me["username"], me["role"]) == (username, role)
        assert {field: me[field] for field in binding} == binding

    admin = await request_tokens(client, "admin", DEMO_PASSWORD)
    listed = await client.get(
        "/admin/principals", params={"limit": 100}, headers=auth_headers(admin["access_token"])
    )
    # The second load added no duplicates. (An admin is not shown a worker's login name: the
    # worker accounts are told apart by their archive.)
    names = [p["username"] or p["archive_id"] for p in listed.json()["items"]]
    expected = [binding.get("archive_id", username) for username, (_, binding) in EXPECTED.items()]
    assert sorted(names) == sorted(expected)

"""The demo workers' logins open real archives, registered by the demo agencies of their regions."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap
from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_1, DEMO_ARCHIVE_WORKER_2, DEMO_PASSWORD
from tests.helpers import assert_problem, auth_headers, request_tokens


async def _headers(client: AsyncClient, username: str) -> dict[str, str]:
    return auth_headers((await request_tokens(client, username, DEMO_PASSWORD))["access_token"])


async def test_demo_workers_have_linked_archives_and_loading_twice_changes_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)

    expected = {
        # Registration and links, then the training demo's completions and certificates (and
        # worker-1's electrician certificate corrected); for
        # worker-2 also the apprenticeship demo's employment (unemployment closed, employment
        # added) and the apprenticeship's start.
        # worker-1: and the voucher demo's two paid classes plus the redeemed voucher, and the
        # 2018 class of the approved historical import.
        # worker-2: and the completions of the fraud demo's two welding classes.
        # Both: a competition result and an honour (the competitions and honours demos).
        # And the cross-border demo's decisions: worker-1's Chongqing certificate and Japanese
        # licence, worker-2's Australian certificate.
        "worker-1": (DEMO_ARCHIVE_WORKER_1, "510104", ["employment"], 3 + 5 + 3 + 1 + 2 + 2),
        "worker-2": (
            DEMO_ARCHIVE_WORKER_2,
            "510703",
            ["employment", "unemployment", "employment"],
            4 + 2 + 3 + 2 + 2 + 1,
        ),
    }
    for username, (archive_id, region, kinds, entry_count) in expected.items():
        headers = await _headers(client, username)
        archive = await client.get("/me/archive", headers=headers)
        assert archive.status_code == 200, archive.text
        worker = archive.json()["worker"]
        assert (worker["id"], worker["identity"]["region_code"]) == (archive_id, region)
        assert worker["account_state"] == "active"
        assert worker["social_security"] is not None
        assert [r["kind"] for r in worker["employment"]["registrations"]] == kinds
        assert worker["entry_count"] == entry_count  # the second load appended nothing
        verified = (await client.get("/me/archive/verify", headers=headers)).json()
        assert (verified["ok"], verified["head_seq"]) == (True, entry_count)

    chengdu = await _headers(client, "agency-chengdu")
    mianyang = await _headers(client, "agency-mianyang")
    sichuan = await _headers(client, "agency-sichuan")
    seen = await client.get(f"/workers/{DEMO_ARCHIVE_WORKER_1}", headers=chengdu)
    assert seen.status_code == 200, seen.text
    assert_problem(await client.get(f"/workers/{DEMO_ARCHIVE_WORKER_1}", headers=mianyang), 404)
    assert_problem(await client.get(f"/workers/{DEMO_ARCHIVE_WORKER_2}", headers=chengdu), 404)
    for archive_id in (DEMO_ARCHIVE_WORKER_1, DEMO_ARCHIVE_WORKER_2):
        response = await client.get(f"/workers/{archive_id}", headers=sichuan)
        assert response.status_code == 200, response.text

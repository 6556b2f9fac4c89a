"""A process killed in the middle of a redemption is finished exactly once at restart.

The demo is loaded first (its claimed voucher ``CLAIMED_VOUCHER``), then the service is
started with a fault point armed between the voucher's update and the ledger entry, or between
the ledger entry and the archive entry; the redemption request kills it there. The restarted
service runs the repair routine at start-up: one ledger entry, one archive entry.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest

from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.storage import free_port
from portfolio.vouchers.demo import CLAIMED_VOUCHER
from portfolio.vouchers.redemption import AFTER_LEDGER, AFTER_UPDATE
from tests.repair.test_repair import _login, _serve, _wait_ready


@pytest.mark.parametrize("point", [AFTER_UPDATE, AFTER_LEDGER])
def test_a_redemption_killed_halfway_is_completed_once_at_restart(
    tmp_path: Path, point: str
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    loading = _serve(tmp_path / "var", port)
    try:
        _wait_ready(loading, base_url)
    finally:
        loading.terminate()
        loading.wait(timeout=30)
    crashing = _serve(tmp_path / "var", port, **{FAULT_ENV: point})
    try:
        _wait_ready(crashing, base_url)
        with httpx.Client(base_url=base_url, timeout=10) as http:
            agency = _login(http, "agency-chengdu")
            with contextlib.suppress(httpx.HTTPError):  # it dies before answering
                http.post(
                    f"/vouchers/{CLAIMED_VOUCHER}/redeem",
                    headers={**agency, "Idempotency-Key": "crash-1"},
                )
        assert crashing.wait(timeout=30) == FAULT_EXIT_CODE
    finally:
        if crashing.poll() is None:
            crashing.kill()
            crashing.wait()

    restarted = _serve(tmp_path / "var", port)
    try:
        _wait_ready(restarted, base_url)
        with httpx.Client(base_url=base_url, timeout=10) as http:
            agency = _login(http, "agency-chengdu")
            voucher = http.get(f"/vouchers/{CLAIMED_VOUCHER}", headers=agency).json()
            assert voucher["status"] == "redeemed"
            amount = voucher["redeemed_amount_fen"]
            assert amount > 0
            # Another redemption is refused: the voucher is redeemed once and for all.
            again = http.post(
                f"/vouchers/{CLAIMED_VOUCHER}/redeem",
                headers={**agency, "Idempotency-Key": "after-restart"},
            )
            assert again.status_code == 409, again.text
            provider = _login(http, "provider-a")
            money = http.get("/claims/money", headers=provider).json()
            # The demo redeemed one voucher of provider A already; this is the second.
            assert money["vouchers_paid"] == 2
            paid = http.get("/claims", params={"status": "redeemed"}, headers=provider).json()[
                "items"
            ]
            assert money["paid_fen"] == sum(c["redeemed_amount_fen"] for c in paid)
            worker = _login(http, "worker-1")
            entries = http.get("/me/entries", params={"limit": 100}, headers=worker).json()
            mine = [
                e
                for e in entries["items"]
                if e["kind"] == "voucher_redeemed" and e["payload"]["voucher_id"] == CLAIMED_VOUCHER
            ]
            assert [e["payload"]["amount_fen"] for e in mine] == [amount]
            assert http.get("/me/archive/verify", headers=worker).json()["ok"] is True
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)

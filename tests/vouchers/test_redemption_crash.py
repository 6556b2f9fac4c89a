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

from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.vouchers.demo import CLAIMED_VOUCHER
from portfolio.vouchers.redemption import AFTER_LEDGER, AFTER_UPDATE
from tests.faults.serving import on_embedded_store
from tests.faults.workload import login


@pytest.mark.parametrize("point", [AFTER_UPDATE, AFTER_LEDGER])
def test_a_redemption_killed_halfway_is_completed_once_at_restart(
    tmp_path: Path, point: str
) -> None:
    served = on_embedded_store(tmp_path / "var")
    served.start()  # loads the demo (its own redemption would hit the fault point)
    served.stop()
    served.env[FAULT_ENV] = point
    try:
        served.start()
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            agency = login(http, "agency-chengdu", DEMO_PASSWORD)
            with contextlib.suppress(httpx.HTTPError):  # it dies before answering
                http.post(
                    f"/vouchers/{CLAIMED_VOUCHER}/redeem",
                    headers={**agency, "Idempotency-Key": "crash-1"},
                )
        assert served.process is not None
        assert served.process.wait(timeout=30) == FAULT_EXIT_CODE
    finally:
        served.stop()

    del served.env[FAULT_ENV]
    served.start()
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            agency = login(http, "agency-chengdu", DEMO_PASSWORD)
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
            provider = login(http, "provider-a", DEMO_PASSWORD)
            money = http.get("/claims/money", headers=provider).json()
            # The demo redeemed one voucher of provider A already; this is the second.
            assert money["vouchers_paid"] == 2
            paid = http.get("/claims", params={"status": "redeemed"}, headers=provider).json()[
                "items"
            ]
            assert money["paid_fen"] == sum(c["redeemed_amount_fen"] for c in paid)
            worker = login(http, "worker-1", DEMO_PASSWORD)
            entries = http.get("/me/entries", params={"limit": 100}, headers=worker).json()
            mine = [
                e
                for e in entries["items"]
                if e["kind"] == "voucher_redeemed" and e["payload"]["voucher_id"] == CLAIMED_VOUCHER
            ]
            assert [e["payload"]["amount_fen"] for e in mine] == [amount]
            assert http.get("/me/archive/verify", headers=worker).json()["ok"] is True
    finally:
        served.stop()

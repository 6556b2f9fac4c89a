"""A redemption cut off just before a restart is finished once the grace period has passed.

The start-up repair leaves alone work younger than ``PORTFOLIO_REPAIR_GRACE_SECONDS`` (another
replica may still be at it), so a crash a moment before the restart used to stay half-done until
the next restart. ``portfolio serve`` now runs the repair again when the grace period is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import httpx
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.settings import Settings
from portfolio.vouchers.redemption import AFTER_UPDATE
from tests.faults.preparation import prepare
from tests.faults.serving import on_session_database
from tests.faults.workload import effect_of, login, send

GRACE_S = 5


async def test_a_redemption_cut_off_before_a_restart_is_finished_after_the_grace(
    client: AsyncClient, runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    prepared = await prepare(client, runtime, completions=0, redemptions=1)
    [target] = prepared.redemptions
    crashing = on_session_database(settings, tmp_path / "var", **{FAULT_ENV: AFTER_UPDATE})
    await asyncio.to_thread(crashing.start)

    def redeem() -> None:
        with httpx.Client(base_url=crashing.base_url, timeout=10) as http:
            headers = login(http, prepared.agency_username, prepared.password)
            with contextlib.suppress(httpx.HTTPError):  # it dies before answering
                send(http, target, headers)
        assert crashing.process is not None
        assert crashing.process.wait(timeout=30) == FAULT_EXIT_CODE

    try:
        await asyncio.to_thread(redeem)
    finally:
        crashing.stop()
    crashed_at = time.monotonic()
    assert (await effect_of(target)).count is None  # redeemed, no ledger row, no entry

    served = on_session_database(
        settings, tmp_path / "var", PORTFOLIO_REPAIR_GRACE_SECONDS=str(GRACE_S)
    )
    await asyncio.to_thread(served.start)
    try:
        if time.monotonic() - crashed_at < GRACE_S - 1:
            # Too young for the start-up run (unless the start itself took that long)...
            assert (await effect_of(target)).count is None
        # ...finished by the run after the grace period, without another restart.
        deadline = time.monotonic() + GRACE_S + 15
        while (effect := await effect_of(target)).count != 1:
            assert time.monotonic() < deadline, effect.detail
            await asyncio.sleep(0.25)
    finally:
        served.stop()

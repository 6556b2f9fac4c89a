"""A redemption cut off just before a restart is finished once the grace period has passed.

The start-up repair leaves alone work younger than ``PORTFOLIO_REPAIR_GRACE_SECONDS`` (another
replica may still be at it), so a crash a moment before the restart used to stay half-done until
the next restart. ``portfolio serve`` now runs the repair again when the grace period is over,
and then every ``PORTFOLIO_REPAIR_INTERVAL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import httpx
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.archives.documents import ArchiveEntry
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.settings import Settings
from portfolio.vouchers.redemption import AFTER_UPDATE
from tests.faults.preparation import prepare
from tests.faults.serving import on_session_database
from tests.faults.workload import effect_of, login, send
from tests.training.factories import leave_completion_half_done, trained_class

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


async def test_a_running_server_repairs_again_every_interval(
    client: AsyncClient, runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    """Half-done work that appears while a replica runs (another replica died mid-request)
    is finished by the next periodic pass, not left to the next restart."""
    served = on_session_database(
        settings,
        tmp_path / "var",
        PORTFOLIO_REPAIR_GRACE_SECONDS="1",
        PORTFOLIO_REPAIR_INTERVAL_SECONDS="1",
    )
    await asyncio.to_thread(served.start)
    try:
        await asyncio.sleep(3)  # past the start-up run and the post-grace pass
        _, _, [enrolment], [person] = await trained_class(client, runtime)
        await leave_completion_half_done(enrolment["id"])
        entries = ArchiveEntry.get_pymongo_collection()
        written = {"archive_id": person.archive_id, "kind": "training_completed"}
        deadline = time.monotonic() + 20
        while await entries.count_documents(written) == 0:
            assert time.monotonic() < deadline, "no periodic pass finished the completion"
            await asyncio.sleep(0.25)
        await asyncio.sleep(2.5)  # more passes: still one entry
        assert await entries.count_documents(written) == 1
    finally:
        served.stop()

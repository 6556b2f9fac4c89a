"""SIGKILL at random moments during completions and redemptions: nothing lost, nothing doubled.

The service runs as a subprocess on this session's database; the test prepares enrolments ready
to complete and claimed vouchers ready to redeem, then, per cycle: starts the service (start-up
repair runs before it is ready), checks what the previous cycle left, retries every unanswered
write with its Idempotency-Key, drives a few writers at it and SIGKILLs it after a seeded random
delay, so some kills land between the writes of one request. ``PORTFOLIO_FAULT_KILLS`` cycles
(3 by default, 20 in ``make fuzz``); ``PORTFOLIO_FAULT_SEED`` replays a failed run's seed.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import time
from pathlib import Path

import httpx
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.archives import entries
from portfolio.settings import Settings
from tests.faults.preparation import Prepared, Target, prepare
from tests.faults.serving import Served, on_session_database
from tests.faults.workload import Attempt, Workload, effect_of, login, send

# About what four writers get through in the mean delay (they read on when the queue is dry).
TARGETS_PER_KILL = 30
WRITERS = 4
KILL_AFTER_S = (0.2, 2.5)
# What the start-up repair reports having finished for the two kinds of write.
_REPAIRED = ("completions_finished", "redemption_ledger_finished", "redemption_entries_finished")


def _headers(http: httpx.Client, prepared: Prepared) -> dict[str, dict[str, str]]:
    return {
        "completion": login(http, prepared.provider_username, prepared.password),
        "redemption": login(http, prepared.agency_username, prepared.password),
    }


async def _check_after_restart(
    served: Served, prepared: Prepared, attempts: list[Attempt], note: str
) -> None:
    """Acknowledged: done once. Unanswered: done once or not at all, never half; then a retry
    with the same Idempotency-Key leaves every one of them done exactly once."""
    unanswered: list[tuple[Attempt, int]] = []
    for attempt in attempts:
        effect = await effect_of(attempt.target)
        if attempt.acknowledged:
            assert effect.count == 1, f"{note}: acknowledged {attempt.target}: {effect.detail}"
        else:
            assert effect.count in (0, 1), f"{note}: half-done {attempt.target}: {effect.detail}"
            unanswered.append((attempt, effect.count))

    def retry() -> list[tuple[Attempt, int, httpx.Response]]:
        with httpx.Client(base_url=served.base_url, timeout=30) as http:
            headers = _headers(http, prepared)
            return [
                (attempt, before, send(http, attempt.target, headers[attempt.target.kind]))
                for attempt, before in unanswered
            ] + [
                (attempt, 1, send(http, attempt.target, headers[attempt.target.kind]))
                for attempt in attempts
                if attempt.acknowledged
            ]

    for attempt, before, response in await asyncio.to_thread(retry):
        if attempt.acknowledged:
            # The stored first answer, replayed across the restart.
            assert response.status_code == attempt.status, f"{note}: {response.text}"
            assert response.headers.get("idempotent-replayed") == "true", note
        elif before == 0:
            assert response.status_code == 200, f"{note}: retry {attempt.target}: {response.text}"
        else:
            # Done before the kill, answer never stored: the retry finds it done.
            assert response.status_code in (200, 409), f"{note}: {response.text}"
        effect = await effect_of(attempt.target)
        assert effect.count == 1, f"{note}: after retry {attempt.target}: {effect.detail}"
        if not attempt.acknowledged:
            attempt.status = response.status_code


def _kill_during_load(
    served: Served, prepared: Prepared, queue: collections.deque[Target], delay: float
) -> tuple[list[Attempt], list[str]]:
    with httpx.Client(base_url=served.base_url, timeout=30) as http:
        headers = _headers(http, prepared)
    workload = Workload(served.base_url, queue, headers, threads=WRITERS)
    workload.start()
    time.sleep(delay)
    served.kill()
    workload.stop()
    return workload.attempts, workload.unexpected


async def test_random_kills_lose_nothing_and_double_nothing(
    client: AsyncClient, runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    kills = int(os.environ.get("PORTFOLIO_FAULT_KILLS", "3"))
    seed = int(os.environ.get("PORTFOLIO_FAULT_SEED") or random.randrange(2**32))
    print(f"PORTFOLIO_FAULT_SEED={seed} PORTFOLIO_FAULT_KILLS={kills}")  # shown on failure
    rng = random.Random(seed)
    per_kind = TARGETS_PER_KILL * kills // 2
    began = time.monotonic()
    prepared = await prepare(client, runtime, completions=per_kind, redemptions=per_kind)
    print(f"prepared {2 * per_kind} targets in {time.monotonic() - began:.1f}s")
    targets = prepared.completions + prepared.redemptions
    rng.shuffle(targets)
    queue = collections.deque(targets)
    # A killed request's Idempotency-Key is taken over by its retry after this lease.
    # INFO logs: the start-up repair says what it finished.
    served = on_session_database(
        settings,
        tmp_path / "var",
        PORTFOLIO_IDEMPOTENCY_LEASE_SECONDS="1",
        PORTFOLIO_LOG_LEVEL="INFO",
    )
    attempted: list[Attempt] = []
    last: list[Attempt] = []
    finished_by_repair: collections.Counter[str] = collections.Counter()
    try:
        for cycle in range(kills + 1):
            note = f"seed {seed}, cycle {cycle}"
            started = time.monotonic()
            await asyncio.to_thread(served.start)
            print(f"started in {time.monotonic() - started:.1f}s")
            repaired = served.repaired_at_start()
            for what in _REPAIRED:
                finished_by_repair[what] += repaired[what]
            # The lease of a request killed a moment ago must have run out for its retry.
            await asyncio.sleep(max(0.0, 1.1 - (time.monotonic() - started)))
            await _check_after_restart(served, prepared, last, note)
            if cycle == kills:
                break
            delay = rng.uniform(*KILL_AFTER_S)
            last, unexpected = await asyncio.to_thread(
                _kill_during_load, served, prepared, queue, delay
            )
            assert unexpected == [], f"{note}: {unexpected}"
            errors = [r for r in served.log_records() if r.get("level") == "ERROR"]
            assert errors == [], f"{note}: {errors}"
            attempted.extend(last)
            print(
                f"cycle {cycle}: kill after {delay:.2f}s, {len(last)} writes sent, "
                f"{sum(not a.acknowledged for a in last)} unanswered"
            )
    finally:
        served.stop()
    print(f"finished by start-up repair: {dict(finished_by_repair)}")

    assert attempted, "the workload sent nothing"
    tried = {a.target for a in attempted}
    for target in targets:
        if target not in tried:
            assert (await effect_of(target)).count == 0, f"seed {seed}: untouched {target}"
    broken = [r async for r in entries.verify_all() if not r.ok]
    assert broken == [], f"seed {seed}: {broken}"

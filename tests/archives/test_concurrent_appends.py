"""Several writers appending to one archive at once, through the API: every append succeeds
(or gets a retryable 409 with Retry-After), and the chain stays whole: seqs 1..n, each entry
built on the one before, the head on the last, the counters counting each entry once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import Any

from bson import ObjectId
from httpx import AsyncClient

from api.problems import render_domain_error
from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.archives.documents import Archive
from portfolio.errors import ArchiveBusy
from tests.helpers import log_in_as
from tests.training.factories import (
    _start_class,
    during_session,
    make_course,
    make_person,
    make_provider,
    make_run,
)

RUNS = 8


async def test_completions_racing_on_one_archive_all_land_on_one_chain(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    person = await make_person(runtime)
    enrolments: list[dict[str, Any]] = []
    for n in range(RUNS):
        # One class a week (a worker's classes may not overlap), each taken in its first session.
        run = await make_run(
            client, provider, course["id"], start=date(2026, 3, 2) + timedelta(weeks=n)
        )
        with clock.stopped_at(during_session(run, 1)):
            enrolments += await _start_class(client, provider, run, [person], 4)

    async def complete(enrolment: dict[str, Any]) -> Any:
        return await client.post(
            f"/enrolments/{enrolment['id']}/completion",
            json={"result": "passed", "score": 80},
            headers=provider.user.headers,
        )

    answers = await asyncio.gather(*(complete(e) for e in enrolments))
    assert [a.status_code for a in answers] == [200] * RUNS, [a.text for a in answers]

    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    listed = await client.get("/me/entries", params={"limit": 100}, headers=worker.headers)
    entries = listed.json()["items"]
    kinds = Counter(e["kind"] for e in entries)
    assert kinds["training_completed"] == RUNS
    assert sorted(e["seq"] for e in entries) == list(range(1, len(entries) + 1))
    verify = (await client.get("/me/archive/verify", headers=worker.headers)).json()
    assert verify["ok"] is True
    assert verify["head_seq"] == verify["entries_checked"] == len(entries)
    stored = await Archive.get_pymongo_collection().find_one({"_id": ObjectId(person.archive_id)})
    assert stored is not None
    assert stored["counters"] == dict(kinds)


def test_a_busy_archive_is_a_retryable_409_with_retry_after() -> None:
    response = render_domain_error(ArchiveBusy("busy", retry_after_seconds=1))
    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert b'"retryable":true' in response.body

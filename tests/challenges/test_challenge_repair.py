"""A challenge answered by a process that died before its archive entry: the repair routine
appends the entry once."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.archives import Recorder
from portfolio.challenges import Challenge
from portfolio.repair import repair
from tests.helpers import log_in_as
from tests.workers.factories import registered_worker


async def test_repair_appends_the_answer_a_crash_left_out(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    filed = await client.post(
        "/me/challenges", json={"entry_seq": 1, "words": "not my name"}, headers=worker.headers
    )
    assert filed.status_code == 201, filed.text
    challenge_id = filed.json()["id"]
    stored = await Challenge.get(challenge_id)
    assert stored is not None
    # What the answer's first step writes; the process dies before the entry.
    recorder = Recorder(principal=agency.id, role="agency", region="5101").model_dump()
    await Challenge.get_pymongo_collection().update_one(
        {"_id": stored.id},
        {
            "$set": {
                "status": "refused",
                "answer_text": "the name matches the identity card",
                "answered_by": agency.id,
                "answered_ms": clock.epoch_ms(clock.now()),
                "recorder": recorder,
            },
            "$inc": {"version": 1},
        },
    )
    report = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=5))
    assert report.challenge_answers_finished == 1
    again = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=6))
    assert again.challenge_answers_finished == 0
    seen = (await client.get(f"/challenges/{challenge_id}", headers=worker.headers)).json()
    assert seen["status"] == "refused"
    entries = (await client.get("/me/entries", headers=worker.headers)).json()["items"]
    answers = [e for e in entries if e["kind"] == "challenge_refused"]
    assert [e["seq"] for e in answers] == [seen["answer_seq"]]
    assert answers[0]["payload"]["challenge_id"] == challenge_id

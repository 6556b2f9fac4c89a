"""A payment cut short after its conditional update (the milestone paid, its ledger entry not
written) is finished by the repair routine with the same deterministic entry, exactly once;
and another provider never reaches a project."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.projects import TrainingProject
from portfolio.repair import repair
from portfolio.vouchers.ledger import LedgerEntry
from tests.projects.factories import claim, create, decide, make_class, train
from tests.training.factories import make_provider


async def test_repair_writes_the_missing_ledger_entry_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    pid = (await create(client, made)).json()["id"]
    await train(client, made)
    assert (await claim(client, made, pid, 1)).status_code == 200
    assert (await decide(client, made.officer, pid, 1, acknowledge_flags=True)).status_code == 200
    written = await LedgerEntry.get(f"milestone:{pid}:1")
    assert written is not None
    # The state a crash between the paying update and the ledger insert leaves behind.
    await LedgerEntry.get_pymongo_collection().delete_one({"_id": written.id})
    project = await TrainingProject.get(pid)
    assert project is not None
    await TrainingProject.get_pymongo_collection().update_one(
        {"_id": project.id}, {"$set": {"unposted": [1], "unposted_count": 1}}
    )
    later = clock.now() + timedelta(minutes=10)
    first = await repair(grace=timedelta(minutes=5), now=later)
    assert first.milestone_ledger_finished == 1
    again = await repair(grace=timedelta(minutes=5), now=later)
    assert again.milestone_ledger_finished == 0
    [entry] = await LedgerEntry.find({"kind": "milestone"}).to_list()
    assert entry.model_dump(exclude={"revision_id"}) == written.model_dump(exclude={"revision_id"})
    healed = await TrainingProject.get(pid)
    assert healed is not None
    assert (healed.unposted, healed.unposted_count, healed.paid_fen) == ([], 0, 1_000_000)


async def test_another_provider_does_not_find_the_project(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime, size=1)
    one = [{"name": "结业", "amount_fen": 100_000, "condition": "completions", "threshold": 1}]
    pid = (await create(client, made, milestones=one)).json()["id"]
    other = await make_provider(client, runtime)
    assert (await client.get(f"/projects/{pid}", headers=other.user.headers)).status_code == 404
    assert (await client.get("/projects", headers=other.user.headers)).json() == []
    refused = await client.post(
        f"/projects/{pid}/milestones/1/claim", json={}, headers=other.user.headers
    )
    assert refused.status_code == 404

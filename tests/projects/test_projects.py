"""Project-based training through the API: a project bought for a group, its milestones
claimed when the records meet their conditions, decided by officers, paid exactly once on the
ledger with the project's fund and never above the budget."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.audit.trail import ChangeRecord
from portfolio.projects import TrainingProject
from portfolio.vouchers.ledger import LedgerEntry
from tests.helpers import assert_problem
from tests.projects.factories import (
    claim,
    create,
    decide,
    key,
    make_class,
    officer,
    project_body,
    train,
)
from tests.training.factories import make_course, make_provider, make_run


def _rules(problem: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["field"], e["rule"]) for e in problem["errors"]}


async def _ledger() -> list[LedgerEntry]:
    return await LedgerEntry.find({"kind": "milestone"}).to_list()


async def test_an_officer_buys_a_project_for_the_runs_enrolled_workers(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    created = await create(client, made)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["group_size"] == 2
    assert body["funding_source"] == "employment_subsidy"
    assert [m["status"] for m in body["milestones"]] == ["open", "open"]
    assert (body["paid_fen"], body["remaining_fen"]) == (0, 3_000_000)
    listed = await client.get("/projects", headers=made.provider.user.headers)
    assert [p["id"] for p in listed.json()] == [body["id"]]
    other = await officer(client, runtime, region="5107")
    assert (await client.get(f"/projects/{body['id']}", headers=other.headers)).status_code == 404
    assert (await client.get("/projects", headers=other.headers)).json() == []
    # A named group: only workers enrolled in the runs.
    one = [{"name": "结业", "amount_fen": 100_000, "condition": "completions", "threshold": 1}]
    named = await create(client, made, worker_ids=[made.workers[0].archive_id], milestones=one)
    assert named.status_code == 201, named.text
    assert named.json()["group_size"] == 1
    # The trail has the creation.
    assert await ChangeRecord.find({"object_id": body["id"]}).count() == 1


async def test_refusals_name_the_field_and_the_rule_and_write_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime, size=1)
    stranger = await make_provider(client, runtime)
    course = await make_course(client, stranger)
    their_run = await make_run(client, stranger, course["id"])
    over = project_body(made)
    over["milestones"][1]["amount_fen"] = 2_500_000
    cases = [
        (over, ("milestones", "over_budget")),
        (project_body(made, run_ids=[their_run["id"]]), ("run_ids.0", "not_provider_run")),
        (
            project_body(made, worker_ids=[str(made.officer.principal.id)]),
            ("worker_ids.0", "not_in_runs"),
        ),
        (project_body(made, organisation_id="0" * 24), ("organisation_id", "unknown")),
    ]
    for body, expected in cases:
        refused = await client.post(
            "/projects", json=body, headers={**made.officer.headers, **key()}
        )
        assert expected in _rules(assert_problem(refused, 422)), refused.text
    malformed = await client.post(
        "/projects",
        json=project_body(made, budget_fen=12.5),
        headers={**made.officer.headers, **key()},
    )
    assert_problem(malformed, 422)
    assert await TrainingProject.find_all().count() == 0
    # Only an officer buys; a provider may not.
    assert (
        await client.post(
            "/projects", json=project_body(made), headers={**made.provider.user.headers, **key()}
        )
    ).status_code == 403


async def test_a_milestone_is_claimed_when_the_records_meet_it_and_paid_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    project = (await create(client, made)).json()
    pid = project["id"]
    early = await claim(client, made, pid, 1)
    assert ("milestone", "condition_not_met") in _rules(assert_problem(early, 422))
    await train(client, made)
    claimed = await claim(client, made, pid, 1)
    assert claimed.status_code == 200, claimed.text
    first = claimed.json()["milestones"][0]
    assert (first["status"], first["measured"]) == ("claimed", 100)
    assert first["flags"] == []  # the provider never sees the flags
    twice = await claim(client, made, pid, 1)
    assert_problem(twice, 409)

    # The same decision retried with its key replays; the ledger gets one entry.
    headers = {**made.officer.headers, **key()}
    body = {"decision": "approve", "acknowledge_flags": True}
    url = f"/projects/{pid}/milestones/1/decision"
    paid = await client.post(url, json=body, headers=headers)
    assert paid.status_code == 200, paid.text
    again = await client.post(url, json=body, headers=headers)
    assert again.json() == paid.json()
    assert_problem(await decide(client, made.officer, pid, 1, acknowledge_flags=True), 409)
    [entry] = await _ledger()
    assert entry.id == f"milestone:{pid}:1"
    assert (entry.amount_fen, entry.funding_source) == (1_000_000, "employment_subsidy")
    assert (entry.organisation_id, entry.region_code) == (made.provider.organisation_id, "5101")
    assert paid.json()["paid_fen"] == 1_000_000
    stored = await TrainingProject.get(entry.policy_key.split(":")[1])
    assert stored is not None
    assert (stored.unposted, stored.unposted_count) == ([], 0)
    # The settlement counts it under the project's fund.
    today = clock.china_today().isoformat()
    settled = await client.get(
        "/settlements", params={"from": today, "to": today}, headers=made.officer.headers
    )
    assert settled.json()["sources"] == [
        {"funding_source": "employment_subsidy", "payments": 1, "amount_fen": 1_000_000}
    ]
    # The vouchers' money report leaves the milestones out.
    vouchers_only = await client.get("/claims/money", headers=made.officer.headers)
    assert vouchers_only.json()["paid_fen"] == 0


async def test_concurrent_decisions_pay_exactly_once(client: AsyncClient, runtime: Runtime) -> None:
    made = await make_class(client, runtime)
    pid = (await create(client, made)).json()["id"]
    await train(client, made)
    assert (await claim(client, made, pid, 2)).status_code == 200
    second = await officer(client, runtime)
    answers = await asyncio.gather(
        *(decide(client, who, pid, 2, acknowledge_flags=True) for who in [made.officer, second] * 3)
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409, 409, 409, 409, 409], [a.text for a in answers]
    [entry] = await _ledger()
    assert entry.amount_fen == 2_000_000
    stored = await TrainingProject.get(entry.policy_key.split(":")[1])
    assert stored is not None
    assert stored.paid_fen == 2_000_000


async def test_two_officers_above_the_amount_and_rejection_reopens(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    pid = (await create(client, made, two_approvals_above_fen=1_500_000)).json()["id"]
    await train(client, made)
    # A small milestone: one officer pays it.
    assert (await claim(client, made, pid, 1)).status_code == 200
    no_reason = await decide(client, made.officer, pid, 1, decision="reject")
    assert ("note", "required") in _rules(assert_problem(no_reason, 422))
    rejected = await decide(client, made.officer, pid, 1, decision="reject", note="签到表不全")
    assert rejected.json()["milestones"][0]["status"] == "open"
    assert rejected.json()["milestones"][0]["rejected_reason"] == "签到表不全"
    assert (await claim(client, made, pid, 1)).status_code == 200
    assert (await decide(client, made.officer, pid, 1, acknowledge_flags=True)).status_code == 200
    # A large one: the first approval pays nothing, the same officer cannot give the second.
    assert (await claim(client, made, pid, 2)).status_code == 200
    once = await decide(client, made.officer, pid, 2, acknowledge_flags=True)
    assert once.status_code == 200, once.text
    milestone = once.json()["milestones"][1]
    assert (milestone["status"], milestone["needs_two_approvals"]) == ("claimed", True)
    assert len(await _ledger()) == 1
    assert_problem(await decide(client, made.officer, pid, 2, acknowledge_flags=True), 409)
    colleague = await officer(client, runtime)
    paid = await decide(client, colleague, pid, 2, acknowledge_flags=True)
    assert paid.json()["paid_fen"] == 3_000_000
    assert paid.json()["remaining_fen"] == 0
    assert sum(e.amount_fen for e in await _ledger()) == 3_000_000


async def test_the_paying_update_never_exceeds_the_budget(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    pid = (await create(client, made)).json()["id"]
    await train(client, made)
    assert (await claim(client, made, pid, 2)).status_code == 200
    # Money paid meanwhile by a path this request did not see: the budget leaves too little.
    project = await TrainingProject.get(pid)
    assert project is not None
    await TrainingProject.get_pymongo_collection().update_one(
        {"_id": project.id}, {"$set": {"paid_fen": 1_500_000}}
    )
    refused = await decide(client, made.officer, pid, 2, acknowledge_flags=True)
    assert ("milestone", "over_budget") in _rules(assert_problem(refused, 422))
    assert await _ledger() == []


async def test_workers_attest_and_a_dispute_needs_acknowledging(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    milestones = [
        {"name": "学员确认", "amount_fen": 500_000, "condition": "attested_share", "threshold": 50}
    ]
    pid = (await create(client, made, milestones=milestones)).json()["id"]
    assert ("milestone", "condition_not_met") in _rules(
        assert_problem(await claim(client, made, pid, 1), 422)
    )
    mine = await client.get("/me/projects", headers=made.workers[0].headers)
    assert [p["id"] for p in mine.json()] == [pid]
    url = f"/me/projects/{pid}/attestation"
    yes = await client.post(
        url, json={"answer": "confirmed"}, headers={**made.workers[0].headers, **key()}
    )
    assert yes.status_code == 200, yes.text
    assert_problem(
        await client.post(
            url, json={"answer": "disputed"}, headers={**made.workers[0].headers, **key()}
        ),
        409,
    )
    no = await client.post(
        url,
        json={"answer": "disputed", "words": "我没有参加"},
        headers={**made.workers[1].headers, **key()},
    )
    assert no.status_code == 200
    assert (await claim(client, made, pid, 1)).status_code == 200
    unacknowledged = await decide(client, made.officer, pid, 1)
    assert ("acknowledge_flags", "acknowledge_flags") in _rules(assert_problem(unacknowledged, 422))
    view = await client.get(f"/projects/{pid}", headers=made.officer.headers)
    assert view.json()["milestones"][0]["disputed"] == 1
    provider_view = await client.get(f"/projects/{pid}", headers=made.provider.user.headers)
    assert provider_view.json()["milestones"][0]["disputed"] == 0
    assert provider_view.json()["milestones"][0]["under_review"] is True
    paid = await decide(client, made.officer, pid, 1, acknowledge_flags=True)
    assert paid.status_code == 200


async def test_a_suspended_provider_claims_no_milestone(
    client: AsyncClient, runtime: Runtime
) -> None:
    made = await make_class(client, runtime)
    pid = (await create(client, made)).json()["id"]
    await train(client, made)
    org = made.provider.organisation_id
    suspended = await client.post(
        f"/providers/{org}/suspend",
        json={"reason": "虚报培训人数，立案调查"},
        headers=made.provider.agency.headers,
    )
    assert suspended.status_code == 200, suspended.text
    before = await TrainingProject.get(pid)
    trail_before = await ChangeRecord.find({"object_id": pid}).count()
    refused = assert_problem(await claim(client, made, pid, 1), 403)
    assert "suspended" in refused["detail"]
    assert refused["reason"] == "虚报培训人数，立案调查"
    after = await TrainingProject.get(pid)
    assert before is not None
    assert after is not None
    assert (after.version, after.milestones[0].status.value) == (before.version, "open")
    assert await ChangeRecord.find({"object_id": pid}).count() == trail_before
    # It still reads the project; reinstated, the same claim goes through.
    seen = await client.get(f"/projects/{pid}", headers=made.provider.user.headers)
    assert seen.status_code == 200
    reinstated = await client.post(
        f"/providers/{org}/reinstate",
        json={"reason": "调查结束"},
        headers=made.provider.agency.headers,
    )
    assert reinstated.status_code == 200, reinstated.text
    assert (await claim(client, made, pid, 1)).status_code == 200

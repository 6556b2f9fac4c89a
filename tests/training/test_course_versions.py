"""A course edited as a new version: the old version stays readable, runs and bound vouchers
keep the terms they were scheduled and bound under; access, idempotency and the trail."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import audit
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import make_course, make_provider, make_run
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import make_world

EDIT = {
    "based_on": 0,
    "occupation_code": "4-03-02-02",
    "target_level": "intermediate",
    "planned_hours": 100,
    "subsidy_standard_fen": 50_000,
    "note": "按2027年补贴目录调整",
}


async def test_an_edit_makes_a_new_version_and_keeps_the_old_one(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    headers = provider.user.headers
    old_run = await make_run(client, provider, course["id"])
    assert (course["version"], old_run["course_version"]) == (0, 0)

    edited = await client.post(f"/courses/{course['id']}/versions", json=EDIT, headers=headers)
    assert edited.status_code == 201, edited.text
    body = edited.json()
    assert (body["version"], body["planned_hours"], body["subsidy_standard_fen"]) == (
        1,
        100,
        50_000,
    )
    assert (body["occupation_code"], body["target_level"]) == ("4-03-02-02", "intermediate")
    assert body["title"] == course["title"]  # the title is not part of the terms

    versions = await client.get(f"/courses/{course['id']}/versions", headers=headers)
    assert versions.status_code == 200
    listed = versions.json()
    assert [(v["version"], v["current"]) for v in listed] == [(1, True), (0, False)]
    assert listed[1]["subsidy_standard_fen"] == 120_000
    assert listed[1]["planned_hours"] == 16
    assert listed[0]["note"] == EDIT["note"]

    # The run scheduled before keeps its version; a new run gets the new one.
    assert (await client.get(f"/runs/{old_run['id']}", headers=headers)).json()[
        "course_version"
    ] == 0
    new_run = await make_run(client, provider, course["id"])
    assert new_run["course_version"] == 1
    # The catalogue shows each class with the terms it was scheduled under.
    for run, hours, standard in ((old_run, 16, 120_000), (new_run, 100, 50_000)):
        shown = (await client.get(f"/catalogue/runs/{run['id']}")).json()
        assert (shown["planned_hours"], shown["subsidy_standard_fen"]) == (hours, standard)


async def test_bad_stale_or_empty_edits_change_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    url = f"/courses/{course['id']}/versions"
    headers = provider.user.headers
    bad = await client.post(url, json={**EDIT, "occupation_code": "4-3"}, headers=headers)
    assert assert_problem(bad, 422)["errors"][0]["field"] == "occupation_code"
    hours = await client.post(url, json={**EDIT, "planned_hours": 0}, headers=headers)
    assert assert_problem(hours, 422)["errors"][0]["field"] == "body.planned_hours"
    same = {
        "based_on": 0,
        "occupation_code": course["occupation_code"],
        "target_level": course["target_level"],
        "planned_hours": course["planned_hours"],
        "subsidy_standard_fen": course["subsidy_standard_fen"],
    }
    unchanged = await client.post(url, json=same, headers=headers)
    assert assert_problem(unchanged, 422)["errors"][0]["rule"] == "unchanged"
    assert (await client.post(url, json=EDIT, headers=headers)).status_code == 201
    stale = await client.post(url, json={**EDIT, "planned_hours": 20}, headers=headers)
    assert assert_problem(stale, 409)["current_version"] == 1
    listed = (await client.get(url, headers=headers)).json()
    assert [v["version"] for v in listed] == [1, 0]


async def test_another_provider_or_an_agency_cannot_edit(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    url = f"/courses/{course['id']}/versions"
    other = await make_provider(client, runtime)
    assert_problem(await client.post(url, json=EDIT, headers=other.user.headers), 404)
    assert_problem(await client.get(url, headers=other.user.headers), 404)
    assert_problem(await client.post(url, json=EDIT, headers=provider.agency.headers), 403)
    worker = await log_in_as(client, runtime.settings, Role.WORKER)
    assert_problem(await client.get(url, headers=worker.headers), 403)
    assert_problem(await client.post(url, json=EDIT), 401)
    assert [
        v["version"] for v in (await client.get(url, headers=provider.user.headers)).json()
    ] == [0]


async def test_the_idempotency_key_replays_the_edit(client: AsyncClient, runtime: Runtime) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    url = f"/courses/{course['id']}/versions"
    headers = {**provider.user.headers, "Idempotency-Key": "course-edit-0001"}
    first = await client.post(url, json=EDIT, headers=headers)
    again = await client.post(url, json=EDIT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    listed = (await client.get(url, headers=provider.user.headers)).json()
    assert [v["version"] for v in listed] == [1, 0]


async def test_a_bound_voucher_keeps_the_standard_it_was_bound_under(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    cut = await client.post(
        f"/courses/{world.course['id']}/versions",
        json={**EDIT, "occupation_code": world.course["occupation_code"]},
        headers=world.provider.user.headers,
    )
    assert cut.status_code == 201, cut.text
    # Under the new terms: at most 50,000 fen and 80 hours needed of 100; under the terms the
    # run was scheduled with: the face value 100,000 (below 120,000) and 12.8 hours of 16.
    response = await claim(client, world, made.voucher_id, 90_000)
    assert response.status_code == 200, response.text
    queue = (await client.get("/claims", headers=world.agency.headers)).json()
    [item] = [i for i in queue["items"] if i["voucher"]["id"] == made.voucher_id]
    evidence: dict[str, Any] = item["evidence"]
    assert (evidence["cap_fen"], evidence["hours_needed"]) == (100_000, 12.8)
    assert evidence["enrolment"]["subsidy_standard_fen"] == 120_000


async def test_courses_and_runs_are_in_the_change_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"])
    url = f"/courses/{course['id']}/versions"
    assert (await client.post(url, json=EDIT, headers=provider.user.headers)).status_code == 201
    auditor = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.AUDITOR
    )
    answer = await client.get(
        "/audit/changes",
        params={"object_kind": "course", "object_id": course["id"]},
        headers=auditor.headers,
    )
    records = answer.json()["items"]
    assert [(r["version"], r["reason"]) for r in records] == [
        (1, EDIT["note"]),
        (0, "course added"),
    ]
    assert records[0]["before"]["subsidy_standard_fen"] == 120_000
    assert records[0]["after"]["subsidy_standard_fen"] == 50_000
    assert records[0]["principal_id"] == provider.user.id
    assert await audit.check_chain(f"course:{course['id']}") == []
    runs = await client.get(
        "/audit/changes",
        params={"object_kind": "run", "object_id": run["id"]},
        headers=auditor.headers,
    )
    [scheduled] = runs.json()["items"]
    assert (scheduled["reason"], scheduled["after"]["course_version"]) == ("run scheduled", 0)

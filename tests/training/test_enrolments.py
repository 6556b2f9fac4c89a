"""Enrolments: life cycle, name-and-number matching, capacity and overlap under races, bulk."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.training.documents import Enrolment
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.training.factories import (
    Person,
    Provider,
    make_course,
    make_person,
    make_provider,
    make_run,
    seed_people,
)


async def _class(
    client: AsyncClient, runtime: Runtime, **run: Any
) -> tuple[Provider, dict[str, Any]]:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    return provider, await make_run(client, provider, course["id"], **run)


async def _enrol(
    client: AsyncClient, provider: Provider, run_id: str, person: Person, **extra: Any
) -> Any:
    return await client.post(
        f"/runs/{run_id}/enrolments", json={**person.ref(), **extra}, headers=provider.user.headers
    )


async def _step(client: AsyncClient, who: LoggedIn, enrolment_id: str, action: str) -> Any:
    body = {"reason_code": "worker"} if action == "withdraw" else {}
    return await client.post(f"/enrolments/{enrolment_id}/{action}", json=body, headers=who.headers)


async def test_enrolment_walks_its_life_cycle(client: AsyncClient, runtime: Runtime) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime)
    created = await _enrol(client, provider, run["id"], person)
    assert created.status_code == 201, created.text
    enrolment = created.json()
    assert enrolment["status"] == "requested"
    assert enrolment["worker_name"] == person.name
    assert (
        enrolment["worker_masked_id"] == person.id_number[:6] + "**********" + person.id_number[-2:]
    )
    assert person.id_number not in created.text
    for action, state in (
        ("accept", "accepted"),
        ("start", "in_training"),
        ("withdraw", "withdrawn"),
    ):
        moved = await _step(client, provider.user, enrolment["id"], action)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == state
    seats = (await client.get(f"/runs/{run['id']}", headers=provider.user.headers)).json()
    assert seats["seats_taken"] == 0


@pytest.mark.parametrize(
    ("reached", "forbidden"),
    [
        ([], ["start"]),
        (["accept"], ["accept", "refuse"]),
        (["refuse"], ["accept", "start", "refuse", "withdraw"]),
        (["accept", "start"], ["accept", "refuse", "start"]),
        (["withdraw"], ["accept", "refuse", "start", "withdraw"]),
    ],
)
async def test_forbidden_transitions_are_409_and_change_nothing(
    client: AsyncClient, runtime: Runtime, reached: list[str], forbidden: list[str]
) -> None:
    provider, run = await _class(client, runtime)
    enrolment = (await _enrol(client, provider, run["id"], await make_person(runtime))).json()
    for action in reached:
        assert (await _step(client, provider.user, enrolment["id"], action)).status_code == 200
    before = (
        await client.get(f"/enrolments/{enrolment['id']}", headers=provider.user.headers)
    ).json()
    for action in forbidden:
        body = assert_problem(await _step(client, provider.user, enrolment["id"], action), 409)
        assert body["current_state"] == before["status"]
        assert before["status"] in body["detail"]
    after = (
        await client.get(f"/enrolments/{enrolment['id']}", headers=provider.user.headers)
    ).json()
    assert after == before


async def test_wrong_name_and_unknown_number_get_the_same_answer(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime, name="赵六")
    stranger = Person("", "11010519491231002X", "赵六")
    wrong_name = await _enrol(client, provider, run["id"], Person("", person.id_number, "赵七"))
    unknown = await _enrol(client, provider, run["id"], stranger)
    assert wrong_name.status_code == unknown.status_code == 422
    assert wrong_name.json() == unknown.json()


async def test_capacity_holds_under_41_parallel_enrolments(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime, capacity=40)
    people = [await make_person(runtime, name=f"学员{i}") for i in range(41)]
    answers = await asyncio.gather(*(_enrol(client, provider, run["id"], p) for p in people))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 40 + [409]
    full = next(a for a in answers if a.status_code == 409)
    assert "full" in full.json()["detail"]
    listed = await client.get(
        f"/runs/{run['id']}/enrolments", params={"limit": 200}, headers=provider.user.headers
    )
    assert len(listed.json()["items"]) == 40
    assert (await client.get(f"/runs/{run['id']}", headers=provider.user.headers)).json()[
        "seats_taken"
    ] == 40


async def test_the_same_enrolment_posted_twice_at_once_gives_one(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime)
    answers = await asyncio.gather(*(_enrol(client, provider, run["id"], person) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [201, 409]
    seats = (await client.get(f"/runs/{run['id']}", headers=provider.user.headers)).json()
    assert seats["seats_taken"] == 1


async def test_idempotency_key_replays_and_refuses_another_body(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime)
    other = await make_person(runtime, name="钱七")
    headers = {**provider.user.headers, "Idempotency-Key": "enrol-1"}
    first, second = await asyncio.gather(
        *(
            client.post(f"/runs/{run['id']}/enrolments", json=person.ref(), headers=headers)
            for _ in range(2)
        )
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert {
        first.headers.get("idempotent-replayed"),
        second.headers.get("idempotent-replayed"),
    } == {
        None,
        "true",
    }
    different = await client.post(
        f"/runs/{run['id']}/enrolments", json=other.ref(), headers=headers
    )
    body = assert_problem(different, 422)
    assert body["errors"][0]["rule"] == "reused_with_different_body"
    listed = await client.get(f"/runs/{run['id']}/enrolments", headers=provider.user.headers)
    assert len(listed.json()["items"]) == 1


async def test_overlapping_runs_are_refused_naming_the_clash(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    monday = clock.china_today() + timedelta(days=14)
    morning = await make_run(client, provider, course["id"], start=monday, at="09:00")
    clash = await make_run(
        client, provider, course["id"], start=monday + timedelta(days=2), at="11:00"
    )
    afternoon = await make_run(client, provider, course["id"], start=monday, at="14:00")
    person = await make_person(runtime)
    assert (await _enrol(client, provider, morning["id"], person)).status_code == 201
    refused = assert_problem(await _enrol(client, provider, clash["id"], person), 409)
    assert refused["clashing_run_id"] == morning["id"]
    clashing_day = (monday + timedelta(days=2)).isoformat()
    assert refused["clashing_session_start"].startswith(f"{clashing_day}T01:00")
    assert (await _enrol(client, provider, afternoon["id"], person)).status_code == 201


async def test_withdrawal_frees_the_schedule_for_an_overlapping_run(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    day = clock.china_today() + timedelta(days=30)
    first = await make_run(client, provider, course["id"], start=day)
    second = await make_run(client, provider, course["id"], start=day)
    person = await make_person(runtime)
    enrolment = (await _enrol(client, provider, first["id"], person)).json()
    assert_problem(await _enrol(client, provider, second["id"], person), 409)
    assert (await _step(client, provider.user, enrolment["id"], "withdraw")).status_code == 200
    assert (await _step(client, provider.user, enrolment["id"], "withdraw")).status_code == 409
    assert (await _enrol(client, provider, second["id"], person)).status_code == 201


async def test_bulk_enrolment_reports_each_row(client: AsyncClient, runtime: Runtime) -> None:
    provider, run = await _class(client, runtime, capacity=40)
    people = [await make_person(runtime, name=f"班级{i}") for i in range(5)]
    rows = [p.ref() for p in people]
    rows.insert(2, {"id_type": "resident_id", "id_number": "51010419900101123", "name": "短号"})
    rows.insert(4, {**people[0].ref()})  # the same person twice
    response = await client.post(
        f"/runs/{run['id']}/enrolments/bulk", json={"rows": rows}, headers=provider.user.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["enrolled"], body["failed"]) == (5, 2)
    assert [r["status"] for r in body["rows"]] == [
        "enrolled",
        "enrolled",
        "error",
        "enrolled",
        "error",
        "enrolled",
        "enrolled",
    ]
    assert body["rows"][2]["errors"][0]["field"] == "id_number"
    assert "already enrolled" in body["rows"][4]["detail"]
    assert all(r["enrolment"]["status"] == "accepted" for r in body["rows"] if r["enrolment"])


async def test_bulk_enrolment_accepts_csv(client: AsyncClient, runtime: Runtime) -> None:
    provider, run = await _class(client, runtime)
    people = [await make_person(runtime, name=f"表格{i}") for i in range(3)]
    lines = ["id_type,id_number,name"] + [f"resident_id,{p.id_number},{p.name}" for p in people]
    lines.append("resident_id,110105194912310021,不存在")
    response = await client.post(
        f"/runs/{run['id']}/enrolments/bulk",
        content=("\ufeff" + "\n".join(lines)).encode(),
        headers={**provider.user.headers, "content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["rows"]] == ["enrolled"] * 3 + ["error"]


async def test_providers_workers_and_agencies_reach_only_their_own(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime)
    other = await make_provider(client, runtime)
    person = await make_person(runtime)
    enrolment = (await _enrol(client, provider, run["id"], person)).json()
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    stranger = await log_in_as(client, runtime.settings, Role.WORKER)
    mianyang = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")

    for who in (other.user, stranger, mianyang):
        assert_problem(await client.get(f"/enrolments/{enrolment['id']}", headers=who.headers), 404)
    assert_problem(await _step(client, other.user, enrolment["id"], "accept"), 404)
    assert_problem(await _step(client, worker, enrolment["id"], "accept"), 403)
    assert_problem(await _enrol(client, other, run["id"], person), 404)
    assert_problem(
        await client.get(f"/runs/{run['id']}/enrolments", headers=other.user.headers), 404
    )
    own = await client.get("/me/enrolments", headers=worker.headers)
    assert [e["id"] for e in own.json()["items"]] == [enrolment["id"]]
    assert (await client.get("/me/enrolments", headers=stranger.headers)).json()["items"] == []
    withdrawn = await _step(client, worker, enrolment["id"], "withdraw")
    assert withdrawn.json()["withdraw_reason"] == "worker"


async def test_a_10000_row_class_file_with_a_few_bad_rows(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime, capacity=10_000)
    people = await seed_people(runtime, 9_995)
    rows: list[dict[str, str]] = [p.ref() for p in people]
    bad = {
        17: {"id_type": "resident_id", "id_number": "510104198506011234", "name": "校验错"},
        4_000: {**people[0].ref(), "name": "冒名"},
        6_000: {"id_type": "resident_id", "id_number": "5101041985060", "name": "太短"},
        9_000: people[1].ref(),  # twice in one file
        9_999: {"id_type": "resident_id", "id_number": "51010420990101123X", "name": "未来"},
    }
    for position in sorted(bad):
        rows.insert(position, bad[position])
    assert len(rows) == 10_000
    response = await client.post(
        f"/runs/{run['id']}/enrolments/bulk", json={"rows": rows}, headers=provider.user.headers
    )
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert (body["enrolled"], body["failed"]) == (9_995, 5)
    failed = {r["row"] for r in body["rows"] if r["status"] == "error"}
    assert failed == set(bad)
    seats = (await client.get(f"/runs/{run['id']}", headers=provider.user.headers)).json()
    assert seats["seats_taken"] == 9_995


async def test_a_class_enrolled_at_once_is_stored_as_one_by_one(
    client: AsyncClient, runtime: Runtime
) -> None:
    """The bulk path writes plain copies of one encoded enrolment (for speed): each stored
    document has the very shape and values an enrolment made one by one has."""
    provider, run = await _class(client, runtime, capacity=40)
    alone, *many = [await make_person(runtime, name=f"存储{i}") for i in range(3)]
    single = await _enrol(client, provider, run["id"], alone, accept=True)
    assert single.status_code == 201, single.text
    bulk = await client.post(
        f"/runs/{run['id']}/enrolments/bulk",
        json={"rows": [p.ref() for p in many]},
        headers=provider.user.headers,
    )
    assert bulk.json()["enrolled"] == 2
    stored = [
        e async for e in Enrolment.get_pymongo_collection().find({"run_id": run["id"]}).sort("_id")
    ]
    assert len(stored) == 3
    personal = {"_id", "archive_id", "worker_name", "worker_masked_id", "created_at", "updated_at"}
    shapes = [
        {k: (type(v), v if k not in personal else None) for k, v in e.items()} for e in stored
    ]
    assert shapes[1] == shapes[2] == shapes[0]
    assert [e["worker_name"] for e in stored] == [alone.name] + [p.name for p in many]
    assert len({e["archive_id"] for e in stored}) == 3

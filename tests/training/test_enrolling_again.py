"""A worker who withdrew from a run, or whom its provider refused, can be enrolled in it again.

The enrolment stays one per run and worker: it is reopened (same id, next version), takes a
seat and the schedule again, and what it overwrote (the ended state, its reasons) is kept in
``ended_enrolments``. An enrolment still under way is refused as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from tests.helpers import assert_problem
from tests.training.factories import (
    Person,
    Provider,
    make_course,
    make_person,
    make_provider,
    make_run,
)


async def _class(
    client: AsyncClient, runtime: Runtime, capacity: int = 40
) -> tuple[Provider, dict[str, Any]]:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    return provider, await make_run(client, provider, course["id"], capacity=capacity)


async def _enrol(client: AsyncClient, provider: Provider, run_id: str, person: Person) -> Any:
    return await client.post(
        f"/runs/{run_id}/enrolments", json=person.ref(), headers=provider.user.headers
    )


async def _withdraw(client: AsyncClient, provider: Provider, enrolment_id: str) -> None:
    response = await client.post(
        f"/enrolments/{enrolment_id}/withdraw",
        json={"reason_code": "no_show", "reason": "病假"},
        headers=provider.user.headers,
    )
    assert response.status_code == 200, response.text


async def _seats(client: AsyncClient, provider: Provider, run_id: str) -> int:
    run = await client.get(f"/runs/{run_id}", headers=provider.user.headers)
    return int(run.json()["seats_taken"])


async def test_a_withdrawn_worker_is_enrolled_again_and_the_withdrawal_is_kept(
    client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime)
    first = (await _enrol(client, provider, run["id"], person)).json()
    await _withdraw(client, provider, first["id"])
    assert await _seats(client, provider, run["id"]) == 0

    again = await _enrol(client, provider, run["id"], person)

    assert again.status_code == 201, again.text
    body = again.json()
    assert body["id"] == first["id"]
    assert (body["status"], body["withdraw_reason"]) == ("requested", None)
    assert await _seats(client, provider, run["id"]) == 1
    listed = await client.get(f"/runs/{run['id']}/enrolments", headers=provider.user.headers)
    assert [e["id"] for e in listed.json()["items"]] == [first["id"]]
    database = db_client[runtime.settings.database]
    kept = await database["ended_enrolments"].find({"enrolment_id": first["id"]}).to_list()
    assert [(k["status"], k["withdraw_reason"], k["status_reason"]) for k in kept] == [
        ("withdrawn", "no_show", "病假")
    ]
    # It walks its life cycle again from the start.
    for action, state in (("accept", "accepted"), ("start", "in_training")):
        moved = await client.post(
            f"/enrolments/{first['id']}/{action}", json={}, headers=provider.user.headers
        )
        assert (moved.status_code, moved.json()["status"]) == (200, state)


async def test_a_refused_worker_is_enrolled_again(client: AsyncClient, runtime: Runtime) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime)
    first = (await _enrol(client, provider, run["id"], person)).json()
    refused = await client.post(
        f"/enrolments/{first['id']}/refuse", json={}, headers=provider.user.headers
    )
    assert refused.status_code == 200, refused.text

    again = await _enrol(client, provider, run["id"], person)

    assert (again.status_code, again.json()["status"]) == (201, "requested")
    assert await _seats(client, provider, run["id"]) == 1


async def test_an_enrolment_under_way_is_not_reopened(
    client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime)
    assert (await _enrol(client, provider, run["id"], person)).status_code == 201

    assert_problem(await _enrol(client, provider, run["id"], person), 409)

    assert await _seats(client, provider, run["id"]) == 1
    stored = await db_client[runtime.settings.database]["enrolments"].find_one(
        {"run_id": run["id"]}
    )
    assert stored is not None
    assert (stored["status"], stored["version"]) == ("requested", 0)


async def test_a_full_run_refuses_the_returning_worker_and_changes_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime, capacity=1)
    leaving, taking = await make_person(runtime, name="张三"), await make_person(runtime)
    first = (await _enrol(client, provider, run["id"], leaving)).json()
    await _withdraw(client, provider, first["id"])
    assert (await _enrol(client, provider, run["id"], taking)).status_code == 201

    assert_problem(await _enrol(client, provider, run["id"], leaving), 409)

    stored = await client.get(f"/enrolments/{first['id']}", headers=provider.user.headers)
    assert stored.json()["status"] == "withdrawn"
    assert await _seats(client, provider, run["id"]) == 1


async def test_racing_reenrolments_reopen_once_and_take_one_seat(
    client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    provider, run = await _class(client, runtime)
    person = await make_person(runtime)
    first = (await _enrol(client, provider, run["id"], person)).json()
    await _withdraw(client, provider, first["id"])

    answers = await asyncio.gather(*(_enrol(client, provider, run["id"], person) for _ in range(6)))

    assert sorted(a.status_code for a in answers).count(201) == 1
    assert all(a.status_code in (201, 409) for a in answers)
    assert await _seats(client, provider, run["id"]) == 1
    stored = await db_client[runtime.settings.database]["enrolments"].find_one(
        {"run_id": run["id"]}
    )
    assert stored is not None
    # Created (0), withdrawn (1), reopened once (2).
    assert (stored["status"], stored["version"]) == ("requested", 2)
    kept = db_client[runtime.settings.database]["ended_enrolments"]
    assert len(await kept.find({"enrolment_id": first["id"]}).to_list()) == 1


async def test_a_class_file_enrols_returning_workers_again(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run = await _class(client, runtime)
    returning, active, new = [await make_person(runtime, name=f"学员{i}") for i in range(3)]
    gone = (await _enrol(client, provider, run["id"], returning)).json()
    await _withdraw(client, provider, gone["id"])
    assert (await _enrol(client, provider, run["id"], active)).status_code == 201

    rows = [returning.ref(), active.ref(), new.ref(), returning.ref()]
    response = await client.post(
        f"/runs/{run['id']}/enrolments/bulk", json={"rows": rows}, headers=provider.user.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["rows"]] == ["enrolled", "error", "enrolled", "error"]
    assert body["rows"][0]["enrolment"]["id"] == gone["id"]
    assert "already enrolled" in body["rows"][1]["detail"]
    assert "already enrolled" in body["rows"][3]["detail"]
    assert await _seats(client, provider, run["id"]) == 3

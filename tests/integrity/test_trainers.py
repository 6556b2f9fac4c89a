"""The trainer registry: a provider's own trainers, named by id on its runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from tests.helpers import assert_problem
from tests.training.factories import Provider, make_course, make_provider, sessions


async def _run(client: AsyncClient, provider: Provider, course_id: str, ids: list[str]) -> Any:
    start = clock.china_today() + timedelta(days=10)
    return await client.post(
        f"/courses/{course_id}/runs",
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(),
            "capacity": 10,
            "location": "成都市武侯区",
            "trainer_ids": ids,
            "sessions": sessions(start, 2),
        },
        headers=provider.user.headers,
    )


async def _add(client: AsyncClient, provider: Provider, name: str) -> dict[str, Any]:
    response = await client.post(
        "/trainers",
        json={"name": name, "qualification": "中式烹调师 高级技师", "certificate_number": "T-1"},
        headers=provider.user.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_provider_registers_trainers_and_names_them_on_runs(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    chen = await _add(client, provider, "陈师傅")
    liu = await _add(client, provider, "刘老师")
    listed = (await client.get("/trainers", headers=provider.user.headers)).json()["items"]
    assert [(t["name"], t["status"]) for t in listed] == [
        ("陈师傅", "active"),
        ("刘老师", "active"),
    ]

    run = await _run(client, provider, course["id"], [chen["id"], liu["id"]])
    assert run.status_code == 201, run.text
    assert run.json()["trainer_ids"] == [chen["id"], liu["id"]]

    removed = await client.post(f"/trainers/{liu['id']}/remove", headers=provider.user.headers)
    assert removed.json()["status"] == "removed"
    assert_problem(
        await client.post(f"/trainers/{liu['id']}/remove", headers=provider.user.headers), 409
    )
    refused = assert_problem(await _run(client, provider, course["id"], [liu["id"]]), 422)
    assert refused["errors"][0] == {
        "field": "trainer_ids.0",
        "rule": "unknown_trainer",
        "message": "no such active trainer of yours",
    }
    # The run that named the removed trainer keeps naming them.
    kept = await client.get(f"/runs/{run.json()['id']}", headers=provider.user.headers)
    assert kept.json()["trainer_ids"] == [chen["id"], liu["id"]]


async def test_another_provider_neither_sees_nor_uses_my_trainers(
    client: AsyncClient, runtime: Runtime
) -> None:
    mine = await make_provider(client, runtime)
    other = await make_provider(client, runtime)
    chen = await _add(client, mine, "陈师傅")
    assert (await client.get("/trainers", headers=other.user.headers)).json()["items"] == []
    assert_problem(
        await client.post(f"/trainers/{chen['id']}/remove", headers=other.user.headers), 404
    )
    course = await make_course(client, other)
    refused = assert_problem(await _run(client, other, course["id"], [chen["id"]]), 422)
    assert refused["errors"][0]["rule"] == "unknown_trainer"
    assert_problem(await _run(client, other, course["id"], ["not-an-id"]), 422)
    still = (await client.get("/trainers", headers=mine.user.headers)).json()["items"]
    assert [t["status"] for t in still] == ["active"]

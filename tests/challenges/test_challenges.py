"""A challenge's whole life through the API: filed by the worker, held by the entry's writer,
answered by a correction or a refusal appended to the archive; unanswered in time, it goes to
the agency of the worker's current region."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import audit, clock
from portfolio.accounts import actor_of
from portfolio.accounts.principal import Role
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.vouchers.claim_factories import train
from tests.vouchers.factories import World, make_world
from tests.workers.factories import Worker, social_security


async def _entries(client: AsyncClient, worker: Worker) -> list[dict[str, Any]]:
    response = await client.get("/me/entries", params={"limit": 100}, headers=worker.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _seq_of(client: AsyncClient, worker: Worker, kind: str) -> int:
    seqs = [e["seq"] for e in await _entries(client, worker) if e["kind"] == kind]
    assert seqs, kind
    return int(seqs[0])


async def _file(client: AsyncClient, worker: Worker, seq: int) -> dict[str, Any]:
    response = await client.post(
        "/me/challenges",
        json={"entry_seq": seq, "words": "这不是我的记录 / not mine"},
        headers=worker.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _answer(
    client: AsyncClient, who: LoggedIn, challenge_id: str, outcome: str, text: str
) -> Any:
    return await client.post(
        f"/challenges/{challenge_id}/answer",
        json={"outcome": outcome, "text": text},
        headers=who.headers,
    )


async def _make_entry(client: AsyncClient, world: World, kind: str) -> None:
    worker = world.worker
    if kind == "training_completed":
        await train(client, world, worker)
    elif kind == "link_added":
        number = worker.registered.id_number
        put = await client.put(
            f"/workers/{worker.archive_id}/social-security",
            json=social_security(number),
            headers=world.agency.headers,
        )
        assert put.status_code == 200, put.text
    elif kind == "transferred":
        moved = await client.post(
            f"/workers/{worker.archive_id}/transfer",
            json={"to_region_code": "510105"},
            headers=world.agency.headers,
        )
        assert moved.status_code == 200, moved.text


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        ("registered", "refuse"),
        ("link_added", "correct"),
        ("transferred", "refuse"),
        ("training_completed", "correct"),
    ],
)
async def test_a_challenge_of_each_kind_is_answered_in_the_archive(
    client: AsyncClient, runtime: Runtime, kind: str, outcome: str
) -> None:
    world = await make_world(client, runtime)
    await _make_entry(client, world, kind)
    worker = world.worker
    seq = await _seq_of(client, worker, kind)
    filed = await _file(client, worker, seq)
    assert filed["status"] == "open"
    by_provider = kind == "training_completed"
    assert filed["holder"] == ("organisation" if by_provider else "agency")
    holder = world.provider.user if by_provider else world.agency
    listed = await client.get("/challenges", headers=holder.headers)
    assert filed["id"] in [c["id"] for c in listed.json()["items"]]
    # A second challenge of the same entry waits for the first answer.
    again = await client.post(
        "/me/challenges", json={"entry_seq": seq, "words": "again"}, headers=worker.headers
    )
    assert_problem(again, 409)

    answered = await _answer(client, holder, filed["id"], outcome, "记录有误，已更正 / reasons")
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["status"] == ("corrected" if outcome == "correct" else "refused")
    entries = await _entries(client, worker)
    answer = next(e for e in entries if e["seq"] == body["answer_seq"])
    assert answer["kind"] == f"challenge_{body['status']}"
    assert answer["payload"]["challenge_id"] == filed["id"]
    if outcome == "correct":
        assert answer["corrects"] == seq
    # The challenged entry is still there, unchanged: an answer appends, never overwrites.
    assert any(e["seq"] == seq and e["kind"] == kind for e in entries)
    twice = await _answer(client, holder, filed["id"], "refuse", "once more")
    assert_problem(twice, 409)
    mine = await client.get("/me/challenges", headers=worker.headers)
    assert mine.json()["items"][0]["status"] == body["status"]
    trail = await audit.search_changes(
        actor=await _admin(client, runtime),
        wanted=audit.ChangeFilter(object_kind="challenge", object_id=filed["id"]),
        limit=10,
    )
    assert [r.version for r in trail.items] == [2, 1, 0]
    verified = await client.get("/me/archive/verify", headers=worker.headers)
    assert verified.status_code == 200, verified.text


async def _admin(client: AsyncClient, runtime: Runtime) -> Any:
    admin = await log_in_as(client, runtime.settings, Role.ADMIN)
    return actor_of(admin.principal)


async def test_unanswered_in_time_it_goes_to_the_agency_of_the_current_region(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    await train(client, world, world.worker)
    worker = world.worker
    seq = await _seq_of(client, worker, "training_completed")
    filed = await _file(client, worker, seq)
    other_agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5201")
    stranger = await log_in_as(client, runtime.settings, Role.PROVIDER, organisation_id="org-x")
    hidden = await client.get(f"/challenges/{filed['id']}", headers=stranger.headers)
    assert_problem(hidden, 404)
    # Not due yet: the agency has nothing; the provider holds it.
    assert (await client.get("/challenges", headers=world.agency.headers)).json()["items"] == []
    clock.advance(timedelta(days=runtime.settings.challenge_answer_days, seconds=1))
    moved = (await client.get(f"/challenges/{filed['id']}", headers=worker.headers)).json()
    assert moved["holder"] == "agency"
    assert moved["region_code"] == "510104"
    late = await _answer(client, world.provider.user, filed["id"], "correct", "too late")
    assert_problem(late, 409)
    far = await _answer(client, other_agency, filed["id"], "refuse", "not ours")
    assert_problem(far, 404)
    held = await client.get("/challenges", headers=world.agency.headers)
    assert [c["id"] for c in held.json()["items"]] == [filed["id"]]
    done = await _answer(client, world.agency, filed["id"], "refuse", "attendance was checked")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "refused"

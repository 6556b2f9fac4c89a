"""A crash between an agreement's move and its archive entry is finished by the repair, once."""

from __future__ import annotations

from datetime import timedelta

from beanie import PydanticObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.sessions import actor_of
from portfolio.apprenticeships import history
from portfolio.apprenticeships.documents import Apprenticeship
from portfolio.apprenticeships.enums import EventAction, Party
from portfolio.apprenticeships.repair import finish_entries
from tests.apprenticeships.factories import make_apprentice, make_world, step, today, walk


async def _kinds(client: AsyncClient, headers: dict[str, str]) -> list[str]:
    entries = (await client.get("/me/entries", headers=headers)).json()["items"]
    return [e["kind"] for e in entries]


async def test_a_start_whose_entry_was_never_written_is_finished_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "confirmed"))["id"]
    stored = await Apprenticeship.get(PydanticObjectId(ident))
    assert stored is not None
    # The start's conditional update happened; the process died before the archive entry.
    employer = actor_of(world.enterprise.user.principal)
    now = clock.now()
    noted = history.note(
        stored,
        action=EventAction.STARTED,
        party=Party.EMPLOYER,
        actor=employer,
        now=now,
        on=today(),
    )
    await history.move(stored, noted, {"status": "active", "started_on": today().isoformat()})
    headers = apprentice.login.headers
    assert "apprenticeship_started" not in await _kinds(client, headers)

    # Too recent: the request may still be finishing it.
    assert await finish_entries(now=now, grace=timedelta(minutes=5)) == 0
    later = now + timedelta(minutes=10)
    assert await finish_entries(now=later, grace=timedelta(minutes=5)) == 1
    assert await finish_entries(now=later, grace=timedelta(minutes=5)) == 0
    kinds = await _kinds(client, headers)
    assert kinds.count("apprenticeship_started") == 1
    entry = (await client.get("/me/entries", headers=headers)).json()["items"][0]
    assert entry["payload"]["apprenticeship_id"] == ident
    assert entry["recorded_by"]["organisation"] == world.enterprise.organisation_id
    fresh = await Apprenticeship.get(PydanticObjectId(ident))
    assert fresh is not None
    assert fresh.start_entry_seq == entry["seq"]


async def test_an_entry_written_but_not_noted_is_only_noted(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "active"))["id"]
    stopped = await step(client, world.enterprise.user, ident, "stop", reason="离职")
    assert stopped.status_code == 200, stopped.text
    stored = await Apprenticeship.get(PydanticObjectId(ident))
    assert stored is not None
    seqs = (stored.start_entry_seq, stored.end_entry_seq)
    assert 0 not in seqs
    # As if the process died after appending the entries but before noting their seqs.
    await Apprenticeship.get_pymongo_collection().update_one(
        {"_id": stored.id}, {"$set": {"start_entry_seq": 0, "end_entry_seq": 0}}
    )
    later = clock.now() + timedelta(minutes=10)
    assert await finish_entries(now=later, grace=timedelta(minutes=5)) == 0
    fresh = await Apprenticeship.get(PydanticObjectId(ident))
    assert fresh is not None
    assert (fresh.start_entry_seq, fresh.end_entry_seq) == seqs
    kinds = await _kinds(client, apprentice.login.headers)
    assert (kinds.count("apprenticeship_started"), kinds.count("apprenticeship_stopped")) == (1, 1)

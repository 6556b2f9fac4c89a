"""Change requests: proposed by one party, in effect only when the other accepts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from tests.apprenticeships.factories import (
    World,
    make_apprentice,
    make_mentor,
    make_world,
    step,
    walk,
)
from tests.helpers import LoggedIn, assert_problem


async def _propose(client: AsyncClient, who: LoggedIn, ident: str, **body: Any) -> Any:
    return await client.post(f"/apprenticeships/{ident}/changes", json=body, headers=who.headers)


async def _answer(
    client: AsyncClient, who: LoggedIn, ident: str, n: int, verb: str, **body: Any
) -> Any:
    return await client.post(
        f"/apprenticeships/{ident}/changes/{n}/{verb}", json=body or None, headers=who.headers
    )


async def _detail(client: AsyncClient, world: World, ident: str) -> dict[str, Any]:
    response = await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)
    body: dict[str, Any] = response.json()
    return body


def _rules(response: Any) -> set[tuple[str, str]]:
    return {(e["field"], e["rule"]) for e in assert_problem(response, 422)["errors"]}


async def test_a_change_takes_effect_only_when_the_other_party_accepts(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    agreement = await walk(client, world, apprentice, "active")
    ident = agreement["id"]
    new_end = date.fromisoformat(agreement["plan"]["planned_end"]) - timedelta(days=60)
    proposed = await _propose(
        client,
        world.enterprise.user,
        ident,
        planned_end=new_end.isoformat(),
        institution_hours=500,
        note="增加院校学时",
    )
    assert proposed.status_code == 201, proposed.text
    body = proposed.json()
    assert body["plan"] == agreement["plan"]  # nothing changes yet
    pending = body["pending_change"]
    assert (pending["n"], pending["proposed_by"]) == (1, "employer")
    assert pending["fields"] == ["planned_end", "institution_hours"]
    assert pending["plan"]["institution_hours"] == 500

    own = assert_problem(await _answer(client, world.enterprise.user, ident, 1, "accept"), 403)
    assert "institution must accept" in own["detail"]
    second = assert_problem(
        await _propose(client, world.institution.user, ident, enterprise_hours=900), 409
    )
    assert "change 1 awaits an answer" in second["detail"]

    accepted = await _answer(client, world.institution.user, ident, 1, "accept")
    assert accepted.status_code == 200, accepted.text
    plan = accepted.json()["plan"]
    assert (plan["planned_end"], plan["institution_hours"]) == (new_end.isoformat(), 500)
    assert accepted.json()["pending_change"] is None
    assert_problem(await _answer(client, world.institution.user, ident, 1, "accept"), 409)
    assert_problem(await _answer(client, world.institution.user, ident, 7, "accept"), 404)

    detail = await _detail(client, world, ident)
    [change] = detail["changes"]
    assert (change["status"], change["proposed_by"], change["answered_by"]) == (
        "accepted",
        "employer",
        "institution",
    )
    assert change["changes"] == {"planned_end": new_end.isoformat(), "institution_hours": 500}
    assert change["note"] == "增加院校学时"


async def test_a_rejected_change_leaves_the_plan(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    agreement = await walk(client, world, apprentice, "draft")
    ident = agreement["id"]
    proposed = await _propose(client, world.institution.user, ident, enterprise_hours=100)
    assert proposed.status_code == 201, proposed.text
    rejected = await _answer(
        client, world.enterprise.user, ident, 1, "reject", reason="岗位学时不足"
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["plan"] == agreement["plan"]
    # The proposer may withdraw a later change of its own.
    again = await _propose(client, world.institution.user, ident, enterprise_hours=700)
    assert again.json()["pending_change"]["n"] == 2
    withdrawn = await _answer(client, world.institution.user, ident, 2, "reject", reason="撤回")
    assert withdrawn.status_code == 200, withdrawn.text
    changes = (await _detail(client, world, ident))["changes"]
    assert [(c["n"], c["status"], c["reason"]) for c in changes] == [
        (1, "rejected", "岗位学时不足"),
        (2, "rejected", "撤回"),
    ]


async def test_changes_are_checked(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    agreement = await walk(client, world, apprentice, "active")
    ident = agreement["id"]
    user = world.enterprise.user
    same_end = agreement["plan"]["planned_end"]
    assert _rules(await _propose(client, user, ident)) == {("changes", "empty")}
    assert _rules(await _propose(client, user, ident, planned_end=same_end)) == {
        ("changes", "empty")
    }
    assert _rules(await _propose(client, user, ident, planned_start="2020-01-01")) == {
        ("planned_start", "started"),
        ("planned_end", "too_long"),
    }
    start = date.fromisoformat(agreement["plan"]["planned_start"])
    too_long = start.replace(year=start.year + 2).isoformat()
    assert _rules(await _propose(client, user, ident, planned_end=too_long)) == {
        ("extension_reason", "required")
    }
    assert _rules(await _propose(client, user, ident, enterprise_hours=0, institution_hours=0)) == {
        ("hours", "empty")
    }
    assert _rules(
        await _propose(client, user, ident, enterprise_mentor_id=world.school_mentor)
    ) == {("enterprise_mentor_id", "mentor_wrong_organisation")}
    assert _rules(
        await _propose(client, user, ident, school_mentor_id="000000000000000000000000")
    ) == {("school_mentor_id", "unknown_mentor")}
    with_reason = await _propose(
        client, user, ident, planned_end=too_long, extension_reason="延长培养"
    )
    assert with_reason.status_code == 201, with_reason.text


async def test_a_mentor_change_moves_the_mentors_slots(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "active"))["id"]
    newcomer = await make_mentor(client, world.enterprise, name="赵师傅")
    proposed = await _propose(
        client, world.enterprise.user, ident, enterprise_mentor_id=newcomer, note="师傅调岗"
    )
    assert proposed.status_code == 201, proposed.text
    accepted = await _answer(client, world.institution.user, ident, 1, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["plan"]["enterprise_mentor"]["name"] == "赵师傅"

    async def load(mentor_id: str) -> int:
        response = await client.get(f"/mentors/{mentor_id}", headers=world.enterprise.user.headers)
        count: int = response.json()["active_apprentices"]
        return count

    assert (await load(world.enterprise_mentor), await load(newcomer)) == (0, 1)
    stopped = await step(client, world.enterprise.user, ident, "stop", reason="离职")
    assert stopped.status_code == 200, stopped.text
    assert (await load(world.enterprise_mentor), await load(newcomer)) == (0, 0)


async def test_no_changes_once_ended_and_a_pending_one_lapses(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "active"))["id"]
    await _propose(client, world.enterprise.user, ident, enterprise_hours=300)
    await step(client, world.enterprise.user, ident, "stop", reason="离职")
    late = assert_problem(await _answer(client, world.institution.user, ident, 1, "accept"), 409)
    assert late["current_state"] == "stopped"
    refused = assert_problem(
        await _propose(client, world.institution.user, ident, enterprise_hours=1), 409
    )
    assert refused["current_state"] == "stopped"
    changes = (await _detail(client, world, ident))["changes"]
    assert [(c["n"], c["status"]) for c in changes] == [(1, "lapsed")]

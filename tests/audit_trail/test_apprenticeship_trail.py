"""An apprenticeship's every move (``history.move``) and each mentor registered are in the
change trail: who, the agreement before and after, the reason; the apprentice masked."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.apprenticeships.factories import make_apprentice, make_world, step, walk
from tests.audit_trail.trail_reading import auditor_of, lose_and_restore, records_of
from tests.helpers import log_in_as


async def test_each_move_of_an_apprenticeship_is_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    agreement = await walk(client, world, apprentice, "active")
    ident = agreement["id"]
    paused = await step(client, world.enterprise.user, ident, "pause", reason="病假")
    assert paused.status_code == 200, paused.text

    auditor = await auditor_of(client, runtime)
    records = await records_of(client, auditor, "apprenticeship", ident)
    moves = [(r["before"]["status"], r["after"]["status"]) for r in reversed(records)]
    assert moves == [
        ("draft", "draft"),  # the enterprise approves
        ("draft", "draft"),  # the institution approves
        ("draft", "approved"),  # the agency approves: all three have
        ("approved", "confirmed"),  # the apprentice confirms
        ("confirmed", "active"),
        ("active", "paused"),
    ]
    assert [r["version"] for r in reversed(records)] == [1, 2, 3, 4, 5, 6]
    assert records[0]["reason"] == "病假"
    assert records[2]["principal_id"] == apprentice.login.id
    assert records[3]["principal_id"] == world.agency.id
    assert not records[5]["before"]["employer_approved"]
    assert records[5]["after"]["employer_approved"]
    assert records[0]["after"]["worker_name"] == "张**"
    # The service admin sees no personal keys.
    root = await log_in_as(client, runtime.settings, Role.ADMIN)
    seen = await records_of(client, root, "apprenticeship", ident)
    assert all("worker_name" not in r["after"] for r in seen)
    [restored] = await lose_and_restore([f"apprenticeship:{ident}:v6"])
    assert restored.after["status"] == "paused"
    assert restored.prev_version == 5


async def test_a_mentor_registered_is_in_the_trail(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    auditor = await auditor_of(client, runtime)
    [registered] = await records_of(client, auditor, "mentor", world.enterprise_mentor)
    assert (registered["version"], registered["reason"]) == (0, "mentor registered")
    assert registered["after"]["name"] == "王**"
    assert registered["after"]["organisation_id"] == world.enterprise.organisation_id
    assert registered["principal_id"] == world.enterprise.user.id
    [restored] = await lose_and_restore([f"mentor:{world.school_mentor}:v0"])
    assert restored.after["name"] == "李**"

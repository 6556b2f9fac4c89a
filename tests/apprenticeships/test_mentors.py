"""Mentors: registered by their own organisation, visible to it and to its region's agency."""

from __future__ import annotations

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.apprenticeships.factories import make_mentor, make_org, make_world
from tests.helpers import assert_problem, log_in_as


async def test_an_organisation_registers_and_sees_its_mentors(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    response = await client.post(
        "/mentors",
        json={"name": "  陈  师傅 ", "level": "senior_technician"},
        headers=world.enterprise.user.headers,
    )
    assert response.status_code == 201, response.text
    mentor = response.json()
    assert mentor == {
        "id": mentor["id"],
        "name": "陈 师傅",
        "level": "senior_technician",
        "organisation_id": world.enterprise.organisation_id,
        "active_apprentices": 0,
        "cap": 8,
    }
    own = await client.get("/mentors", headers=world.enterprise.user.headers)
    assert {m["id"] for m in own.json()["items"]} == {world.enterprise_mentor, mentor["id"]}
    school = await client.get("/mentors", headers=world.institution.user.headers)
    assert [m["id"] for m in school.json()["items"]] == [world.school_mentor]
    region = await client.get("/mentors", headers=world.agency.headers)
    assert len(region.json()["items"]) == 3


async def test_mentors_of_others_are_out_of_reach(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    other = await make_org(
        client, runtime.settings, world.agency, kind="enterprise", region="510104"
    )
    assert_problem(
        await client.get(f"/mentors/{world.enterprise_mentor}", headers=other.user.headers), 404
    )
    elsewhere = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    assert_problem(
        await client.get(f"/mentors/{world.enterprise_mentor}", headers=elsewhere.headers), 404
    )
    assert (await client.get("/mentors", headers=elsewhere.headers)).json()["items"] == []
    seen = await client.get(f"/mentors/{world.enterprise_mentor}", headers=world.agency.headers)
    assert seen.status_code == 200, seen.text


async def test_bad_mentors_and_suspended_organisations_are_refused(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    blank = await client.post(
        "/mentors",
        json={"name": "   ", "level": "technician"},
        headers=world.institution.user.headers,
    )
    assert_problem(blank, 422)
    unknown_level = await client.post(
        "/mentors",
        json={"name": "李老师", "level": "master"},
        headers=world.institution.user.headers,
    )
    assert_problem(unknown_level, 422)
    await client.post(
        f"/providers/{world.institution.organisation_id}/suspend",
        json={"reason": "整改"},
        headers=world.agency.headers,
    )
    suspended = await client.post(
        "/mentors",
        json={"name": "李老师", "level": "technician"},
        headers=world.institution.user.headers,
    )
    assert "suspended" in assert_problem(suspended, 403)["detail"]
    # Registering one more mentor for the active enterprise still works.
    assert await make_mentor(client, world.enterprise, name="周师傅")

"""Who reaches an agreement: its parties, its apprentice, the agencies of its regions.

Another provider, another region's agency and another worker are each refused (404, as if
the agreement did not exist); a party outside its own steps gets 403. An agency's list holds
exactly the agreements it may open one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.apprenticeships.factories import (
    PersonRef,
    create,
    employment_at,
    make_apprentice,
    make_org,
    make_world,
    walk,
)
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.workers.factories import register

PROVIDER_STEPS = [
    ("approve", None),
    ("start", None),
    ("pause", {"reason": "x"}),
    ("resume", None),
    ("stop", {"reason": "x"}),
    ("complete", {"level_reached": "technician"}),
    ("changes", {"enterprise_hours": 10}),
    ("changes/1/accept", None),
    ("changes/1/reject", {"reason": "x"}),
]


async def _refused_everywhere(
    client: AsyncClient, who: LoggedIn, ident: str, steps: Sequence[tuple[str, object]]
) -> None:
    assert_problem(await client.get(f"/apprenticeships/{ident}", headers=who.headers), 404)
    for path, body in steps:
        response = await client.post(
            f"/apprenticeships/{ident}/{path}", json=body, headers=who.headers
        )
        assert_problem(response, 404)


async def test_another_provider_is_refused(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "active"))["id"]
    stranger = await make_org(
        client, runtime.settings, world.agency, kind="enterprise", region="510104"
    )
    await _refused_everywhere(client, stranger.user, ident, PROVIDER_STEPS)
    listed = await client.get("/apprenticeships", headers=stranger.user.headers)
    assert listed.json()["items"] == []
    mine = await client.get("/apprenticeships", headers=world.institution.user.headers)
    assert [a["id"] for a in mine.json()["items"]] == [ident]


async def test_another_regions_agency_is_refused(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "draft"))["id"]
    elsewhere = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    await _refused_everywhere(client, elsewhere, ident, [("approve", None)])
    assert (await client.get("/apprenticeships", headers=elsewhere.headers)).json()["items"] == []
    queue = await client.get(
        "/apprenticeships", params={"status": "draft"}, headers=world.agency.headers
    )
    assert [a["id"] for a in queue.json()["items"]] == [ident]
    province = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="51")
    seen = await client.get(f"/apprenticeships/{ident}", headers=province.headers)
    assert seen.status_code == 200, seen.text


async def test_another_worker_is_refused(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "approved"))["id"]
    other = await make_apprentice(client, runtime.settings, world, name="钱学徒")
    assert_problem(await client.get(f"/apprenticeships/{ident}", headers=other.login.headers), 404)
    assert_problem(
        await client.post(f"/me/apprenticeships/{ident}/confirm", headers=other.login.headers),
        404,
    )
    assert (await client.get("/me/apprenticeships", headers=other.login.headers)).json()[
        "items"
    ] == []
    own = await client.get(f"/apprenticeships/{ident}", headers=apprentice.login.headers)
    assert own.status_code == 200, own.text
    assert apprentice.registered.id_number not in own.text


async def test_an_admin_reads_no_agreement(client: AsyncClient, runtime: Runtime) -> None:
    """An agreement names its apprentice: worker data, which the admin role does not see."""
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "draft"))["id"]
    admin = await log_in_as(client, runtime.settings, Role.ADMIN)
    assert (await client.get(f"/apprenticeships/{ident}", headers=admin.headers)).status_code == 403
    assert (await client.get("/apprenticeships", headers=admin.headers)).status_code == 403


async def test_an_agency_lists_exactly_the_agreements_it_may_open(
    client: AsyncClient, runtime: Runtime
) -> None:
    # A worker living in Mianyang (5107), employed by the Chengdu (5101) enterprise: both
    # regions' agencies open the agreement, so both list it; a third region does neither.
    world = await make_world(client, runtime.settings)
    mianyang = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    registered = await register(client, mianyang, region_code="510703", name="赵学徒")
    added = await client.post(
        f"/workers/{registered.archive_id}/employment",
        json=employment_at(world.enterprise),
        headers=mianyang.headers,
    )
    assert added.status_code == 201, added.text
    response = await create(client, world, PersonRef(registered.id_number, "赵学徒"))
    assert response.status_code == 201, response.text
    ident = response.json()["id"]
    deyang = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5106")
    for agency, reaches in ((world.agency, True), (mianyang, True), (deyang, False)):
        opened = await client.get(f"/apprenticeships/{ident}", headers=agency.headers)
        assert opened.status_code == (200 if reaches else 404), opened.text
        for params in ({}, {"status": "draft"}):
            listed = await client.get("/apprenticeships", params=params, headers=agency.headers)
            assert listed.status_code == 200, listed.text
            assert [a["id"] for a in listed.json()["items"]] == ([ident] if reaches else [])
    # A filter narrows every way of reaching it alike.
    active = await client.get(
        "/apprenticeships", params={"status": "active"}, headers=mianyang.headers
    )
    assert active.json()["items"] == []

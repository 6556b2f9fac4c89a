"""Issuing a policy to everyone eligible in its region, over the in-process client: the job
runs in the background a page of archives at a time and its page shows how far it got; a
double submit starts one run, a second start goes to the running one, two workers never
process one page (the lease), a worker not eligible is counted, and another region's
officer sees nothing (404)."""

from __future__ import annotations

import asyncio
from datetime import date

from fastapi import FastAPI
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Actor, Role
from portfolio.vouchers import issue_runs
from tests.archives.factories import fresh_resident_id
from tests.helpers import log_in_as
from tests.vouchers.factories import World, make_world
from tests.web.pages import ORIGIN, hidden_fields, sign_in
from tests.workers.factories import register


async def _finish(app: FastAPI) -> None:
    """Wait for the background runs the pages started."""
    tasks = list(getattr(app.state, "issue_runs", set()))
    await asyncio.gather(*tasks)


async def test_issue_to_everyone_eligible(
    client: AsyncClient, web: AsyncClient, runtime: Runtime, app: FastAPI
) -> None:
    world = await make_world(client, runtime)  # one worker of 510104, aged 36
    await register(client, world.agency, name="李四")
    # Born in 1950: older than the policy's 60 years, so not eligible.
    await register(client, world.agency, id_number=fresh_resident_id(birth=date(1950, 1, 1)))
    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)
    policy = f"/agency/policies/{world.policy['id']}"
    form = hidden_fields((await web.get(policy)).text)

    started = await web.post(f"{policy}/issue-all", data=form, headers=ORIGIN)
    assert started.status_code == 303, started.text
    run_page = started.headers["location"]
    again = await web.post(f"{policy}/issue-all", data=form, headers=ORIGIN)
    assert again.headers["location"] == run_page  # a double submit: one run
    await _finish(app)

    shown = await web.get(run_page)
    assert shown.status_code == 200
    assert "Finished" in shown.text
    assert "3 of 3 workers (100%)" in shown.text
    run_id = run_page.rsplit("/", 1)[1]
    run = await issue_runs.get_run(actor=_actor(world), run_id=run_id)
    assert (run.issued, run.not_eligible, run.failed) == (2, 1, 0)
    assert "Issued in your region: 2" in (await web.get(policy)).text
    assert run_page in (await web.get(policy)).text  # come back to it from the policy

    # A second run: nobody is left to get one (one unused voucher each), nothing doubles.
    second = await web.post(
        f"{policy}/issue-all", data=hidden_fields((await web.get(policy)).text), headers=ORIGIN
    )
    await _finish(app)
    later = await issue_runs.get_run(
        actor=_actor(world), run_id=second.headers["location"].rsplit("/", 1)[1]
    )
    assert (later.status, later.issued, later.not_eligible) == ("finished", 0, 3)


def _actor(world: World) -> Actor:
    agency = world.agency
    return Actor(
        principal_id=str(agency.principal.id),
        username=agency.principal.username,
        role=Role.AGENCY,
        region_prefix="5101",
    )


async def test_two_workers_never_process_one_page(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime)
    run = await issue_runs.start(actor=_actor(world), policy_id=world.policy["id"])
    steps = await asyncio.gather(
        issue_runs.step(run.id, keyring=runtime.keyring),
        issue_runs.step(run.id, keyring=runtime.keyring),
    )
    assert sorted(steps) == [False, True]  # one took the page, the other found it leased
    await issue_runs.run_all(run.id, keyring=runtime.keyring)
    done = await issue_runs.get_run(actor=_actor(world), run_id=run.id)
    assert (done.status, done.seen, done.issued) == ("finished", 1, 1)


async def test_another_region_sees_no_run(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    run = await issue_runs.start(actor=_actor(world), policy_id=world.policy["id"])
    other = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    web.headers["Accept-Language"] = "en"
    await sign_in(web, other.principal.username, other.password)
    policy = f"/agency/policies/{world.policy['id']}"
    assert (await web.get(f"{policy}/runs/{run.id}")).status_code == 404
    fields = hidden_fields((await web.get("/agency/policies")).text)
    for action in (f"{policy}/issue-all", f"{policy}/runs/{run.id}/resume"):
        assert (await web.post(action, data=fields, headers=ORIGIN)).status_code == 404, action

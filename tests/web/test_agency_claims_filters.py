"""The claims queue's filters by course, amount and days waiting, through ``GET /claims``
and the queue page: each keeps the claim it should and leaves out the other; bad values are
named (problem+json on the API, the field's error on the page) and nothing is narrowed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import make_course, make_run
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import World, make_world
from tests.web.pages import sign_in


async def _two_claims(client: AsyncClient, runtime: Runtime) -> tuple[World, str, str, str]:
    """(the world, a ¥800 claim in the world's course made four days ago, a ¥700 claim in
    a second course of the same provider made now, that second course's id)."""
    world = await make_world(client, runtime, rules={"one_unused_voucher": False})
    first = await train(client, world, world.worker)
    with clock.stopped_at(clock.now() - timedelta(days=4)):
        assert (await claim(client, world, first.voucher_id, 80_000)).status_code == 200
    other = await make_course(client, world.provider, title="面点师（初级）")
    start = date.fromisoformat(world.run["start_date"])
    later = await make_run(client, world.provider, other["id"], start=start, at="19:00")
    second = await train(client, world, world.worker, run=later)
    assert (await claim(client, world, second.voucher_id, 70_000)).status_code == 200
    return world, first.voucher_id, second.voucher_id, other["id"]


async def _ids(client: AsyncClient, world: World, query: str) -> set[str]:
    found = await client.get(f"/claims?{query}", headers=world.agency.headers)
    assert found.status_code == 200, found.text
    return {item["voucher"]["id"] for item in found.json()["items"]}


async def test_the_queue_filters_by_course_amount_and_days_waiting(
    client: AsyncClient, web: AsyncClient, runtime: Runtime
) -> None:
    world, first, second, other_course = await _two_claims(client, runtime)
    assert await _ids(client, world, "") == {first, second}
    assert await _ids(client, world, f"course_id={world.course['id']}") == {first}
    assert await _ids(client, world, f"course_id={other_course}") == {second}
    provider = world.provider.organisation_id
    both = f"course_id={other_course}&organisation_id={provider}"
    assert await _ids(client, world, both) == {second}
    elsewhere = f"course_id={other_course}&organisation_id=64d0000000000000000000ff"
    assert await _ids(client, world, elsewhere) == set()
    assert await _ids(client, world, "course_id=64d0000000000000000000ff") == set()
    assert await _ids(client, world, "min_amount_fen=75000") == {first}
    assert await _ids(client, world, "max_amount_fen=75000") == {second}
    assert await _ids(client, world, "min_amount_fen=70000&max_amount_fen=80000") == {
        first,
        second,
    }
    assert await _ids(client, world, "min_days_waiting=3") == {first}
    assert await _ids(client, world, "min_days_waiting=5") == set()
    assert await _ids(client, world, "min_days_waiting=0") == {first, second}

    # Another region's officer and the provider itself: the filters never widen what they see.
    elsewhere_officer = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    seen = await client.get(f"/claims?course_id={other_course}", headers=elsewhere_officer.headers)
    assert seen.json()["items"] == []
    own = await client.get(
        f"/claims?course_id={other_course}&min_amount_fen=1", headers=world.provider.user.headers
    )
    assert {item["voucher"]["id"] for item in own.json()["items"]} == {second}

    for query, field in [
        ("min_amount_fen=-1", "min_amount_fen"),
        ("min_days_waiting=abc", "min_days_waiting"),
        ("course_id=not-an-id", "course_id"),
        ("min_amount_fen=9000&max_amount_fen=100", "max_amount_fen"),
    ]:
        bad = await client.get(f"/claims?{query}", headers=world.agency.headers)
        body = assert_problem(bad, 422)
        assert field in bad.text, body

    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)
    page = await web.get(f"/agency/claims?provider={provider}&course={other_course}")
    assert f"/agency/claims/{second}" in page.text
    assert f"/agency/claims/{first}" not in page.text
    assert "面点师（初级）" in page.text  # the provider's courses to choose from
    page = await web.get("/agency/claims?min_yuan=750")
    assert f"/agency/claims/{first}" in page.text
    assert f"/agency/claims/{second}" not in page.text
    page = await web.get("/agency/claims?max_yuan=750&days=")
    assert f"/agency/claims/{second}" in page.text
    assert f"/agency/claims/{first}" not in page.text
    page = await web.get("/agency/claims?days=3")
    assert f"/agency/claims/{first}" in page.text
    assert f"/agency/claims/{second}" not in page.text

    bad = await web.get("/agency/claims?min_yuan=lots&days=7")
    assert bad.status_code == 400
    assert "Enter the lowest amount as whole yuan" in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert f"/agency/claims/{second}" not in bad.text  # the days still narrow it
    reversed_range = await web.get("/agency/claims?min_yuan=900&max_yuan=100")
    assert reversed_range.status_code == 400
    assert "The highest amount must be at least the lowest" in reversed_range.text


async def test_the_dashboard_shows_the_regions_headline_figures(
    client: AsyncClient, web: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _, _, _ = await _two_claims(client, runtime)
    monkeypatch.setattr(runtime.settings, "report_min_cell", 0)  # show the small figures
    web.headers["Accept-Language"] = "en"
    await sign_in(web, world.agency.principal.username, world.agency.password)
    home = await web.get("/agency")
    assert home.status_code == 200, home.text
    today = clock.china_today()
    month = f"{today.year:04d}-{today.month:02d}"
    assert f"Vouchers issued in {month}</dt><dd>2 · ¥" in home.text
    assert f"Vouchers redeemed in {month}" in home.text
    assert f"Completions in {today.year}" in home.text
    assert "Apprenticeships waiting for approval" in home.text
    assert "¥1,500.00" in home.text  # the money at stake: both claims

"""Organisations, courses and runs through the HTTP API."""

from __future__ import annotations

from datetime import date

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import (
    COURSE,
    credit_code,
    make_course,
    make_provider,
    make_run,
    sessions,
)


async def test_agency_registers_an_organisation_in_its_region(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    response = await client.get(
        f"/providers/{provider.organisation_id}", headers=provider.user.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    assert body["region_code"] == "510104"
    assert body["credit_code_overridden"] is False


async def test_registration_outside_the_agency_region_is_refused(
    client: AsyncClient, runtime: Runtime
) -> None:
    mianyang = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    response = await client.post(
        "/providers",
        json={
            "name": "x",
            "credit_code": credit_code(),
            "kind": "enterprise",
            "region_code": "510104",
        },
        headers=mianyang.headers,
    )
    body = assert_problem(response, 422)
    assert body["errors"][0] == {
        "field": "region_code",
        "rule": "outside_scope",
        "message": "the region lies outside your agency's scope",
    }


async def test_bad_credit_code_is_refused_unless_an_agency_records_an_override(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    good = credit_code()
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    form = {
        "name": "老字号",
        "credit_code": wrong_check,
        "kind": "enterprise",
        "region_code": "510104",
    }
    refused = await client.post("/providers", json=form, headers=agency.headers)
    assert assert_problem(refused, 422)["errors"][0]["rule"] == "checksum"
    accepted = await client.post(
        "/providers",
        json={**form, "credit_code_override_reason": "1990年代登记的早期代码，经核实有效"},
        headers=agency.headers,
    )
    assert accepted.status_code == 201
    assert accepted.json()["credit_code_overridden"] is True
    again = await client.post(
        "/providers",
        json={**form, "credit_code_override_reason": "again"},
        headers=agency.headers,
    )
    assert_problem(again, 409)


async def test_suspended_provider_reads_but_cannot_record(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    suspend = await client.post(
        f"/providers/{provider.organisation_id}/suspend",
        json={"reason": "虚报培训人数，立案调查"},
        headers=provider.agency.headers,
    )
    assert suspend.status_code == 200
    assert suspend.json()["status"] == "suspended"
    again = await client.post(
        f"/providers/{provider.organisation_id}/suspend",
        json={"reason": "twice"},
        headers=provider.agency.headers,
    )
    assert assert_problem(again, 409)["current_state"] == "suspended"

    listed = await client.get("/courses", headers=provider.user.headers)
    assert [c["id"] for c in listed.json()["items"]] == [course["id"]]
    refused = await client.post("/courses", json=COURSE, headers=provider.user.headers)
    assert_problem(refused, 403)

    reinstate = await client.post(
        f"/providers/{provider.organisation_id}/reinstate",
        json={"reason": "调查结束"},
        headers=provider.agency.headers,
    )
    assert reinstate.json()["status"] == "active"
    assert (
        await client.post("/courses", json=COURSE, headers=provider.user.headers)
    ).status_code == 201


async def test_course_flags_and_bad_input(client: AsyncClient, runtime: Runtime) -> None:
    provider = await make_provider(client, runtime)
    digital = await make_course(client, provider, occupation_code="4-04-05-01S")
    assert (digital["occupation_code"], digital["digital"], digital["green"]) == (
        "4-04-05-01",
        True,
        False,
    )
    for field, value, rule in [
        ("occupation_code", "4-3-02-01", "format"),
        ("subsidy_standard_fen", -1, "greater_than_equal"),
        ("subsidy_standard_fen", 12.5, "int_type"),
        ("subsidy_standard_fen", "100", "int_type"),
        ("target_level", "grandmaster", "enum"),
    ]:
        response = await client.post(
            "/courses", json={**COURSE, field: value}, headers=provider.user.headers
        )
        errors = assert_problem(response, 422)["errors"]
        assert [e["rule"] for e in errors] == [rule], (field, value, errors)


async def test_run_sessions_must_lie_within_its_dates(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    bad_sessions = sessions(date(2026, 3, 1), count=4)
    response = await client.post(
        f"/courses/{course['id']}/runs",
        json={
            "start_date": "2026-03-02",
            "end_date": "2026-03-03",
            "capacity": 10,
            "location": "成都",
            "sessions": bad_sessions,
        },
        headers=provider.user.headers,
    )
    errors = assert_problem(response, 422)["errors"]
    assert {(e["field"], e["rule"]) for e in errors} == {
        ("sessions.0.day", "outside_run"),
        ("sessions.3.day", "outside_run"),
    }


async def test_providers_never_see_each_others_courses_and_runs(
    client: AsyncClient, runtime: Runtime
) -> None:
    a = await make_provider(client, runtime)
    b = await make_provider(client, runtime)
    course = await make_course(client, a)
    run = await make_run(client, a, course["id"])
    assert (await client.get("/courses", headers=b.user.headers)).json()["items"] == []
    for path in (
        f"/courses/{course['id']}",
        f"/runs/{run['id']}",
        f"/providers/{a.organisation_id}",
    ):
        assert_problem(await client.get(path, headers=b.user.headers), 404)
    new_run = await client.post(
        f"/courses/{course['id']}/runs",
        json={
            "start_date": "2026-03-02",
            "end_date": "2026-03-02",
            "capacity": 1,
            "location": "x",
            "sessions": sessions(date(2026, 3, 2), 1),
        },
        headers=b.user.headers,
    )
    assert_problem(new_run, 404)


async def test_agencies_see_only_their_regions_courses(
    client: AsyncClient, runtime: Runtime
) -> None:
    chengdu = await make_provider(client, runtime)
    course = await make_course(client, chengdu)
    mianyang = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    province = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="51")
    assert (await client.get("/courses", headers=mianyang.headers)).json()["items"] == []
    assert_problem(await client.get(f"/courses/{course['id']}", headers=mianyang.headers), 404)
    seen = (await client.get("/courses", headers=province.headers)).json()["items"]
    assert [c["id"] for c in seen] == [course["id"]]
    suspend = await client.post(
        f"/providers/{chengdu.organisation_id}/suspend",
        json={"reason": "x"},
        headers=mianyang.headers,
    )
    assert_problem(suspend, 404)


async def test_listing_pages_with_a_cursor(client: AsyncClient, runtime: Runtime) -> None:
    provider = await make_provider(client, runtime)
    made = [(await make_course(client, provider, title=f"课程 {i}"))["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/courses", params=params, headers=provider.user.headers)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made
    bad = await client.get("/courses", params={"cursor": "nope"}, headers=provider.user.headers)
    assert_problem(bad, 422)
    too_big = await client.get("/courses", params={"limit": 1000}, headers=provider.user.headers)
    assert_problem(too_big, 422)


async def test_an_exactly_full_last_page_has_no_next_cursor(
    client: AsyncClient, runtime: Runtime
) -> None:
    # Four courses in pages of two: the second page is full and the last; a cursor there
    # would only send the client to an empty page.
    provider = await make_provider(client, runtime)
    made = [(await make_course(client, provider, title=f"课程 {i}"))["id"] for i in range(4)]
    headers = provider.user.headers
    first = (await client.get("/courses", params={"limit": 2}, headers=headers)).json()
    assert [c["id"] for c in first["items"]] == made[:2]
    assert first["next_cursor"] == made[1]
    params = {"limit": 2, "cursor": first["next_cursor"]}
    second = (await client.get("/courses", params=params, headers=headers)).json()
    assert [c["id"] for c in second["items"]] == made[2:]
    assert second["next_cursor"] is None

"""Agreements over HTTP: every rule checked at creation and again at approval, each named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
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
    step,
    terms,
    today,
    walk,
)
from tests.helpers import assert_problem, log_in_as
from tests.workers.factories import register

PLACEHOLDER = "000000000000000000000000"


def named(response: Any, status: int = 422) -> set[tuple[str, str]]:
    """The (field, rule) pairs of a problem."""
    body = assert_problem(response, status)
    return {(e["field"], e["rule"]) for e in body["errors"]}


async def test_the_employer_proposes_a_draft(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    response = await create(client, world, apprentice)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft"
    assert body["approvals"] == {"employer": False, "institution": False, "agency": False}
    assert body["employer_id"] == world.enterprise.organisation_id
    assert body["employer_credit_code"] == world.enterprise.credit_code
    assert body["institution_id"] == world.institution.organisation_id
    assert body["region_code"] == "510104"
    assert body["worker_name"] == apprentice.name
    number = apprentice.registered.id_number
    assert body["worker_masked_id"] == number[:6] + "**********" + number[-2:]
    assert number not in response.text
    assert body["subsidy_fen_per_year"] == 500_000  # the default: 5,000 yuan
    assert body["plan"]["enterprise_mentor"]["id"] == world.enterprise_mentor
    assert body["plan"]["school_mentor"]["name"] == "李老师"
    assert (body["started_on"], body["ended_on"], body["pending_change"]) == (None, None, None)
    mine = await client.get("/me/apprenticeships", headers=apprentice.login.headers)
    assert [a["id"] for a in mine.json()["items"]] == [body["id"]]


@pytest.mark.parametrize(
    ("employment", "rule"),
    [
        ("no_contract", "no_labour_contract"),
        # Started 400 days ago; a contract of 300 days is too short (and over).
        ("short", "labour_contract_too_short"),
        # A contract of exactly one year that ended a month ago.
        ("ended", "labour_contract_ended"),
        # Employment with the enterprise ended yesterday.
        ("closed", "no_employment"),
    ],
)
async def test_the_apprentice_needs_employment_and_a_years_contract(
    client: AsyncClient, runtime: Runtime, employment: str, rule: str
) -> None:
    world = await make_world(client, runtime.settings)
    start = today() - timedelta(days=400)
    cases: dict[str, dict[str, Any]] = {
        "no_contract": {"labour_contract_end": None},
        "short": {"labour_contract_end": (start + timedelta(days=300)).isoformat()},
        "ended": {
            "start": (today() - timedelta(days=396)).isoformat(),
            "labour_contract_end": (today() - timedelta(days=31)).isoformat(),
        },
        "closed": {"end": (today() - timedelta(days=1)).isoformat()},
    }
    apprentice = await make_apprentice(client, runtime.settings, world, **cases[employment])
    assert named(await create(client, world, apprentice)) == {("apprentice", rule)}


async def test_a_worker_with_no_employment_at_all(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world, employed=False)
    response = await create(client, world, apprentice)
    assert named(response) == {("apprentice", "no_employment")}
    body = response.json()
    assert "no active employment registration with the employer" in body["detail"]


async def test_employment_with_another_employer_does_not_count(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    other = await make_org(
        client, runtime.settings, world.agency, kind="enterprise", region="510104"
    )
    apprentice = await make_apprentice(client, runtime.settings, world, employed=False)
    added = await client.post(
        f"/workers/{apprentice.archive_id}/employment",
        json=employment_at(other),
        headers=world.agency.headers,
    )
    assert added.status_code == 201, added.text
    assert named(await create(client, world, apprentice)) == {("apprentice", "no_employment")}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"target_level": "junior"}, {("target_level", "out_of_range")}),
        ({"target_level": "principal_technician"}, {("target_level", "out_of_range")}),
        ({"enterprise_hours": 0, "institution_hours": 0}, {("hours", "empty")}),
        ({"occupation_code": "6-18-2-04"}, {("occupation_code", "format")}),
        ({"occupation_code": "6-18-02-99"}, {("occupation_code", "not_catalogued")}),
        ({"enterprise_mentor_id": PLACEHOLDER}, {("enterprise_mentor_id", "unknown_mentor")}),
        ({"school_mentor_id": "not-an-id"}, {("school_mentor_id", "unknown_mentor")}),
        ({"institution_id": PLACEHOLDER}, {("institution_id", "unknown_institution")}),
    ],
)
async def test_each_broken_term_is_named(
    client: AsyncClient, runtime: Runtime, changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    response = await create(client, world, apprentice, **changes)
    found = named(response)
    # An unknown institution also leaves the school mentor without an institution to check.
    assert expected <= found
    assert found - expected <= {("school_mentor_id", "mentor_wrong_organisation")}


@pytest.mark.parametrize(
    ("years_days", "reason", "expected"),
    [
        ((1, -2), "", {("planned_end", "too_short")}),
        ((2, 0), "", {("extension_reason", "required")}),
        ((3, 0), "技师培养周期较长", {("planned_end", "too_long")}),
        ((0, -10), "", {("planned_end", "before_start")}),
    ],
)
async def test_duration_rules_are_named(
    client: AsyncClient,
    runtime: Runtime,
    years_days: tuple[int, int],
    reason: str,
    expected: set[tuple[str, str]],
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    start = today().replace(day=1) - timedelta(days=1)
    start = start.replace(day=1)  # the first of last month: no 29 February surprises
    years, days = years_days
    end = start.replace(year=start.year + years) + timedelta(days=days)
    response = await create(
        client,
        world,
        apprentice,
        planned_start=start.isoformat(),
        planned_end=end.isoformat(),
        extension_reason=reason,
    )
    assert named(response) == expected


async def test_three_years_with_a_recorded_reason(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    start = today().replace(day=1)
    end = start.replace(year=start.year + 3) - timedelta(days=1)
    response = await create(
        client,
        world,
        apprentice,
        planned_start=start.isoformat(),
        planned_end=end.isoformat(),
        extension_reason="高级技师培养周期较长",
    )
    assert response.status_code == 201, response.text
    assert response.json()["plan"]["extension_reason"] == "高级技师培养周期较长"


async def test_mentors_must_belong_to_their_side(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    swapped = await create(
        client,
        world,
        apprentice,
        enterprise_mentor_id=world.school_mentor,
        school_mentor_id=world.enterprise_mentor,
    )
    assert named(swapped) == {
        ("enterprise_mentor_id", "mentor_wrong_organisation"),
        ("school_mentor_id", "mentor_wrong_organisation"),
    }


async def test_the_institution_must_be_an_active_training_body(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    other_enterprise = await make_org(
        client, runtime.settings, world.agency, kind="enterprise", region="510104"
    )
    not_training = await create(
        client, world, apprentice, institution_id=other_enterprise.organisation_id
    )
    assert ("institution_id", "not_training_organisation") in named(not_training)

    suspended = await client.post(
        f"/providers/{world.institution.organisation_id}/suspend",
        json={"reason": "违规收费"},
        headers=world.agency.headers,
    )
    assert suspended.status_code == 200, suspended.text
    response = await create(client, world, apprentice)
    assert named(response) == {("institution_id", "institution_not_active")}


async def test_every_failure_is_named_at_once(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world, employed=False)
    response = await create(
        client,
        world,
        apprentice,
        target_level="junior",
        enterprise_hours=0,
        institution_hours=0,
        enterprise_mentor_id=world.school_mentor,
    )
    assert named(response) == {
        ("apprentice", "no_employment"),
        ("target_level", "out_of_range"),
        ("hours", "empty"),
        ("enterprise_mentor_id", "mentor_wrong_organisation"),
    }


async def test_only_an_enterprise_proposes(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    response = await client.post(
        "/apprenticeships", json=terms(world, apprentice), headers=world.institution.user.headers
    )
    body = assert_problem(response, 403)
    assert "enterprise" in body["detail"]


async def test_apprentice_number_and_name_must_match_with_one_answer(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    wrong_name = await create(client, world, PersonRef(apprentice.registered.id_number, "李四"))
    unknown = await create(client, world, PersonRef("11010519491231002X", "李四"))
    assert named(wrong_name) == named(unknown) == {("apprentice", "no_match")}
    assert wrong_name.json() == unknown.json()


async def test_no_second_apprenticeship_while_one_is_active(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    await walk(client, world, apprentice, "active")
    response = await create(client, world, apprentice)
    assert named(response) == {("apprentice", "apprenticeship_overlap")}
    assert "already has an active or paused apprenticeship" in response.json()["detail"]


async def test_a_paused_one_blocks_too_but_a_draft_does_not(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    await walk(client, world, apprentice, "draft")
    second = await create(client, world, apprentice)
    assert second.status_code == 201, second.text  # drafts do not bind the worker yet
    await walk(client, world, apprentice, "paused")
    third = await create(client, world, apprentice)
    assert named(third) == {("apprentice", "apprenticeship_overlap")}


async def test_approvals_in_either_order_then_the_agency(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    draft = await walk(client, world, apprentice, "draft")
    ident = draft["id"]

    early = await step(client, world.agency, ident, "approve")
    body = assert_problem(early, 409)
    assert (body["current_state"], body["awaiting"]) == ("draft", ["employer", "institution"])

    first = await step(client, world.institution.user, ident, "approve")
    assert first.status_code == 200, first.text
    assert first.json()["approvals"] == {"employer": False, "institution": True, "agency": False}
    again = assert_problem(await step(client, world.institution.user, ident, "approve"), 409)
    assert "institution has approved" in again["detail"]
    body = assert_problem(await step(client, world.agency, ident, "approve"), 409)
    assert body["awaiting"] == ["employer"]

    second = await step(client, world.enterprise.user, ident, "approve")
    assert second.json()["status"] == "draft"
    last = await step(client, world.agency, ident, "approve")
    assert last.status_code == 200, last.text
    assert last.json()["status"] == "approved"
    assert last.json()["approvals"] == {"employer": True, "institution": True, "agency": True}

    detail = (await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)).json()
    approvals = [(e["action"], e["party"]) for e in detail["history"]]
    assert approvals == [
        ("created", "employer"),
        ("approved", "institution"),
        ("approved", "employer"),
        ("approved", "agency"),
    ]


async def test_rules_are_checked_again_at_approval(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    draft = await walk(client, world, apprentice, "draft")
    ident = draft["id"]
    for who in (world.enterprise.user, world.institution.user):
        assert (await step(client, who, ident, "approve")).status_code == 200

    # The employment ends after the agreement was proposed.
    worker = (
        await client.get(f"/workers/{apprentice.archive_id}", headers=world.agency.headers)
    ).json()
    registration = worker["employment"]["registrations"][0]["id"]
    closed = await client.post(
        f"/workers/{apprentice.archive_id}/employment/{registration}/close",
        json={"end": (today() - timedelta(days=1)).isoformat()},
        headers=world.agency.headers,
    )
    assert closed.status_code == 200, closed.text
    refused = await step(client, world.agency, ident, "approve")
    assert named(refused) == {("apprentice", "no_employment")}
    after = (await client.get(f"/apprenticeships/{ident}", headers=world.agency.headers)).json()
    assert (after["status"], after["approvals"]["agency"]) == ("draft", False)


async def test_a_suspended_institution_stops_approvals(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    ident = (await walk(client, world, apprentice, "draft"))["id"]
    await client.post(
        f"/providers/{world.institution.organisation_id}/suspend",
        json={"reason": "违规"},
        headers=world.agency.headers,
    )
    refused = await step(client, world.enterprise.user, ident, "approve")
    assert named(refused) == {("institution_id", "institution_not_active")}
    # The suspended institution itself cannot record its approval.
    assert_problem(await step(client, world.institution.user, ident, "approve"), 403)


async def test_only_an_agency_of_the_employers_region_approves(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime.settings)
    # A worker living in Mianyang (5107), employed by the Chengdu enterprise.
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
    for who in (world.enterprise.user, world.institution.user):
        assert (await step(client, who, ident, "approve")).status_code == 200
    # The worker's home agency sees the agreement but may not approve it.
    seen = await client.get(f"/apprenticeships/{ident}", headers=mianyang.headers)
    assert seen.status_code == 200, seen.text
    body = assert_problem(await step(client, mianyang, ident, "approve"), 403)
    assert "employer's region (510104)" in body["detail"]
    assert (await step(client, world.agency, ident, "approve")).json()["status"] == "approved"


async def test_subsidy_standard_per_region(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        runtime.settings, "apprenticeship_subsidy_by_region", {"51": 550_000, "5101": 600_000}
    )
    world = await make_world(client, runtime.settings)
    apprentice = await make_apprentice(client, runtime.settings, world)
    response = await create(client, world, apprentice)
    assert response.json()["subsidy_fen_per_year"] == 600_000

"""Issuing vouchers over HTTP: eligibility refused with its reasons, the one-unused rule, the
quantity cap under 50 concurrent issues, bulk lists with ineligible rows, the worker's view."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.identity.identifiers import china_today, parse_resident_id
from portfolio.vouchers.documents import PolicyHead, Voucher
from portfolio.vouchers.rules import age_on, months_since
from tests.archives.factories import fresh_resident_id
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.training.factories import seed_people
from tests.vouchers.factories import issue, issued, make_policy
from tests.workers.factories import register, registered_worker, social_security

UNEMPLOYED_RULES = {
    "registered_unemployed": True,
    "min_unemployment_insurance_months": 12,
    "min_age": 16,
    "max_age": 60,
}


async def _agency(client: AsyncClient, runtime: Runtime, prefix: str = "5101") -> LoggedIn:
    return await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix=prefix)


async def _issued_count(policy_key: str) -> int:
    counted = await Voucher.get_pymongo_collection().aggregate(
        [{"$match": {"policy_key": policy_key}}, {"$count": "n"}]
    )
    rows = await counted.to_list()
    return int(rows[0]["n"]) if rows else 0


async def _counter(policy_key: str) -> int:
    head = await PolicyHead.get(ObjectId(policy_key))
    assert head is not None
    return head.issued


async def _make_unemployed(
    client: AsyncClient, agency: LoggedIn, archive_id: str, number: str
) -> str:
    """Insured for unemployment since 2024-01 and registered unemployed a month ago."""
    schemes = [{"scheme": "unemployment", "since": "2024-01"}]
    linked = await client.put(
        f"/workers/{archive_id}/social-security",
        json=social_security(number, schemes=schemes),
        headers=agency.headers,
    )
    assert linked.status_code == 200, linked.text
    since = china_today() - timedelta(days=30)
    registered = await client.post(
        f"/workers/{archive_id}/employment",
        json={
            "kind": "unemployment",
            "start": since.isoformat(),
            "certificate_number": "5101042020000017",
        },
        headers=agency.headers,
    )
    assert registered.status_code == 201, registered.text
    return since.isoformat()


async def test_an_eligible_worker_gets_a_voucher_and_sees_why(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(client, agency, rules=UNEMPLOYED_RULES)
    worker = await registered_worker(client, agency)
    since = await _make_unemployed(client, agency, worker.archive_id, worker.registered.id_number)
    months = months_since("2024-01", china_today())
    birth = parse_resident_id(worker.registered.id_number).birth_date
    assert birth is not None
    assert 16 <= age_on(birth, china_today()) <= 60  # the age rule passes on its merits
    voucher = await issue(
        client, agency, policy["id"], worker.archive_id, note="失业人员再就业培训"
    )
    assert voucher.status_code == 201, voucher.text
    body = voucher.json()
    assert (body["status"], body["face_value_fen"], body["policy_version"]) == (
        "issued",
        100_000,
        1,
    )
    mine = await client.get("/me/vouchers", headers=worker.headers)
    assert mine.status_code == 200, mine.text
    (shown,) = mine.json()["items"]
    assert shown["id"] == body["id"]
    assert shown["issue_note"] == "失业人员再就业培训"
    assert [(g["rule"], g["passed"], g["reason_en"]) for g in shown["grounds"]] == [
        ("registered_unemployed", True, f"Registered as unemployed since {since}."),
        (
            "unemployment_insurance",
            True,
            f"Insured for unemployment for {months} months since 2024-01; "
            "at least 12 are required.",
        ),
        ("age_band", True, "Within the ages the policy is for: 16 to 60."),
        (
            "region",
            True,
            "Registered in region 510104, which lies within the policy's region 5101.",
        ),
        ("no_unused_voucher", True, "Holds no unused voucher of this policy."),
    ]
    assert shown["grounds"][0]["reason_zh"] == f"自{since}起已办理失业登记。"
    assert await _counter(policy["policy_key"]) == 1


async def test_a_worker_who_is_not_eligible_is_refused_with_every_failing_rule(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(client, agency, rules=UNEMPLOYED_RULES)
    worker = await registered_worker(client, agency)
    refused = assert_problem(await issue(client, agency, policy["id"], worker.archive_id), 422)
    assert refused["type"] == "urn:portfolio:problem:not-eligible"
    assert refused["errors"] == [
        {
            "field": "worker",
            "rule": "registered_unemployed",
            "message": "No open unemployment registration; the policy requires one.",
        },
        {
            "field": "worker",
            "rule": "unemployment_insurance",
            "message": "Not insured for unemployment; the policy requires at least 12 months.",
        },
    ]
    assert [r["reason_zh"] for r in refused["failed_rules"]] == [
        "没有有效的失业登记，本政策要求办理失业登记。",
        "未参加失业保险，本政策要求参保至少12个月。",
    ]
    assert await _issued_count(policy["policy_key"]) == 0
    assert await _counter(policy["policy_key"]) == 0


async def test_one_unused_voucher_per_policy_until_it_is_used_up_or_cancelled(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(client, agency)
    worker = await registered_worker(client, agency)
    first = await issued(client, agency, policy["id"], worker.archive_id)
    again = assert_problem(await issue(client, agency, policy["id"], worker.archive_id), 422)
    today = china_today().isoformat()
    assert again["errors"] == [
        {
            "field": "worker",
            "rule": "no_unused_voucher",
            "message": f"Already holds an unused voucher of this policy, issued on {today}.",
        }
    ]
    cancelled = await client.post(
        f"/vouchers/{first['id']}/cancel", json={"reason": "发错人"}, headers=agency.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await issue(client, agency, policy["id"], worker.archive_id)).status_code == 201
    # A policy that allows several gives several.
    many = await make_policy(client, agency, rules={"one_unused_voucher": False})
    for _ in range(2):
        assert (await issue(client, agency, many["id"], worker.archive_id)).status_code == 201


async def test_the_quantity_cap_holds_under_50_concurrent_issues(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(client, agency, quantity=10)
    people = await seed_people(runtime, 50)
    answers = await asyncio.gather(
        *(issue(client, agency, policy["id"], p.archive_id) for p in people)
    )
    assert sorted(a.status_code for a in answers) == [201] * 10 + [409] * 40
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["detail"] == "the policy's quantity of 10 vouchers is used up"
    assert await _issued_count(policy["policy_key"]) == 10
    assert await _counter(policy["policy_key"]) == 10
    shown = (await client.get(f"/voucher-policies/{policy['id']}", headers=agency.headers)).json()
    assert (shown["issued"], shown["remaining"]) == (10, 0)


async def test_50_concurrent_issues_to_one_worker_give_one_and_give_the_rest_back(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(client, agency, quantity=100)
    (person,) = await seed_people(runtime, 1)
    answers = await asyncio.gather(
        *(issue(client, agency, policy["id"], person.archive_id) for _ in range(50))
    )
    assert sorted(a.status_code for a in answers) == [201] + [422] * 49
    assert {a.json()["errors"][0]["rule"] for a in answers if a.status_code == 422} == {
        "no_unused_voucher"
    }
    assert await _issued_count(policy["policy_key"]) == 1
    assert await _counter(policy["policy_key"]) == 1


async def test_bulk_issue_reports_every_row(client: AsyncClient, runtime: Runtime) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(client, agency, quantity=3)
    by_id = await registered_worker(client, agency)
    by_number = await register(client, agency, name="李四")
    old = await register(
        client, agency, name="王五", id_number=fresh_resident_id(birth=date(1950, 5, 1))
    )
    elsewhere = await register(client, await _agency(client, runtime, "5107"), region_code="510703")
    holder = await registered_worker(client, agency)
    await issued(client, agency, policy["id"], holder.archive_id)
    late_a, late_b = await seed_people(runtime, 2)
    rows: list[dict[str, Any]] = [
        {"worker_id": by_id.archive_id},
        {"id_number": by_number.id_number, "name": "李四"},
        {"worker_id": old.archive_id},
        {"worker_id": elsewhere.archive_id},
        {"worker_id": str(ObjectId())},
        {"id_number": by_number.id_number, "name": "李五"},
        {"worker_id": by_id.archive_id},
        {"worker_id": holder.archive_id},
        {},
        {"worker_id": late_a.archive_id},
        {"worker_id": late_b.archive_id},
    ]
    response = await client.post(
        "/vouchers/bulk",
        json={"policy_id": policy["id"], "note": "批量发放", "rows": rows},
        headers=agency.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    outcome = [(r["row"], r["status"]) for r in body["rows"]]
    assert outcome == [
        (0, "issued"),
        (1, "issued"),
        (2, "not_eligible"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "not_eligible"),
        (8, "error"),
        (9, "error"),
        (10, "error"),
    ]
    assert (body["issued"], body["not_eligible"], body["failed"]) == (2, 2, 7)
    rows_out = body["rows"]
    assert [r["rule"] for r in rows_out[2]["failed_rules"]] == ["age_band"]
    assert rows_out[2]["failed_rules"][0]["reason_en"] == (
        "Outside the ages the policy is for: 16 to 60."
    )
    assert [r["rule"] for r in rows_out[7]["failed_rules"]] == ["no_unused_voucher"]
    assert rows_out[3]["detail"] == rows_out[4]["detail"] == "no such worker in your region"
    assert rows_out[5]["errors"][0]["rule"] == "no_match"
    assert rows_out[6]["detail"] == "the worker is listed twice; one voucher each"
    assert rows_out[8]["errors"][0]["rule"] == "required"
    # The quantity (3, one used by the holder) ran out at the last two eligible rows.
    assert (
        rows_out[9]["detail"]
        == rows_out[10]["detail"]
        == ("the policy's quantity of 3 vouchers is used up")
    )
    assert rows_out[0]["voucher"]["issue_note"] == "批量发放"
    assert await _issued_count(policy["policy_key"]) == 3
    assert await _counter(policy["policy_key"]) == 3


async def test_bulk_issue_takes_a_csv_list(client: AsyncClient, runtime: Runtime) -> None:
    agency = await _agency(client, runtime)
    policy = await make_policy(client, agency)
    a = await register(client, agency, name="赵一")
    b = await registered_worker(client, agency)
    csv = f"worker_id,id_number,name\n,{a.id_number},赵一\n{b.archive_id},,\n"
    response = await client.post(
        "/vouchers/bulk",
        params={"policy_id": policy["id"]},
        content=csv.encode(),
        headers={**agency.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["rows"]] == ["issued", "issued"]


async def test_only_the_current_version_issues_and_the_quantity_spans_versions(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    v1 = await make_policy(client, agency, quantity=2)
    first, second, third = await seed_people(runtime, 3)
    old_voucher = await issued(client, agency, v1["id"], first.archive_id)
    changed = {**{k: v1[k] for k in ("name", "face_value_fen", "validity_days")}, "quantity": 3}
    v2 = await client.post(
        f"/voucher-policies/{v1['id']}/versions",
        json={**changed, "face_value_fen": 150_000, "change_note": "面值提高到1500元"},
        headers=agency.headers,
    )
    assert v2.status_code == 201, v2.text
    new = v2.json()
    assert (new["version_no"], new["policy_key"], new["current"]) == (2, v1["id"], True)
    assert (new["issued"], new["remaining"]) == (1, 2)
    # The published version is unchanged, and no longer current.
    old = (await client.get(f"/voucher-policies/{v1['id']}", headers=agency.headers)).json()
    assert {k: old[k] for k in ("face_value_fen", "quantity", "version_no")} == {
        "face_value_fen": 100_000,
        "quantity": 2,
        "version_no": 1,
    }
    assert (old["current"], old["current_version_id"]) == (False, new["id"])
    stale = assert_problem(await issue(client, agency, v1["id"], second.archive_id), 409)
    assert stale["current_version_id"] == new["id"]
    fresh = await issued(client, agency, new["id"], second.archive_id)
    assert (fresh["policy_version"], fresh["face_value_fen"]) == (2, 150_000)
    kept = (await client.get(f"/vouchers/{old_voucher['id']}", headers=agency.headers)).json()
    assert (kept["policy_version"], kept["face_value_fen"]) == (1, 100_000)
    # Changing the old version again is refused; a quantity below the issued count too.
    assert_problem(
        await client.post(
            f"/voucher-policies/{v1['id']}/versions",
            json={**changed, "change_note": "x"},
            headers=agency.headers,
        ),
        409,
    )
    too_few = assert_problem(
        await client.post(
            f"/voucher-policies/{new['id']}/versions",
            json={**changed, "quantity": 1, "change_note": "减少名额"},
            headers=agency.headers,
        ),
        422,
    )
    assert too_few["errors"][0]["rule"] == "below_issued"
    assert (await issue(client, agency, new["id"], third.archive_id)).status_code == 201
    listed = (await client.get("/voucher-policies", headers=agency.headers)).json()["items"]
    assert [(p["id"], p["issued"]) for p in listed] == [(new["id"], 3)]


async def test_a_fixed_end_policy_gives_vouchers_valid_to_the_end_of_that_day(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await _agency(client, runtime)
    end = china_today() + timedelta(days=10)
    policy = await make_policy(client, agency, validity_days=None, valid_until=end.isoformat())
    (person,) = await seed_people(runtime, 1)
    voucher = await issued(client, agency, policy["id"], person.archive_id)
    assert voucher["valid_until"] == f"{end.isoformat()}T16:00:00Z"

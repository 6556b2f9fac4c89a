"""Claims (bound -> claimed), the agency's queue with evidence, rejection, redemption with its
ledger and archive entries, the provider's money and the settlement file."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from openpyxl import load_workbook

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.identity.identifiers import china_today
from portfolio.vouchers.ledger import LedgerEntry
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import make_course, make_provider, make_run
from tests.vouchers.claim_factories import claim, claimed_vouchers, train
from tests.vouchers.factories import enrol, issued, make_world
from tests.workers.factories import registered_worker

SOON = clock.china_today() + timedelta(7)


def _rules(response: Any) -> set[str]:
    return {e["rule"] for e in response.json()["errors"]}


async def test_a_claim_after_a_passed_fully_attended_training(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker, confirmed_sessions=3, worker_confirms=1)
    response = await claim(client, world, made.voucher_id, 90_000, note="四次课全勤")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["claimed_amount_fen"]) == ("claimed", 90_000)
    events = (
        await client.get(f"/vouchers/{made.voucher_id}/events", headers=world.agency.headers)
    ).json()
    assert events[-1]["action"] == "claim"
    assert events[-1]["details"]["amount_fen"] == "90000"

    queue = await client.get("/claims", headers=world.agency.headers)
    assert queue.status_code == 200
    [item] = queue.json()["items"]
    assert item["voucher"]["id"] == made.voucher_id
    evidence = item["evidence"]
    assert evidence["enrolment"]["id"] == made.enrolment_id
    assert evidence["enrolment"]["result"] == "passed"
    assert [s["session_n"] for s in evidence["sessions"]] == [1, 2, 3, 4]
    # Face check-ins the provider reported count once the worker confirmed them, like the
    # manual entry of the fourth session.
    assert [s["confirmed_by"] for s in evidence["sessions"]] == ["worker"] * 4
    assert evidence["worker_confirmed_sessions"] == 4
    assert (evidence["hours_confirmed"], evidence["hours_needed"]) == (16, 12.8)
    assert evidence["cap_fen"] == 100_000  # the face value is below the course's 120,000
    assert item["claim_note"] == "四次课全勤"
    one = await client.get(f"/claims/{made.voucher_id}", headers=world.provider.user.headers)
    assert one.status_code == 200
    assert one.json()["claimed_amount_fen"] == 90_000


async def test_a_claim_needs_a_passed_completion_and_enough_confirmed_hours(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    running = await train(client, world, world.worker, result=None)
    refused = await claim(client, world, running.voucher_id)
    assert_problem(refused, 422)
    assert _rules(refused) == {"no_passed_completion"}

    other = await registered_worker(client, world.agency)
    # 3 of 4 sessions: 12 hours, below 80% of 16.
    short = await train(client, world, other, confirmed_sessions=3)
    refused = await claim(client, world, short.voucher_id)
    assert_problem(refused, 422)
    assert _rules(refused) == {"insufficient_attendance"}

    failed_worker = await registered_worker(client, world.agency)
    failed = await train(client, world, failed_worker, result="failed")
    assert _rules(await claim(client, world, failed.voucher_id)) == {"no_passed_completion"}
    for voucher_id in (running.voucher_id, short.voucher_id, failed.voucher_id):
        voucher = await client.get(f"/vouchers/{voucher_id}", headers=world.agency.headers)
        assert voucher.json()["status"] == "bound"


async def test_the_share_of_planned_hours_is_configurable(
    client: AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(client, runtime)
    short = await train(client, world, world.worker, confirmed_sessions=3)
    monkeypatch.setattr(runtime.settings, "claim_min_attendance_share", 0.75)
    response = await claim(client, world, short.voucher_id)
    assert response.status_code == 200, response.text


async def test_the_amount_is_capped_by_the_subsidy_standard_when_lower(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    cheap = await make_course(client, world.provider, subsidy_standard_fen=60_000)
    run = await make_run(client, world.provider, cheap["id"], start=SOON, at="19:00")
    world = type(world)(
        world.agency, world.policy, world.worker, world.provider, cheap, run, world.keyring
    )
    made = await train(client, world, world.worker)
    refused = await claim(client, world, made.voucher_id, 60_001)
    assert_problem(refused, 422)
    assert _rules(refused) == {"above_cap"}
    assert (await claim(client, world, made.voucher_id, 60_000)).status_code == 200


@pytest.mark.parametrize("amount", [-1, 0, 1.5, 100.0, "80000", None, True, 10_000_001, 100_001])
async def test_money_fields_reject_what_is_not_whole_fen_within_the_face_value(
    client: AsyncClient, runtime: Runtime, amount: Any
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    response = await claim(client, world, made.voucher_id, amount)
    assert_problem(response, 422)
    voucher = await client.get(f"/vouchers/{made.voucher_id}", headers=world.agency.headers)
    assert voucher.json()["status"] == "bound"


async def test_only_the_bound_provider_claims_and_only_an_agency_of_the_region_decides(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [made] = await claimed_vouchers(client, runtime, 1)
    vid = made.voucher_id
    other_agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    for path, body in (
        (f"/vouchers/{vid}/redeem", {}),
        (f"/vouchers/{vid}/reject", {"reason": "documents_missing"}),
    ):
        assert_problem(await client.post(path, json=body, headers=other_agency.headers), 404)
        assert_problem(await client.post(path, json=body, headers=made.worker.headers), 403)
        assert_problem(await client.post(path, json=body, headers=world.provider.user.headers), 403)
    assert (await client.get("/claims", headers=other_agency.headers)).json()["items"] == []
    assert_problem(await client.get(f"/claims/{vid}", headers=other_agency.headers), 404)
    state = await client.get(f"/vouchers/{vid}", headers=world.agency.headers)
    assert state.json()["status"] == "claimed"


async def test_another_provider_cannot_claim(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    other = await make_provider(client, runtime)
    response = await client.post(
        f"/vouchers/{made.voucher_id}/claim",
        json={"amount_fen": 1000},
        headers=other.user.headers,
    )
    assert_problem(response, 404)
    assert (await client.get("/claims", headers=other.user.headers)).json()["items"] == []


async def test_a_rejected_claim_goes_back_to_bound_and_may_be_claimed_again(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [made] = await claimed_vouchers(client, runtime, 1)
    vid = made.voucher_id
    needs_note = await client.post(
        f"/vouchers/{vid}/reject", json={"reason": "other"}, headers=world.agency.headers
    )
    assert_problem(needs_note, 422)
    bad_code = await client.post(
        f"/vouchers/{vid}/reject", json={"reason": "because"}, headers=world.agency.headers
    )
    assert_problem(bad_code, 422)
    rejected = await client.post(
        f"/vouchers/{vid}/reject",
        json={"reason": "amount_not_justified", "note": "超出实际培训成本"},
        headers=world.agency.headers,
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["claimed_amount_fen"]) == ("bound", 0)
    events = (await client.get(f"/vouchers/{vid}/events", headers=made.worker.headers)).json()
    assert events[-1]["action"] == "reject"
    assert events[-1]["details"]["reason_code"] == "amount_not_justified"
    assert (await client.get("/claims", headers=world.agency.headers)).json()["items"] == []
    again = await claim(client, world, vid, 50_000)
    assert again.status_code == 200, again.text
    redeemed = await client.post(f"/vouchers/{vid}/redeem", headers=world.agency.headers)
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["redeemed_amount_fen"] == 50_000


async def test_redemption_writes_the_ledger_and_the_archive_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, [made] = await claimed_vouchers(client, runtime, 1, amounts=[75_000])
    vid = made.voucher_id
    redeemed = await client.post(
        f"/vouchers/{vid}/redeem", json={"note": "材料齐全"}, headers=world.agency.headers
    )
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["status"] == "redeemed"
    again = await client.post(f"/vouchers/{vid}/redeem", headers=world.agency.headers)
    assert_problem(again, 409)
    assert_problem(
        await client.post(
            f"/vouchers/{vid}/reject",
            json={"reason": "documents_missing"},
            headers=world.agency.headers,
        ),
        409,
    )
    entries = await LedgerEntry.find({"voucher_id": vid}).to_list()
    assert [(e.id, e.amount_fen, e.organisation_id) for e in entries] == [
        (f"redeem:{vid}", 75_000, world.provider.organisation_id)
    ]
    archive = (
        await client.get("/me/entries", params={"limit": 100}, headers=made.worker.headers)
    ).json()["items"]
    mine = [e for e in archive if e["kind"] == "voucher_redeemed"]
    assert [e["payload"]["voucher_id"] for e in mine] == [vid]
    assert mine[0]["payload"]["amount_fen"] == 75_000
    assert (await client.get("/me/archive/verify", headers=made.worker.headers)).json()["ok"]

    provider_view = await client.get("/claims", headers=world.provider.user.headers)
    [item] = provider_view.json()["items"]
    assert (item["voucher"]["status"], item["redeemed_amount_fen"]) == ("redeemed", 75_000)
    assert item["redeemed_at"] is not None


async def test_the_provider_sees_money_owed_and_paid(client: AsyncClient, runtime: Runtime) -> None:
    world, trained = await claimed_vouchers(client, runtime, 3, amounts=[10_000, 20_000, 30_000])
    paid = await client.post(
        f"/vouchers/{trained[0].voucher_id}/redeem", headers=world.agency.headers
    )
    assert paid.status_code == 200
    money = await client.get("/claims/money", headers=world.provider.user.headers)
    assert money.json() == {
        "claims_pending": 2,
        "owed_fen": 50_000,
        "vouchers_paid": 1,
        "paid_fen": 10_000,
        "paid_by_source": [{"funding_source": "unspecified", "payments": 1, "amount_fen": 10_000}],
    }
    waiting = await client.get(
        "/claims", params={"status": "claimed"}, headers=world.provider.user.headers
    )
    assert len(waiting.json()["items"]) == 2
    page = await client.get("/claims", params={"limit": 1}, headers=world.agency.headers)
    assert len(page.json()["items"]) == 1
    rest = await client.get(
        "/claims",
        params={"limit": 5, "cursor": page.json()["next_cursor"]},
        headers=world.agency.headers,
    )
    assert len(rest.json()["items"]) == 1
    assert_problem(
        await client.get("/claims", params={"status": "bound"}, headers=world.agency.headers),
        422,
    )


async def test_the_settlement_file_of_a_period(client: AsyncClient, runtime: Runtime) -> None:
    world, trained = await claimed_vouchers(client, runtime, 2, amounts=[12_345, 20_000])
    for made in trained:
        done = await client.post(
            f"/vouchers/{made.voucher_id}/redeem", headers=world.agency.headers
        )
        assert done.status_code == 200
    # Redeemed after the training, on the domain clock's day.
    today = china_today(clock.now())
    params = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    as_json = await client.get("/settlements", params=params, headers=world.agency.headers)
    assert as_json.status_code == 200, as_json.text
    body = as_json.json()
    assert (body["vouchers"], body["amount_fen"]) == (2, 32_345)
    [row] = body["rows"]
    assert row["organisation_id"] == world.provider.organisation_id
    as_csv = await client.get(
        "/settlements", params={**params, "format": "csv"}, headers=world.agency.headers
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["provider", "credit_code", "provider_id", "vouchers", "amount_fen"]
    assert rows[1][1] == row["credit_code"]
    assert rows[1][3:] == ["2", "32345", "323.45"]
    assert rows[-1][3:5] == ["2", "32345"]
    as_xlsx = await client.get(
        "/settlements", params={**params, "format": "xlsx"}, headers=world.agency.headers
    )
    assert as_xlsx.headers["content-disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][3:] == [2, 32345, "323.45"]
    earlier = {"from": "2020-01-01", "to": "2020-01-31"}
    assert (await client.get("/settlements", params=earlier, headers=world.agency.headers)).json()[
        "rows"
    ] == []
    other = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    assert (await client.get("/settlements", params=params, headers=other.headers)).json()[
        "rows"
    ] == []
    backwards = {"from": params["to"], "to": params["from"]}
    assert_problem(
        await client.get("/settlements", params=backwards, headers=world.agency.headers), 422
    )


async def test_a_voucher_not_bound_cannot_be_claimed(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    await enrol(client, world.provider, world.run["id"], world.worker)
    # Not bound to this provider's enrolment: the provider does not even see it.
    assert_problem(await claim(client, world, voucher["id"]), 404)

"""The public catalogue (``GET /catalogue/runs``) and a worker's applications to its classes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import Provider, make_course, make_provider, make_run
from tests.vouchers.factories import issued, make_policy
from tests.workers.factories import Worker, registered_worker

ELECTRICIAN = {
    "title": "电工（中级）",
    "occupation_code": "6-31-01-03",
    "training_type": "skill_upgrading",
    "brand": "tianfu_technician",
    "target_level": "intermediate",
}


def _soon(days: int) -> date:
    return clock.china_today() + timedelta(days=days)


async def _search(client: AsyncClient, headers: dict[str, str] | None = None, **params: Any) -> Any:
    return await client.get("/catalogue/runs", params=params, headers=headers or {})


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def _worker(client: AsyncClient, runtime: Runtime, region: str = "510104") -> Worker:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix=region[:4])
    return await registered_worker(client, agency, region_code=region)


async def _apply(client: AsyncClient, worker: Worker, run_id: str) -> Any:
    return await client.post("/me/applications", json={"run_id": run_id}, headers=worker.headers)


async def test_only_classes_open_for_applications_are_listed(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    ended = await make_run(client, provider, course["id"], start=_soon(-10))
    today = await make_run(client, provider, course["id"], start=_soon(-3), count=4)
    later = await make_run(client, provider, course["id"], start=_soon(20))
    full = await make_run(client, provider, course["id"], start=_soon(5), capacity=1)
    soonest = await make_run(client, provider, course["id"], start=_soon(2))
    taker = await _worker(client, runtime)
    assert (await _apply(client, taker, full["id"])).status_code == 201
    suspended = await make_provider(client, runtime)
    elsewhere = await make_run(
        client, suspended, (await make_course(client, suspended))["id"], start=_soon(3)
    )
    stop = await client.post(
        f"/providers/{suspended.organisation_id}/suspend",
        json={"reason": "资质复核"},
        headers=suspended.agency.headers,
    )
    assert stop.status_code == 200, stop.text

    listed = await _search(client)

    # Soonest first; a class that started but has not ended still takes applications.
    assert _ids(listed) == [today["id"], soonest["id"], later["id"]]
    first = listed.json()["items"][1]
    assert first["course_title"] == "中式烹调师（初级）"
    assert first["provider_id"] == provider.organisation_id
    assert (first["seats_left"], first["open"], first["closed"]) == (40, True, None)
    assert (first["voucher_pays"], first["paying_vouchers"]) == (None, None)
    assert first["subsidy_standard_fen"] == 120_000
    for gone in (ended, full, elsewhere):
        shown = (await client.get(f"/catalogue/runs/{gone['id']}")).json()
        assert shown["open"] is False, shown
    assert (await client.get(f"/catalogue/runs/{ended['id']}")).json()["closed"] == "ended"
    assert (await client.get(f"/catalogue/runs/{full['id']}")).json()["closed"] == "full"
    closed = (await client.get(f"/catalogue/runs/{elsewhere['id']}")).json()["closed"]
    assert closed == "provider_inactive"


async def test_search_by_occupation_level_place_and_dates(
    client: AsyncClient, runtime: Runtime
) -> None:
    chengdu = await make_provider(client, runtime)
    mianyang = await make_provider(client, runtime, region="510703", agency_prefix="5107")
    cooking = await make_course(client, chengdu)
    wiring = await make_course(client, chengdu, **ELECTRICIAN)
    welding = await make_course(
        client, mianyang, **{**ELECTRICIAN, "title": "焊工", "occupation_code": "6-18-02-04"}
    )
    cook = await make_run(client, chengdu, cooking["id"], start=_soon(3))
    wire = await make_run(client, chengdu, wiring["id"], start=_soon(10))
    weld = await make_run(client, mianyang, welding["id"], start=_soon(30))

    assert _ids(await _search(client, occupation="6-31-01-03")) == [wire["id"]]
    assert _ids(await _search(client, level="intermediate")) == [wire["id"], weld["id"]]
    assert _ids(await _search(client, region="5107")) == [weld["id"]]
    assert _ids(await _search(client, region="51")) == [cook["id"], wire["id"], weld["id"]]
    assert _ids(await _search(client, region="5101", level="junior")) == [cook["id"]]
    window = {"starts_from": _soon(4).isoformat(), "starts_by": _soon(30).isoformat()}
    assert _ids(await _search(client, **window)) == [wire["id"], weld["id"]]
    assert _ids(await _search(client, starts_by=_soon(3).isoformat())) == [cook["id"]]

    bad = assert_problem(await _search(client, occupation="welder", region="99"), 422)
    assert {e["field"] for e in bad["errors"]} == {"occupation", "region"}
    backwards = {"starts_from": _soon(9).isoformat(), "starts_by": _soon(2).isoformat()}
    assert assert_problem(await _search(client, **backwards), 422)["errors"][0]["field"] == (
        "starts_by"
    )
    assert_problem(await _search(client, cursor="not-a-cursor"), 422)


async def test_pages_follow_the_start_date_without_skipping_or_repeating(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    made = [
        await make_run(client, provider, course["id"], start=_soon(days))
        for days in (9, 2, 9, 9, 5)
    ]
    expected = [made[1]["id"], made[4]["id"], made[0]["id"], made[2]["id"], made[3]["id"]]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await _search(client, **params)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3  # 2 + 2 + 1, and no empty page after a full last one


async def _voucher_world(
    client: AsyncClient, runtime: Runtime
) -> tuple[Worker, Provider, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A worker with a skill-upgrading voucher, and two open classes: one it pays for."""
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    policy = await make_policy(client, agency, training_types=["skill_upgrading"])
    worker = await registered_worker(client, agency)
    voucher = await issued(client, agency, policy["id"], worker.archive_id)
    provider = await make_provider(client, runtime)
    cooking = await make_run(
        client, provider, (await make_course(client, provider))["id"], start=_soon(3)
    )
    wiring = await make_run(
        client, provider, (await make_course(client, provider, **ELECTRICIAN))["id"], start=_soon(6)
    )
    return worker, provider, voucher, cooking, wiring


async def test_a_worker_sees_which_of_their_vouchers_pay(
    client: AsyncClient, runtime: Runtime
) -> None:
    worker, provider, voucher, cooking, wiring = await _voucher_world(client, runtime)

    listed = (await _search(client, worker.headers)).json()["items"]
    pays = {item["id"]: item["voucher_pays"] for item in listed}
    assert pays == {cooking["id"]: False, wiring["id"]: True}
    paying = next(item for item in listed if item["id"] == wiring["id"])["paying_vouchers"]
    assert [(v["id"], v["face_value_fen"]) for v in paying] == [(voucher["id"], 100_000)]
    assert _ids(await _search(client, worker.headers, voucher_pays="true")) == [wiring["id"]]
    assert _ids(await _search(client, worker.headers, voucher=voucher["id"])) == [wiring["id"]]

    # Searching by vouchers needs a worker; another worker's voucher is not found.
    assert_problem(await _search(client, voucher_pays="true"), 401)
    assert_problem(await _search(client, provider.user.headers, voucher_pays="true"), 403)
    stranger = await _worker(client, runtime)
    assert_problem(await _search(client, stranger.headers, voucher=voucher["id"]), 404)
    assert _ids(await _search(client, stranger.headers, voucher_pays="true")) == []
    assert_problem(await _search(client, {"Authorization": "Bearer not-a-token"}), 401)

    # A voucher bound to an application no longer pays for another class.
    applied = await _apply(client, worker, wiring["id"])
    bound = await client.post(
        f"/vouchers/{voucher['id']}/bind",
        json={"enrolment_id": applied.json()["id"]},
        headers=worker.headers,
    )
    assert bound.status_code == 200, bound.text
    assert _ids(await _search(client, worker.headers, voucher_pays="true")) == []


async def test_applying_withdrawing_and_applying_again(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    run = await make_run(
        client, provider, (await make_course(client, provider))["id"], start=_soon(7)
    )
    worker = await _worker(client, runtime)

    applied = await _apply(client, worker, run["id"])

    assert applied.status_code == 201, applied.text
    application = applied.json()
    assert (application["status"], application["run_id"]) == ("requested", run["id"])
    detail = (await client.get(f"/catalogue/runs/{run['id']}", headers=worker.headers)).json()
    assert detail["my_application"]["id"] == application["id"]
    assert detail["seats_left"] == 39
    assert (await client.get(f"/catalogue/runs/{run['id']}")).json()["my_application"] is None
    twice = assert_problem(await _apply(client, worker, run["id"]), 409)
    assert twice["reason"] == "already_applied"

    # The provider sees the application in its class list.
    roster = await client.get(f"/runs/{run['id']}/enrolments", headers=provider.user.headers)
    assert [e["status"] for e in roster.json()["items"]] == ["requested"]

    withdrawn = await client.post(
        f"/me/applications/{application['id']}/withdraw", headers=worker.headers
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["withdraw_reason"]) == (
        "withdrawn",
        "worker",
    )
    seats = (await client.get(f"/catalogue/runs/{run['id']}")).json()["seats_left"]
    assert seats == 40
    again = await _apply(client, worker, run["id"])
    assert (again.status_code, again.json()["id"], again.json()["status"]) == (
        201,
        application["id"],
        "requested",
    )


async def test_the_provider_accepts_or_refuses_with_a_reason(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    run = await make_run(
        client, provider, (await make_course(client, provider))["id"], start=_soon(7)
    )
    accepted, refused = await _worker(client, runtime), await _worker(client, runtime)
    first = (await _apply(client, accepted, run["id"])).json()
    second = (await _apply(client, refused, run["id"])).json()

    yes = await client.post(
        f"/enrolments/{first['id']}/accept", json={}, headers=provider.user.headers
    )
    no = await client.post(
        f"/enrolments/{second['id']}/refuse",
        json={"reason": "该班要求具备电工初级证书"},
        headers=provider.user.headers,
    )

    assert yes.json()["status"] == "accepted"
    reason = "该班要求具备电工初级证书"
    assert (no.json()["status"], no.json()["status_reason"]) == ("refused", reason)
    mine = (await client.get("/me/enrolments", headers=refused.headers)).json()["items"]
    assert [(e["status"], e["status_reason"]) for e in mine] == [("refused", reason)]
    # Refused for this class: only the provider may enrol them now.
    assert assert_problem(await _apply(client, refused, run["id"]), 409)["reason"] == "refused"
    # Accepted, not yet in training: the worker may still withdraw; in training, not here.
    await client.post(f"/enrolments/{first['id']}/start", json={}, headers=provider.user.headers)
    late = await client.post(f"/me/applications/{first['id']}/withdraw", headers=accepted.headers)
    assert assert_problem(late, 409)["current_state"] == "in_training"


async def test_closed_and_overlapping_classes_are_refused(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course_id = (await make_course(client, provider))["id"]
    ended = await make_run(client, provider, course_id, start=_soon(-9))
    full = await make_run(client, provider, course_id, start=_soon(40), capacity=1)
    morning = await make_run(client, provider, course_id, start=_soon(10))
    clash = await make_run(client, provider, course_id, start=_soon(12), at="10:00")
    worker, other = await _worker(client, runtime), await _worker(client, runtime)
    assert (await _apply(client, other, full["id"])).status_code == 201
    assert (await _apply(client, worker, morning["id"])).status_code == 201

    said = {
        run["id"]: assert_problem(await _apply(client, worker, run["id"]), 409)
        for run in (ended, full, clash)
    }

    assert said[ended["id"]]["reason"] == "ended"
    assert said[full["id"]]["reason"] == "full"
    assert said[clash["id"]]["reason"] == "overlap"
    assert said[clash["id"]]["clashing_run_id"] == morning["id"]
    assert_problem(await _apply(client, worker, "000000000000000000000000"), 404)
    assert_problem(await _apply(client, worker, "nonsense"), 404)
    mine = (await client.get("/me/enrolments", headers=worker.headers)).json()["items"]
    assert [e["run_id"] for e in mine] == [morning["id"]]


async def test_a_worker_never_withdraws_another_workers_application(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    run = await make_run(
        client, provider, (await make_course(client, provider))["id"], start=_soon(7)
    )
    owner, other = await _worker(client, runtime), await _worker(client, runtime)
    application = (await _apply(client, owner, run["id"])).json()

    foreign = await client.post(
        f"/me/applications/{application['id']}/withdraw", headers=other.headers
    )

    assert_problem(foreign, 404)
    detail = (await client.get(f"/catalogue/runs/{run['id']}", headers=owner.headers)).json()
    assert detail["my_application"]["status"] == "requested"
    mine = await client.get(f"/catalogue/runs/{run['id']}", headers=other.headers)
    assert mine.json()["my_application"] is None


async def test_an_application_is_idempotent_with_a_key(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    run = await make_run(
        client, provider, (await make_course(client, provider))["id"], start=_soon(7)
    )
    worker = await _worker(client, runtime)
    headers = {**worker.headers, "Idempotency-Key": "apply-once-0001"}
    first = await client.post("/me/applications", json={"run_id": run["id"]}, headers=headers)
    replay = await client.post("/me/applications", json={"run_id": run["id"]}, headers=headers)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert first.json() == replay.json()
    extra = await client.post(
        "/me/applications", json={"run_id": run["id"], "note": "x"}, headers=worker.headers
    )
    assert_problem(extra, 422)


async def test_pages_of_a_voucher_search_read_past_the_classes_it_leaves_out(
    client: AsyncClient, runtime: Runtime
) -> None:
    worker, provider, _voucher, first_cook, first_wire = await _voucher_world(client, runtime)
    cooking = (await make_course(client, provider))["id"]
    wiring = (await make_course(client, provider, **ELECTRICIAN))["id"]
    for days in (7, 8, 9):
        await make_run(client, provider, cooking, start=_soon(days))
    last_wire = await make_run(client, provider, wiring, start=_soon(10))
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"voucher_pays": "true", "limit": 1}
        page = (
            await _search(
                client, worker.headers, **params, **({"cursor": cursor} if cursor else {})
            )
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [first_wire["id"], last_wire["id"]]
    assert first_cook["id"] not in seen

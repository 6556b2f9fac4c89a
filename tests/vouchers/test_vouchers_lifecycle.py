"""The voucher life cycle over HTTP: every allowed transition, every forbidden one (409 naming
the state, nothing changes), binding rules, release on withdrawal, cancel, expiry by time (and
racing a bind), and the events each transition leaves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.training.documents import Enrolment
from portfolio.vouchers import transitions
from portfolio.vouchers.documents import Voucher, VoucherEvent
from tests.helpers import assert_problem
from tests.training.factories import make_course, make_provider, make_run
from tests.vouchers.factories import (
    World,
    enrol,
    issued,
    issued_back_then,
    make_policy,
    make_world,
)


async def _stored(voucher_id: str) -> dict[str, Any]:
    raw: dict[str, Any] | None = await Voucher.get_pymongo_collection().find_one(
        {"_id": ObjectId(voucher_id)}
    )
    assert raw is not None
    return raw


async def _events(voucher_id: str) -> list[dict[str, Any]]:
    return (
        await VoucherEvent.get_pymongo_collection()
        .find({"voucher_id": voucher_id})
        .sort("version", 1)
        .to_list()
    )


async def _bind(
    client: AsyncClient, headers: dict[str, str], voucher_id: str, enrolment: str
) -> Any:
    return await client.post(
        f"/vouchers/{voucher_id}/bind", json={"enrolment_id": enrolment}, headers=headers
    )


async def _sweep(client: AsyncClient, world: World) -> int:
    response = await client.post("/vouchers/expire", headers=world.agency.headers)
    assert response.status_code == 200, response.text
    expired: int = response.json()["expired"]
    return expired


async def _status(client: AsyncClient, world: World, voucher_id: str) -> str:
    response = await client.get(f"/vouchers/{voucher_id}", headers=world.worker.headers)
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


# ---- reaching each state -----------------------------------------------------------------

Arranged = tuple[World, str, str]  # world, voucher id, an enrolment of the worker


async def _issued(client: AsyncClient, runtime: Runtime) -> Arranged:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    enrolment = await enrol(client, world.provider, world.run["id"], world.worker)
    return world, voucher["id"], enrolment["id"]


async def _bound(client: AsyncClient, runtime: Runtime) -> Arranged:
    world, voucher_id, enrolment_id = await _issued(client, runtime)
    bound = await _bind(client, world.worker.headers, voucher_id, enrolment_id)
    assert bound.status_code == 200, bound.text
    return world, voucher_id, enrolment_id


async def _cancelled(client: AsyncClient, runtime: Runtime) -> Arranged:
    world, voucher_id, enrolment_id = await _issued(client, runtime)
    cancelled = await client.post(
        f"/vouchers/{voucher_id}/cancel", json={"reason": "重复发放"}, headers=world.agency.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    return world, voucher_id, enrolment_id


async def _past_end(client: AsyncClient, runtime: Runtime) -> Arranged:
    world = await make_world(client, runtime)
    voucher = await issued_back_then(
        world.agency,
        world.policy["id"],
        world.worker.archive_id,
        keyring=world.keyring,
        ends_in=-timedelta(seconds=1),
        validity_days=180,
    )
    enrolment = await enrol(client, world.provider, world.run["id"], world.worker)
    return world, str(voucher.id), enrolment["id"]


async def _swept(client: AsyncClient, runtime: Runtime) -> Arranged:
    world, voucher_id, enrolment_id = await _past_end(client, runtime)
    assert await _sweep(client, world) == 1
    return world, voucher_id, enrolment_id


STATES: dict[str, Callable[[AsyncClient, Runtime], Awaitable[Arranged]]] = {
    "issued": _issued,
    "bound": _bound,
    "cancelled": _cancelled,
    "expired (not yet swept)": _past_end,
    "expired": _swept,
}


def _act(
    action: str, world: World, voucher_id: str, enrolment_id: str
) -> tuple[str, str, Any, dict[str, str]]:
    """method, path, body, headers of ``action`` done by whoever may do it."""
    if action == "bind":
        return (
            "POST",
            f"/vouchers/{voucher_id}/bind",
            {"enrolment_id": enrolment_id},
            world.worker.headers,
        )
    if action == "release":
        return "POST", f"/vouchers/{voucher_id}/release", {}, world.worker.headers
    if action == "cancel":
        return (
            "POST",
            f"/vouchers/{voucher_id}/cancel",
            {"reason": "政策调整"},
            world.agency.headers,
        )
    assert action == "consent"
    return (
        "POST",
        f"/me/vouchers/{voucher_id}/consent",
        {"provider_may_bind": True},
        world.worker.headers,
    )


FORBIDDEN = [
    ("issued", "release"),
    ("bound", "bind"),
    ("bound", "consent"),
    *[
        (state, action)
        for state in ("cancelled", "expired (not yet swept)", "expired")
        for action in ("bind", "release", "cancel", "consent")
    ],
]


@pytest.mark.parametrize(
    ("state", "action"), FORBIDDEN, ids=[f"{a} when {s}" for s, a in FORBIDDEN]
)
async def test_forbidden_transitions_are_409_naming_the_state_and_change_nothing(
    client: AsyncClient, runtime: Runtime, state: str, action: str
) -> None:
    world, voucher_id, enrolment_id = await STATES[state](client, runtime)
    shown = state.split(" ")[0]
    assert await _status(client, world, voucher_id) == shown
    before, events_before = await _stored(voucher_id), await _events(voucher_id)
    method, path, body, headers = _act(action, world, voucher_id, enrolment_id)
    problem = assert_problem(await client.request(method, path, json=body, headers=headers), 409)
    assert problem["current_state"] == shown
    assert problem["detail"] == f"cannot {action} a voucher that is {shown}"
    assert await _stored(voucher_id) == before
    assert await _events(voucher_id) == events_before


ALLOWED = [
    ("issued", "consent", "issued"),
    ("issued", "bind", "bound"),
    ("issued", "cancel", "cancelled"),
    ("bound", "cancel", "cancelled"),
]


@pytest.mark.parametrize(
    ("state", "action", "target"), ALLOWED, ids=[f"{a} when {s}" for s, a, _ in ALLOWED]
)
async def test_allowed_transitions_move_once_and_leave_one_event(
    client: AsyncClient, runtime: Runtime, state: str, action: str, target: str
) -> None:
    world, voucher_id, enrolment_id = await STATES[state](client, runtime)
    before = await _stored(voucher_id)
    method, path, body, headers = _act(action, world, voucher_id, enrolment_id)
    moved = await client.request(method, path, json=body, headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == target
    after = await _stored(voucher_id)
    assert (after["status"], after["version"]) == (target, before["version"] + 1)
    events = await _events(voucher_id)
    assert [e["_id"] for e in events] == [f"{voucher_id}:{v}" for v in range(after["version"] + 1)]
    last = events[-1]
    assert (last["action"], last["from_state"], last["to_state"]) == (
        action,
        before["status"],
        target,
    )
    assert last["by"]["role"] == ("agency" if action == "cancel" else "worker")
    if action == "cancel":
        assert last["reason"] == "政策调整"


async def test_expire_by_sweep_from_issued_and_from_bound(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, rules={"one_unused_voucher": False})
    enrolment = await enrol(client, world.provider, world.run["id"], world.worker)
    ending = [
        await issued_back_then(
            world.agency,
            world.policy["id"],
            world.worker.archive_id,
            keyring=world.keyring,
            ends_in=timedelta(seconds=1),
            validity_days=180,
        )
        for _ in range(2)
    ]
    bound = await _bind(client, world.worker.headers, str(ending[1].id), enrolment["id"])
    assert bound.status_code == 200, bound.text
    assert await _sweep(client, world) == 0  # not yet past the end
    await asyncio.sleep(1.1)
    assert await _sweep(client, world) == 2
    assert await _sweep(client, world) == 0
    for voucher, came_from in zip(ending, ("issued", "bound"), strict=True):
        stored = await _stored(str(voucher.id))
        assert stored["status"] == "expired"
        last = (await _events(str(voucher.id)))[-1]
        assert (last["action"], last["from_state"], last["to_state"]) == (
            "expire",
            came_from,
            "expired",
        )
        assert last["by"]["role"] == "agency"
    # The expired voucher let go of the enrolment: a fresh one can be bound to it.
    fresh = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    rebound = await _bind(client, world.worker.headers, fresh["id"], enrolment["id"])
    assert rebound.status_code == 200, rebound.text


async def test_a_voucher_past_its_end_counts_as_expired_everywhere_before_any_sweep(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, voucher_id, _ = await _past_end(client, runtime)
    assert (await _stored(voucher_id))["status"] == "issued"  # nothing marked it
    for headers in (world.worker.headers, world.agency.headers):
        assert (await client.get(f"/vouchers/{voucher_id}", headers=headers)).json()[
            "status"
        ] == "expired"

    async def listed(status: str) -> list[str]:
        page = await client.get(
            "/me/vouchers", params={"status": status}, headers=world.worker.headers
        )
        assert page.status_code == 200, page.text
        return [v["id"] for v in page.json()["items"]]

    assert await listed("expired") == [voucher_id]
    assert await listed("issued") == []
    agency_list = await client.get(
        "/vouchers", params={"status": "expired"}, headers=world.agency.headers
    )
    assert [v["id"] for v in agency_list.json()["items"]] == [voucher_id]
    # And the worker may have a new one: the lapsed one no longer counts as unused.
    again = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    assert again["status"] == "issued"
    assert (await _stored(voucher_id))["status"] == "expired"  # issuing marked the lapsed one


async def test_expiry_racing_a_bind_never_leaves_a_voucher_bound_past_its_end(
    client: AsyncClient, runtime: Runtime
) -> None:
    """A bind and a sweep land around the end, in either order: a bind that wins was made
    before the end (by its own clock and the filter's), one that loses names the state, and
    the voucher ends expired with a gap-free history."""
    world = await make_world(client, runtime, rules={"one_unused_voucher": False})
    enrolment = await enrol(client, world.provider, world.run["id"], world.worker)
    outcomes: list[str] = []
    for offset_ms in (-60, -30, -10, 0, 10, 30, 60):
        voucher = await issued_back_then(
            world.agency,
            world.policy["id"],
            world.worker.archive_id,
            keyring=world.keyring,
            ends_in=timedelta(milliseconds=150),
            validity_days=180,
        )
        vid = str(voucher.id)

        async def bind_at(delay_ms: int, vid: str = vid) -> Any:
            await asyncio.sleep(max(0, delay_ms) / 1000)
            return await _bind(client, world.worker.headers, vid, enrolment["id"])

        async def sweep_at(delay_ms: int) -> int:
            await asyncio.sleep(max(0, delay_ms) / 1000)
            return await _sweep(client, world)

        bind, _ = await asyncio.gather(bind_at(150 + offset_ms), sweep_at(150 - offset_ms))
        await asyncio.sleep(0.2)
        await _sweep(client, world)
        events = await _events(vid)
        assert [e["version"] for e in events] == list(range(len(events)))
        assert (await _stored(vid))["status"] == "expired"
        assert events[-1]["action"] == "expire"
        if bind.status_code == 200:
            (bound,) = [e for e in events if e["action"] == "bind"]
            assert bound["at"] < voucher.valid_until
            assert [e["to_state"] for e in events] == ["issued", "bound", "expired"]
            outcomes.append("bound, then expired")
        else:
            assert assert_problem(bind, 409)["current_state"] == "expired"
            assert [e["to_state"] for e in events] == ["issued", "expired"]
            outcomes.append("expired first")
        # After its end nothing binds it, swept or not.
        late = await _bind(client, world.worker.headers, vid, enrolment["id"])
        assert assert_problem(late, 409)["current_state"] == "expired"
    assert len(outcomes) == 7


async def test_provider_binds_only_with_the_workers_consent_and_uses_it_up(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, voucher_id, enrolment_id = await _issued(client, runtime)
    provider = world.provider.user.headers
    # Without consent the provider cannot even see the voucher.
    assert_problem(await _bind(client, provider, voucher_id, enrolment_id), 404)
    consent = await client.post(
        f"/me/vouchers/{voucher_id}/consent",
        json={"provider_may_bind": True},
        headers=world.worker.headers,
    )
    assert consent.status_code == 200, consent.text
    assert consent.json()["provider_may_bind"] is True
    # Another provider, where the worker is not enrolled, still cannot.
    other = await make_provider(client, runtime)
    assert_problem(await _bind(client, other.user.headers, voucher_id, enrolment_id), 404)
    seen = await client.get(f"/vouchers/{voucher_id}", headers=provider)
    assert seen.status_code == 200, seen.text
    assert seen.json()["grounds"] == []  # the worker's circumstances stay with the agency
    bound = await _bind(client, provider, voucher_id, enrolment_id)
    assert bound.status_code == 200, bound.text
    assert (bound.json()["status"], bound.json()["provider_may_bind"]) == ("bound", False)
    assert bound.json()["organisation_id"] == world.provider.organisation_id
    assert (await _events(voucher_id))[-1]["by"]["role"] == "provider"
    listed = await client.get("/vouchers", headers=provider)
    assert [v["id"] for v in listed.json()["items"]] == [voucher_id]


async def test_the_policy_must_pay_for_the_enrolments_course(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, brands=["tianfu_builder"])
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    enrolment = await enrol(client, world.provider, world.run["id"], world.worker)
    before = await _stored(voucher["id"])
    refused = assert_problem(
        await _bind(client, world.worker.headers, voucher["id"], enrolment["id"]), 422
    )
    assert refused["errors"] == [
        {
            "field": "enrolment_id",
            "rule": "not_covered",
            "message": "the policy pays for courses of the brands 天府建筑工 (tianfu_builder), "
            "not for 川菜大师傅 (sichuan_chef)",
        }
    ]
    assert await _stored(voucher["id"]) == before


async def test_only_the_holders_running_enrolment_takes_the_voucher(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, voucher_id, enrolment_id = await _issued(client, runtime)
    other_world = await make_world(client, runtime)
    foreign = await enrol(client, other_world.provider, other_world.run["id"], other_world.worker)
    refused = assert_problem(
        await _bind(client, world.worker.headers, voucher_id, foreign["id"]), 422
    )
    assert refused["errors"][0]["rule"] == "not_found"
    withdrawn = await client.post(
        f"/enrolments/{enrolment_id}/withdraw",
        json={"reason_code": "worker"},
        headers=world.worker.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    late = assert_problem(await _bind(client, world.worker.headers, voucher_id, enrolment_id), 409)
    assert late["enrolment_status"] == "withdrawn"
    assert (await _stored(voucher_id))["status"] == "issued"


async def test_one_voucher_per_enrolment(client: AsyncClient, runtime: Runtime) -> None:
    world, _voucher_id, enrolment_id = await _bound(client, runtime)
    second_policy = await make_policy(client, world.agency, name="第二项政策")
    second = await issued(client, world.agency, second_policy["id"], world.worker.archive_id)
    refused = assert_problem(
        await _bind(client, world.worker.headers, second["id"], enrolment_id), 409
    )
    assert refused["detail"] == "another voucher is bound to this enrolment already"
    assert (await _stored(second["id"]))["status"] == "issued"
    assert len(await _events(second["id"])) == 1


@pytest.mark.parametrize("ending", ["withdraw", "refuse"])
async def test_an_ended_enrolment_gives_its_voucher_back(
    client: AsyncClient, runtime: Runtime, ending: str
) -> None:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    requested = await client.post(
        f"/runs/{world.run['id']}/enrolments",
        json={
            "id_type": "resident_id",
            "id_number": world.worker.registered.id_number,
            "name": "张三",
        },
        headers=world.provider.user.headers,
    )
    assert requested.status_code == 201, requested.text
    enrolment_id = requested.json()["id"]
    assert (
        await _bind(client, world.worker.headers, voucher["id"], enrolment_id)
    ).status_code == 200
    body = {"reason_code": "provider"} if ending == "withdraw" else {}
    ended = await client.post(
        f"/enrolments/{enrolment_id}/{ending}", json=body, headers=world.provider.user.headers
    )
    assert ended.status_code == 200, ended.text
    shown = (await client.get(f"/vouchers/{voucher['id']}", headers=world.worker.headers)).json()
    assert (shown["status"], shown["enrolment_id"]) == ("issued", None)
    last = (await _events(voucher["id"]))[-1]
    assert (last["action"], last["from_state"], last["to_state"]) == ("release", "bound", "issued")
    assert last["reason"] == f"the enrolment was {ending}{'n' if ending == 'withdraw' else 'd'}"
    assert last["by"]["role"] == "provider"
    # Back to issued: it can be bound again, to another enrolment.
    course = await make_course(client, world.provider)
    run = await make_run(client, world.provider, course["id"], count=2, at="19:00")
    other = await enrol(client, world.provider, run["id"], world.worker)
    assert (
        await _bind(client, world.worker.headers, voucher["id"], other["id"])
    ).status_code == 200


async def test_manual_release_waits_for_the_enrolment_to_end(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, voucher_id, enrolment_id = await _bound(client, runtime)
    refused = assert_problem(
        await client.post(f"/vouchers/{voucher_id}/release", headers=world.agency.headers), 409
    )
    assert refused["enrolment_status"] == "accepted"
    # The automatic release was lost (a crash between the withdrawal and its hook): the
    # enrolment is withdrawn while the voucher is still bound. Anyone in reach releases it.
    await Enrolment.get_pymongo_collection().update_one(
        {"_id": ObjectId(enrolment_id)}, {"$set": {"status": "withdrawn"}}
    )
    released = await client.post(
        f"/vouchers/{voucher_id}/release",
        json={"reason": "培训机构停课"},
        headers=world.provider.user.headers,
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "issued"
    assert (await _events(voucher_id))[-1]["reason"] == "培训机构停课"


async def test_cancel_needs_a_reason(client: AsyncClient, runtime: Runtime) -> None:
    world, voucher_id, _ = await _issued(client, runtime)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = await client.post(
            f"/vouchers/{voucher_id}/cancel", json=body, headers=world.agency.headers
        )
        assert_problem(response, 422)
    assert (await _stored(voucher_id))["status"] == "issued"


async def test_consent_twice_changes_nothing_the_second_time(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, voucher_id, _ = await _issued(client, runtime)
    for _ in range(2):
        response = await client.post(
            f"/me/vouchers/{voucher_id}/consent",
            json={"provider_may_bind": True},
            headers=world.worker.headers,
        )
        assert response.status_code == 200, response.text
    assert [e["action"] for e in await _events(voucher_id)] == ["issue", "consent"]


async def test_a_lost_event_row_is_restored_once_from_the_voucher(
    client: AsyncClient, runtime: Runtime
) -> None:
    _world, voucher_id, _ = await _bound(client, runtime)
    # The process died between the voucher's update and its event insert.
    await VoucherEvent.get_pymongo_collection().delete_one({"_id": f"{voucher_id}:1"})
    assert await transitions.restore_missing_events() == 1
    assert await transitions.restore_missing_events() == 0
    events = await _events(voucher_id)
    assert [(e["_id"], e["action"]) for e in events] == [
        (f"{voucher_id}:0", "issue"),
        (f"{voucher_id}:1", "bind"),
    ]
    # Writing the same event again (a retry) adds nothing.
    voucher = await Voucher.get(ObjectId(voucher_id))
    assert voucher is not None
    await transitions.record_event(voucher, voucher.last_event)
    assert len(await _events(voucher_id)) == 2


async def test_events_are_readable_by_those_who_reach_the_voucher(
    client: AsyncClient, runtime: Runtime
) -> None:
    world, voucher_id, _ = await _bound(client, runtime)
    for headers in (world.worker.headers, world.agency.headers, world.provider.user.headers):
        response = await client.get(f"/vouchers/{voucher_id}/events", headers=headers)
        assert response.status_code == 200, response.text
        assert [e["action"] for e in response.json()] == ["issue", "bind"]
    first = (
        await client.get(f"/vouchers/{voucher_id}/events", headers=world.worker.headers)
    ).json()[0]
    assert first["from_state"] is None
    assert first["to_state"] == "issued"
    assert datetime.fromisoformat(first["at"]) <= datetime.now(UTC)


async def test_racing_binds_give_one_voucher_one_enrolment(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, rules={"one_unused_voucher": False})
    vouchers = [
        await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
        for _ in range(5)
    ]
    enrolment = await enrol(client, world.provider, world.run["id"], world.worker)
    answers = await asyncio.gather(
        *(_bind(client, world.worker.headers, v["id"], enrolment["id"]) for v in vouchers)
    )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 4
    bound = [v["id"] for v, a in zip(vouchers, answers, strict=True) if a.status_code == 200]
    stored = [await _stored(v["id"]) for v in vouchers]
    assert [s["_id"] for s in stored if s["status"] == "bound"] == [ObjectId(bound[0])]
    assert [len(await _events(v["id"])) for v in vouchers].count(2) == 1


async def test_a_retried_issue_with_the_same_key_issues_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime, rules={"one_unused_voucher": False})
    headers = {**world.agency.headers, "Idempotency-Key": "issue-2026-0001"}
    body = {"policy_id": world.policy["id"], "worker_id": world.worker.archive_id}
    first, second = [await client.post("/vouchers", json=body, headers=headers) for _ in range(2)]
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    mine = await client.get("/me/vouchers", headers=world.worker.headers)
    assert len(mine.json()["items"]) == 1

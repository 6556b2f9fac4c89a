"""Another worker, another provider and an agency of another region: each is refused a voucher
that is not theirs as if it did not exist (404), and nothing changes. (The role table and the
agency cases of every route are in tests/access/routes_vouchers.py.)"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.vouchers.documents import Voucher
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import make_course, make_provider, make_run
from tests.vouchers.factories import enrol, issued, make_world
from tests.workers.factories import registered_worker


async def _stored(voucher_id: str) -> dict[str, Any]:
    raw: dict[str, Any] | None = await Voucher.get_pymongo_collection().find_one(
        {"_id": ObjectId(voucher_id)}
    )
    assert raw is not None
    return raw


async def test_another_worker_cannot_reach_a_voucher(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    other = await registered_worker(client, world.agency)
    their_enrolment = await enrol(client, world.provider, world.run["id"], other)
    before = await _stored(voucher["id"])
    vid = voucher["id"]
    for method, path, body in (
        ("GET", f"/vouchers/{vid}", None),
        ("GET", f"/vouchers/{vid}/events", None),
        ("POST", f"/me/vouchers/{vid}/consent", {"provider_may_bind": True}),
        ("POST", f"/vouchers/{vid}/bind", {"enrolment_id": their_enrolment["id"]}),
        ("POST", f"/vouchers/{vid}/release", {}),
    ):
        response = await client.request(method, path, json=body, headers=other.headers)
        assert_problem(response, 404)
    assert (await client.get("/me/vouchers", headers=other.headers)).json()["items"] == []
    assert await _stored(vid) == before


async def test_another_provider_cannot_reach_a_voucher(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    vid = voucher["id"]
    consent = await client.post(
        f"/me/vouchers/{vid}/consent",
        json={"provider_may_bind": True},
        headers=world.worker.headers,
    )
    assert consent.status_code == 200, consent.text
    # Another provider, even one the worker is enrolled with, binding to the first one's class.
    other = await make_provider(client, runtime)
    other_course = await make_course(client, other)
    other_run = await make_run(client, other, other_course["id"], count=2, at="19:00")
    await enrol(client, other, other_run["id"], world.worker)
    mine = await enrol(client, world.provider, world.run["id"], world.worker)
    refused = await client.post(
        f"/vouchers/{vid}/bind", json={"enrolment_id": mine["id"]}, headers=other.user.headers
    )
    assert_problem(refused, 422)  # it sees the consented voucher, not the other's enrolment
    bound = await client.post(
        f"/vouchers/{vid}/bind",
        json={"enrolment_id": mine["id"]},
        headers=world.provider.user.headers,
    )
    assert bound.status_code == 200, bound.text
    before = await _stored(vid)
    for method, path, body in (
        ("GET", f"/vouchers/{vid}", None),
        ("GET", f"/vouchers/{vid}/events", None),
        ("POST", f"/vouchers/{vid}/release", {}),
        ("POST", f"/vouchers/{vid}/bind", {"enrolment_id": mine["id"]}),
    ):
        response = await client.request(method, path, json=body, headers=other.user.headers)
        assert_problem(response, 404)
    assert (await client.get("/vouchers", headers=other.user.headers)).json()["items"] == []
    assert await _stored(vid) == before
    # The provider that holds the binding does reach it.
    own = await client.get(f"/vouchers/{vid}", headers=world.provider.user.headers)
    assert own.status_code == 200, own.text


async def test_an_agency_of_another_region_cannot_reach_a_voucher(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    vid = voucher["id"]
    mianyang = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5107")
    before = await _stored(vid)
    for method, path, body in (
        ("GET", f"/vouchers/{vid}", None),
        ("GET", f"/vouchers/{vid}/events", None),
        ("POST", f"/vouchers/{vid}/cancel", {"reason": "越权"}),
        ("POST", f"/vouchers/{vid}/release", {}),
    ):
        response = await client.request(method, path, json=body, headers=mianyang.headers)
        assert_problem(response, 404)
    assert (await client.get("/vouchers", headers=mianyang.headers)).json()["items"] == []
    swept = await client.post("/vouchers/expire", headers=mianyang.headers)
    assert swept.json() == {"expired": 0}
    assert await _stored(vid) == before


async def test_roles_that_may_not_act_get_403(client: AsyncClient, runtime: Runtime) -> None:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    vid = voucher["id"]
    for headers in (world.worker.headers, world.provider.user.headers):
        cancel = await client.post(
            f"/vouchers/{vid}/cancel", json={"reason": "不行"}, headers=headers
        )
        assert_problem(cancel, 403)
        made = await client.post(
            "/vouchers",
            json={"policy_id": world.policy["id"], "worker_id": world.worker.archive_id},
            headers=headers,
        )
        assert_problem(made, 403)
    assert (await _stored(vid))["status"] == "issued"

"""Share links through the JSON API: scope, expiry, revocation, the access code and its
throttle, views counted and written to the worker's access log, tokens kept only as hashes."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import bootstrap, clock
from portfolio.sharing.documents import ShareLink
from tests.helpers import auth_headers, request_tokens

DEMO_PASSWORD = "demo-password"


@pytest.fixture
async def demo(runtime: Runtime) -> None:
    """The demo data set: worker-1 has two certificates and a training."""
    await bootstrap.load_demo(settings=runtime.settings, keyring=runtime.keyring)


async def _worker(client: AsyncClient, username: str = "worker-1") -> dict[str, str]:
    tokens = await request_tokens(client, username, DEMO_PASSWORD)
    return auth_headers(tokens["access_token"])


async def _share(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/me/shares", json={"purpose": "job_application", "days": 30, **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def test_a_link_to_chosen_entries_shows_those_and_nothing_else(
    client: AsyncClient, demo: None
) -> None:
    headers = await _worker(client)
    items = (await client.get("/me/shares/items", headers=headers)).json()
    certificates = [i for i in items if i["kind"] == "certificate_issued"]
    assert len(certificates) == 2
    assert len(items) > 2
    chosen = certificates[0]
    made = await _share(client, headers, scope="entries", entries=[chosen["seq"]])
    assert made["url"].endswith("/s/" + made["token"])
    assert len(made["token"]) >= 43
    shown = await client.get(f"/shared/{made['token']}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["status"] == "open"
    assert body["name"] == "王小明"
    assert [i["seq"] for i in body["items"]] == [chosen["seq"]]
    assert body["items"][0]["number"] == chosen["number"]
    assert chosen["check_token"]
    assert body["items"][0]["check_token"] == chosen["check_token"]
    other = certificates[1]["number"]
    assert other not in shown.text
    # The whole archive shows every shareable item, and never an identity number.
    whole = await _share(client, headers)
    everything = (await client.get(f"/shared/{whole['token']}")).json()
    assert {i["seq"] for i in everything["items"]} == {i["seq"] for i in items}
    assert "id_number" not in str(everything)


async def test_entries_outside_the_record_are_refused(client: AsyncClient, demo: None) -> None:
    headers = await _worker(client)
    other = await _worker(client, "worker-2")
    theirs = (await client.get("/me/shares/items", headers=other)).json()
    mine = {i["seq"] for i in (await client.get("/me/shares/items", headers=headers)).json()}
    foreign = [i["seq"] for i in theirs if i["seq"] not in mine] or [9999]
    refused = await client.post(
        "/me/shares",
        json={"purpose": "other", "days": 5, "scope": "entries", "entries": foreign},
        headers=headers,
    )
    assert refused.status_code == 422
    for body in (
        {"purpose": "job_application", "days": 91},
        {"purpose": "job_application", "days": 0},
        {"purpose": "holiday", "days": 5},
        {"purpose": "other", "days": 5, "scope": "entries"},
        {"purpose": "other", "days": 5, "access_code": "12"},
    ):
        answer = await client.post("/me/shares", json=body, headers=headers)
        assert answer.status_code == 422, body


async def test_a_link_expires_and_then_says_only_that(client: AsyncClient, demo: None) -> None:
    headers = await _worker(client)
    made = await _share(client, headers, days=3)
    assert (await client.get(f"/shared/{made['token']}")).status_code == 200
    clock.travel_to(clock.now() + timedelta(days=3, minutes=1))
    gone = await client.get(f"/shared/{made['token']}")
    assert gone.status_code == 410
    assert gone.json() == {
        "status": "expired",
        "name": "",
        "purpose": None,
        "expires_at": None,
        "items": [],
    }
    listed = (await client.get("/me/shares", headers=headers)).json()
    assert listed[0]["status"] == "expired"
    assert listed[0]["views"] == 1


async def test_revoking_works_at_once_and_views_are_logged(client: AsyncClient, demo: None) -> None:
    headers = await _worker(client)
    made = await _share(client, headers, note="for 成都某公司")
    link_id = made["link"]["id"]
    for _ in range(2):
        assert (await client.get(f"/shared/{made['token']}")).status_code == 200
    detail = (await client.get(f"/me/shares/{link_id}", headers=headers)).json()
    assert detail["link"]["views"] == 2
    assert len(detail["views"]) == 2
    log = (await client.get("/me/access-log", headers=headers)).json()["items"]
    views = [line for line in log if line["action"] == "share_view"]
    assert len(views) == 2
    assert views[0]["principal_id"] == f"share:{link_id}"
    assert views[0]["purpose"] == "job_application"
    revoked = await client.post(f"/me/shares/{link_id}/revoke", headers=headers)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    gone = await client.get(f"/shared/{made['token']}")
    assert gone.status_code == 410
    assert gone.json()["status"] == "revoked"
    assert gone.json()["items"] == []
    assert "王小明" not in gone.text
    after = (await client.get(f"/me/shares/{link_id}", headers=headers)).json()
    assert after["link"]["views"] == 2
    # Another worker cannot see or revoke it.
    other = await _worker(client, "worker-2")
    assert (await client.get(f"/me/shares/{link_id}", headers=other)).status_code == 404
    assert (await client.post(f"/me/shares/{link_id}/revoke", headers=other)).status_code == 404


async def test_the_token_is_stored_only_as_its_hash(client: AsyncClient, demo: None) -> None:
    headers = await _worker(client)
    made = await _share(client, headers, access_code="ab12cd34")
    stored = await ShareLink.get_pymongo_collection().find_one({})
    assert stored is not None
    assert made["token"] not in str(stored)
    assert "ab12cd34" not in str(stored)
    assert stored["token_hash"] == hashlib.sha256(made["token"].encode()).hexdigest()
    assert (await client.get("/shared/" + "A" * 43)).status_code == 404


async def test_an_access_code_is_required_and_throttled(client: AsyncClient, demo: None) -> None:
    headers = await _worker(client)
    made = await _share(client, headers, access_code="ab12cd34")
    url = f"/shared/{made['token']}"
    needed = await client.get(url)
    assert needed.status_code == 401
    assert needed.json()["status"] == "code_required"
    assert needed.json()["items"] == []
    assert needed.json()["name"] == ""
    for _ in range(5):
        wrong = await client.post(url, json={"access_code": "wrong-code"})
        assert wrong.status_code == 401
        assert wrong.json()["status"] == "wrong_code"
    # Five wrong codes: the link waits, even for the right code.
    held = await client.post(url, json={"access_code": "ab12cd34"})
    assert held.status_code == 429
    assert int(held.headers["retry-after"]) > 0
    await ShareLink.get_pymongo_collection().update_many({}, {"$set": {"code_window_ms": 0}})
    opened = await client.post(url, json={"access_code": "ab12cd34"})
    assert opened.status_code == 200
    assert opened.json()["name"] == "王小明"
    listed = (await client.get("/me/shares", headers=headers)).json()
    assert listed[0]["has_access_code"]
    assert listed[0]["views"] == 1

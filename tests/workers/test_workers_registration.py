"""Real-name registration and activation through HTTP, up to the worker reading their archive."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from bson import ObjectId
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.archives.documents import Archive
from portfolio.identity.masking import age_band
from portfolio.settings import Settings
from tests.archives.factories import resident_id
from tests.helpers import assert_problem, create_principal, log_in_as, request_tokens
from tests.workers.factories import (
    WORKER_PASSWORD,
    activate,
    fresh_phone,
    register,
    registered_worker,
)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


async def test_register_activate_log_in_and_read_own_archive(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    number = resident_id("510104", date(1990, 3, 7), 123)
    registered = await register(client, agency, id_number=number, name=" 王  小明 ")
    body = registered.body
    assert number not in str(body)
    worker = body["worker"]
    assert worker["identity"] == {
        "name": "王 小明",
        "id_type": "resident_id",
        "nationality": "CHN",
        "id_number_masked": f"510104**********{number[-2:]}",
        # Not the date: with the masked number it named the person (issue 19).
        "birth_date": None,
        "age_band": age_band(date(1990, 3, 7), clock.china_today()),
        "sex": "male",
        "phone_masked": f"{registered.phone[:3]}****{registered.phone[-4:]}",
        "region_code": "510104",
    }
    assert worker["account_state"] == "pending"
    assert worker["entry_count"] == 1
    assert worker["revealed"] is None
    assert set(body["activation"]) == {"archive_id", "code", "expires_at"}

    activated = await activate(client, registered.code)
    assert activated.status_code == 201, activated.text
    assert activated.json() == {
        "archive_id": registered.archive_id,
        "username": registered.phone,
        "created": True,
    }
    # Single use: the same code again is refused, and changes nothing.
    assert_problem(await activate(client, registered.code, password="another passphrase"), 401)

    tokens = await request_tokens(client, registered.phone, WORKER_PASSWORD)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = (await client.get("/me", headers=headers)).json()
    assert (me["role"], me["archive_id"]) == ("worker", registered.archive_id)

    archive = await client.get("/me/archive", headers=headers)
    assert archive.status_code == 200, archive.text
    shown = archive.json()
    assert shown["worker"]["id"] == registered.archive_id
    assert shown["worker"]["account_state"] == "active"
    assert shown["worker"]["revealed"] is None
    # The worker themself sees their birth date.
    assert shown["worker"]["identity"]["birth_date"] == "1990-03-07"
    assert [(e["seq"], e["kind"]) for e in shown["entries"]["items"]] == [(1, "registered")]
    assert shown["entries"]["next_cursor"] is None
    assert shown["entries"]["items"][0]["recorded_by"]["principal"] == agency.id
    assert shown["summary"]["training_hours"] == 0
    assert number not in archive.text

    # The worker sees their own full numbers on purpose (and that read is not logged).
    identity = await client.get("/me/identity", headers=headers)
    assert identity.json()["revealed"]["id_number"] == number
    assert identity.headers["cache-control"] == "no-store"
    log = (await client.get("/me/access-log", headers=headers)).json()
    assert log == {"items": [], "next_cursor": None}


async def test_same_person_twice_in_any_spelling_is_409_naming_only_the_region(
    client: AsyncClient, settings: Settings
) -> None:
    chengdu = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    mianyang = await log_in_as(client, settings, Role.AGENCY, region_prefix="5107")
    number = resident_id("510104", date(1985, 12, 1), 18)
    assert number.endswith("X")  # so that a lower-case x is one of the spellings
    first = await register(client, chengdu, id_number=number)
    spellings = [
        number.lower(),
        " ".join([number[:6], number[6:14], number[14:]]),
        full_width(number),
        full_width(number.lower()),
    ]
    for spelling in spellings:
        response = await client.post(
            "/workers",
            json={
                "name": "另一个名字",
                "id_number": spelling,
                "phone": fresh_phone(),
                "region_code": "510703",
            },
            headers=mianyang.headers,
        )
        problem = assert_problem(response, 409)
        assert problem["region_code"] == "510104"
        # Nothing else about the existing archive: no id, no name, no number.
        assert first.archive_id not in response.text
        assert "张三" not in response.text
        assert number not in response.text.upper()


async def test_invalid_fields_are_422_each_named_without_echoing_the_number(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    bad_check = "510104199001010050"  # the right check character is 1
    response = await client.post(
        "/workers",
        json={"name": "", "id_number": bad_check, "phone": "123", "region_code": "5101"},
        headers=agency.headers,
    )
    # The schema refuses the empty name before the domain sees the rest.
    assert {e["field"] for e in assert_problem(response, 422)["errors"]} == {"body.name"}
    response = await client.post(
        "/workers",
        json={"name": "张三", "id_number": bad_check, "phone": "123", "region_code": "5101"},
        headers=agency.headers,
    )
    problem = assert_problem(response, 422)
    assert {(e["field"], e["rule"]) for e in problem["errors"]} == {
        ("id_number", "checksum"),
        ("phone", "format"),
        ("region_code", "format"),
    }
    assert bad_check not in response.text
    unknown = await client.post(
        "/workers",
        json={
            "name": "张三",
            "id_number": resident_id(),
            "phone": fresh_phone(),
            "region_code": "510104",
            "account_state": "active",
        },
        headers=agency.headers,
    )
    assert assert_problem(unknown, 422)["errors"][0]["field"] == "body.account_state"


async def test_region_outside_the_agency_is_422_naming_the_field(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5107")
    response = await client.post(
        "/workers",
        json={
            "name": "张三",
            "id_number": resident_id(),
            "phone": fresh_phone(),
            "region_code": "510104",
        },
        headers=agency.headers,
    )
    errors = assert_problem(response, 422)["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [("region_code", "outside_scope")]
    assert await Archive.get_pymongo_collection().count_documents({}) == 0  # nothing stored


async def test_a_taken_username_or_weak_password_does_not_burn_the_code(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    await create_principal(settings, Role.PROVIDER, username="taken-name")
    registered = await register(client, agency)

    assert_problem(await activate(client, registered.code, username="Taken-Name"), 409)
    weak = assert_problem(await activate(client, registered.code, password="short"), 422)
    assert [e["field"] for e in weak["errors"]] == ["password"]
    bad_name = assert_problem(await activate(client, registered.code, username="x y"), 422)
    assert [e["field"] for e in bad_name["errors"]] == ["username"]

    activated = await activate(client, registered.code, username="Wang.Xiaoming")
    assert activated.status_code == 201, activated.text
    assert activated.json()["username"] == "wang.xiaoming"
    await request_tokens(client, "wang.xiaoming", WORKER_PASSWORD)


async def test_a_wrong_code_is_401(client: AsyncClient) -> None:
    response = await activate(client, "ABCD-EFGH-JKMN")
    assert_problem(response, 401)


async def test_a_new_code_sets_a_new_password_on_the_existing_login(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    old_session = worker.headers

    issued = await client.post(
        f"/workers/{worker.archive_id}/activation-code", headers=agency.headers
    )
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    # A second code supersedes the first one.
    second = await client.post(
        f"/workers/{worker.archive_id}/activation-code", headers=agency.headers
    )
    assert_problem(await activate(client, code, password="a brand new passphrase"), 401)
    code = second.json()["code"]

    renamed = await activate(client, code, password="a brand new passphrase", username="other")
    assert [e["rule"] for e in assert_problem(renamed, 422)["errors"]] == ["fixed"]
    reset = await activate(client, code, password="a brand new passphrase")
    assert reset.status_code == 200, reset.text
    assert reset.json() == {
        "archive_id": worker.archive_id,
        "username": worker.username,
        "created": False,
    }
    failed = await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": worker.username, "password": WORKER_PASSWORD},
    )
    assert_problem(failed, 401)
    await request_tokens(client, worker.username, "a brand new passphrase")
    # The sessions of the old password ended.
    assert_problem(await client.get("/me/archive", headers=old_session), 401)


async def test_registration_with_an_idempotency_key_happens_once(
    client: AsyncClient, settings: Settings, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    payload = {
        "name": "张三",
        "id_number": resident_id("510104", date(1979, 9, 9), 77),
        "phone": fresh_phone(),
        "region_code": "510104",
    }
    headers = {**agency.headers, "Idempotency-Key": "register-once"}
    first = await client.post("/workers", json=payload, headers=headers)
    again = await client.post("/workers", json=payload, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    archives = db_client[settings.database]["archives"]
    assert [d["_id"] async for d in archives.find({})] == [ObjectId(first.json()["worker"]["id"])]


async def test_racing_activations_with_one_code_make_one_login(
    client: AsyncClient, settings: Settings, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    registered = await register(client, agency)
    responses = await asyncio.gather(
        *(activate(client, registered.code, username=f"racer-{n}") for n in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 401, 401, 401]
    principals = db_client[settings.database]["principals"]
    logins = [p["username"] async for p in principals.find({"archive_id": registered.archive_id})]
    winner = next(r for r in responses if r.status_code == 201).json()["username"]
    assert logins == [winner]

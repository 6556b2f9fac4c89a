"""The change trail: every account and archive change recorded with before and after, chained
per object, searchable by an agency auditor in its region and by the service admin without
personal values; a change whose record a crash lost is restored by the repair routine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import audit, clock
from portfolio.accounts.principal import Role, StaffRole
from portfolio.audit.trail import ChangeRecord, record_id
from portfolio.repair import repair
from portfolio.settings import Settings
from tests.archives.factories import fresh_resident_id
from tests.helpers import (
    DEFAULT_PASSWORD,
    LoggedIn,
    assert_problem,
    create_principal,
    log_in_as,
)
from tests.web.pages import sign_in

EN = {"Accept-Language": "en"}


async def _changes(client: AsyncClient, reader: LoggedIn, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/audit/changes", params=params, headers=reader.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _register(client: AsyncClient, officer: LoggedIn, region: str = "510104") -> str:
    body = {
        "name": "张三丰",
        "id_number": fresh_resident_id(),
        "phone": "13800138000",
        "region_code": region,
    }
    response = await client.post("/workers", json=body, headers=officer.headers)
    assert response.status_code == 201, response.text
    archive_id: str = response.json()["worker"]["id"]
    return archive_id


async def test_staff_changes_are_recorded_with_before_after_and_who(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.PROVIDER, organisation_id="org-trail")
    added = await client.post(
        "/staff",
        json={"username": "clerk-trail", "password": DEFAULT_PASSWORD, "staff_role": "clerk"},
        headers=admin.headers,
    )
    assert added.status_code == 201, added.text
    member = added.json()["id"]
    removed = await client.post(f"/staff/{member}/remove", headers=admin.headers)
    assert removed.status_code == 200, removed.text

    root = await log_in_as(client, settings, Role.ADMIN)
    records = await _changes(client, root, object_kind="principal", object_id=member)
    assert [r["version"] for r in records] == [1, 0]
    removal, creation = records
    assert creation["before"] is None
    assert creation["after"]["staff_role"] == "clerk"
    assert removal["before"]["removed"] is False
    assert removal["after"]["removed"] is True
    assert removal["principal_id"] == admin.id
    assert removal["organisation_id"] == "org-trail"
    assert removal["reason"] == "removed by the organisation's admin"
    assert removal["request_id"]
    assert removal["prev_version"] == 0
    assert removal["prev_hash"] == creation["hash"]
    # No password hash, ever.
    assert "password_hash" not in removal["after"]
    assert await audit.check_chain(f"principal:{member}") == []


async def test_archive_changes_are_masked_and_the_admin_sees_no_personal_values(
    client: AsyncClient, settings: Settings
) -> None:
    officer = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    archive_id = await _register(client, officer)
    moved = await client.post(
        f"/workers/{archive_id}/transfer",
        json={"to_region_code": "510105", "reason": "moved house"},
        headers=officer.headers,
    )
    assert moved.status_code == 200, moved.text

    auditor = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.AUDITOR
    )
    records = await _changes(client, auditor, object_kind="archive", object_id=archive_id)
    assert [r["version"] for r in records] == [1, 0]
    transfer = records[0]
    assert transfer["before"]["region_code"] == "510104"
    assert transfer["after"]["region_code"] == "510105"
    assert transfer["reason"] == "moved house"
    assert transfer["after"]["name"] == "张**"
    assert "13800138000" not in str(records)
    assert "id_number" not in transfer["after"]
    assert "id_masked" in transfer["after"]

    root = await log_in_as(client, settings, Role.ADMIN)
    seen = await _changes(client, root, object_kind="archive", object_id=archive_id)
    assert [r["version"] for r in seen] == [1, 0]
    for key in ("name", "id_masked", "phone_masked"):
        assert key not in seen[0]["after"]
    assert seen[0]["after"]["region_code"] == "510105"


async def test_an_auditor_reads_only_its_region(client: AsyncClient, settings: Settings) -> None:
    here = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    there = await log_in_as(client, settings, Role.AGENCY, region_prefix="5201")
    mine = await _register(client, here, "510104")
    theirs = await _register(client, there, "520102")
    auditor = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.AUDITOR
    )
    shown = {r["object_id"] for r in await _changes(client, auditor, object_kind="archive")}
    assert mine in shown
    assert theirs not in shown
    assert await _changes(client, auditor, object_kind="archive", object_id=theirs) == []
    outside = await client.get("/audit/changes", params={"region": "5201"}, headers=auditor.headers)
    assert_problem(outside, 404)
    by_actor = await _changes(client, auditor, principal_id=here.id)
    assert {r["object_id"] for r in by_actor} == {mine}
    # An officer of the same agency is no auditor.
    refused = await client.get("/audit/changes", headers=here.headers)
    assert_problem(refused, 403)


async def test_search_pages_and_filters_by_time(client: AsyncClient, settings: Settings) -> None:
    officer = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    start = clock.now() - timedelta(seconds=1)
    made = [await _register(client, officer) for _ in range(3)]
    root = await log_in_as(client, settings, Role.ADMIN)
    first = await client.get(
        "/audit/changes",
        params={"object_kind": "archive", "limit": 2, "since": start.isoformat()},
        headers=root.headers,
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 2
    second = await client.get(
        "/audit/changes",
        params={"object_kind": "archive", "limit": 2, "cursor": page["next_cursor"]},
        headers=root.headers,
    )
    rest = second.json()
    assert rest["next_cursor"] is None
    ids = [r["object_id"] for r in page["items"] + rest["items"]]
    assert sorted(ids) == sorted(made)
    later = await _changes(
        client, root, object_kind="archive", since=(clock.now() + timedelta(hours=1)).isoformat()
    )
    assert later == []


async def test_a_record_lost_to_a_crash_is_restored_by_repair_once(
    client: AsyncClient, settings: Settings, runtime: Runtime
) -> None:
    officer = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    archive_id = await _register(client, officer)
    moved = await client.post(
        f"/workers/{archive_id}/transfer",
        json={"to_region_code": "510105"},
        headers=officer.headers,
    )
    assert moved.status_code == 200, moved.text
    # The process died after the transfer's update, before its record: remove that record.
    lost = record_id("archive", archive_id, 1)
    await ChangeRecord.get_pymongo_collection().delete_one({"_id": lost})

    report = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=5))
    assert report.trail_records_restored == 1
    restored = await ChangeRecord.get(lost)
    assert restored is not None
    assert restored.restored
    assert restored.after["region_code"] == "510105"
    again = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=6))
    assert again.trail_records_restored == 0
    assert await audit.check_chain(f"archive:{archive_id}") == []


async def test_tampering_shows_in_the_chain_and_heads_name_every_chain(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    archive_id = await _register(client, admin)
    await client.post(
        f"/workers/{archive_id}/transfer",
        json={"to_region_code": "510105"},
        headers=admin.headers,
    )
    heads = {head.chain: head.hash async for head in audit.trail_heads()}
    newest = await ChangeRecord.get(record_id("archive", archive_id, 1))
    assert newest is not None
    assert heads[f"archive:{archive_id}"] == newest.hash
    assert f"principal:{admin.id}" in heads
    await ChangeRecord.get_pymongo_collection().update_one(
        {"_id": record_id("archive", archive_id, 0)}, {"$set": {"reason": "nothing happened"}}
    )
    problems = await audit.check_chain(f"archive:{archive_id}")
    assert any("content does not match" in p for p in problems)


async def test_the_trail_page_shows_an_auditor_its_region_masked(
    web: AsyncClient, client: AsyncClient, settings: Settings
) -> None:
    officer = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    archive_id = await _register(client, officer)
    auditor = await create_principal(
        settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.AUDITOR
    )
    await sign_in(web, auditor.username, DEFAULT_PASSWORD)
    page = await web.get("/audit-trail", params={"object_id": archive_id}, headers=EN)
    assert page.status_code == 200, page.text
    assert f"archive {archive_id}" in page.text
    assert "张**" in page.text
    assert "registered by real name" in page.text
    outside = await web.get("/audit-trail", params={"region": "5201"}, headers=EN)
    assert "outside yours" in outside.text

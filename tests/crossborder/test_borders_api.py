"""Recognition across borders through the API: a Chongqing certificate recorded, checked and
recognised at its level (the archive holds the level), a foreign qualification recognised at
a level or refused with a reason, a worker's own submission, corrections and voids in the
archive, and every refusal naming its field and rule with nothing written."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.crossborder import BorderRecognition
from portfolio.settings import Settings
from tests.crossborder.factories import (
    OCCUPATION,
    chongqing,
    decide,
    foreign,
    key,
    officer,
    record,
    worker_ref,
)
from tests.helpers import assert_problem, log_in_as
from tests.workers.factories import Worker, register, registered_worker


def _rules(response: Any, status: int = 422) -> set[tuple[str, str]]:
    return {(e["field"], e["rule"]) for e in assert_problem(response, status)["errors"]}


async def _archive(client: AsyncClient, worker: Worker) -> dict[str, Any]:
    response = await client.get("/me/archive", headers=worker.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_chongqing_certificate_recognised_holds_its_level_in_the_archive(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    made = await record(client, agency, worker.registered, chongqing())
    assert made["status"] == "pending"
    assert made["entry_seq"] is None
    assert made["country"] == "CHN"
    assert made["submitted_by"] == "agency"
    # Recognising a Chongqing certificate needs the reference of the check with Chongqing.
    unchecked = await client.post(
        f"/border-recognitions/{made['id']}/decide",
        json={"recognised": True},
        headers=agency.headers,
    )
    assert ("check_reference", "required") in _rules(unchecked)
    other_level = await client.post(
        f"/border-recognitions/{made['id']}/decide",
        json={"recognised": True, "check_reference": "CY-1", "level": "senior"},
        headers=agency.headers,
    )
    assert ("level", "as_certified") in _rules(other_level)
    decided = await decide(
        client, agency, made["id"], recognised=True, check_reference="川渝核验-2025-0031"
    )
    assert decided["status"] == "recognised"
    assert decided["recognised_level"] == "intermediate"
    assert decided["check_reference"] == "川渝核验-2025-0031"
    again = await client.post(
        f"/border-recognitions/{made['id']}/decide",
        json={"recognised": False, "reason": "再议"},
        headers=agency.headers,
    )
    assert_problem(again, 409)

    archive = await _archive(client, worker)
    entry = archive["entries"]["items"][0]
    assert entry["kind"] == "cross_border_recognition"
    assert entry["seq"] == decided["entry_seq"]
    assert entry["payload"]["origin"] == "chongqing"
    assert entry["payload"]["level"] == "intermediate"
    assert entry["payload"]["certificate_number"] == made["certificate_number"]
    assert {"occupation_code": OCCUPATION, "level": "intermediate"} in archive["summary"][
        "highest_levels"
    ]


async def test_foreign_qualifications_recognised_at_a_level_or_refused_with_a_reason(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    first = await record(client, agency, worker.registered, foreign())
    recognised = await decide(
        client, agency, first["id"], recognised=True, level="intermediate", reason="按中级工认定"
    )
    assert recognised["recognised_level"] == "intermediate"
    assert recognised["level"] == "senior"
    second = await record(client, agency, worker.registered, foreign(country="AUS"))
    refusal = await client.post(
        f"/border-recognitions/{second['id']}/decide",
        json={"recognised": False},
        headers=agency.headers,
    )
    assert ("reason", "required") in _rules(refusal)
    refused = await decide(
        client, agency, second["id"], recognised=False, reason="颁证机构不在认可名录内"
    )
    assert refused["status"] == "refused"
    assert refused["recognised_level"] is None

    archive = await _archive(client, worker)
    entries = archive["entries"]["items"]
    assert [e["payload"]["decision"] for e in entries[:2]] == ["refused", "recognised"]
    assert entries[0]["payload"]["level"] is None
    assert entries[0]["payload"]["decision_reason"] == "颁证机构不在认可名录内"
    assert entries[1]["payload"]["country"] == "DEU"
    # Only the recognised one holds a level.
    assert archive["summary"]["highest_levels"] == [
        {"occupation_code": OCCUPATION, "level": "intermediate"}
    ]


async def test_bad_records_name_each_field_and_rule_and_write_nothing(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await register(client, agency)
    before = await BorderRecognition.count()
    sichuan = await client.post(
        "/border-recognitions",
        json={
            **worker_ref(worker),
            **chongqing(
                issuer_region_code="510104",
                certificate_number="",
                occupation_code="6-99-99-99",
                level="apprentice",
                issue_date="2099-01-01",
            ),
        },
        headers=agency.headers,
    )
    assert {
        ("issuer_region_code", "not_chongqing"),
        ("certificate_number", "required"),
        ("occupation_code", "not_catalogued"),
        ("level", "not_a_level"),
        ("issue_date", "future"),
    } <= _rules(sichuan)
    abroad = await client.post(
        "/border-recognitions",
        json={**worker_ref(worker), **foreign(country="DE", title="")},
        headers=agency.headers,
    )
    assert {("country", "iso_3166"), ("title", "required")} <= _rules(abroad)
    domestic = await client.post(
        "/border-recognitions",
        json={**worker_ref(worker), **foreign(country="CHN")},
        headers=agency.headers,
    )
    assert ("country", "not_foreign") in _rules(domestic)
    # Another region's officer cannot name this worker (the same answer as a wrong name).
    elsewhere = await officer(client, settings, "5107")
    outside = await client.post(
        "/border-recognitions",
        json={**worker_ref(worker), **chongqing()},
        headers=elsewhere.headers,
    )
    assert ("worker", "no_match") in _rules(outside)
    assert await BorderRecognition.count() == before
    made = await record(client, agency, worker, chongqing(certificate_number="S123"))
    twice = await client.post(
        "/border-recognitions",
        json={**worker_ref(worker), **chongqing(certificate_number="s123")},
        headers=agency.headers,
    )
    assert_problem(twice, 409)
    hidden = await client.get(f"/border-recognitions/{made['id']}", headers=elsewhere.headers)
    assert_problem(hidden, 404)


async def test_a_worker_submits_theirs_and_the_agency_decides(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    unscanned = await client.post(
        "/me/border-recognitions", json=chongqing(), headers=worker.headers
    )
    assert ("scan_description", "required") in _rules(unscanned)
    submitted = await client.post(
        "/me/border-recognitions",
        json=chongqing(scan_description="证书正反面扫描件，编号清晰，有鉴定中心钢印"),
        headers={**worker.headers, **key()},
    )
    assert submitted.status_code == 201, submitted.text
    made = submitted.json()
    assert made["submitted_by"] == "worker"
    assert made["status"] == "pending"
    waiting = await client.get(
        "/border-recognitions", params={"status": "pending"}, headers=agency.headers
    )
    assert made["id"] in {r["id"] for r in waiting.json()}
    await decide(client, agency, made["id"], recognised=True, check_reference="CQ-88")
    own = await client.get("/me/border-recognitions", headers=worker.headers)
    assert [r["status"] for r in own.json()] == ["recognised"]
    assert (
        await client.get(f"/border-recognitions/{made['id']}", headers=worker.headers)
    ).status_code == 200
    # The worker neither decides nor records for others.
    mine = await client.post(
        f"/border-recognitions/{made['id']}/void", json={"reason": "x"}, headers=worker.headers
    )
    assert_problem(mine, 403)


async def test_corrected_and_voided_with_a_reason_in_the_archive(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    made = await record(client, agency, worker.registered, chongqing())
    early = await client.post(
        f"/border-recognitions/{made['id']}/correct",
        json={**chongqing(), "decision": {"recognised": True}, "change_reason": "x"},
        headers=agency.headers,
    )
    assert_problem(early, 409)  # decided first
    await decide(client, agency, made["id"], recognised=True, check_reference="CQ-1")
    path = f"/border-recognitions/{made['id']}"
    restated = {**chongqing(certificate_number=made["certificate_number"]), "level": "senior"}
    corrected = await client.post(
        f"{path}/correct",
        json={
            **restated,
            "decision": {"recognised": True, "check_reference": "CQ-2"},
            "change_reason": "证书等级录入有误，复核为高级工",
        },
        headers={**agency.headers, **key()},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["recognised_level"] == "senior"
    archive = await _archive(client, worker)
    assert {"occupation_code": OCCUPATION, "level": "senior"} in archive["summary"][
        "highest_levels"
    ]
    voided = await client.post(
        f"{path}/void", json={"reason": "重庆方撤销该证书"}, headers={**agency.headers, **key()}
    )
    assert voided.json()["status"] == "voided"
    assert_problem(
        await client.post(f"{path}/void", json={"reason": "x"}, headers=agency.headers), 409
    )

    archive = await _archive(client, worker)
    entries = archive["entries"]["items"]
    assert [e["kind"] for e in entries[:3]] == [
        "cross_border_recognition_voided",
        "cross_border_recognition_corrected",
        "cross_border_recognition",
    ]
    assert entries[1]["corrects"] == entries[2]["seq"]
    assert entries[0]["corrects"] == entries[1]["seq"]
    assert entries[1]["payload"]["reason"] == "证书等级录入有误，复核为高级工"
    assert entries[0]["payload"]["reason"] == "重庆方撤销该证书"
    assert archive["summary"]["highest_levels"] == []
    # The change trail holds each version, with its reason.
    auditor = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.AUDITOR
    )
    trail = await client.get(
        "/audit/changes",
        params={"object_kind": "border_recognition", "object_id": made["id"]},
        headers=auditor.headers,
    )
    records = trail.json()["items"]
    assert [(r["version"], r["reason"]) for r in records] == [
        (3, "重庆方撤销该证书"),
        (2, "证书等级录入有误，复核为高级工"),
        (1, "recognised"),
        (0, "recorded (agency)"),
    ]
    assert records[0]["after"]["worker_name"] != "张三"


async def test_a_pending_record_voided_never_reaches_the_archive(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    before = len((await _archive(client, worker))["entries"]["items"])
    made = await record(client, agency, worker.registered, foreign())
    voided = await client.post(
        f"/border-recognitions/{made['id']}/void",
        json={"reason": "重复录入"},
        headers={**agency.headers, **key()},
    )
    assert voided.status_code == 200, voided.text
    assert voided.json()["entry_seq"] is None
    assert len((await _archive(client, worker))["entries"]["items"]) == before

"""Credentials that say what they are: the Open Badge of training imported from earlier
records carries its evidence (OB 3.0 ``Evidence``, with the paper file's reference), a
narrative and the training's own dates; an apprenticeship completed below its planned level
says so in the subject's narrative. A badge of the service's own training says neither."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from portfolio.credentials import builders
from portfolio.credentials.issuing import apprenticeship_record, completion_record
from tests.credentials.test_credentials import _badges, _check_badge, _key_set, _rfc_claims
from tests.helpers import log_in_as
from tests.training.factories import make_course, make_person, make_provider

RECORD = {
    "start_date": "2019-03-04",
    "end_date": "2019-03-29",
    "hours": 96,
    "result": "passed",
    "score": 86,
    "evidence_description": "2019年纸质培训台账及结业考核记录",
    "evidence_reference": "档案 2019-川培-0457",
}


async def test_an_imported_trainings_badge_names_its_evidence(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    person = await make_person(runtime, name="史料")
    officer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    sent = await client.post(
        "/historical-imports",
        json={**person.ref(), "course_id": course["id"], **RECORD},
        headers=provider.user.headers,
    )
    assert sent.status_code == 201, sent.text
    approved = await client.post(
        f"/historical-imports/{sent.json()['id']}/approve",
        json={"reason": "已核对"},
        headers=officer.headers,
    )
    assert approved.status_code == 200, approved.text

    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    badges = await _badges(client, worker.headers)
    _, keys = await _key_set(client)
    claims = _rfc_claims(badges["completion"], keys)
    _check_badge(claims, person)
    [evidence] = claims["evidence"]
    assert evidence["type"] == ["Evidence"]
    assert evidence["genre"] == "historical record"
    assert evidence["description"] == RECORD["evidence_description"]
    assert "档案 2019-川培-0457" in evidence["narrative"]
    subject = claims["credentialSubject"]
    assert "早期记录导入" in subject["narrative"]
    assert (subject["activityStartDate"], subject["activityEndDate"]) == (
        "2019-03-04T00:00:00Z",
        "2019-03-29T00:00:00Z",
    )
    assert claims["validFrom"] == "2019-03-29T00:00:00Z"
    checked = await client.post("/credentials/verify", json={"credential": badges["completion"]})
    assert checked.json()["ok"] is True


ISSUER = builders.Issuer("did:web:localhost", "http://localhost")
HOLDER = builders.Holder.of("张三", "110101199003074514", "salt")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _apprenticeship(**payload: Any) -> dict[str, Any]:
    """An "apprenticeship completed" entry's payload, as the lifecycle writes it."""
    return {
        "apprenticeship_id": "a1",
        "end": "2026-06-30",
        "occupation_code": "6-18-02-04",
        "target_level": "technician",
        "employer_name": "成都焊接厂",
        "level_reached": "senior",
        "certificate_entry_seq": 3,
        "below_plan": True,
        **payload,
    }


def test_an_apprenticeship_below_its_plan_says_so_and_one_on_plan_does_not() -> None:
    below = builders.badge_claims(
        ISSUER, HOLDER, apprenticeship_record("x", 4, _apprenticeship()), 7, NOW
    )
    subject = below["credentialSubject"]
    assert "低于培养计划的目标等级" in subject["narrative"]
    assert "senior" in subject["narrative"]
    assert "technician" in subject["narrative"]
    results = {r["resultDescription"]: r["value"] for r in subject["result"] if "value" in r}
    assert results["#level"] == "senior"
    on_plan = builders.badge_claims(
        ISSUER,
        HOLDER,
        apprenticeship_record(
            "x", 4, _apprenticeship(level_reached="technician", below_plan=False)
        ),
        8,
        NOW,
    )
    assert "narrative" not in on_plan["credentialSubject"]
    assert "evidence" not in on_plan


def test_the_services_own_training_has_no_imported_evidence() -> None:
    payload = {
        "enrolment_id": "e1",
        "course_title": "川菜烹饪",
        "occupation_code": "4-03-02-01",
        "target_level": "junior",
        "hours": 12.0,
        "provider_id": "p1",
        "provider_name": "培训学校",
        "run_end_date": date(2026, 5, 1).isoformat(),
    }
    claims = builders.badge_claims(ISSUER, HOLDER, completion_record("x", 2, payload), 9, NOW)
    assert "evidence" not in claims
    assert "narrative" not in claims["credentialSubject"]
    assert "activityStartDate" not in claims["credentialSubject"]

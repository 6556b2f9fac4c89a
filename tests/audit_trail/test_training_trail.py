"""A certificate's issue, correction and voiding, and an enrolment's changes, are in the change
trail: who, the content before and after, the reason; the worker's name masked and hidden from
the service admin."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import audit
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import log_in_as
from tests.training.factories import trained_class

CERTIFICATE = {
    "number": "T0001",
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "level": "junior",
    "issuing_body": "成都市职业技能鉴定指导中心",
    "issue_date": "2026-04-01",
}


async def test_a_certificate_issued_corrected_and_voided_is_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, _, [enrolment], _ = await trained_class(client, runtime, target_level="intermediate")
    headers = provider.user.headers
    done = await client.post(
        f"/enrolments/{enrolment['id']}/completion", json={"result": "passed"}, headers=headers
    )
    assert done.status_code == 200, done.text
    made = await client.post(
        "/certificates", json={**CERTIFICATE, "enrolment_id": enrolment["id"]}, headers=headers
    )
    assert made.status_code == 201, made.text
    certificate_id = made.json()["id"]
    corrected = await client.post(
        f"/certificates/{certificate_id}/correct",
        json={**CERTIFICATE, "level": "intermediate", "reason": "等级录入错误"},
        headers=headers,
    )
    assert corrected.status_code == 200, corrected.text
    voided = await client.post(
        f"/certificates/{certificate_id}/void", json={"reason": "证书号重复"}, headers=headers
    )
    assert voided.status_code == 200, voided.text

    auditor = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.AUDITOR
    )
    answer = await client.get(
        "/audit/changes",
        params={"object_kind": "certificate", "object_id": certificate_id},
        headers=auditor.headers,
    )
    assert answer.status_code == 200, answer.text
    records: list[dict[str, Any]] = answer.json()["items"]
    assert [(r["version"], r["reason"]) for r in records] == [
        (2, "证书号重复"),
        (1, "等级录入错误"),
        (0, "certificate issued"),
    ]
    assert records[1]["before"]["level"] == "junior"
    assert records[1]["after"]["level"] == "intermediate"
    assert records[0]["after"]["status"] == "voided"
    assert all(r["principal_id"] == provider.user.id for r in records)
    assert records[2]["after"]["holder_name"].endswith("*")
    assert await audit.check_chain(f"certificate:{certificate_id}") == []

    root = await log_in_as(client, runtime.settings, Role.ADMIN)
    seen = await client.get(
        "/audit/changes",
        params={"object_kind": "certificate", "object_id": certificate_id},
        headers=root.headers,
    )
    assert all("holder_name" not in r["after"] for r in seen.json()["items"])


async def test_an_enrolments_changes_are_in_the_trail(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, _, [enrolment], _ = await trained_class(client, runtime)
    done = await client.post(
        f"/enrolments/{enrolment['id']}/completion",
        json={"result": "failed"},
        headers=provider.user.headers,
    )
    assert done.status_code == 200, done.text
    auditor = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.AUDITOR
    )
    answer = await client.get(
        "/audit/changes",
        params={"object_kind": "enrolment", "object_id": enrolment["id"]},
        headers=auditor.headers,
    )
    records: list[dict[str, Any]] = answer.json()["items"]
    steps = [(r["before"]["status"], r["after"]["status"]) for r in reversed(records)]
    # trained_class enrols accepted, then starts the training.
    assert steps == [("accepted", "in_training"), ("in_training", "completed")]
    assert records[0]["reason"] == "completed: failed"
    assert records[0]["after"]["result"] == "failed"
    assert records[0]["principal_id"] == provider.user.id
    assert await audit.check_chain(f"enrolment:{enrolment['id']}") == []

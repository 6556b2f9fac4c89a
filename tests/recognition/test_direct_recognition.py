"""Direct recognition: an accredited enterprise proposes a front-line worker with evidence,
an agency of its region confirms (issuing the certificate) or refuses, with a reason."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from tests.helpers import assert_problem, log_in_as
from tests.recognition.factories import COOK, Roads, accredit, make_roads, post


def proposal(roads: Roads, accreditation: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The enterprise proposes the worker as a technician cook."""
    return {
        **roads.worker_ref(),
        "accreditation_id": accreditation["id"],
        "occupation_code": COOK,
        "level": "technician",
        "performance": "连续三年考核优秀",
        "posts": "中餐主厨岗位八年",
        "achievements": "获市级烹饪比赛一等奖; 带徒十二名",
        "certificate_number": "ZR5101260001",
        **fields,
    }


async def _enterprise(client: AsyncClient, runtime: Runtime) -> tuple[Roads, dict[str, Any]]:
    roads = await make_roads(client, runtime.settings)
    accreditation = await accredit(client, roads, roads.enterprise, kind="enterprise")
    return roads, accreditation


async def test_confirmation_issues_the_certificate_with_both_records(
    client: AsyncClient, runtime: Runtime
) -> None:
    roads, accreditation = await _enterprise(client, runtime)
    # Technician is outside the accreditation's levels: direct recognition ignores them.
    made = await post(
        client, roads.enterprise.user, "/direct-recognitions", proposal(roads, accreditation)
    )
    assert made.status_code == 201, made.text
    recognition = made.json()
    assert recognition["status"] == "proposed"
    waiting = await client.get(
        "/direct-recognitions", params={"status": "proposed"}, headers=roads.officer.headers
    )
    assert [r["id"] for r in waiting.json()] == [recognition["id"]]
    decided = await post(
        client,
        roads.officer,
        f"/direct-recognitions/{recognition['id']}/decision",
        {"confirm": True, "reason": "材料属实, 同意认定"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "confirmed"
    assert decided.json()["certificate_id"]
    again = await post(
        client,
        roads.officer,
        f"/direct-recognitions/{recognition['id']}/decision",
        {"confirm": False, "reason": "改变主意"},
    )
    assert_problem(again, 409)
    certificate = (await client.get("/certificates", headers=roads.enterprise.user.headers)).json()[
        "items"
    ][0]
    assert certificate["road"] == "direct_recognition"
    assert certificate["level"] == "technician"
    worker = await log_in_as(
        client, runtime.settings, Role.WORKER, archive_id=roads.worker.archive_id
    )
    entries = (await client.get("/me/entries", headers=worker.headers)).json()["items"]
    (issued,) = [e for e in entries if e["kind"] == "certificate_issued"]
    assert issued["payload"]["road"] == "direct_recognition"
    assert issued["payload"]["assessment_id"] == recognition["id"]
    assert issued["recorded_by"]["role"] == "agency"


async def test_refusal_and_the_rules_of_a_proposal(client: AsyncClient, runtime: Runtime) -> None:
    roads, accreditation = await _enterprise(client, runtime)
    low = proposal(roads, accreditation, level="intermediate", performance="x" * 2001)
    problem = assert_problem(
        await post(client, roads.enterprise.user, "/direct-recognitions", low), 422
    )
    assert {(e["field"], e["rule"]) for e in problem["errors"]} == {
        ("level", "not_allowed"),
        ("performance", "length"),
    }
    body = await accredit(client, roads, roads.body)
    not_enterprise = proposal(roads, body)
    problem = assert_problem(
        await post(client, roads.body.user, "/direct-recognitions", not_enterprise), 422
    )
    assert problem["errors"][0]["rule"] == "not_enterprise"
    stranger = proposal(roads, accreditation, name="王五")
    assert_problem(await post(client, roads.enterprise.user, "/direct-recognitions", stranger), 422)
    made = (
        await post(
            client, roads.enterprise.user, "/direct-recognitions", proposal(roads, accreditation)
        )
    ).json()
    path = f"/direct-recognitions/{made['id']}"
    elsewhere = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5107", staff_role=StaffRole.OFFICER
    )
    assert_problem(
        await post(client, elsewhere, f"{path}/decision", {"confirm": True, "reason": "x"}), 404
    )
    refused = await post(
        client, roads.officer, f"{path}/decision", {"confirm": False, "reason": "业绩材料不足"}
    )
    assert refused.json()["status"] == "refused"
    assert refused.json()["certificate_id"] == ""
    assert (await client.get("/certificates", headers=roads.enterprise.user.headers)).json()[
        "items"
    ] == []


async def test_each_decision_is_in_the_change_trail(client: AsyncClient, runtime: Runtime) -> None:
    roads, accreditation = await _enterprise(client, runtime)
    made = (
        await post(
            client, roads.enterprise.user, "/direct-recognitions", proposal(roads, accreditation)
        )
    ).json()
    await post(
        client,
        roads.officer,
        f"/direct-recognitions/{made['id']}/decision",
        {"confirm": False, "reason": "业绩材料不足"},
    )
    await post(
        client,
        roads.officer,
        f"/accreditations/{accreditation['id']}/suspend",
        {"reason": "投诉核查中"},
    )
    auditor = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.AUDITOR
    )

    async def trail(kind: str, ident: str) -> list[dict[str, Any]]:
        found = await client.get(
            "/audit/changes",
            params={"object_kind": kind, "object_id": ident},
            headers=auditor.headers,
        )
        assert found.status_code == 200, found.text
        items: list[dict[str, Any]] = found.json()["items"]
        return sorted(items, key=lambda r: r["version"])

    decided = await trail("direct_recognition", made["id"])
    assert [(r["version"], r["reason"]) for r in decided] == [
        (0, "proposed"),
        (1, "业绩材料不足"),
    ]
    assert decided[1]["after"]["status"] == "refused"
    assert decided[1]["after"]["worker_name"] != roads.worker_name  # masked
    moved = await trail("accreditation", accreditation["id"])
    assert [(r["version"], r["reason"]) for r in moved] == [(0, "accredited"), (1, "投诉核查中")]

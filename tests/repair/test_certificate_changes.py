"""A certificate corrected or voided by a process that died before the archive entry: the
repair routine writes that entry exactly once, and until then the certificate takes no other
change. Restating a certificate's current content changes nothing (a retried correction).
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.accounts.principal import Role
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.repair import repair
from portfolio.training.documents import Certificate
from tests.faults.serving import on_embedded_store
from tests.faults.workload import login
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.training.factories import Provider, trained_class

NO_GRACE = timedelta(0)
CERTIFICATE = {
    "number": "R0001",
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "level": "junior",
    "issuing_body": "成都市职业技能鉴定中心",
    "issue_date": "2026-04-01",
}


async def _certified(
    client: AsyncClient, runtime: Runtime
) -> tuple[Provider, dict[str, Any], LoggedIn]:
    # A course leading to intermediate, the level the corrections below raise it to.
    provider, _, [enrolment], [person] = await trained_class(
        client, runtime, target_level="intermediate"
    )
    done = await client.post(
        f"/enrolments/{enrolment['id']}/completion",
        json={"result": "passed"},
        headers=provider.user.headers,
    )
    assert done.status_code == 200, done.text
    issued = await client.post(
        "/certificates",
        json={**CERTIFICATE, "enrolment_id": enrolment["id"]},
        headers=provider.user.headers,
    )
    assert issued.status_code == 201, issued.text
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    return provider, issued.json(), worker


async def _certificate_entries(client: AsyncClient, worker: LoggedIn) -> list[dict[str, Any]]:
    page = await client.get("/me/entries", params={"limit": 100}, headers=worker.headers)
    found = [e for e in page.json()["items"] if e["kind"].startswith("certificate_")]
    return sorted(found, key=lambda e: int(e["seq"]))


async def _left_half_done(certificate_id: str, change: dict[str, Any]) -> None:
    """What a process killed right after the change's conditional write leaves behind."""
    stored = await Certificate.get(ObjectId(certificate_id))
    assert stored is not None
    long_ago = clock.epoch_ms(clock.now() - timedelta(minutes=5))
    await Certificate.get_pymongo_collection().update_one(
        {"_id": stored.id},
        {
            "$set": {
                **change,
                "entry_seq": 0,
                "corrects_seq": stored.entry_seq,
                "changed_by": stored.recorded_by,
                "changed_at_ms": long_ago,
            },
            "$inc": {"version": 1},
        },
    )


CHANGES = {
    "corrected": {"level": "intermediate", "change_reason": "等级录入错误"},
    "voided": {"status": "voided", "void_reason": "考核舞弊"},
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_change_without_its_entry_gets_exactly_one(
    client: AsyncClient, runtime: Runtime, change: str
) -> None:
    provider, certificate, worker = await _certified(client, runtime)
    [issued_entry] = await _certificate_entries(client, worker)
    await _left_half_done(certificate["id"], CHANGES[change])

    # Pending: no further change until its entry is written, and nothing moves.
    refused = await client.post(
        f"/certificates/{certificate['id']}/void",
        json={"reason": "再次作废"},
        headers=provider.user.headers,
    )
    assert_problem(refused, 409)
    assert len(await _certificate_entries(client, worker)) == 1

    first = await repair(grace=NO_GRACE)
    second = await repair(grace=NO_GRACE)

    assert (first.certificates_finished, second.certificates_finished) == (1, 0)
    entries = await _certificate_entries(client, worker)
    assert [(e["kind"], e["corrects"]) for e in entries] == [
        ("certificate_issued", None),
        (f"certificate_{change}", issued_entry["seq"]),
    ]
    written = entries[1]
    if change == "corrected":
        assert (written["payload"]["level"], written["payload"]["reason"]) == (
            "intermediate",
            "等级录入错误",
        )
    else:
        assert written["payload"]["reason"] == "考核舞弊"
    assert written["recorded_by"]["principal"] == issued_entry["recorded_by"]["principal"]
    listed = await client.get("/certificates", headers=provider.user.headers)
    [mine] = [c for c in listed.json()["items"] if c["id"] == certificate["id"]]
    assert mine["archive_entry_seq"] == written["seq"]
    assert (await client.get("/me/archive/verify", headers=worker.headers)).json()["ok"]


async def test_a_young_half_done_change_is_left_to_its_request(
    client: AsyncClient, runtime: Runtime
) -> None:
    _, certificate, worker = await _certified(client, runtime)
    await _left_half_done(certificate["id"], CHANGES["corrected"])

    assert (await repair(grace=timedelta(hours=1))).certificates_finished == 0
    assert len(await _certificate_entries(client, worker)) == 1


async def test_restating_the_current_content_changes_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, certificate, worker = await _certified(client, runtime)
    corrected = {**CERTIFICATE, "level": "intermediate", "reason": "等级录入错误"}
    answers = [
        await client.post(
            f"/certificates/{certificate['id']}/correct",
            json=corrected,
            headers=provider.user.headers,
        )
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    kinds = [e["kind"] for e in await _certificate_entries(client, worker)]
    assert kinds == ["certificate_issued", "certificate_corrected"]


@pytest.mark.parametrize(
    ("point", "path", "body", "kind"),
    [
        (
            "certificate:after_correct",
            "correct",
            # The demo's junior cooking course: a correction stays at its level (the time
            # rules refuse one above the course's), the issuing body and date change.
            {**CERTIFICATE, "number": "S5101040326000101", "level": "junior", "reason": "错"},
            "certificate_corrected",
        ),
        ("certificate:after_void", "void", {"reason": "考核舞弊"}, "certificate_voided"),
    ],
)
def test_a_process_killed_mid_change_is_repaired_at_restart(
    tmp_path: Path, point: str, path: str, body: dict[str, str], kind: str
) -> None:
    served = on_embedded_store(tmp_path / "var")
    served.start()  # loads the demo (worker-1 holds provider-a's certificate S5101040326000101)
    served.stop()
    served.env[FAULT_ENV] = point
    try:
        served.start()
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            provider = login(http, "provider-a", DEMO_PASSWORD)
            found = http.get("/certificates", headers=provider).json()["items"]
            target = next(c for c in found if c["number"] == "S5101040326000101")
            with contextlib.suppress(httpx.HTTPError):  # it dies before answering: the point
                http.post(f"/certificates/{target['id']}/{path}", json=body, headers=provider)
        assert served.process is not None
        assert served.process.wait(timeout=30) == FAULT_EXIT_CODE
    finally:
        served.stop()

    del served.env[FAULT_ENV]
    served.start()  # grace 0: the start-up repair finishes it
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            provider = login(http, "provider-a", DEMO_PASSWORD)
            found = http.get("/certificates", headers=provider).json()["items"]
            repaired = next(c for c in found if c["id"] == target["id"])
            worker = login(http, "worker-1", DEMO_PASSWORD)
            entries = http.get("/me/entries", params={"limit": 100}, headers=worker).json()
            written = [
                e
                for e in entries["items"]
                if e["kind"] == kind and e["corrects"] == target["archive_entry_seq"]
            ]
            assert [e["seq"] for e in written] == [repaired["archive_entry_seq"]]
            assert http.get("/me/archive/verify", headers=worker).json()["ok"] is True
    finally:
        served.stop()

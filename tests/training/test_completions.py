"""Completions and certificates: archive entries exactly once, corrections, voids, public check."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from tests.helpers import LoggedIn, assert_problem, log_in_as
from tests.training.factories import (
    Person,
    Provider,
    during_session,
    make_course,
    make_person,
    make_provider,
    make_run,
    trained_class,
    workers_confirm,
)


async def _worker(client: AsyncClient, runtime: Runtime, person: Person) -> LoggedIn:
    return await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)


async def _entries(client: AsyncClient, worker: LoggedIn) -> list[dict[str, Any]]:
    response = await client.get("/me/entries", params={"limit": 100}, headers=worker.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _complete(client: AsyncClient, provider: Provider, enrolment_id: str, **body: Any) -> Any:
    return await client.post(
        f"/enrolments/{enrolment_id}/completion",
        json={"result": "passed", "score": 88, **body},
        headers=provider.user.headers,
    )


async def test_a_pass_writes_one_training_entry(client: AsyncClient, runtime: Runtime) -> None:
    provider, _, [enrolment], [person] = await trained_class(client, runtime)
    done = await _complete(client, provider, enrolment["id"])
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["result"], body["hours_attended"]) == ("completed", "passed", 4)
    worker = await _worker(client, runtime, person)
    training = [e for e in await _entries(client, worker) if e["kind"] == "training_completed"]
    assert len(training) == 1
    payload = training[0]["payload"]
    assert (payload["hours"], payload["occupation_code"], payload["brand"]) == (
        4,
        "4-03-02-01",
        "sichuan_chef",
    )
    assert training[0]["recorded_by"]["principal"] == provider.user.id
    again = await _complete(client, provider, enrolment["id"])
    assert assert_problem(again, 409)["current_state"] == "completed"


async def test_the_same_completion_posted_twice_at_once_gives_one_entry(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, _, [enrolment], [person] = await trained_class(client, runtime)
    answers = await asyncio.gather(
        *(_complete(client, provider, enrolment["id"]) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    worker = await _worker(client, runtime, person)
    kinds = [e["kind"] for e in await _entries(client, worker)]
    assert kinds.count("training_completed") == 1
    verify = await client.get("/me/archive/verify", headers=worker.headers)
    assert verify.json()["ok"] is True


async def test_a_fail_writes_no_entry(client: AsyncClient, runtime: Runtime) -> None:
    provider, _, [enrolment], [person] = await trained_class(client, runtime)
    done = await _complete(client, provider, enrolment["id"], result="failed", score=40)
    assert done.json()["result"] == "failed"
    worker = await _worker(client, runtime, person)
    assert "training_completed" not in [e["kind"] for e in await _entries(client, worker)]


async def test_completion_rules(client: AsyncClient, runtime: Runtime) -> None:
    provider, _, [enrolment], _ = await trained_class(client, runtime, hours=0)
    zero = await _complete(client, provider, enrolment["id"])
    assert assert_problem(zero, 422)["errors"][0]["rule"] == "no_confirmed_hours"
    future = datetime.now(UTC).date() + timedelta(days=30)
    provider, _, [early], _ = await trained_class(client, runtime, start=future)
    body = assert_problem(await _complete(client, provider, early["id"]), 422)
    assert body["errors"][0]["rule"] == "run_not_ended"
    other = await make_provider(client, runtime)
    assert_problem(await _complete(client, other, enrolment["id"]), 404)


async def test_class_completion_is_idempotent_per_worker(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, enrolments, persons = await trained_class(client, runtime, people=3)
    rows = [
        {"enrolment_id": enrolments[0]["id"], "result": "passed", "score": 90},
        {**persons[1].ref(), "result": "passed"},
        {"enrolment_id": "000000000000000000000000", "result": "passed"},
        {
            "id_type": "resident_id",
            "id_number": persons[2].id_number,
            "name": "冒名",
            "result": "passed",
        },
    ]
    first = await client.post(
        f"/runs/{run['id']}/completions", json={"rows": rows}, headers=provider.user.headers
    )
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["rows"]] == ["recorded", "recorded", "error", "error"]
    second = await client.post(
        f"/runs/{run['id']}/completions", json={"rows": rows}, headers=provider.user.headers
    )
    body = second.json()
    assert (body["recorded"], body["already_recorded"], body["failed"]) == (0, 2, 2)
    worker = await _worker(client, runtime, persons[1])
    assert [e["kind"] for e in await _entries(client, worker)].count("training_completed") == 1
    csv = "enrolment_id,result,score\n" + f"{enrolments[2]['id']},failed,30\n"
    third = await client.post(
        f"/runs/{run['id']}/completions",
        content=csv.encode(),
        headers={**provider.user.headers, "content-type": "text/csv"},
    )
    assert [r["status"] for r in third.json()["rows"]] == ["recorded"]
    listed = await client.get(
        "/completions",
        params={"run_id": run["id"], "result": "passed"},
        headers=provider.user.headers,
    )
    assert len(listed.json()["items"]) == 2


CERTIFICATE = {
    "number": "S000051010400123",
    "certificate_type": "skill_level",
    "occupation_code": "4-03-02-01",
    "level": "junior",
    "issuing_body": "成都市职业技能鉴定指导中心",
    "issue_date": "2026-04-01",
}


async def _certified(
    client: AsyncClient, runtime: Runtime, number: str, *, target_level: str = "junior"
) -> tuple[Provider, dict[str, Any], Person]:
    provider, _, [enrolment], [person] = await trained_class(
        client, runtime, target_level=target_level
    )
    await _complete(client, provider, enrolment["id"])
    issued = await client.post(
        "/certificates",
        json={**CERTIFICATE, "number": number, "enrolment_id": enrolment["id"]},
        headers=provider.user.headers,
    )
    assert issued.status_code == 201, issued.text
    return provider, issued.json(), person


async def test_certificate_issue_correct_void_and_public_check(
    client: AsyncClient, runtime: Runtime
) -> None:
    # An intermediate course: the junior certificate is corrected up to the course's level.
    provider, certificate, person = await _certified(
        client, runtime, "S0001", target_level="intermediate"
    )
    check = await client.get("/certificates/check", params={"number": "s0001", "name": person.name})
    assert check.json() == {
        "status": "valid",
        "certificate_type": "skill_level",
        "occupation_code": "4-03-02-01",
        "level": "junior",
        "issuing_body": "成都市职业技能鉴定指导中心",
        "issue_date": "2026-04-01",
    }
    corrected = await client.post(
        f"/certificates/{certificate['id']}/correct",
        json={**CERTIFICATE, "number": "S0001", "level": "intermediate", "reason": "等级录入错误"},
        headers=provider.user.headers,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["level"] == "intermediate"
    worker = await _worker(client, runtime, person)
    archive = (await client.get("/me/archive", headers=worker.headers)).json()
    entries = await _entries(client, worker)
    issued_entry = next(e for e in entries if e["kind"] == "certificate_issued")
    correction = next(e for e in entries if e["kind"] == "certificate_corrected")
    assert correction["corrects"] == issued_entry["seq"]
    assert issued_entry["payload"]["level"] == "junior"  # the original is kept
    levels = archive["summary"]["highest_levels"]
    assert [(x["occupation_code"], x["level"]) for x in levels] == [("4-03-02-01", "intermediate")]
    assert (await client.get("/me/archive/verify", headers=worker.headers)).json()["ok"] is True

    voided = await client.post(
        f"/certificates/{certificate['id']}/void",
        json={"reason": "考核舞弊"},
        headers=provider.user.headers,
    )
    assert voided.json()["status"] == "voided"
    check = await client.get("/certificates/check", params={"number": "S0001", "name": person.name})
    assert check.json()["status"] == "voided"
    again = await client.post(
        f"/certificates/{certificate['id']}/void",
        json={"reason": "x"},
        headers=provider.user.headers,
    )
    assert assert_problem(again, 409)["current_state"] == "voided"


async def test_public_check_reveals_nothing_for_a_wrong_name(
    client: AsyncClient, runtime: Runtime
) -> None:
    _, _, person = await _certified(client, runtime, "S0002")
    wrong = await client.get("/certificates/check", params={"number": "S0002", "name": "别人"})
    unknown = await client.get(
        "/certificates/check", params={"number": "NOPE", "name": person.name}
    )
    assert (
        wrong.json()
        == unknown.json()
        == {
            "status": "unknown",
            "certificate_type": None,
            "occupation_code": None,
            "level": None,
            "issuing_body": None,
            "issue_date": None,
        }
    )
    assert person.id_number not in wrong.text


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"level": "grandmaster"}, "body.level", "enum"),
        ({"level": "apprentice"}, "level", "required"),
        ({"certificate_type": "special_ability"}, "level", "not_allowed"),
        ({"issue_date": "2099-01-01"}, "issue_date", "future"),
        ({"occupation_code": "4-3-2-1"}, "occupation_code", "format"),
    ],
)
async def test_bad_certificates_are_refused(
    client: AsyncClient, runtime: Runtime, change: dict[str, str], field: str, rule: str
) -> None:
    provider, _, [enrolment], _ = await trained_class(client, runtime)
    await _complete(client, provider, enrolment["id"])
    response = await client.post(
        "/certificates",
        json={**CERTIFICATE, **change, "enrolment_id": enrolment["id"]},
        headers=provider.user.headers,
    )
    errors = assert_problem(response, 422)["errors"]
    assert (errors[0]["field"], errors[0]["rule"]) == (field, rule)


async def test_other_providers_cannot_certify_correct_or_void(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, certificate, _ = await _certified(client, runtime, "S0003")
    other = await make_provider(client, runtime)
    for path, body in (
        (f"/certificates/{certificate['id']}/void", {"reason": "x"}),
        (f"/certificates/{certificate['id']}/correct", {**CERTIFICATE, "reason": "x"}),
        (
            "/certificates",
            {**CERTIFICATE, "number": "S0004", "enrolment_id": certificate["enrolment_id"]},
        ),
    ):
        assert_problem(await client.post(path, json=body, headers=other.user.headers), 404)
    assert (await client.get("/certificates", headers=other.user.headers)).json()["items"] == []
    mine = await client.get(
        "/certificates", params={"level": "junior"}, headers=provider.user.headers
    )
    assert [c["id"] for c in mine.json()["items"]] == [certificate["id"]]
    duplicate_number = await _certified_again(client, runtime, provider, "S0003")
    assert_problem(duplicate_number, 409)


async def _certified_again(
    client: AsyncClient, runtime: Runtime, provider: Provider, number: str
) -> Any:
    course = await make_course(client, provider)
    run = await make_run(client, provider, course["id"], start=date(2026, 2, 2))
    with clock.stopped_at(during_session(run, 1)):
        person = await make_person(runtime, name="重号")
        enrolment = (
            await client.post(
                f"/runs/{run['id']}/enrolments",
                json={**person.ref(), "accept": True},
                headers=provider.user.headers,
            )
        ).json()
        await client.post(f"/enrolments/{enrolment['id']}/start", headers=provider.user.headers)
        await client.post(
            f"/enrolments/{enrolment['id']}/attendance",
            json={"session_n": 1, "hours": 2, "capture_method": "e_id", "check_in_ref": "e"},
            headers=provider.user.headers,
        )
        await workers_confirm(run["id"])
    await _complete(client, provider, enrolment["id"])
    return await client.post(
        "/certificates",
        json={**CERTIFICATE, "number": number, "enrolment_id": enrolment["id"]},
        headers=provider.user.headers,
    )


async def test_two_class_sheets_sent_at_once_record_each_worker_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, enrolments, persons = await trained_class(client, runtime, people=4)
    rows = [{"enrolment_id": e["id"], "result": "passed"} for e in enrolments]
    answers = await asyncio.gather(
        *(
            client.post(
                f"/runs/{run['id']}/completions", json={"rows": rows}, headers=provider.user.headers
            )
            for _ in range(2)
        )
    )
    statuses = [[r["status"] for r in a.json()["rows"]] for a in answers]
    for row in range(4):
        assert sorted(sheet[row] for sheet in statuses) == ["already_recorded", "recorded"]
    for person in persons:
        worker = await _worker(client, runtime, person)
        assert [e["kind"] for e in await _entries(client, worker)].count("training_completed") == 1
        assert (await client.get("/me/archive/verify", headers=worker.headers)).json()["ok"]


async def test_a_worker_named_twice_in_one_sheet_is_recorded_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, run, [enrolment], _ = await trained_class(client, runtime)
    row = {"enrolment_id": enrolment["id"], "result": "passed"}
    response = await client.post(
        f"/runs/{run['id']}/completions", json={"rows": [row, row]}, headers=provider.user.headers
    )
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["rows"]] == ["recorded", "error"]

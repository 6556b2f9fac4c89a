"""Historical import: real training from before the service enters only when an agency officer
of the worker's region approves it; it is marked imported, with its evidence, in the archive,
and a voucher never pays for it. The time rules that refuse past dates do not apply; absurd
dates are still refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from bson import ObjectId
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from portfolio.audit.trail import ChangeRecord
from portfolio.repair import repair
from portfolio.training.documents import Enrolment, HistoricalImport, Run
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.rules import binding_key
from tests.helpers import (
    DEFAULT_PASSWORD,
    LoggedIn,
    assert_problem,
    auth_headers,
    create_principal,
    log_in_as,
    request_tokens,
)
from tests.training.factories import Person, Provider, make_course, make_person, make_provider
from tests.vouchers.claim_factories import claim
from tests.vouchers.factories import issued, make_world
from tests.web.pages import sign_in
from tests.workers.factories import registered_worker

PATH = "/historical-imports"


def _birth(person: Person) -> date:
    number = person.id_number
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _record(person: Person, course_id: str, **changes: Any) -> dict[str, Any]:
    """A passed 2019 class on paper, as the provider's clerk types it from the file."""
    return {
        **person.ref(),
        "course_id": course_id,
        "start_date": "2019-03-04",
        "end_date": "2019-03-29",
        "hours": 96,
        "result": "passed",
        "score": 86,
        "evidence_description": "2019年纸质培训台账及结业考核记录",
        "evidence_reference": "档案 2019-川培-0457",
        **changes,
    }


@dataclass(frozen=True)
class Scene:
    provider: Provider
    course: dict[str, Any]
    person: Person
    officer: LoggedIn


async def _scene(client: AsyncClient, runtime: Runtime) -> Scene:
    provider = await make_provider(client, runtime)
    course = await make_course(client, provider)
    person = await make_person(runtime, name="史料")
    officer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    return Scene(provider, course, person, officer)


async def _submitted(client: AsyncClient, scene: Scene, **changes: Any) -> dict[str, Any]:
    response = await client.post(
        PATH,
        json=_record(scene.person, scene.course["id"], **changes),
        headers=scene.provider.user.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def web(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """The app in-process over https:// (so the page's ``Secure`` cookies are kept)."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="https://testserver") as http:
        yield http


async def test_an_approved_paper_record_is_in_the_archive_marked_imported(
    web: AsyncClient, runtime: Runtime
) -> None:
    scene = await _scene(web, runtime)
    pending = await _submitted(web, scene)
    assert (pending["status"], pending["enrolment_id"]) == ("pending", None)
    assert pending["worker_masked_id"] != scene.person.id_number
    # Nothing is in the archive while it waits.
    principal = await create_principal(
        runtime.settings, Role.WORKER, archive_id=scene.person.archive_id
    )
    tokens = await request_tokens(web, principal.username, DEFAULT_PASSWORD)
    worker = auth_headers(tokens["access_token"])
    mine = (await web.get(PATH, headers=worker)).json()
    assert [m["id"] for m in mine] == [pending["id"]]
    queue = (await web.get(f"{PATH}?status=pending", headers=scene.officer.headers)).json()
    assert [q["id"] for q in queue] == [pending["id"]]

    approved = await web.post(
        f"{PATH}/{pending['id']}/approve",
        json={"reason": "已核对纸质台账原件"},
        headers=scene.officer.headers,
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["decided_by"]) == ("approved", scene.officer.id)
    assert body["enrolment_id"] is not None

    enrolment = await Enrolment.get(body["enrolment_id"])
    assert enrolment is not None
    assert (enrolment.historical, enrolment.imported_by) == (True, scene.provider.user.id)
    assert enrolment.evidence is not None
    assert enrolment.evidence.reference == "档案 2019-川培-0457"
    assert (enrolment.status.value, enrolment.result, enrolment.hours_attended) == (
        "completed",
        enrolment.result,
        96,
    )
    run = await Run.get(enrolment.run_id)
    assert run is not None
    assert (run.historical, run.start_date, run.sessions) == (True, date(2019, 3, 4), [])

    entries = (await web.get("/me/entries", headers=worker)).json()["items"]
    [training] = [e for e in entries if e["kind"] == "training_completed"]
    payload = training["payload"]
    assert (payload["imported"], payload["enrolment_id"]) == (True, body["enrolment_id"])
    assert payload["evidence"] == {
        "description": "2019年纸质培训台账及结业考核记录",
        "reference": "档案 2019-川培-0457",
    }
    assert (payload["run_start_date"], payload["run_end_date"]) == ("2019-03-04", "2019-03-29")
    assert training["recorded_by"]["role"] == "agency"

    # The worker's archive page says it came from earlier records.
    await sign_in(web, principal.username, DEFAULT_PASSWORD)
    page = await web.get("/my/archive", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Imported from earlier records (2019-03-04 to 2019-03-29)" in page.text
    one = await web.get(f"/my/archive/{training['seq']}", headers={"Accept-Language": "en"})
    assert "档案 2019-川培-0457" in one.text
    mine = (await web.get("/me/enrolments", headers=worker)).json()["items"]
    assert [(e["id"], e["historical"]) for e in mine] == [(body["enrolment_id"], True)]
    # The class without sessions shows in the worker's training pages like any other.
    for path in ("/my/training", f"/my/training/{body['enrolment_id']}"):
        assert (await web.get(path)).status_code == 200, path

    # The change trail holds the submission and the decision.
    trail = await ChangeRecord.find({"object_kind": "historical_import"}).to_list()
    assert sorted((r.version, r.reason) for r in trail if r.object_id == pending["id"]) == [
        (0, "submitted"),
        (1, "approved: 已核对纸质台账原件"),
    ]


async def test_who_may_submit_read_and_decide(client: AsyncClient, runtime: Runtime) -> None:
    scene = await _scene(client, runtime)
    record = _record(scene.person, scene.course["id"])
    settings = runtime.settings
    worker = await log_in_as(client, settings, Role.WORKER, archive_id=scene.person.archive_id)
    admin = await log_in_as(client, settings, Role.ADMIN)
    reviewer = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.REVIEWER
    )
    elsewhere = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5107", staff_role=StaffRole.OFFICER
    )
    other = await make_provider(client, runtime)
    assert_problem(await client.post(PATH, json=record, headers=worker.headers), 403)
    assert_problem(await client.post(PATH, json=record, headers=admin.headers), 403)
    # Another provider's course is not one of its own; an agency elsewhere does not see the
    # worker.
    foreign = assert_problem(await client.post(PATH, json=record, headers=other.user.headers), 422)
    assert foreign["errors"][0] == {**foreign["errors"][0], "field": "course_id"}
    assert_problem(await client.post(PATH, json=record, headers=elsewhere.headers), 404)

    pending = await _submitted(client, scene)
    one = f"{PATH}/{pending['id']}"
    for reader in (scene.provider.user, worker, scene.officer, reviewer):
        assert (await client.get(one, headers=reader.headers)).status_code == 200
    for stranger in (other.user, elsewhere):
        assert_problem(await client.get(one, headers=stranger.headers), 404)
    assert_problem(await client.get(one, headers=admin.headers), 403)
    assert (await client.get(PATH, headers=other.user.headers)).json() == []
    assert (await client.get(PATH, headers=elsewhere.headers)).json() == []

    approve = f"{one}/approve"
    for denied in (scene.provider.user, worker, reviewer, admin):
        assert_problem(await client.post(approve, json={}, headers=denied.headers), 403)
    assert_problem(await client.post(approve, json={}, headers=elsewhere.headers), 404)
    assert (await client.get(one, headers=scene.officer.headers)).json()["status"] == "pending"


async def test_the_officer_who_submitted_does_not_approve(
    client: AsyncClient, runtime: Runtime
) -> None:
    scene = await _scene(client, runtime)
    submitted = await client.post(
        PATH, json=_record(scene.person, scene.course["id"]), headers=scene.officer.headers
    )
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["submitted_role"] == "agency"
    approve = f"{PATH}/{submitted.json()['id']}/approve"
    assert_problem(await client.post(approve, json={}, headers=scene.officer.headers), 403)
    second = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="51", staff_role=StaffRole.OFFICER
    )
    assert (await client.post(approve, json={}, headers=second.headers)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"end_date": "2099-01-31", "start_date": "2099-01-01"}, "end_date", "not_past"),
        ({"start_date": "0001-01-01"}, "start_date", "date_out_of_range"),
        ({"end_date": "9999-12-31"}, "end_date", "date_out_of_range"),
        ({"end_date": "2019-03-01"}, "end_date", "before_start"),
        ({"hours": 2000}, "hours", "range"),
        ({"evidence_reference": "   "}, "evidence_reference", None),
    ],
)
async def test_absurd_records_are_refused_and_nothing_is_written(
    client: AsyncClient, runtime: Runtime, changes: dict[str, Any], field: str, rule: str | None
) -> None:
    scene = await _scene(client, runtime)
    refused = assert_problem(
        await client.post(
            PATH,
            json=_record(scene.person, scene.course["id"], **changes),
            headers=scene.provider.user.headers,
        ),
        422,
    )
    fields = {e["field"].removeprefix("body."): e["rule"] for e in refused["errors"]}
    assert field in fields, refused
    if rule is not None:
        assert fields[field] == rule
    assert await HistoricalImport.find({"archive_id": scene.person.archive_id}).count() == 0


async def test_not_before_the_worker_was_14_and_a_day_before_today_is_past(
    client: AsyncClient, runtime: Runtime
) -> None:
    scene = await _scene(client, runtime)
    birth = _birth(scene.person)
    young = birth.replace(year=birth.year + 13)
    refused = await client.post(
        PATH,
        json=_record(
            scene.person,
            scene.course["id"],
            start_date=young.isoformat(),
            end_date=(young + timedelta(days=20)).isoformat(),
        ),
        headers=scene.provider.user.headers,
    )
    assert assert_problem(refused, 422)["errors"][0]["rule"] == "before_age_14"
    # The time rules that refuse past dates do not apply: yesterday's end is history.
    yesterday = clock.china_today() - timedelta(days=1)
    recent = await _submitted(
        client,
        scene,
        start_date=(yesterday - timedelta(days=5)).isoformat(),
        end_date=yesterday.isoformat(),
        hours=24,
    )
    assert recent["status"] == "pending"


async def test_a_refusal_states_why_and_writes_nothing(
    client: AsyncClient, runtime: Runtime
) -> None:
    scene = await _scene(client, runtime)
    pending = await _submitted(client, scene)
    refuse = f"{PATH}/{pending['id']}/refuse"
    assert_problem(await client.post(refuse, json={}, headers=scene.officer.headers), 422)
    refused = await client.post(
        refuse, json={"reason": "台账无考核签字"}, headers=scene.officer.headers
    )
    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["decision_reason"]) == (
        "refused",
        "台账无考核签字",
    )
    late = await client.post(
        f"{PATH}/{pending['id']}/approve", json={}, headers=scene.officer.headers
    )
    assert assert_problem(late, 409)["current_state"] == "refused"
    assert await Enrolment.find({"archive_id": scene.person.archive_id}).count() == 0


async def test_decisions_are_idempotent_and_one_wins(client: AsyncClient, runtime: Runtime) -> None:
    scene = await _scene(client, runtime)
    key = {"Idempotency-Key": "historical-submit-1"}
    body = _record(scene.person, scene.course["id"])
    first = await client.post(PATH, json=body, headers={**scene.provider.user.headers, **key})
    again = await client.post(PATH, json=body, headers={**scene.provider.user.headers, **key})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert await HistoricalImport.find({"archive_id": scene.person.archive_id}).count() == 1

    second = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    path = f"{PATH}/{first.json()['id']}"
    answers = await asyncio.gather(
        client.post(f"{path}/approve", json={}, headers=scene.officer.headers),
        client.post(f"{path}/refuse", json={"reason": "重复"}, headers=second.headers),
        client.post(f"{path}/approve", json={}, headers=second.headers),
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409, 409], [a.text for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 200)
    stored = (await client.get(path, headers=scene.officer.headers)).json()
    assert stored["status"] == winner["status"]
    enrolments = await Enrolment.find({"archive_id": scene.person.archive_id}).count()
    assert enrolments == (1 if winner["status"] == "approved" else 0)
    replay_key = {"Idempotency-Key": "historical-approve-replay"}
    replays = [
        await client.post(
            f"{path}/approve", json={}, headers={**scene.officer.headers, **replay_key}
        )
        for _ in range(2)
    ]
    assert replays[0].status_code == replays[1].status_code == 409


async def test_a_voucher_never_pays_for_imported_training(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    worker = await registered_worker(client, world.agency)
    person = Person(worker.archive_id, worker.registered.id_number, "张三")
    officer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    submitted = await client.post(
        PATH, json=_record(person, world.course["id"]), headers=world.provider.user.headers
    )
    assert submitted.status_code == 201, submitted.text
    approved = await client.post(
        f"{PATH}/{submitted.json()['id']}/approve", json={}, headers=officer.headers
    )
    enrolment_id = approved.json()["enrolment_id"]
    voucher = await issued(client, world.agency, world.policy["id"], worker.archive_id)
    # A voucher is bound only to training yet to be done: the completed import is refused,
    bound = await client.post(
        f"/vouchers/{voucher['id']}/bind",
        json={"enrolment_id": enrolment_id},
        headers=worker.headers,
    )
    assert assert_problem(bound, 409)["enrolment_status"] == "completed"
    # and were a voucher bound to it anyway (an old binding), its claim is refused by name.
    await Voucher.get_pymongo_collection().update_one(
        {"_id": ObjectId(voucher["id"])},
        {
            "$set": {
                "status": "bound",
                "enrolment_id": enrolment_id,
                "organisation_id": world.provider.organisation_id,
                "binding_key": binding_key(enrolment_id),
            }
        },
    )
    refused = await claim(client, world, voucher["id"], 80_000)
    assert "historical_not_payable" in {e["rule"] for e in assert_problem(refused, 422)["errors"]}


async def test_an_approval_a_crash_left_half_done_is_finished_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    scene = await _scene(client, runtime)
    pending = await _submitted(client, scene)
    # What a process killed right after the approval's conditional update leaves behind
    # (crash point historical_import:after_approval): approved, nothing else written.
    await HistoricalImport.get_pymongo_collection().update_one(
        {"_id": ObjectId(pending["id"])},
        {
            "$set": {
                "status": "approved",
                "decided_by": scene.officer.id,
                "decided_at_ms": clock.epoch_ms(clock.now()),
            },
            "$inc": {"version": 1},
        },
    )
    first = await repair(grace=timedelta(0))
    second = await repair(grace=timedelta(0))
    assert first.completions_finished >= 1  # (other tests' leftovers may be finished too)
    assert second.completions_finished == 0
    [enrolment] = await Enrolment.find({"archive_id": scene.person.archive_id}).to_list()
    assert enrolment.historical
    assert enrolment.entry_seq > 0
    # A retried approval finds it written: 409, and nothing doubled.
    again = await client.post(
        f"{PATH}/{pending['id']}/approve", json={}, headers=scene.officer.headers
    )
    assert assert_problem(again, 409)["current_state"] == "approved"
    assert await Enrolment.find({"archive_id": scene.person.archive_id}).count() == 1
    shown = (await client.get(f"{PATH}/{pending['id']}", headers=scene.officer.headers)).json()
    assert shown["enrolment_id"] == str(enrolment.id)

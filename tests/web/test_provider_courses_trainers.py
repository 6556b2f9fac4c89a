"""The provider's console over the in-process client: a course edited as a new version (its
form, "check your answers", a stale or empty edit, the versions listed) and the trainer
registry (register, name on a run, remove); another provider's course and trainer are "not
found" (the browser journey: test_provider_journeys_versions.py)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, LoggedIn, log_in_as
from tests.training.factories import sessions
from tests.web import training_arrange as arrange
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in

RUN = {
    "start_date": "2099-01-01",
    "session_count": "2",
    "start_time": "09:00",
    "session_hours": "4",
    "capacity": "10",
    "location": "实训楼",
}
ANSWERS = {
    "based_on": "0",
    "occupation_code": "4-03-02-02",
    "target_level": "intermediate",
    "planned_hours": "24",
    "subsidy_standard_fen": "900.50",
    "note": "2027年目录调整",
}


async def _desk(web: AsyncClient, settings: Settings) -> tuple[LoggedIn, str, str]:
    """A provider with a class in ten days, signed in to the pages: (user, course, run)."""
    agency = await log_in_as(web, settings, Role.AGENCY, region_prefix="5101")
    provider, run_id = await arrange.open_class(web, agency, settings)
    course_id = (await web.get(f"/runs/{run_id}", headers=provider.headers)).json()["course_id"]
    web.cookies.clear()
    await sign_in(web, provider.principal.username, DEFAULT_PASSWORD)
    return provider, course_id, run_id


async def test_a_course_is_edited_as_a_new_version(web: AsyncClient, settings: Settings) -> None:
    provider, course_id, run_id = await _desk(web, settings)
    form = f"/provider/courses/{course_id}/edit"
    shown = await web.get(form)
    assert shown.status_code == 200
    assert 'value="4-03-02-01"' in shown.text
    assert 'value="1200.00"' in shown.text

    wrong = await web.get(
        f"{form}/check?{urlencode({**ANSWERS, 'planned_hours': '0', 'subsidy_standard_fen': 'x'})}"
    )
    assert (wrong.status_code, wrong.headers["location"]) == (303, form)
    again = await web.get(form)
    assert 'href="#planned_hours"' in again.text
    assert 'href="#subsidy_standard_fen"' in again.text
    assert 'value="4-03-02-02"' in again.text  # the answers come back

    check = f"{form}/check?{urlencode(ANSWERS)}"
    checked = await web.get(check)
    assert checked.status_code == 200
    assert "1,200.00" in checked.text
    assert "900.50" in checked.text
    assert f'href="{form}?' in checked.text  # "change the answers"
    written = await post_form(web, form, page=check)
    assert written.headers["location"] == f"/provider/courses/{course_id}?notice=course-edited"
    course = await web.get(written.headers["location"])
    assert "900.50" in course.text
    assert "2027年目录调整" in course.text
    versions = (await web.get(f"/courses/{course_id}/versions", headers=provider.headers)).json()
    assert [(v["version"], v["subsidy_standard_fen"]) for v in versions] == [
        (1, 90_050),
        (0, 120_000),
    ]
    run = await web.get(f"/provider/runs/{run_id}")
    assert "李师傅" in run.text  # the class keeps its version (0) and its trainers

    # The same answers from the old check page: the course moved on, nothing is written.
    stale = await post_form(web, form, page=check, data={"planned_hours": "30"})
    assert stale.headers["location"] == form
    assert 'value="1"' in (await web.get(form)).text  # the form now edits version 1
    unchanged = await post_form(
        web, form, page=f"{form}/check?{urlencode({**ANSWERS, 'based_on': '1'})}"
    )
    assert unchanged.headers["location"] == form
    assert 'href="#occupation_code"' in (await web.get(form)).text
    versions = (await web.get(f"/courses/{course_id}/versions", headers=provider.headers)).json()
    assert len(versions) == 2


async def test_trainers_are_registered_named_on_runs_and_removed(
    web: AsyncClient, settings: Settings
) -> None:
    provider, course_id, _run_id = await _desk(web, settings)
    page = "/provider/trainers"
    assert "您还没有登记授课教师。" in (await web.get(page)).text
    empty = await post_form(web, page, page=page, data={"name": " ", "qualification": "x"})
    assert empty.headers["location"] == page
    assert 'href="#name"' in (await web.get(page)).text
    added = await post_form(
        web,
        page,
        page=page,
        data={
            "name": "王大厨",
            "qualification": "中式烹调师 高级技师",
            "certificate_number": "C-88",
        },
    )
    assert added.headers["location"] == f"{page}?notice=trainer-added"
    listed = await web.get(page, headers=provider.headers)
    [trainer] = (await web.get("/trainers", headers=provider.headers)).json()["items"]
    assert "王大厨" in listed.text
    assert "C-88" in listed.text

    # A class given the registered trainer shows them by name.
    start = clock.china_today() + timedelta(days=20)
    run = await web.post(
        f"/courses/{course_id}/runs",
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=3)).isoformat(),
            "capacity": 20,
            "location": "成都市武侯区实训楼",
            "trainers": [],
            "trainer_ids": [trainer["id"]],
            "sessions": sessions(start, 4),
        },
        headers=provider.headers,
    )
    assert run.status_code == 201, run.text
    assert "王大厨" in (await web.get(f"/provider/runs/{run.json()['id']}")).text

    remove = f"/provider/trainers/{trainer['id']}/remove"
    assert "王大厨" in (await web.get(remove)).text
    gone = await post_form(web, remove, page=remove)
    assert gone.headers["location"] == f"{page}?notice=trainer-removed"
    [after] = (await web.get("/trainers", headers=provider.headers)).json()["items"]
    assert after["status"] == "removed"
    assert "王大厨" in (await web.get(f"/provider/runs/{run.json()['id']}")).text
    shown = await web.get(remove)
    assert 'id="remove"' not in shown.text  # nothing left to remove


async def test_another_providers_course_and_trainer_are_not_found(
    web: AsyncClient, settings: Settings
) -> None:
    provider, course_id, _run_id = await _desk(web, settings)
    made = await web.post("/trainers", json={"name": "赵老师"}, headers=provider.headers)
    trainer_id = made.json()["id"]
    await _desk(web, settings)  # another provider signs in
    for path in (
        f"/provider/courses/{course_id}/runs/new",
        f"/provider/courses/{course_id}/edit",
        f"/provider/courses/{course_id}/edit/check?{urlencode(ANSWERS)}",
        f"/provider/trainers/{trainer_id}/remove",
    ):
        assert (await web.get(path)).status_code == 404, path
    form = hidden_fields((await web.get("/provider/trainers")).text)
    for action, data in (
        (f"/provider/courses/{course_id}/runs/new", RUN),
        (f"/provider/courses/{course_id}/edit", ANSWERS),
        (f"/provider/trainers/{trainer_id}/remove", {}),
    ):
        refused = await web.post(action, data={**form, **data}, headers=ORIGIN)
        assert refused.status_code == 404, action
    assert "赵老师" not in (await web.get("/provider/trainers")).text
    versions = (await web.get(f"/courses/{course_id}/versions", headers=provider.headers)).json()
    assert len(versions) == 1


async def test_a_class_is_scheduled_with_registered_trainers(
    web: AsyncClient, settings: Settings
) -> None:
    provider, course_id, _run_id = await _desk(web, settings)
    chen = (await web.post("/trainers", json={"name": "陈师傅"}, headers=provider.headers)).json()
    gone = (await web.post("/trainers", json={"name": "周师傅"}, headers=provider.headers)).json()
    form = f"/provider/courses/{course_id}/runs/new"
    shown = await web.get(form)
    assert f'name="trainer-{chen["id"]}"' in shown.text
    removed = await web.post(f"/trainers/{gone['id']}/remove", headers=provider.headers)
    assert removed.status_code == 200
    start = clock.china_today() + timedelta(days=30)
    answers = {
        "start_date": start.isoformat(),
        "session_count": "3",
        "start_time": "19:00",
        "session_hours": "2.5",
        "capacity": "25",
        "location": "成都市武侯区实训楼 2 楼",
    }
    wrong = await post_form(
        web, form, page=form, data={**answers, "start_date": "2027-13-01", "start_time": "7pm"}
    )
    assert wrong.headers["location"] == form
    again = (await web.get(form)).text
    assert 'href="#start_date"' in again
    assert 'href="#start_time"' in again
    assert 'value="成都市武侯区实训楼 2 楼"' in again
    # A trainer removed since the form was shown: the registry refuses them, nothing is made.
    stale = await post_form(web, form, page=form, data={**answers, f"trainer-{gone['id']}": "1"})
    assert stale.headers["location"] == form
    assert 'href="#trainer_ids"' in (await web.get(form)).text
    made = await post_form(web, form, page=form, data={**answers, f"trainer-{chen['id']}": "1"})
    assert made.headers["location"].endswith("?notice=run-scheduled")
    run_id = made.headers["location"].split("/")[3].split("?")[0]
    run = (await web.get(f"/runs/{run_id}", headers=provider.headers)).json()
    assert run["trainer_ids"] == [chen["id"]]
    assert [(s["day"], s["start"], s["hours"]) for s in run["sessions"]] == [
        ((start + timedelta(days=n)).isoformat(), "19:00", 2.5) for n in range(3)
    ]
    assert (run["capacity"], run["end_date"]) == (25, (start + timedelta(days=2)).isoformat())
    assert "陈师傅" in (await web.get(made.headers["location"])).text

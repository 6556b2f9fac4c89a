"""The provider's console over the in-process client: the dashboard, adding a course, a run's
page, enrolling one worker (its error paths), answering applications, and another provider's
objects answering "not found" (the browser journey: test_provider_journeys.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from httpx import AsyncClient

from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, LoggedIn, create_principal, log_in_as
from tests.training.factories import sessions
from tests.web import training_arrange as arrange
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in
from tests.workers.factories import Registered, register


async def _desk(web: AsyncClient, settings: Settings) -> tuple[LoggedIn, LoggedIn, str]:
    """An agency of Chengdu, a provider with a class in ten days signed in to the pages."""
    agency = await log_in_as(web, settings, Role.AGENCY, region_prefix="5101")
    provider, run_id = await arrange.open_class(web, agency, settings)
    web.cookies.clear()
    await sign_in(web, provider.principal.username, DEFAULT_PASSWORD)
    return agency, provider, run_id


async def _worker(web: AsyncClient, agency: LoggedIn, name: str = "王测试") -> Registered:
    return await register(web, agency, name=name)


async def test_the_dashboard_shows_the_desk(web: AsyncClient, settings: Settings) -> None:
    _agency, _provider, run_id = await _desk(web, settings)
    shown = await web.get("/provider/dashboard")
    assert shown.status_code == 200
    assert "页面测试学校" in shown.text
    assert "未开始" in shown.text
    assert f"/provider/runs/{run_id}" in shown.text
    assert "没有等待答复的报名申请。" in shown.text


async def test_adding_a_course(web: AsyncClient, settings: Settings) -> None:
    await _desk(web, settings)
    page = "/provider/courses/new"
    wrong = await post_form(
        web,
        page,
        page=page,
        data={
            "title": "",
            "occupation_code": "4-03-02-01",
            "training_type": "employment_skills",
            "target_level": "junior",
            "delivery": "in_person",
            "planned_hours": "x",
            "subsidy_standard_fen": "12.345",
        },
    )
    assert (wrong.status_code, wrong.headers["location"]) == (303, page)
    again = await web.get(page)
    assert 'href="#title"' in again.text
    assert 'href="#planned_hours"' in again.text
    assert 'href="#subsidy_standard_fen"' in again.text
    assert 'value="4-03-02-01"' in again.text

    added = await post_form(
        web,
        page,
        page=page,
        data={
            "title": "电工（中级）",
            "occupation_code": "6-31-01-03",
            "training_type": "skill_upgrading",
            "target_level": "intermediate",
            "brand": "",
            "delivery": "blended",
            "planned_hours": "40",
            "subsidy_standard_fen": "1,800.50",
        },
    )
    assert added.status_code == 303
    location = added.headers["location"]
    assert location.startswith("/provider/courses/")
    assert location.endswith("?notice=course-added")
    course = await web.get(location)
    assert "电工（中级）" in course.text
    assert "¥1,800.50" in course.text or "1,800.50" in course.text
    listed = await web.get("/provider/courses")
    assert "电工（中级）" in listed.text


async def test_enrolling_one_worker_and_its_errors(web: AsyncClient, settings: Settings) -> None:
    agency, provider, run_id = await _desk(web, settings)
    worker = await _worker(web, agency)
    page = f"/provider/runs/{run_id}"

    async def enrol(number: str, name: str) -> str:
        sent = await post_form(
            web, f"{page}/enrol", page=page, data={"id_number": number, "name": name}
        )
        assert sent.status_code == 303
        return str(sent.headers["location"])

    bad_check = worker.id_number[:-1] + ("0" if worker.id_number[-1] != "0" else "1")
    assert await enrol(bad_check, "王测试") == f"{page}#enrol"
    shown = await web.get(page)
    assert "请输入18位身份证号码，校验码须正确" in shown.text
    # An unknown name and an unknown number: one and the same answer.
    assert await enrol(worker.id_number, "李四") == f"{page}#enrol"
    wrong_name = await web.get(page)
    other = await _worker(web, agency, name="赵五")
    assert await enrol(other.id_number, "王测试") == f"{page}#enrol"
    unknown = await web.get(page)
    assert unknown.text.count("没有与该身份证号码和姓名相符的劳动者") == 2
    assert "没有与该身份证号码和姓名相符的劳动者" in wrong_name.text

    assert await enrol(worker.id_number, "王测试") == f"{page}?notice=enrolled"
    enrolled = await web.get(f"{page}?notice=enrolled")
    assert "王测试" in enrolled.text
    assert worker.id_number not in enrolled.text
    assert await enrol(worker.id_number, "王测试") == f"{page}#enrol"
    assert "该劳动者已在本班。" in (await web.get(page)).text
    roster = await web.get(f"/runs/{run_id}/enrolments", headers=provider.headers)
    assert [e["status"] for e in roster.json()["items"]] == ["accepted"]


async def test_a_full_run_and_a_clash(web: AsyncClient, settings: Settings) -> None:
    agency, provider, run_id = await _desk(web, settings)
    course = (await web.get(f"/runs/{run_id}", headers=provider.headers)).json()
    start = clock.china_today() + timedelta(days=10)
    small = await web.post(
        f"/courses/{course['course_id']}/runs",
        json={
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=3)).isoformat(),
            "capacity": 1,
            "location": "成都",
            "trainers": ["李师傅"],
            "sessions": sessions(start, 4),
        },
        headers=provider.headers,
    )
    small_id = small.json()["id"]
    first, second = await _worker(web, agency, "王一"), await _worker(web, agency, "王二")
    for number, name in ((first.id_number, "王一"),):
        await post_form(
            web,
            f"/provider/runs/{small_id}/enrol",
            page=f"/provider/runs/{small_id}",
            data={"id_number": number, "name": name},
        )
    full = await post_form(
        web,
        f"/provider/runs/{small_id}/enrol",
        page=f"/provider/runs/{small_id}",
        data={"id_number": second.id_number, "name": "王二"},
    )
    assert full.headers["location"].endswith("#enrol")
    assert "本班已满" in (await web.get(f"/provider/runs/{small_id}")).text
    # The first worker is booked in the small class at the same hours as the other class.
    clash = await post_form(
        web,
        f"/provider/runs/{run_id}/enrol",
        page=f"/provider/runs/{run_id}",
        data={"id_number": first.id_number, "name": "王一"},
    )
    assert clash.headers["location"].endswith("#enrol")
    assert "同一时间" in (await web.get(f"/provider/runs/{run_id}")).text


async def _applicant(web: AsyncClient, settings: Settings, agency: LoggedIn, run_id: str) -> None:
    """A worker of ``agency``'s region applies to ``run_id`` from its catalogue page."""
    owner = await create_principal(settings, Role.WORKER)
    registered = await register(web, agency, name="王申请")
    await arrange.bind_account(owner, registered.archive_id)
    web.cookies.clear()
    await sign_in(web, owner.username, DEFAULT_PASSWORD)
    page = f"/find-training/{run_id}"
    applied = await post_form(web, f"{page}/apply", page=page)
    assert applied.status_code == 303, applied.text


async def test_answering_applications(web: AsyncClient, settings: Settings) -> None:
    agency, provider, run_id = await _desk(web, settings)
    await _applicant(web, settings, agency, run_id)
    await _applicant(web, settings, agency, run_id)
    web.cookies.clear()
    await sign_in(web, provider.principal.username, DEFAULT_PASSWORD)
    desk = await web.get("/provider/dashboard")
    assert desk.text.count("王申请") == 2
    page = f"/provider/runs/{run_id}"
    shown = await web.get(page)
    first, second = re.findall(r"/provider/enrolments/([0-9a-f]{24})/accept", shown.text)

    no_reason = await post_form(
        web, f"/provider/enrolments/{second}/refuse", page=page, data={"run_id": run_id}
    )
    assert no_reason.headers["location"] == page
    assert f'href="#refuse-{second}"' in (await web.get(page)).text
    accepted = await post_form(
        web, f"/provider/enrolments/{first}/accept", page=page, data={"run_id": run_id}
    )
    assert accepted.headers["location"] == f"{page}?notice=accepted"
    refused = await post_form(
        web,
        f"/provider/enrolments/{second}/refuse",
        page=page,
        data={"run_id": run_id, "reason": "班级不适合"},
    )
    assert refused.headers["location"] == f"{page}?notice=refused"
    roster = await web.get(f"/runs/{run_id}/enrolments", headers=provider.headers)
    assert sorted(e["status"] for e in roster.json()["items"]) == ["accepted", "refused"]


async def test_another_providers_objects_are_not_found(
    web: AsyncClient, settings: Settings
) -> None:
    agency, provider, run_id = await _desk(web, settings)
    course_id = (await web.get(f"/runs/{run_id}", headers=provider.headers)).json()["course_id"]
    _other, _other_provider, _other_run = await _desk(web, settings)
    for path in (f"/provider/runs/{run_id}", f"/provider/courses/{course_id}"):
        assert (await web.get(path)).status_code == 404, path
    shown = await web.get("/provider/courses")
    assert course_id not in shown.text
    form = hidden_fields((await web.get("/provider/dashboard")).text)
    refused = await web.post(
        f"/provider/runs/{run_id}/enrol",
        data={**form, "id_number": "x", "name": "y"},
        headers=ORIGIN,
    )
    assert refused.status_code == 404
    roster = await web.get(f"/runs/{run_id}/enrolments", headers=provider.headers)
    assert roster.json()["items"] == []
    del agency


async def test_the_admin_adds_and_removes_a_clerk(web: AsyncClient, settings: Settings) -> None:
    _agency, provider, _run_id = await _desk(web, settings)
    page = "/provider/staff"
    weak = await post_form(
        web,
        page,
        page=page,
        data={"username": "clerk-one", "password": "short", "staff_role": "clerk"},
    )
    assert weak.headers["location"] == page
    shown = await web.get(page)
    assert 'href="#password"' in shown.text
    assert 'value="clerk-one"' in shown.text
    added = await post_form(
        web,
        page,
        page=page,
        data={"username": "clerk-one", "password": "a long enough password", "staff_role": "clerk"},
    )
    assert added.headers["location"] == f"{page}?notice=added"
    listed = await web.get(added.headers["location"])
    clerk_id = re.findall(r"/provider/staff/([0-9a-f]{24})/remove", listed.text)
    assert len(clerk_id) == 1
    taken = await post_form(
        web,
        page,
        page=page,
        data={"username": "clerk-one", "password": "a long enough password", "staff_role": "clerk"},
    )
    assert taken.headers["location"] == page
    assert "该用户名已被使用" in (await web.get(page)).text

    # The clerk signs in: the console, but not the staff pages.
    web.cookies.clear()
    await sign_in(web, "clerk-one", "a long enough password")
    assert (await web.get("/provider/dashboard")).status_code == 200
    assert (await web.get(page)).status_code == 403
    web.cookies.clear()
    await sign_in(web, provider.principal.username, DEFAULT_PASSWORD)
    check = f"/provider/staff/{clerk_id[0]}/remove"
    assert "删除clerk-one" in (await web.get(check)).text
    removed = await post_form(web, check, page=check)
    assert removed.headers["location"] == f"{page}?notice=removed"
    assert "已删除" in (await web.get(page)).text
    audit = await web.get("/staff", headers=provider.headers)
    assert [m["removed"] for m in audit.json()["items"] if m["username"] == "clerk-one"] == [True]

"""Check-in by QR code on the pages (in-process): the provider's page shows the session's code,
the worker opens its address signed in and checks in; a stale code is refused in words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from api.runtime import Runtime
from api.web.routes.checkin import DEVICE_COOKIE
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.training.documents import AttendanceRecord
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.integrity.test_checkin_api import _class, _code
from tests.training.factories import during_session
from tests.web.pages import post_form, sign_in


@pytest.fixture
async def web(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """The app in-process over https:// (so ``Secure`` cookies are kept and sent)."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="https://testserver") as http:
        yield http


async def test_the_provider_shows_the_code_and_the_worker_checks_in(
    web: AsyncClient, runtime: Runtime
) -> None:
    provider, run, enrolment, _, worker = await _class(web, runtime)
    clock.travel_to(during_session(run, 1, minutes=5))
    clerk = await create_principal(
        runtime.settings, Role.PROVIDER, organisation_id=provider.organisation_id
    )
    await sign_in(web, clerk.username, DEFAULT_PASSWORD)
    shown = await web.get(f"/provider/runs/{run['id']}/sessions/1/checkin")
    assert shown.status_code == 200, shown.text
    assert '<svg role="img" aria-label="第 1 次课的签到码"' in shown.text
    assert 'data-refresh-seconds="30"' in shown.text
    assert "/static/checkin." in shown.text  # the script that shows the next code
    token = (await _code(web, provider, run)).json()["token"]

    web.cookies.clear()
    await sign_in(web, worker.principal.username, worker.password)
    page = f"/checkin/{token}"
    before = await web.get(page)
    assert before.status_code == 200, before.text
    assert "中式烹调师（初级）" in before.text
    assert "我已到场，签到" in before.text
    assert await AttendanceRecord.find({"enrolment_id": enrolment["id"]}).count() == 0

    checked = await post_form(web, page, page=page)

    assert checked.status_code == 303, checked.text
    assert checked.headers["location"] == f"/my/training/{enrolment['id']}?notice=checked-in"
    assert DEVICE_COOKIE in checked.headers["set-cookie"]
    [record] = await AttendanceRecord.find({"enrolment_id": enrolment["id"]}).to_list()
    assert (record.entered_by, record.status.value, len(record.device_hash)) == (
        "worker",
        "confirmed",
        64,
    )
    after = await web.get(checked.headers["location"])
    assert "您已签到。本次课的学时现已计入。" in after.text
    assert "4 / 16" in (await web.get("/my/training")).text


async def test_a_stale_code_is_refused_in_words(web: AsyncClient, runtime: Runtime) -> None:
    provider, run, enrolment, _, worker = await _class(web, runtime)
    clock.travel_to(during_session(run, 1, minutes=5))
    token = (await _code(web, provider, run)).json()["token"]
    await sign_in(web, worker.principal.username, worker.password)
    page = f"/checkin/{token}"
    form = await web.get(page)
    assert "我已到场，签到" in form.text

    clock.advance(timedelta(minutes=2))
    refused = await post_form(web, page, page=page)
    shown = await web.get(page)

    assert refused.headers["location"] == page
    assert "签到码已更换。请扫描培训机构现在展示的签到码。" in shown.text
    assert "我已到场，签到" not in shown.text
    assert await AttendanceRecord.find({"enrolment_id": enrolment["id"]}).count() == 0

"""Check-in by QR code in headless Chromium, with the demo data: provider A shows a session's
code, a worker opens its address on their phone (360 px), signed in, and checks in.

The class is made for this journey only (through the JSON API): a fresh worker, registered
and activated here, in a one-seat class of provider A whose session starts in ten minutes
(check-in opens half an hour before), so the catalogue and the demo workers' pages that other
journeys read are left as they were (a full class is not listed).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, expect

from portfolio import clock
from tests.archives.factories import fresh_resident_id
from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"


async def _token(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    login = await api.post(
        "/auth/token",
        data={"grant_type": "password", "username": username, "password": DEMO_PASSWORD},
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def _class_starting_now(served: str) -> tuple[str, str, dict[str, str]]:
    """A fresh worker in a one-seat class whose session starts in ten minutes: the
    worker's activation code, the run's id, and provider A's API headers."""
    async with httpx.AsyncClient(base_url=served) as api:
        agency = await _token(api, "agency-chengdu")
        id_number = fresh_resident_id()
        registered = await api.post(
            "/workers",
            json={
                "name": "钱七",
                "id_number": id_number,
                "phone": "13700005678",
                "region_code": "510104",
            },
            headers=agency,
        )
        assert registered.status_code == 201, registered.text
        provider = await _token(api, "provider-a")
        courses = (await api.get("/courses", headers=provider)).json()["items"]
        course = next(c for c in courses if c["title"].startswith("中式烹调师"))
        starts = (clock.real_now() + timedelta(minutes=10)).astimezone(clock.CHINA_TIME)
        day = starts.date().isoformat()
        run: dict[str, Any] = (
            await api.post(
                f"/courses/{course['id']}/runs",
                json={
                    "start_date": day,
                    "end_date": day,
                    "capacity": 1,
                    "location": "成都市武侯区实训楼",
                    "trainers": ["李师傅"],
                    "sessions": [
                        {"n": 1, "day": day, "start": starts.strftime("%H:%M"), "hours": 2}
                    ],
                },
                headers=provider,
            )
        ).json()
        assert "id" in run, run
        enrolled = await api.post(
            f"/runs/{run['id']}/enrolments",
            json={"id_number": id_number, "name": "钱七", "accept": True},
            headers=provider,
        )
        assert enrolled.status_code == 201, enrolled.text
        started = await api.post(f"/enrolments/{enrolled.json()['id']}/start", headers=provider)
        assert started.status_code == 200, started.text
    return registered.json()["activation"]["code"], run["id"], provider


async def test_a_worker_checks_in_with_the_code_the_provider_shows(
    zh: BrowserContext, browser: Browser, served: str
) -> None:
    code, run_id, provider_headers = await _class_starting_now(served)

    # The provider's screen: the session's QR code.
    screen = await zh.new_page()
    await screen.goto(f"/provider/runs/{run_id}/sessions/1/checkin")
    await screen.get_by_label("用户名").fill("provider-a")
    await screen.get_by_label("密码").fill(DEMO_PASSWORD)
    await screen.locator("main").get_by_role("button", name="登录").click()
    await expect(screen.get_by_role("heading", level=1)).to_have_text("签到码")
    await expect(screen.get_by_role("img", name="第 1 次课的签到码")).to_be_visible()
    await check_page(screen, "checkin-code")
    await screen.close()
    async with httpx.AsyncClient(base_url=served) as api:
        shown = await api.get(f"/runs/{run_id}/sessions/1/checkin-code", headers=provider_headers)
    path = shown.json()["path"]  # what the QR code on the screen opens now

    # The worker's phone: activated here, then the code's address.
    phone = await browser.new_context(
        base_url=served, locale="zh-CN", viewport={"width": 360, "height": 740}
    )
    phone.set_default_timeout(5000)
    try:
        page = await phone.new_page()
        await page.goto("/activate")
        await page.get_by_label("激活码").fill(code)
        await page.get_by_label("密码", exact=True).fill("my first password")
        await page.get_by_label("再次输入密码").fill("my first password")
        await page.locator("main").get_by_role("button", name="激活").click()
        await expect(page).to_have_url(re.compile(r"/my\?notice=activated$"))

        await page.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_have_text("签到")
        await expect(page.locator("main")).to_contain_text("中式烹调师（初级）")
        await check_page(page, "checkin")
        await page.get_by_role("button", name="我已到场，签到").click()
        await expect(page).to_have_url(re.compile(r"/my/training/[0-9a-f]{24}\?notice=checked-in$"))
        await expect(page.get_by_role("status")).to_contain_text("您已签到")
        await expect(page.locator("main")).to_contain_text("已确认")
        await check_page(page, "checked-in")
    finally:
        await phone.close()

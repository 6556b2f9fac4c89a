"""The ways to a skill level in headless Chromium with the demo data: the accredited
assessment body (in Chinese) records an assessment against its liquor norm that its
candidate did not pass (nothing enters an archive, so the other journeys' records stay); a
Chengdu officer (in English) opens the direct recognition waiting on the hub, reads its
evidence and confirms it. The assessment page, the hub and the recognition pass
``check_page`` (axe-core, 360 px, 44 px targets, screenshots). Refusals outside the
accreditation and the other forms are tested in-process (test_levels_pages.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.async_api import Browser, BrowserContext, Page, expect

from portfolio import clock
from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
COOK = ("510104198804153318", "赵大勇")


async def _sign_in(page: Page, username: str, words: tuple[str, str, str]) -> None:
    await page.get_by_label(words[0]).fill(username)
    await page.get_by_label(words[1]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=words[2]).click()


async def test_an_assessment_is_recorded_and_a_recognition_confirmed(
    zh: BrowserContext, browser: Browser, served: str
) -> None:
    page = await zh.new_page()
    await page.goto("/login?next=/provider/levels")
    await _sign_in(page, "assessor", ("用户名", "密码", "登录"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("技能评价")
    main = page.locator("main")
    await expect(main).to_contain_text("51ZX-CJ-001")
    await page.locator("#id_number").fill(COOK[0])
    await page.locator("#name").fill(COOK[1])
    await page.locator("#norm_code").fill("51ZX-CJ-001")
    await page.locator("#passed").select_option("no")
    await page.locator("#score").fill("52")
    day = clock.china_today() - timedelta(days=5)  # within the demo accreditation's period
    await page.locator("#assessed_on").fill(day.isoformat())
    await check_page(page, "provider-levels")
    await main.get_by_role("button", name="录入评价").click()
    await expect(page).to_have_url(re.compile(r"/provider/levels\?notice=failed$"))
    await expect(page.get_by_role("status")).to_contain_text("评价已录入。")

    officer = await browser.new_context(
        base_url=served, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    officer.set_default_timeout(5000)
    try:
        page = await officer.new_page()
        main = page.locator("main")
        await page.goto("/login?next=/agency/levels")
        await _sign_in(page, "officer-chengdu", ("Username", "Password", "Sign in"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Ways to a skill level")
        await check_page(page, "agency-levels")
        await main.get_by_role("link", name=re.compile("陈建华")).click()
        await expect(main).to_contain_text("焊接班组长五年")
        await expect(main).not_to_contain_text("510112198509234510")  # masked
        await check_page(page, "agency-recognition")
        await page.locator("#reason").fill("业绩材料属实")
        await main.get_by_role("button", name="Confirm and issue the certificate").click()
        await expect(page.get_by_role("status")).to_contain_text(
            "The recognition is confirmed and its certificate issued."
        )
    finally:
        await officer.close()

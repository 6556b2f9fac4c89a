"""The occupation catalogue in headless Chromium with the demo data: the province agency
(agency-sichuan, in Chinese) searches the catalogue, adds an occupation the ministry published
through "check your answers" and finds it marked as added; the Chengdu agency (in English)
reads the catalogue without the way to add, and its uncatalogued report. The catalogue, the
form, the check page and the report pass ``check_page`` (axe-core, 360 px, 44 px targets,
screenshots). Errors, other seats and regions are tested in-process
(test_agency_occupations_pages.py)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
CODE = "6-31-07-09"


async def _sign_in(page: Page, username: str, words: tuple[str, str, str]) -> None:
    await page.get_by_label(words[0]).fill(username)
    await page.get_by_label(words[1]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=words[2]).click()


async def test_the_province_adds_an_occupation_and_a_city_reads_the_catalogue(
    zh: BrowserContext, browser: Browser, served: str
) -> None:
    page = await zh.new_page()
    main = page.locator("main")
    await page.goto("/login?next=/agency/occupations")
    await _sign_in(page, "agency-sichuan", ("用户名", "密码", "登录"))
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text("职业目录")
    await page.locator("#q").fill("烹调")
    await main.get_by_role("button", name="查询").click()
    await expect(main.locator("tbody")).to_contain_text("中式烹调师")
    await check_page(page, "agency-occupations")
    await main.get_by_role("link", name="添加新发布的职业").click()
    await page.locator("#code").fill(CODE)
    await page.locator("#name").fill("智能制造系统运维员（演示）")
    await page.locator("#source_document").fill("人社部新职业信息公示（浏览器测试）")
    await page.get_by_label("绿色职业（L）").check()
    await check_page(page, "agency-occupation-new")
    await main.get_by_role("button", name="继续").click()
    await expect(heading).to_have_text("添加职业前请核对")
    await check_page(page, "agency-occupation-check")
    await main.get_by_role("button", name="添加职业").click()
    await expect(page).to_have_url(re.compile(r"/agency/occupations\?q=6-31-07-09&notice=added$"))
    await expect(page.get_by_role("status")).to_contain_text("职业已添加")
    await expect(main.locator("tbody")).to_contain_text("人社部新职业信息公示（浏览器测试）")

    city = await browser.new_context(
        base_url=served, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    city.set_default_timeout(5000)
    try:
        page = await city.new_page()
        main = page.locator("main")
        await page.goto("/login?next=/agency/occupations")
        await _sign_in(page, "agency-chengdu", ("Username", "Password", "Sign in"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Occupation catalogue")
        await expect(
            main.get_by_role("link", name="Add a newly published occupation")
        ).to_have_count(0)
        await main.get_by_role("link", name="Stored codes missing from the catalogue").click()
        await expect(main).to_contain_text("Every occupation code stored in your region")
        await check_page(page, "agency-occupations-uncatalogued")
    finally:
        await city.close()

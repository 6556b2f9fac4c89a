"""Past training in headless Chromium with the demo data: provider A's clerk (in Chinese)
copies a 2017 paper record of worker-1's into the form, checks the answers and sends it; a
Chengdu officer (in English) finds it among the records waiting, reads its evidence, checks
the approval and approves it. The form, the provider's list, the record and the approval's
check page pass ``check_page`` (axe-core, 360 px, 44 px targets, screenshots); the two other
pages are made of the same pieces, and four checks keep the journey short. The record ended
in a failed test, so the approval writes the historical enrolment but no archive entry: the
other journeys' counts of worker-1's record stay right. Errors, a colleague's decision
meanwhile and other regions are tested in-process (test_imports_pages.py)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
WORKER_1 = ("510104199003071237", "王小明")
REFERENCE = "天府职培档 2017-旅程"


async def _sign_in(page: Page, username: str, words: tuple[str, str, str]) -> None:
    await page.get_by_label(words[0]).fill(username)
    await page.get_by_label(words[1]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=words[2]).click()


async def test_a_provider_sends_a_past_record_and_an_officer_approves_it(
    zh: BrowserContext, browser: Browser, served: str
) -> None:
    page = await zh.new_page()
    await page.goto("/login?next=/provider/imports")
    await _sign_in(page, "provider-a", ("用户名", "密码", "登录"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("历史培训记录")
    await page.get_by_role("link", name="提交历史培训记录").click()
    main = page.locator("main")
    await page.locator("#id_number").fill(WORKER_1[0])
    await expect(main.locator("[data-id-live]")).not_to_be_empty()
    await page.locator("#name").fill(WORKER_1[1])
    await page.locator("#course_id").select_option(index=1)
    await page.locator("#start_date").fill("2017-05-08")
    await page.locator("#end_date").fill("2017-05-26")
    await page.locator("#hours").fill("72")
    await page.locator("#result").select_option("failed")
    await page.locator("#score").fill("52")
    await page.locator("#evidence_description").fill("2017年纸质签到表及结业考试试卷")
    await page.locator("#evidence_reference").fill(REFERENCE)
    await check_page(page, "provider-import-new")
    await main.get_by_role("button", name="继续").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("提交前请核对记录")
    await expect(main).to_contain_text(REFERENCE)
    await main.get_by_role("button", name="提交人社部门审核").click()
    await expect(page).to_have_url(re.compile(r"/provider/imports\?notice=submitted$"))
    mine = main.locator(".run-card").filter(has_text=REFERENCE)
    await expect(mine).to_contain_text("等待人社部门审核")
    await check_page(page, "provider-imports")

    officer = await browser.new_context(
        base_url=served, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    officer.set_default_timeout(5000)
    try:
        page = await officer.new_page()
        main = page.locator("main")
        await page.goto("/login?next=/agency/imports")
        await _sign_in(page, "officer-chengdu", ("Username", "Password", "Sign in"))
        heading = page.get_by_role("heading", level=1)
        await expect(heading).to_have_text("Past training waiting for a decision")
        await main.locator(".run-card").filter(has_text=REFERENCE).get_by_role("link").click()
        await expect(main).to_contain_text("2017年纸质签到表及结业考试试卷")
        await expect(main).not_to_contain_text(WORKER_1[0])  # the number is masked
        await check_page(page, "agency-import")
        await page.locator("#note").fill("已核对纸质原件")
        await main.get_by_role("button", name="Approve", exact=True).click()
        await expect(heading).to_have_text("Check the approval")
        await check_page(page, "agency-import-check")
        await main.get_by_role("button", name="Approve the record").click()
        await expect(page.get_by_role("status")).to_contain_text("The record is approved")
        await expect(main.locator("#decision")).to_contain_text("Approved: in the archive")
    finally:
        await officer.close()

"""The provider's console in headless Chromium with the demo data: a course edited as a new
version (in English) and the trainer registry (in Chinese), each page through ``check_page``
(axe-core, 360 px, 44 px targets, screenshots in ``var/screenshots/``).

The journeys change the demo only by a course they add (no class of it) and a trainer they
register and remove, so the other journeys find the demo as they expect it.
"""

from __future__ import annotations

import re

from playwright.async_api import BrowserContext, Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
COOKING = "中式烹调师（初级）· 川菜大师傅"
AI_CLASS = "人工智能训练师 · 天府数智工匠"


async def _sign_in(page: Page, *, english: bool) -> None:
    await expect(page).to_have_url(re.compile(r"/login"))
    await page.get_by_label("Username" if english else "用户名").fill("provider-a")
    await page.get_by_label("Password" if english else "密码").fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name="Sign in" if english else "登录").click()


async def test_a_clerk_edits_a_course_as_a_new_version(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/courses")
    await page.get_by_role("link", name="English").click()
    await _sign_in(page, english=True)
    # The demo's cooking course has two versions: the March class keeps the first.
    await page.get_by_role("link", name=COOKING).click()
    versions = page.get_by_role("table", name=re.compile("Versions of this course"))
    await expect(versions).to_contain_text("1,100.00")
    await expect(versions).to_contain_text("1,200.00")
    await check_page(page, "provider-course-versions")

    await page.goto("/provider/courses/new")
    await page.get_by_label("Title").fill("中式面点师 周末班")
    await page.locator("#occupation_code").fill("4-03-02-03")
    await page.get_by_label("Planned hours").fill("20")
    await page.get_by_label("Subsidy standard (yuan)").fill("1000")
    await page.get_by_role("button", name="Add the course").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("中式面点师 周末班")

    await page.get_by_role("link", name="Edit as a new version").click()
    await expect(page.get_by_label("Planned hours")).to_have_value("20")
    await page.get_by_label("Planned hours").fill("0")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.locator(".error-summary")).to_contain_text("Enter the planned hours")
    await check_page(page, "provider-course-edit-error")
    await page.get_by_label("Planned hours").fill("24")
    await page.get_by_label("Subsidy standard (yuan)").fill("1150.50")
    await page.get_by_label("Why it changes (optional)").fill("Longer practice sessions")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the new version before writing it"
    )
    await expect(page.locator("main")).to_contain_text("1,150.50")
    await check_page(page, "provider-course-edit-check")
    # Back to the answers and forward again: nothing is written until the button.
    await page.get_by_role("link", name="Change the answers").click()
    await expect(page.get_by_label("Subsidy standard (yuan)")).to_have_value("1150.50")
    await check_page(page, "provider-course-edit")
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Write version 1").click()
    await expect(page.locator("main")).to_contain_text("The new version is written")
    versions = page.get_by_role("table", name=re.compile("Versions of this course"))
    await expect(versions).to_contain_text("Longer practice sessions")
    await expect(versions).to_contain_text("1,000.00")
    course_url = page.url.split("?")[0]
    # The browser's back button shows the check page again; pressing its button again writes
    # nothing more (the same rendering replays; a fresh one is an edit of an old version).
    await page.go_back()
    await page.get_by_role("button", name=re.compile("Write version")).click()
    await page.goto(course_url)
    rows = page.get_by_role("table", name=re.compile("Versions of this course")).locator("tbody tr")
    await expect(rows).to_have_count(2)


async def test_a_clerk_keeps_the_trainer_registry(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/dashboard")
    await _sign_in(page, english=False)
    await (
        page.get_by_role("navigation", name="培训机构工作台")
        .get_by_role("link", name="授课教师")
        .click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("授课教师")
    table = page.get_by_role("table", name="本机构的授课教师")
    await expect(table).to_contain_text("陈师傅")
    await expect(table).to_contain_text("已删除")  # 周师傅 left
    await check_page(page, "provider-trainers")
    await page.get_by_role("button", name="登记", exact=True).click()
    await expect(page.locator(".error-summary")).to_contain_text("请填写授课教师姓名")
    await check_page(page, "provider-trainers-error")
    await page.get_by_label("姓名").fill("孙老师")
    await page.get_by_label("资格（选填）").fill("面点师 技师")
    await page.get_by_label("证书编号（选填）").fill("GZ510100220301")
    await page.get_by_role("button", name="登记", exact=True).click()
    await expect(page.locator("main")).to_contain_text("授课教师已登记")
    await page.get_by_role("link", name="移除 孙老师").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("移除 孙老师")
    await check_page(page, "provider-trainer-remove")
    await page.get_by_role("button", name="确认移除").click()
    await expect(page.locator("main")).to_contain_text("授课教师已移除")
    await expect(page.get_by_role("link", name="移除 孙老师")).to_have_count(0)

    # A class of the demo names its registered trainers.
    await page.goto("/provider/dashboard")
    await page.locator(".run-card").filter(has_text=AI_CLASS).first.get_by_role("link").click()
    await expect(page.locator("main")).to_contain_text("陈师傅、刘老师")

    # Scheduling a class names trainers from the registry (only its error path here: a class
    # added would show in the catalogue the other journeys read).
    await page.goto("/provider/courses")
    await page.get_by_role("link", name=COOKING).click()
    await page.get_by_role("link", name="安排班次").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("安排")
    await expect(page.get_by_label("陈师傅 · 中式烹调师 高级技师")).not_to_be_checked()
    await expect(page.get_by_label(re.compile("周师傅"))).to_have_count(0)  # removed
    await check_page(page, "provider-run-new")
    await page.get_by_label("开始日期").fill("2027-02-30")
    await page.get_by_label("陈师傅 · 中式烹调师 高级技师").check()
    await page.get_by_role("button", name="安排班次").click()
    summary = page.locator(".error-summary")
    await expect(summary).to_contain_text("请填写开课首日")
    await expect(summary).to_contain_text("请填写上课地点")
    await expect(page.get_by_label("陈师傅 · 中式烹调师 高级技师")).to_be_checked()
    await check_page(page, "provider-run-new-error")

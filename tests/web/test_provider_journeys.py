"""The provider's console in headless Chromium with the demo data, as a clerk uses it: each
journey once, the languages alternating. Every page passes ``check_page`` (axe-core, 360 px,
44 px targets, screenshots in ``var/screenshots/``).

The journeys change the demo only by a course added (no class of it, so the catalogue does not
show it); the enrolments tried are the error paths, so the demo workers' classes stay as the
other journeys expect them.
"""

from __future__ import annotations

import re

from playwright.async_api import BrowserContext, Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
ELECTRICIANS = "电工（中级）岗位技能提升"
# Worker-1 of the demo (portfolio/archives/demo.py).
WORKER_1_NUMBER = "510104199003071237"


async def _sign_in(page: Page, *, english: bool) -> None:
    await expect(page).to_have_url(re.compile(r"/login"))
    await page.get_by_label("Username" if english else "用户名").fill("provider-a")
    await page.get_by_label("Password" if english else "密码").fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name="Sign in" if english else "登录").click()


async def test_a_clerk_adds_a_course_and_tries_enrolments(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/dashboard")
    await _sign_in(page, english=False)
    await expect(page).to_have_url(re.compile(r"/provider/dashboard$"))
    await expect(page.locator("main")).to_contain_text("进行中的班次")
    await check_page(page, "provider-dashboard")

    await (
        page.get_by_role("navigation", name="培训机构工作台")
        .get_by_role("link", name="课程和班次")
        .click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("课程")
    await check_page(page, "provider-courses")
    await page.get_by_role("link", name="添加课程").click()
    await page.get_by_label("课程名称").fill("")
    await page.get_by_label("计划学时").fill("40")
    await page.get_by_role("button", name="添加课程").click()
    summary = page.locator(".error-summary")
    await expect(summary).to_contain_text("请输入课程名称")
    await check_page(page, "provider-course-new-error")
    await page.get_by_label("课程名称").fill("电工（中级）周末班")
    await page.locator("#occupation_code").fill("6-31-01-03")
    await page.get_by_label("培训类型").select_option("skill_upgrading")
    await page.get_by_label("补贴标准（元）").fill("1800")
    await page.get_by_role("button", name="添加课程").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("电工（中级）周末班")
    await expect(page.locator("main")).to_contain_text("课程已添加")
    await check_page(page, "provider-course")

    # A class of the demo, from the dashboard: the enrolment form's error paths.
    await page.goto("/provider/dashboard")
    await page.locator(".run-card").filter(has_text=ELECTRICIANS).first.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(ELECTRICIANS)
    bad = WORKER_1_NUMBER[:-1] + "8"
    await page.get_by_label("身份证号码").fill(bad)
    await page.get_by_label("姓名").fill("王小明")
    await page.get_by_role("button", name="报名", exact=True).click()
    await expect(page.locator(".error-summary")).to_contain_text("校验码须正确")
    await expect(page.get_by_label("身份证号码")).to_have_value(bad)
    await check_page(page, "provider-run-error")
    await page.get_by_label("身份证号码").fill(WORKER_1_NUMBER)
    await page.get_by_label("姓名").fill("王小红")
    await page.get_by_role("button", name="报名", exact=True).click()
    await expect(page.locator(".error-summary")).to_contain_text(
        "没有与该身份证号码和姓名相符的劳动者"
    )
    assert WORKER_1_NUMBER not in await page.locator(".table").first.inner_text()


async def test_a_clerk_reads_the_desk_in_english(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/courses")
    await page.get_by_role("link", name="English").click()
    await _sign_in(page, english=True)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    await check_page(page, "provider-courses")
    await page.get_by_role("link", name=re.compile("Electrician|电工")).first.click()
    await check_page(page, "provider-course")
    await page.locator(".run-card").first.get_by_role("link").click()
    await expect(page.locator("main")).to_contain_text("Class list")
    await check_page(page, "provider-run")


async def test_a_clerk_checks_a_class_file_in_english(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/dashboard")
    await page.get_by_role("link", name="English").click()
    await _sign_in(page, english=True)
    await page.locator(".run-card").filter(has_text=ELECTRICIANS).first.get_by_role("link").click()
    await page.get_by_role("link", name="Enrol a class from a file").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Enrol a class from a file")
    await check_page(page, "provider-class-file")
    # No file chosen: the form says so.
    await page.get_by_role("button", name="Check the file").click()
    await expect(page.locator(".error-summary")).to_contain_text("Choose a class file")
    # A GB18030 file from an older spreadsheet program: a wrong check character, a worker
    # on two rows, a name that does not match. Nothing is enrolled by the preview.
    bad = WORKER_1_NUMBER[:-1] + "8"
    rows = f"身份证号码,姓名\r\n{bad},王小明\r\n{WORKER_1_NUMBER},王小红\r\n"
    await page.get_by_label("Class file").set_input_files(
        files=[{"name": "班级.csv", "mimeType": "text/csv", "buffer": rows.encode("gb18030")}]
    )
    await page.get_by_role("button", name="Check the file").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check the class file")
    main = page.locator("main")
    await expect(main).to_contain_text("ID number: wrong check character")
    await expect(main).to_contain_text("No worker matches this ID number and name")
    await expect(main).to_contain_text("0 of 2 rows can be enrolled")
    await check_page(page, "provider-class-file-preview")


async def test_the_id_number_is_checked_as_typed(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/dashboard")
    await _sign_in(page, english=False)
    await page.locator(".run-card").filter(has_text=ELECTRICIANS).first.get_by_role("link").click()
    live = page.locator("[data-id-live]")
    await page.get_by_label("身份证号码").fill(WORKER_1_NUMBER[:-1] + "8")
    await expect(live).to_have_text("请输入18位身份证号码，校验码须正确")
    await page.get_by_label("身份证号码").fill(WORKER_1_NUMBER)
    await expect(live).to_have_text("身份证号码格式正确。")


async def test_a_clerk_opens_a_sessions_attendance(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/dashboard")
    await _sign_in(page, english=False)
    # The demo's class in progress today (worker-1 has records awaiting their confirmation),
    # in the demo's classroom: the check-in journey's own class may be in progress too.
    in_progress = page.locator(".run-card").filter(has_text="进行中")
    await in_progress.filter(has_text="教学楼 3 楼实训室").first.get_by_role("link").click()
    await page.get_by_role("link", name="第1次课考勤").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("考勤")
    await expect(page.locator("main")).to_contain_text("王小明")
    assert WORKER_1_NUMBER not in await page.locator("main").inner_text()
    await check_page(page, "provider-session")
    await page.get_by_role("link", name="可打印的签到表").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("签到表")
    await check_page(page, "provider-sign-in-sheet")

"""The agency officer's worker, provider and staff pages in headless Chromium with the demo
data, each journey once, the languages alternating (Mianyang's officer, ``agency-mianyang``):

* in Chinese: register a worker: a wrong check character is refused with an error that links
  to the field; worker-2's number is found as a duplicate before anything is written; a new
  number goes to "check your answers" (the birth date and area read from it), then the
  activation letter;
* in English: find worker-2 by ID number with a purpose, read the masked page, see the full
  numbers (for a purpose), and open the forms of the social-security link, a new registration
  and a transfer;
* in Chinese: suspend provider B with a reason through "check your answers", then reinstate it
  (the demo stays as the claims journey expects it); the agency's staff page.

Every page passes ``check_page`` (axe-core, 360 px, 44 px targets, screenshots). The access
matrix, duplicates raced, the links' writes and another region are tested over the in-process
client (test_agency_workers_pages.py, test_agency_providers_pages.py)."""

from __future__ import annotations

import re

from playwright.async_api import BrowserContext, Page, expect
from stdnum.cn import ric

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
WORKER_2_NUMBER = "510703199506122469"  # portfolio/archives/demo.py
PROVIDER_B = "64d0000000000000000000b2"
_BODY = "51070319880808123"
NEW_NUMBER = _BODY + ric.calc_check_digit(_BODY + "0")  # it reads the first 17
WRONG_NUMBER = _BODY + ("0" if NEW_NUMBER[-1] != "0" else "1")


async def _sign_in(page: Page, *, english: bool) -> None:
    await expect(page).to_have_url(re.compile(r"/login"))
    await page.get_by_label("Username" if english else "用户名").fill("agency-mianyang")
    await page.get_by_label("Password" if english else "密码").fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name="Sign in" if english else "登录").click()


async def _fill_person(page: Page, number: str) -> None:
    await page.get_by_label("姓名（与证件一致）").fill("孙七")
    await page.get_by_label("证件号码", exact=True).fill(number)
    await page.get_by_label("手机号码", exact=True).fill("13912345678")
    await page.get_by_label("劳动者所在地区（6位区划代码）").fill("510703")
    await page.get_by_role("button", name="继续").click()


async def test_an_officer_registers_a_worker_in_chinese(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/agency")
    await _sign_in(page, english=False)
    await page.get_by_role("link", name="登记劳动者").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("登记劳动者")
    await check_page(page, "agency-worker-new")

    await _fill_person(page, WRONG_NUMBER)
    summary = page.locator(".error-summary")
    await expect(summary.get_by_role("link")).to_have_attribute("href", "#id_number")
    await expect(summary).to_contain_text("校验码")
    await check_page(page, "agency-worker-new-error")

    await _fill_person(page, WORKER_2_NUMBER)
    await expect(summary).to_contain_text("此人已在 510703 地区建有档案")

    await _fill_person(page, NEW_NUMBER)
    main = page.locator("main")
    await expect(page.get_by_role("heading", level=1)).to_have_text("核对劳动者信息")
    await expect(main).to_contain_text("1988年8月8日")
    await expect(main).to_contain_text("四川省 涪城区 (510703)")
    await check_page(page, "agency-worker-check")

    await page.get_by_role("button", name="登记", exact=True).click()
    await expect(summary).to_contain_text("请确认已向劳动者告知个人信息处理事项")
    await page.get_by_label("我已向劳动者告知个人信息处理事项").check()
    await page.get_by_role("button", name="登记", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("激活通知书")
    await expect(main.locator(".letter__code")).to_have_text(re.compile(r"^[0-9A-Z-]{14}$"))
    await check_page(page, "agency-worker-letter")
    await page.emulate_media(media="print")  # the print stylesheet: the letter alone
    await expect(page.locator(".site-header")).to_be_hidden()
    await expect(main.get_by_role("button")).to_be_hidden()
    await expect(main.locator(".letter__code")).to_be_visible()
    await page.emulate_media(media="screen")


async def test_an_officer_finds_a_worker_and_reads_the_full_numbers_in_english(
    zh: BrowserContext,
) -> None:
    page = await zh.new_page()
    await page.goto("/agency/workers")
    await page.get_by_role("link", name="English").click()
    await _sign_in(page, english=True)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Workers")
    await page.get_by_label("Checking a training subsidy claim").check()
    await page.get_by_label("Document number").fill(WORKER_2_NUMBER)
    await check_page(page, "agency-workers")
    await page.get_by_role("button", name="Find the worker").click()

    main = page.locator("main")
    await expect(page.get_by_role("heading", level=1)).to_have_text("李小红")
    await expect(main).not_to_contain_text(WORKER_2_NUMBER)
    await expect(main).to_contain_text("Unemployment registration")
    await check_page(page, "agency-worker")

    await main.locator("#reveal").get_by_label("The worker is at the counter in person").check()
    await page.get_by_role("button", name="Show the full numbers").click()
    await expect(main).to_contain_text(WORKER_2_NUMBER)
    await expect(main).to_contain_text("劳动者本人在窗口办理业务")
    await check_page(page, "agency-worker-revealed")
    await page.get_by_role("link", name="Back to the worker").click()
    await expect(main).not_to_contain_text(WORKER_2_NUMBER)

    for link, title, name in (
        ("Replace the social-security link", "Social-security link", "agency-worker-ssn"),
        ("Add a registration", "Add a registration", "agency-worker-employment"),
        ("Transfer the archive to another region", "Transfer the archive", "agency-worker-move"),
    ):
        await page.get_by_role("link", name=link).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(title)
        await check_page(page, name)
        await page.go_back()


async def test_an_officer_suspends_and_reinstates_a_provider_in_chinese(
    zh: BrowserContext,
) -> None:
    page = await zh.new_page()
    await page.goto("/agency/providers")
    await _sign_in(page, english=False)
    await expect(page.get_by_role("heading", level=1)).to_have_text("培训机构")
    await check_page(page, "agency-providers")

    main = page.locator("main")
    await page.get_by_role("link", name="绵阳市技师学院").click()
    await expect(page).to_have_url(re.compile(f"/agency/providers/{PROVIDER_B}$"))
    await page.get_by_role("button", name="继续").click()
    await expect(page.locator(".error-summary")).to_contain_text("请填写原因")
    await check_page(page, "agency-provider-error")

    await page.get_by_label("原因", exact=True).fill("出勤记录存疑，暂停待核查")
    await page.get_by_role("button", name="继续").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("暂停前请核对")
    await check_page(page, "agency-provider-check")
    await page.get_by_role("button", name="暂停该机构").click()
    await expect(page.locator(".notice")).to_contain_text("该机构已暂停")
    await expect(main.locator(".tag").first).to_have_text("已暂停")

    await page.get_by_label("原因", exact=True).fill("核查完毕，记录属实")
    await page.get_by_role("button", name="继续").click()
    await page.get_by_role("button", name="恢复该机构").click()
    await expect(page.locator(".notice")).to_contain_text("该机构已恢复")
    await check_page(page, "agency-provider")

    await page.get_by_role("link", name="工作人员").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("工作人员")
    await expect(main).to_contain_text("复核人员（第二次审核）")  # the demo's reviewer
    await check_page(page, "agency-staff")

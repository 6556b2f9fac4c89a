"""Finding training, applying, attendance, vouchers and the apprenticeship in headless Chromium,
as a person does them, with the demo data; each journey once, the languages alternating.

Every page passes ``check_page`` (axe-core, 360 px, 44 px targets, screenshots in
``var/screenshots/``). The journeys leave the demo as they found it where they can: worker-1's
application is withdrawn again, the voucher's consent given back; one of worker-1's two
attendance records is confirmed (the other stays for the home page's tests).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from portfolio import clock
from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
LOCALES = {"zh": "zh-CN", "en": "en-GB"}
ELECTRICIANS = "电工（中级）岗位技能提升"
AI_TRAINERS = "人工智能训练师 · 天府数智工匠"
CHENGDU_VOUCHER = "成都市失业保险参保职工技能提升培训券"
ENTERPRISE = "成都龙泉汽车零部件制造有限公司"


@pytest.fixture
async def people(browser: Browser, served: str) -> AsyncIterator[dict[str, BrowserContext]]:
    """A fresh browser per language (no cookies yet): ``people["zh"]``, ``people["en"]``."""
    opened: dict[str, BrowserContext] = {}
    for language, locale in LOCALES.items():
        context = await browser.new_context(
            base_url=served, locale=locale, viewport={"width": 390, "height": 844}
        )
        context.set_default_timeout(5000)
        opened[language] = context
    try:
        yield opened
    finally:
        for context in opened.values():
            await context.close()


async def _sign_in(page: Page, username: str, *, english: bool) -> None:
    """Fill the sign-in form the page was sent to, and send it."""
    await expect(page).to_have_url(re.compile(r"/login"))
    await page.get_by_label("Username" if english else "用户名").fill(username)
    await page.get_by_label("Password" if english else "密码").fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name="Sign in" if english else "登录").click()


def _heading(page: Page) -> object:
    return page.get_by_role("heading", level=1)


async def test_finding_a_class_applying_and_withdrawing(people: dict[str, BrowserContext]) -> None:
    page = await people["zh"].new_page()
    today = clock.china_today()
    await page.goto("/")
    await page.locator("main").get_by_role("link", name="查找培训").click()
    await expect(page).to_have_url(re.compile(r"/find-training$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("查找培训")
    await check_page(page, "find-training")

    await page.get_by_label("城市").select_option(label="成都市")
    await page.get_by_label("开班日期不早于（选填）").fill((today + timedelta(days=7)).isoformat())
    await page.get_by_role("button", name="查询").click()
    cards = page.locator(".run-card")
    await expect(cards).to_have_count(2)  # electricians in two weeks, cooks next month
    await expect(cards.first).to_contain_text(ELECTRICIANS)
    await cards.first.get_by_role("link", name=ELECTRICIANS).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(ELECTRICIANS)
    await expect(page.locator("main")).to_contain_text("剩余30个，共30个")
    await check_page(page, "training-class")

    # A visitor signs in to apply and comes back to the class.
    class_url = page.url
    await page.get_by_role("link", name="登录后报名").click()
    await _sign_in(page, "worker-1", english=False)
    await expect(page).to_have_url(class_url)
    await expect(page.locator("main")).to_contain_text("您的培训券可支付")
    # A second tab on the same class, opened before applying.
    other = await people["zh"].new_page()
    await other.goto(class_url)

    await page.get_by_role("button", name="报名参加该班次").click()
    await expect(page).to_have_url(re.compile(r"/my/training/[0-9a-f]{24}\?notice=applied$"))
    await expect(page.get_by_role("status")).to_contain_text("报名成功")
    await expect(page.locator("main")).to_contain_text("已报名，等待机构审核")
    await check_page(page, "my-class-applied")

    # Back to the class: it says where the application stands (the page is never kept).
    await page.go_back()
    await expect(page).to_have_url(class_url)
    await expect(page.locator("#apply + p")).to_contain_text("已报名，等待机构审核")
    await expect(page.get_by_role("button", name="报名参加该班次")).to_have_count(0)

    # Applying twice, from the older tab: refused, said in words at the top.
    await other.get_by_role("button", name="报名参加该班次").click()
    summary = other.get_by_role("alert")
    await expect(summary).to_contain_text("您已报名该班次。")
    await summary.get_by_role("link", name="您已报名该班次。").click()
    await expect(other.locator("#apply")).to_be_focused()
    await check_page(other, "training-class-error")
    await other.close()

    # Withdrawing the application, from its page.
    await page.get_by_role("link", name="查看您的报名").click()
    await page.get_by_role("button", name="撤回我的报名").click()
    await expect(page.get_by_role("status")).to_have_text("您已撤回报名。")
    await expect(page.locator("main")).to_contain_text("已退出")

    # A class that overlaps the one worker-1 attends: refused, naming why.
    await page.goto("/find-training")
    await page.get_by_label("城市").select_option(label="成都市")
    await page.get_by_label("开班日期不晚于（选填）").fill((today + timedelta(days=1)).isoformat())
    await page.get_by_role("button", name="查询").click()
    await page.locator(".run-card").filter(has_text=ELECTRICIANS).get_by_role("link").click()
    await page.get_by_role("button", name="报名参加该班次").click()
    await expect(page.get_by_role("alert")).to_contain_text("时间冲突")


async def test_answering_were_you_there_in_the_browser(people: dict[str, BrowserContext]) -> None:
    page = await people["en"].new_page()
    await page.goto("/my/training")
    await _sign_in(page, "worker-1", english=True)
    await expect(page).to_have_url(re.compile(r"/my/training$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    await check_page(page, "my-training")

    card = page.locator(".run-card").filter(has_text=AI_TRAINERS)
    await expect(card).to_contain_text("In training")
    await card.get_by_role("link", name=AI_TRAINERS).click()
    await expect(page.get_by_role("heading", name="Were you there?")).to_be_visible()
    questions = page.locator(".question")
    await expect(questions).to_have_count(2)
    await check_page(page, "my-class-attendance")

    second = questions.filter(has_text="Session 2 ")
    await expect(second).to_contain_text("3.5 hours")
    await second.get_by_role("button", name="Yes, I was there").click()

    await expect(page.get_by_role("status")).to_contain_text("you confirmed you were there")
    await expect(page.locator(".question")).to_have_count(1)
    row = page.locator("tbody tr").nth(1)
    await expect(row).to_contain_text("Confirmed")
    await expect(page.locator("main")).to_contain_text("7.5 of 28")

    # The same page in Chinese, from the language link.
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", name="您是否参加了？")).to_be_visible()
    await check_page(page, "my-class-attendance")


async def test_a_vouchers_consent_and_the_classes_it_pays_for(
    people: dict[str, BrowserContext],
) -> None:
    page = await people["zh"].new_page()
    await page.goto("/my/vouchers")
    await _sign_in(page, "worker-1", english=False)
    await expect(page.get_by_role("heading", level=1)).to_have_text("我的培训券")
    await expect(page.locator(".run-card")).to_have_count(6)
    await check_page(page, "my-vouchers")

    await page.get_by_role("link", name=CHENGDU_VOUCHER).click()
    main = page.locator("main")
    await expect(main).to_contain_text("1,800.00 元")
    await expect(main).to_contain_text("岗位技能提升培训")
    await expect(main).to_contain_text("失业保险")  # why worker-1 got it
    await expect(main).to_contain_text("培训机构可使用")
    await page.get_by_role("button", name="不再允许培训机构使用").click()
    await expect(page.get_by_role("status")).to_contain_text("不能再为您使用")
    await expect(main).to_contain_text("仅限本人使用")
    await page.get_by_role("button", name="允许培训机构使用").click()
    await expect(page.get_by_role("status")).to_contain_text("现在可以将这张培训券")
    await check_page(page, "my-voucher")

    await page.get_by_role("link", name="查找可用此券的班次").click()
    await expect(page).to_have_url(re.compile(r"/find-training\?voucher=[0-9a-f]{24}$"))
    cards = page.locator(".run-card")
    await expect(cards).to_have_count(3)  # the two electricians' classes and the welders'
    await expect(cards.filter(has_text="焊工（高级）· 天府技工")).to_contain_text("绵阳市")
    await expect(cards.filter(has_text="您的培训券可支付")).to_have_count(3)
    await check_page(page, "find-training-voucher")

    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Find training")
    await expect(page.locator(".run-card")).to_have_count(3)
    await check_page(page, "find-training-voucher")


async def test_an_apprenticeship_its_parties_and_history(
    people: dict[str, BrowserContext],
) -> None:
    page = await people["en"].new_page()
    await page.goto("/my/apprenticeships")
    await _sign_in(page, "worker-2", english=True)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My apprenticeship")
    await check_page(page, "my-apprenticeships")

    await page.get_by_role("link", name=f"Apprenticeship at {ENTERPRISE}").click()
    main = page.locator("main")
    await expect(main).to_contain_text("Under way")
    await expect(main).to_contain_text("张建国 · Technician (level 2)")
    await expect(main).to_contain_text("何静")
    await expect(main).to_contain_text("绵阳市技师学院")
    history = page.locator("tbody tr")
    await expect(history.filter(has_text="Paused")).to_contain_text("工伤休养")
    await expect(history.filter(has_text="Confirmed")).to_contain_text("You")
    await expect(page.get_by_role("button", name="Confirm the agreement")).to_have_count(0)
    await check_page(page, "my-apprenticeship")

    await page.get_by_role("link", name="中文").click()
    await expect(main).to_contain_text("进行中")
    await check_page(page, "my-apprenticeship")
    # Worker-2's other pages: the class they asked to join, and their vouchers.
    await page.goto("/my/training")
    await expect(page.locator(".run-card").filter(has_text="已报名，等待机构审核")).to_have_count(1)
    # Her two vouchers, and the two welding vouchers provider B claimed on (the fraud demo):
    # the second claim waits for her answer.
    await page.goto("/my/vouchers")
    await expect(page.locator(".run-card")).to_have_count(4)
    welding = page.locator(".run-card").filter(has_text="绵阳市焊工技能提升培训券")
    await expect(welding).to_have_count(2)
    await page.goto("/my/vouchers/64d000000000000000000f0a")
    await page.get_by_role("link", name="您是否参加了培训？请回复这笔申领").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("您是否参加了培训？")
    await expect(page.get_by_role("group", name="您是否参加了这个班次？")).to_be_visible()
    await check_page(page, "my-voucher-attestation")

"""Training projects in headless Chromium with the demo data, in Chinese then English at
phone width: Chengdu's officer reads the region's projects, opens the demo project (its first
milestone paid, the second open) and the form buying one with provider A chosen; provider A
reads the same project in its console; the demo worker-1 finds it from 我的培训 and says, in
Chinese, that they took part (the one write: the demo server is shared). Buying, claiming and
deciding are tested in-process (test_projects_pages.py, tests/projects). Every
page passes ``check_page`` (axe-core, 360 px, 44 px targets, screenshots)."""

from __future__ import annotations

from playwright.async_api import BrowserContext, Page, expect

from portfolio.accounts.demo import DEMO_ORGANISATION_A
from portfolio.projects.demo import NAME
from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
WORDS = {
    "zh": {
        "login": ("用户名", "密码", "登录"),
        "projects": "项目制培训",
        "buy": "购买培训项目",
        "paid": "已付",
        "fund": "就业补助资金",
    },
    "en": {
        "login": ("Username", "Password", "Sign in"),
        "projects": "Training projects",
        "buy": "Buy a training project",
        "paid": "Paid",
        "fund": "Employment subsidy fund",
    },
}


async def _sign_in(page: Page, words: dict[str, tuple[str, ...] | str], who: str, to: str) -> None:
    login = words["login"]
    assert isinstance(login, tuple)
    await page.goto(f"/login?next={to}")
    await page.get_by_label(login[0]).fill(who)
    await page.get_by_label(login[1]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=login[2]).click()


async def test_an_officer_and_the_provider_read_the_demo_project(
    visitor: tuple[str, Page],
) -> None:
    language, page = visitor
    words = WORDS[language]
    main = page.locator("main")
    heading = page.get_by_role("heading", level=1)
    await _sign_in(page, words, "officer-chengdu", "/agency/projects")
    await expect(heading).to_have_text(str(words["projects"]))
    await check_page(page, "agency-projects")

    await main.get_by_role("link", name=NAME).click()
    await expect(heading).to_have_text(NAME)
    await expect(main).to_contain_text(str(words["fund"]))
    await expect(main).to_contain_text("8,000.00")
    await check_page(page, "agency-project")

    await page.goto(f"/agency/projects/new?provider={DEMO_ORGANISATION_A}")
    await expect(heading).to_have_text(str(words["buy"]))
    await check_page(page, "agency-project-new")

    await page.context.clear_cookies()
    await _sign_in(page, words, "provider-a", "/provider/projects")
    await expect(heading).to_have_text(str(words["projects"]))
    await main.get_by_role("link", name=NAME).click()
    await expect(heading).to_have_text(NAME)
    await check_page(page, "provider-project")


async def test_the_demo_worker_attests_the_project_in_chinese(zh: BrowserContext) -> None:
    """worker-1, in the demo project's group, finds it from 我的培训 and says they took part
    (the only test that writes to the demo project: it answers once)."""
    page = await zh.new_page()
    words = WORDS["zh"]
    main = page.locator("main")
    heading = page.get_by_role("heading", level=1)
    await _sign_in(page, words, "worker-1", "/my/training")
    await expect(heading).to_have_text("我的培训")
    await main.get_by_role("link", name="我的项目制培训").click()
    await expect(heading).to_have_text("我的项目制培训")
    card = main.locator("li", has_text=NAME)
    await check_page(page, "worker-projects")

    await card.get_by_label("是的，我参加了").check()
    await card.get_by_role("button", name="提交我的回复").click()
    await expect(main.get_by_role("status")).to_contain_text("您已确认参加了这个项目的培训")
    await expect(card).to_contain_text("您已确认参加")
    await expect(card.get_by_role("button", name="提交我的回复")).to_have_count(0)
    await check_page(page, "worker-projects-answered")

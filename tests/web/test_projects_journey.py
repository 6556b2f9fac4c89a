"""Training projects in headless Chromium with the demo data, in Chinese then English at
phone width: Chengdu's officer reads the region's projects, opens the demo project (its first
milestone paid, the second open) and the form buying one with provider A chosen; provider A
reads the same project in its console. Reading only (the demo server is shared); buying,
claiming and deciding are tested in-process (test_projects_pages.py, tests/projects). Every
page passes ``check_page`` (axe-core, 360 px, 44 px targets, screenshots)."""

from __future__ import annotations

from playwright.async_api import Page, expect

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

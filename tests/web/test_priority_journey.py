"""Priority groups in headless Chromium with the demo data, in Chinese then English at phone
width: the province's officer opens worker-2's groups (the disability hidden), states a
purpose to see it, records another group through the form, and reads the priority-groups
report by group; worker-2 sees her groups on her profile. Every page passes ``check_page``
(axe-core, 360 px, 44 px targets, screenshots). Ending and errors are tested in-process
(test_priority_pages.py, tests/priority)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from portfolio.accounts.demo import DEMO_ARCHIVE_WORKER_2
from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
DISABILITY = "中华人民共和国残疾人证（四级）"
WORDS = {
    "zh": {
        "login": ("用户名", "密码", "登录"),
        "title": "重点群体",
        "show": "显示敏感群体",
        "record": "登记重点群体",
        "submit": "登记该群体",
        "group": "veteran",
        "profile": "个人信息",
    },
    "en": {
        "login": ("Username", "Password", "Sign in"),
        "title": "Priority groups",
        "show": "Show the sensitive groups",
        "record": "Record a priority group",
        "submit": "Record the group",
        "group": "unemployed",
        "profile": "My profile",
    },
}


async def _sign_in(page: Page, words: dict[str, tuple[str, str, str] | str], who: str) -> None:
    login = words["login"]
    assert isinstance(login, tuple)
    await page.get_by_label(login[0]).fill(who)
    await page.get_by_label(login[1]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=login[2]).click()


async def test_an_officer_reads_reveals_and_records_groups(visitor: tuple[str, Page]) -> None:
    language, page = visitor
    words = WORDS[language]
    main = page.locator("main")
    heading = page.get_by_role("heading", level=1)
    home = f"/agency/workers/{DEMO_ARCHIVE_WORKER_2}/priority-groups"
    await page.goto(f"/login?next={home}")
    await _sign_in(page, words, "officer-sichuan")
    await expect(heading).to_have_text(str(words["title"]))
    await expect(main).to_contain_text("西南科技大学")
    await expect(main).not_to_contain_text(DISABILITY)
    await check_page(page, "agency-priority-groups")

    await page.locator("#purpose-subsidy_claim").check()
    await main.get_by_role("button", name=str(words["show"])).click()
    await expect(main).to_contain_text(DISABILITY)
    await check_page(page, "agency-priority-groups-revealed")

    await main.get_by_role("link", name=str(words["record"])).click()
    await page.locator(f"#group-{words['group']}").check()
    await page.locator("#source").fill("就业失业登记证 川0703")
    await page.locator("#since").fill("2025-02-01")
    await check_page(page, "agency-priority-group-new")
    await main.get_by_role("button", name=str(words["submit"])).click()
    await expect(page).to_have_url(re.compile(r"/priority-groups\?notice=recorded"))
    await expect(main).to_contain_text("就业失业登记证 川0703")

    await page.goto("/agency/statistics?report=priority&group_by=priority_group&from=2022-01")
    await expect(main.locator("table")).to_contain_text("高校毕业生")
    await check_page(page, "agency-statistics-priority")


async def test_the_worker_sees_her_groups(visitor: tuple[str, Page]) -> None:
    language, page = visitor
    words = WORDS[language]
    await page.goto("/login?next=/my/profile")
    await _sign_in(page, words, "worker-2")
    await expect(page.get_by_role("heading", level=1)).to_have_text(str(words["profile"]))
    main = page.locator("main")
    await expect(main).to_contain_text("高校毕业生" if language == "zh" else "College graduate")
    await check_page(page, "worker-profile-priority")

"""The plan's targets and platforms in headless Chromium with the demo data, in Chinese then
English at phone width: the province's officer goes from the ways-to-a-level hub to the
dashboard (each figure with its formula and target), records a platform through the form and
reads its page with the training linked to the demo's master studio. Every page passes
``check_page`` (axe-core, 360 px, 44 px targets, screenshots). Errors, links and closing are
tested in-process (tests/planning)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
WORDS = {
    "zh": {
        "login": ("用户名", "密码", "登录"),
        "hub": "规划目标与培训平台",
        "title": "规划目标",
        "figure": "新增技能人才",
        "formula": "首张有效技能等级证书",
        "submit": "录入该平台",
        "recorded": "已录入该平台。",
        "trained": "依托本平台培训",
    },
    "en": {
        "login": ("Username", "Password", "Sign in"),
        "hub": "The plan's targets and platforms",
        "title": "The plan's targets",
        "figure": "New skilled workers",
        "formula": "first valid skill-level or special-ability certificate",
        "submit": "Record the platform",
        "recorded": "The platform is recorded.",
        "trained": "Trained through it",
    },
}


async def test_an_officer_reads_the_targets_and_records_a_platform(
    visitor: tuple[str, Page],
) -> None:
    language, page = visitor
    words = WORDS[language]
    main = page.locator("main")
    heading = page.get_by_role("heading", level=1)
    await page.goto("/login?next=/agency/levels")
    await page.get_by_label(words["login"][0]).fill("officer-sichuan")
    await page.get_by_label(words["login"][1]).fill(DEMO_PASSWORD)
    await main.get_by_role("button", name=words["login"][2]).click()
    await main.get_by_role("link", name=words["hub"]).click()
    await expect(heading).to_have_text(words["title"])
    await expect(main).to_contain_text(words["figure"])
    await expect(main).to_contain_text(words["formula"])
    # Today (the clock) is in the 15th period: the page opens on it, with its target.
    await expect(main).to_contain_text("3,000,000")
    await expect(main).to_contain_text("张川菜技能大师工作室")
    await check_page(page, "agency-targets")

    await page.locator("#kind").select_option("public_base")
    await page.locator("#tier").select_option("park")
    await page.locator("#name").fill(f"青白江公共实训基地（{language}）")
    await page.locator("#host").fill("青白江区就业局")
    await page.locator("form[action='/agency/platforms'] #region_code").fill("510113")
    await page.locator("#approved_on").fill("2025-03-01")
    await main.get_by_role("button", name=words["submit"]).click()
    await expect(page).to_have_url(re.compile(r"/agency/platforms/[0-9a-f]{24}\?notice="))
    await expect(main).to_contain_text(words["recorded"])
    await check_page(page, "agency-platform-new")

    await page.goto("/agency/targets")
    await main.get_by_role("link", name="张川菜技能大师工作室").click()
    await expect(main).to_contain_text(words["trained"])
    await expect(main.locator("li")).not_to_have_count(0)
    await check_page(page, "agency-platform")

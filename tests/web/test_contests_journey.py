"""Competitions and honours in headless Chromium with the demo data, in Chinese then English
at phone width: the province's officer opens the competitions, records a city event with its
level rule, enters worker-2, saves her place and reaches the check before publishing (not
publishing: the other journeys count the demo workers' archive entries), then reads the
honours and one of them. Every page passes ``check_page`` (axe-core, 360 px, 44 px targets,
screenshots). Publishing, corrections, voids and errors are tested in-process
(test_contests_pages.py, tests/competitions)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
WORKER_2 = ("510703199506122469", "李小红")
WORDS = {
    "zh": {
        "login": ("用户名", "密码", "登录"),
        "competitions": "职业技能竞赛",
        "record": "录入竞赛",
        "submit": "录入该竞赛",
        "enter": "登记选手",
        "save": "保存名次和奖项",
        "check": "核对并发布",
        "publish": "发布竞赛结果",
        "honours": "荣誉",
    },
    "en": {
        "login": ("Username", "Password", "Sign in"),
        "competitions": "Competitions",
        "record": "Record a competition",
        "submit": "Record the competition",
        "enter": "Enter the worker",
        "save": "Save places and awards",
        "check": "Check and publish",
        "publish": "Publish the results",
        "honours": "Honours",
    },
}


async def test_an_officer_records_a_competition_and_reads_the_honours(
    visitor: tuple[str, Page],
) -> None:
    language, page = visitor
    words = WORDS[language]
    main = page.locator("main")
    heading = page.get_by_role("heading", level=1)
    await page.goto("/login?next=/agency/competitions")
    await page.get_by_label(words["login"][0]).fill("officer-sichuan")
    await page.get_by_label(words["login"][1]).fill(DEMO_PASSWORD)
    await main.get_by_role("button", name=words["login"][2]).click()
    await expect(heading).to_have_text(words["competitions"])
    await expect(main).to_contain_text("四川工匠杯职业技能大赛·焊工赛项")
    await check_page(page, "agency-competitions")

    await main.get_by_role("link", name=words["record"]).click()
    await page.locator("#tier").select_option("city")
    await page.locator("#name").fill(f"成都市焊工技能大赛（{language}）")
    await page.locator("#occupation_code").fill("6-18-02-04")
    await page.locator("#organiser").fill("成都市人力资源和社会保障局")
    await page.locator("#start_date").fill("2026-05-10")
    await page.locator("#end_date").fill("2026-05-12")
    await page.locator("#region_code").fill("510104")
    await check_page(page, "agency-competition-new")
    await main.get_by_role("button", name=words["submit"]).click()
    await expect(page).to_have_url(re.compile(r"/agency/competitions/[0-9a-f]{24}\?notice="))

    await page.locator("#id_number").fill(WORKER_2[0])
    await page.locator("#worker_name").fill(WORKER_2[1])
    await main.get_by_role("button", name=words["enter"]).click()
    await expect(main.locator("table")).to_contain_text(WORKER_2[1])
    await main.locator("input[name^=rank_]").fill("1")
    await main.locator("input[name^=award_]").fill("一等奖")
    await main.get_by_role("button", name=words["save"]).click()
    await expect(main.locator("input[name^=rank_]")).to_have_value("1")
    await check_page(page, "agency-competition")
    await main.get_by_role("link", name=words["check"]).click()
    await expect(main.get_by_role("button", name=words["publish"])).to_be_visible()
    await check_page(page, "agency-competition-publish")

    await page.goto("/agency/honours")
    await expect(heading).to_have_text(words["honours"])
    await check_page(page, "agency-honours")
    await main.get_by_role("link", name=WORKER_2[1]).first.click()
    await expect(heading).to_have_text("四川省技术能手")
    await check_page(page, "agency-honour")

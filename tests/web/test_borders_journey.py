"""Recognition across borders in headless Chromium with the demo data, in Chinese then English
at phone width: Chengdu's officer goes from the levels hub to the list (the demo's recognised
Chongqing certificate and refused Japanese licence, and the counts), records a Chongqing
certificate for worker-1 (it waits: deciding would add an archive entry the other journeys
count) and reaches its decision form; worker-1 reads her certificates from
outside Sichuan and the decisions in her archive. Every page passes ``check_page`` (axe-core,
360 px, 44 px targets, screenshots). Decisions, voids and errors are tested in-process
(test_borders_pages.py, tests/crossborder)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
WORKER_1 = ("510104199003071237", "王小明")
WORDS = {
    "zh": {
        "login": ("用户名", "密码", "登录"),
        "hub": "跨区域及境外证书认定：重庆和境外",
        "list": "跨区域及境外证书认定",
        "record": "录入证书",
        "submit": "录入证书",
        "waiting": "待决定",
        "decide": "记录决定",
        "mine": "省外及境外证书",
        "refused": "不予认定",
        "decided": "省外及境外证书认定",
    },
    "en": {
        "login": ("Username", "Password", "Sign in"),
        "hub": "Recognition across borders: Chongqing and abroad",
        "list": "Recognition across borders",
        "record": "Record a certificate",
        "submit": "Record the certificate",
        "waiting": "Waiting for the decision",
        "decide": "Record the decision",
        "mine": "Certificates from outside Sichuan",
        "refused": "Not recognised",
        "decided": "Certificate from outside Sichuan decided",
    },
}


async def _sign_in(page: Page, username: str, words: dict[str, object], next_: str) -> None:
    login = words["login"]
    assert isinstance(login, tuple)
    await page.goto(f"/login?next={next_}")
    await page.get_by_label(login[0]).fill(username)
    await page.get_by_label(login[1]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=login[2]).click()


async def test_an_officer_records_a_chongqing_certificate(visitor: tuple[str, Page]) -> None:
    language, page = visitor
    words = WORDS[language]
    main = page.locator("main")
    heading = page.get_by_role("heading", level=1)
    await _sign_in(page, "officer-chengdu", words, "/agency/levels")
    await main.get_by_role("link", name=str(words["hub"])).click()
    await expect(heading).to_have_text(str(words["list"]))
    await expect(main).to_contain_text("重庆市渝中区职业技能鉴定中心")
    await expect(main).to_contain_text("調理師免許")
    await check_page(page, "agency-borders")

    await main.get_by_role("link", name=str(words["record"])).first.click()
    await page.locator("#id_number").fill(WORKER_1[0])
    await page.locator("#worker_name").fill(WORKER_1[1])
    await page.locator("#origin").select_option("chongqing")
    await page.locator("#issuing_body").fill("重庆市江北区职业技能鉴定中心")
    await page.locator("#occupation_code").fill("6-31-01-03")
    await page.locator("#level").select_option("junior")
    await page.locator("#issue_date").fill("2023-09-01")
    await page.locator("#certificate_number").fill(f"S0000500105{language.upper()}0001")
    await page.locator("#issuer_region_code").fill("500105")
    await check_page(page, "agency-border-new")
    await main.get_by_role("button", name=str(words["submit"])).click()
    await expect(page).to_have_url(re.compile(r"/agency/borders/[0-9a-f]{24}\?notice=recorded"))
    await expect(main).to_contain_text(str(words["waiting"]))
    await expect(main.get_by_role("button", name=str(words["decide"]))).to_be_visible()
    await check_page(page, "agency-border")


async def test_the_worker_reads_her_certificates_from_outside_sichuan(
    visitor: tuple[str, Page],
) -> None:
    language, page = visitor
    words = WORDS[language]
    main = page.locator("main")
    await _sign_in(page, "worker-1", words, "/my/borders")
    await expect(page.get_by_role("heading", level=1)).to_have_text(str(words["mine"]))
    await expect(main.locator("table")).to_contain_text("調理師免許")
    await expect(main.locator("table")).to_contain_text(str(words["refused"]))
    await check_page(page, "worker-borders")
    await page.goto("/my/archive")
    await expect(main).to_contain_text(str(words["decided"]))
    await expect(main).to_contain_text("重庆" if language == "zh" else "Chongqing")

"""The agency officer's claims review in headless Chromium with the demo data, once per
language: Mianyang's officer opens the dashboard, the flagged claims, provider B's second
welding claim (demo_fraud.py: claimed too often, attendance entered late, above the amount for
one officer), reads its flags and attendance, goes to "check before you approve" and presses
the button without acknowledging the flags: refused with an error that links to the box, and
the claim is still waiting; then the settlement of the month. Every page passes
``check_page`` (axe-core, 360 px, 44 px targets, screenshots). The decisions themselves, two
officers, a colleague's decision meanwhile and another region are tested over the in-process
client (test_agency_claims_pages.py)."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
SECOND_CLAIM = "64d000000000000000000f0a"
TEXT = {
    "zh": {
        "username": "用户名",
        "password": "密码",
        "sign_in": "登录",
        "dashboard": "人社部门工作台",
        "flagged": "查看有风险提示的申领",
        "too_often": "申领次数超过政策允许",
        "late": "出勤补录过晚",
        "approve": "审核通过这笔申领",
        "check": "审核通过前请核对",
        "first": "提交第一次审核",
        "acknowledge": "请确认您已阅读风险提示",
        "first_of_two": "这是两次审核中的第一次",
        "waiting": "等待劳动者答复",
        "claimed": "机构已申请兑付",
        "settlement": "结算",
        "recheck": "按目前的证据重新检查风险规则",
        "show": "查看结算",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "dashboard": "Agency dashboard",
        "flagged": "See the flagged claims",
        "too_often": "Claimed more often than the policy allows",
        "late": "Attendance recorded late",
        "approve": "Approve this claim",
        "check": "Check before you approve",
        "first": "Give the first approval",
        "acknowledge": "Confirm that you have read the flags",
        "first_of_two": "this is the first of two approvals",
        "waiting": "waiting for the worker's answer",
        "claimed": "Claimed by the provider",
        "settlement": "Settlement",
        "recheck": "Check the rules again with the evidence as it stands now",
        "show": "Show the settlement",
    },
}


async def test_the_officer_reads_a_flagged_claim_and_must_acknowledge_its_flags(
    visitor: tuple[str, Page],
) -> None:
    language, page = visitor
    words = TEXT[language]
    await page.goto("/login?next=/agency")
    await page.get_by_label(words["username"]).fill("agency-mianyang")
    await page.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=words["sign_in"]).click()
    await expect(page).to_have_url(re.compile(r"/agency$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["dashboard"])
    await check_page(page, "agency-dashboard")

    await page.get_by_role("link", name=words["flagged"]).click()
    await expect(page).to_have_url(re.compile(r"/agency/claims\?flagged=yes&sort=flags$"))
    claim = page.locator(f'a[href="/agency/claims/{SECOND_CLAIM}"]')
    await expect(claim).to_have_count(1)
    await check_page(page, "agency-queue")

    await claim.click()
    main = page.locator("main")
    await expect(main.locator(".flag")).to_have_count(2)
    await expect(main.locator(".flag").first).to_contain_text(words["too_often"])
    await expect(main.locator(".flag").nth(1)).to_contain_text(words["late"])
    sessions = main.locator("table").first.locator("tbody tr")
    await expect(sessions).to_have_count(5)  # five sessions, each with a record
    await expect(main.locator("#decision")).to_contain_text(words["waiting"])
    await check_page(page, "agency-claim")

    # The rules run again on the evidence as it stands (a dry run), then back to the claim.
    await page.get_by_role("link", name=words["recheck"]).click()
    await expect(main.locator(".flag")).to_have_count(2)
    await check_page(page, "agency-screening")
    await page.go_back()
    await expect(page).to_have_url(re.compile(f"/agency/claims/{SECOND_CLAIM}$"))

    await page.get_by_role("link", name=words["approve"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["check"])
    await expect(main).to_contain_text(words["first_of_two"])
    await check_page(page, "agency-approve")

    await main.get_by_role("button", name=words["first"]).click()
    summary = page.locator(".error-summary")
    await expect(summary).to_be_visible()
    await expect(summary.get_by_role("link", name=words["acknowledge"])).to_have_attribute(
        "href", "#acknowledge"
    )
    await check_page(page, "agency-approve-errors")

    await page.goto(f"/agency/claims/{SECOND_CLAIM}")
    await expect(main.locator(".tag").first).to_have_text(words["claimed"])

    # What the region owes its providers this month (the finance office's files beside it).
    await page.get_by_role("link", name=words["settlement"], exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["settlement"])
    await main.get_by_role("button", name=words["show"]).click()
    await expect(page).to_have_url(re.compile(r"/agency/settlement\?from=.*&to=.*"))
    await check_page(page, "agency-settlement")

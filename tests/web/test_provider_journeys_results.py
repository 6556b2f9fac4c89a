"""Results, certificates and claims in headless Chromium with the demo data: each journey once,
the languages alternating. Every page passes ``check_page`` (axe-core, 360 px, 44 px targets,
screenshots in ``var/screenshots/``).

The journeys write nothing: they stop at the "check your answers" page of a correction, and
the claims journey reads what provider A may claim, why not its running class's voucher, and
downloads the month's statement; the demo stays as the other journeys expect it.
"""

from __future__ import annotations

import re

from playwright.async_api import BrowserContext, expect

from portfolio import clock
from tests.web.browser import check_page
from tests.web.test_provider_journeys import ELECTRICIANS, WORKER_1_NUMBER, _sign_in

# Provider A's electrician certificate of worker-1 (portfolio/training/demo.py).
CERTIFICATE = "S5101040626000207"


async def test_a_clerk_checks_a_certificate_correction_in_english(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/courses")
    await page.get_by_role("link", name="English").click()
    await _sign_in(page, english=True)
    await page.get_by_role("link", name=ELECTRICIANS).click()
    await page.locator(".run-card").filter(has_text="Ended").first.get_by_role("link").click()
    await page.get_by_role("link", name="Results and certificates").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Results")
    await expect(page.locator("main")).to_contain_text("王小明")
    assert WORKER_1_NUMBER not in await page.locator("main").inner_text()
    await check_page(page, "provider-results")

    await page.get_by_role("link", name=CERTIFICATE).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Certificate {CERTIFICATE}")
    await check_page(page, "provider-certificate")
    await page.get_by_role("link", name="Correct this certificate").click()
    # No reason: the form says so, and keeps what was typed.
    await page.get_by_label("Issued by").fill("四川省职业技能鉴定指导中心")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.locator(".error-summary")).to_contain_text("Say why, in a few words")
    await expect(page.get_by_label("Issued by")).to_have_value("四川省职业技能鉴定指导中心")
    await check_page(page, "provider-certificate-correct-error")
    await page.get_by_label("Why it is corrected").fill("The issuing body was typed wrong")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the correction before writing it"
    )
    await expect(page.locator("main")).to_contain_text("四川省职业技能鉴定指导中心")
    await check_page(page, "provider-certificate-check")
    # "Change" goes back to the form with the answers; nothing was written.
    await page.get_by_role("link", name="Change the answers").click()
    await expect(page.get_by_label("Why it is corrected")).to_have_value(
        "The issuing body was typed wrong"
    )
    await page.get_by_role("link", name="Back to the certificate").click()
    await expect(page.locator("main")).not_to_contain_text("四川省职业技能鉴定指导中心")

    # Voiding: the reason, then the check page; not confirmed.
    await page.get_by_role("link", name="Void this certificate").click()
    await page.get_by_label("Why it is void").fill("Issued to the wrong worker")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check before voiding the certificate"
    )
    await check_page(page, "provider-certificate-void-check")
    await page.get_by_role("link", name="Change the reason").click()
    await expect(page.get_by_label("Why it is void")).to_have_value("Issued to the wrong worker")
    await page.get_by_role("link", name="Back to the certificate").click()
    await page.get_by_role("link", name="Back to the results").click()
    await page.get_by_role("link", name="Record a certificate for 王小明").click()
    await expect(page.get_by_label("Occupation code")).to_have_value("6-31-01-03")
    await check_page(page, "provider-certificate-new")


async def test_a_clerk_reads_the_claims_and_downloads_the_statement(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/provider/dashboard")
    await _sign_in(page, english=False)
    await (
        page.get_by_role("navigation", name="培训机构工作台")
        .get_by_role("link", name="补贴申领")
        .click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("补贴申领")
    main = page.locator("main")
    # Worker-1's voucher bound to the class in progress: no result yet, too few hours.
    await expect(main).to_contain_text("尚未录入该劳动者的结业结果。")
    await expect(main).to_contain_text("等待人社部门审核")
    await expect(main).to_contain_text("已拨付")
    assert WORKER_1_NUMBER not in await main.inner_text()
    await check_page(page, "provider-claims")
    await page.locator(".run-card").filter(has_text="尚未录入").first.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("申领补贴")
    await expect(page.get_by_role("button", name="提交申领")).to_have_count(0)
    await check_page(page, "provider-claim")
    await page.get_by_role("link", name="返回补贴申领").click()

    await page.get_by_label("月份").fill("2026-13")
    await page.get_by_role("button", name="下载对账单（CSV）").click()
    await expect(page.locator(".error-summary")).to_contain_text("请输入月份")
    await check_page(page, "provider-claims-error")
    await page.get_by_label("月份").fill(f"{clock.china_today():%Y-%m}")
    async with page.expect_download() as started:
        await page.get_by_role("button", name="下载对账单（Excel）").click()
    download = await started.value
    assert re.fullmatch(r"statement-\d{4}-\d{2}\.xlsx", download.suggested_filename)

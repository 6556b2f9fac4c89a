"""Share links in headless Chromium, as a worker and the person they share with do it (demo
data), once per language: make a link to one certificate with an access code (the form's
errors first), open it elsewhere, type the code, see that one entry; revoke it and see the
page say so and nothing else. Every page passes ``check_page`` (axe-core, 360 px, 44 px
targets, screenshots). Details are tested over the in-process client
(test_sharing_pages.py) and the API (tests/sharing)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
CODE = "lotus-2026"
TEXT = {
    "zh": {
        "username": "用户名",
        "password": "密码",
        "sign_in": "登录",
        "nav": "我的档案",
        "shares": "分享与下载",
        "make": "创建分享链接",
        "submit": "创建链接",
        "problem": "There is a problem|出现问题|有问题",
        "job": "求职",
        "only": "只分享我在下面勾选的记录",
        "days": "有效多少天？",
        "code": "访问码（选填）",
        "code_field": "访问码",
        "show": "查看档案",
        "check": "向发证机构核验此证书",
        "revoke": "立即撤销此链接",
        "revoked": "此链接已被撤销",
        "locale": "zh-CN",
        "certificate": "证书:",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "nav": "My record",
        "shares": "Share and download",
        "make": "Make a share link",
        "submit": "Make the link",
        "problem": "There is a problem",
        "job": "Job application",
        "only": "Only the entries I tick below",
        "days": "For how many days?",
        "code": "Access code (optional)",
        "code_field": "Access code",
        "show": "Show the record",
        "check": "Check this certificate with its issuer",
        "revoke": "Revoke this link now",
        "revoked": "This link has been revoked",
        "locale": "en-GB",
        "certificate": "Certificate:",
    },
}


async def test_share_one_certificate_with_a_code_then_revoke(
    visitor: tuple[str, Page], browser: Browser, served: str
) -> None:
    language, page = visitor
    words = TEXT[language]
    await page.goto("/login")
    await page.get_by_label(words["username"]).fill("worker-1")
    await page.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=words["sign_in"]).click()
    await expect(page).to_have_url(re.compile(r"/my$"))
    main = page.locator("main")

    await (
        page.get_by_role("navigation", name=words["nav"])
        .get_by_role("link", name=words["shares"])
        .click()
    )
    await expect(page).to_have_url(re.compile(r"/my/shares$"))
    await check_page(page, "sharing-list")

    await main.get_by_role("link", name=words["make"]).click()
    await page.get_by_label(words["days"]).fill("120")
    await main.get_by_role("button", name=words["submit"]).click()
    await expect(page).to_have_url(re.compile(r"/my/shares/new$"))
    await expect(page.locator(".error-summary")).to_be_visible()
    await check_page(page, "sharing-new-errors")

    await page.get_by_label(words["job"]).check()
    await page.get_by_label(words["only"]).check()
    certificates = main.locator('.checkbox:has(input[name^="entry-"])').filter(
        has_text=words["certificate"]
    )
    await certificates.first.locator("input").check()
    await page.get_by_label(words["days"]).fill("14")
    await page.get_by_label(words["code"]).fill(CODE)
    await main.get_by_role("button", name=words["submit"]).click()
    await expect(page).to_have_url(re.compile(r"/my/shares/[0-9a-f]{24}$"))
    url = (await page.locator("#share-url").inner_text()).strip()
    assert "/s/" in url
    await check_page(page, "sharing-detail")

    # The person the worker shares with: another browser, no session.
    context = await browser.new_context(
        base_url=served, locale=words["locale"], viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(5000)
    try:
        reader = await context.new_page()
        await reader.goto(url)
        await check_page(reader, "shared-access-code")
        await reader.get_by_label(words["code_field"]).fill(CODE)
        await reader.get_by_role("button", name=words["show"]).click()
        await expect(reader.locator("main")).to_contain_text("王小明")
        await expect(reader.locator("main .entries__item")).to_have_count(1)
        await expect(reader.get_by_role("link", name=words["check"])).to_have_count(1)
        await check_page(reader, "shared-record")

        await main.get_by_role("button", name=words["revoke"]).click()
        await expect(main.locator(".tag--bad")).to_be_visible()
        await reader.goto(url)
        await expect(reader.get_by_role("heading", level=1)).to_have_text(words["revoked"])
        await expect(reader.locator("main")).not_to_contain_text("王小明")
        await check_page(reader, "shared-revoked")
    finally:
        await context.close()

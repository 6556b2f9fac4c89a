"""The foundation's pages in headless Chromium, as a person uses them, in both languages.

Each page passes axe-core with zero violations, does not scroll sideways at 360 px, and is
photographed at 390x844 and 1280x800 (``var/screenshots/``). The demo data is loaded.
"""

from __future__ import annotations

import re

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.web.browser import check_page
from tests.web.server import BROKEN_PAGE, COMPONENTS_PAGE, STORE_DOWN_PAGE

# What a person reads on the page, per language (the fixture of the same name opens it).
TEXT = {
    "zh": {
        "lang": "zh-Hans",
        "home": "您的终身职业培训档案",
        "sign in": "登录",
        "sign out": "退出登录",
        "signed out": "您已退出登录。",
        "check link": "证书查询",
        "check": "查询",
        "number": "证书编号",
        "name": "持证人姓名",
        "problem": "请修改以下问题",
        "enter number": "请输入证书编号",
        "valid": "有效",
        "level": "高级工（三级）",
        "date": "2026年6月5日",
        "not found": "未查到证书",
        "username": "用户名",
        "password": "密码",
        "bad login": "用户名或密码不正确",
        "my record": "我的档案",
        "not found page": "页面不存在",
        "forbidden page": "您无权查看此页面",
        "error page": "抱歉，服务出现问题",
        "store down page": "抱歉，服务暂时不可用",
        "other language": "English",
    },
    "en": {
        "lang": "en",
        "home": "Your training record, all your working life",
        "sign in": "Sign in",
        "sign out": "Sign out",
        "signed out": "You have signed out.",
        "check link": "Check a certificate",
        "check": "Check",
        "number": "Certificate number",
        "name": "Holder's name",
        "problem": "There is a problem",
        "enter number": "Enter the certificate number",
        "valid": "Valid",
        "level": "Senior worker (level 3)",
        "date": "2026-06-05",
        "not found": "No certificate found",
        "username": "Username",
        "password": "Password",
        "bad login": "The username or password is not right",
        "my record": "My record",
        "not found page": "Page not found",
        "forbidden page": "You cannot see this page",
        "error page": "Sorry, there is a problem with the service",
        "store down page": "Sorry, the service is not available right now",
        "other language": "中文",
    },
}
DEMO_PASSWORD = "demo-password"


Visitor = tuple[str, Page]


async def _sign_in(page: Page, text: dict[str, str], username: str) -> None:
    await page.goto("/login")
    await page.get_by_label(text["username"]).fill(username)
    await page.get_by_label(text["password"]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=text["sign in"]).click()


async def test_home_page(visitor: Visitor) -> None:
    language, page = visitor
    text = TEXT[language]
    await page.goto("/")
    await expect(page.locator("html")).to_have_attribute("lang", text["lang"])
    await expect(page.get_by_role("heading", level=1)).to_have_text(text["home"])
    await check_page(page, "home")


async def test_certificate_check(visitor: Visitor) -> None:
    language, page = visitor
    text = TEXT[language]
    await page.goto("/")
    await page.locator("main").get_by_role("link", name=text["check link"]).click()
    await expect(page).to_have_url(re.compile(r"/certificate-check$"))
    await check_page(page, "certificate-check")

    # Nothing typed: the error summary links to the field in error.
    await page.get_by_role("button", name=text["check"], exact=True).click()
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text(text["problem"])
    await summary.get_by_role("link", name=text["enter number"]).click()
    await expect(page.get_by_label(text["number"])).to_be_focused()
    await check_page(page, "certificate-check-error")

    await page.get_by_label(text["number"]).fill("S5107030526000033")
    await page.get_by_label(text["name"]).fill("李小红")
    await page.get_by_role("button", name=text["check"], exact=True).click()
    result = page.locator(".result")
    await expect(result).to_contain_text(text["valid"])
    await expect(result).to_contain_text(text["level"])
    await expect(result).to_contain_text("绵阳市技师学院")
    await expect(result).to_contain_text(text["date"])
    await check_page(page, "certificate-valid")

    # The right number with another name is not found, as a number that does not exist.
    await page.get_by_label(text["name"]).fill("王小明")
    await page.get_by_role("button", name=text["check"], exact=True).click()
    await expect(page.locator(".result")).to_contain_text(text["not found"])
    await expect(page.locator(".result")).not_to_contain_text("绵阳市技师学院")
    await check_page(page, "certificate-not-found")


async def test_sign_in_and_out(visitor: Visitor) -> None:
    language, page = visitor
    text = TEXT[language]
    await page.goto("/")
    await page.locator("header").get_by_role("link", name=text["sign in"]).click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await check_page(page, "login")

    await page.get_by_label(text["username"]).fill("worker-1")
    await page.get_by_label(text["password"]).fill("not the password")
    await page.locator("main").get_by_role("button", name=text["sign in"]).click()
    summary = page.get_by_role("alert")
    await summary.get_by_role("link", name=text["bad login"]).click()
    await expect(page.get_by_label(text["username"])).to_be_focused()
    await expect(page.get_by_label(text["username"])).to_have_value("worker-1")
    await expect(page.get_by_label(text["password"])).to_have_value("")
    await check_page(page, "login-error")

    await page.get_by_label(text["password"]).fill(DEMO_PASSWORD)
    await page.locator("main").get_by_role("button", name=text["sign in"]).click()
    await expect(page).to_have_url(re.compile(r"/my$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(text["my record"])
    await expect(page.locator("header")).to_contain_text("worker-1")
    await check_page(page, "worker-landing")

    # Back to the sign-in form: a signed-in person is sent on to their page (the fragment is
    # the error link's, followed earlier).
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"/my(#username)?$"))

    await page.get_by_role("button", name=text["sign out"]).click()
    await expect(page.get_by_role("status")).to_have_text(text["signed out"])
    # Back after signing out: the personal page is not shown again (not kept, session over).
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"/login\?next=/my(#username)?$"))
    await expect(page.locator("main")).not_to_contain_text("worker-1")


async def test_language_switch(zh: BrowserContext) -> None:
    page = await zh.new_page()
    await page.goto("/certificate-check")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    await page.get_by_role("link", name="English").click()
    await expect(page).to_have_url(re.compile(r"/certificate-check$"))
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check a certificate")
    # Remembered: the next page is in English too, whatever the browser prefers.
    await page.goto("/login")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_role("link", name="中文").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("登录")


async def test_error_pages(visitor: Visitor) -> None:
    language, page = visitor
    text = TEXT[language]
    for path, status, heading, name in (
        ("/no-such-page", 404, text["not found page"], "error-404"),
        (BROKEN_PAGE, 500, text["error page"], "error-500"),
        (STORE_DOWN_PAGE, 503, text["store down page"], "error-503"),
    ):
        response = await page.goto(path)
        assert response is not None
        assert response.status == status
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        reference = response.headers["x-request-id"]
        await expect(page.locator(".reference")).to_have_text(reference)
        body = await page.content()
        assert "do-not-show-this" not in body
        assert "Traceback" not in body
        await check_page(page, name)

    # A worker opening an agency's page: the 403 page, still signed in.
    await _sign_in(page, text, "worker-1")
    await expect(page).to_have_url(re.compile(r"/my$"))
    response = await page.goto("/agency")
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text(text["forbidden page"])
    await check_page(page, "error-403")


async def test_the_shared_components(visitor: Visitor) -> None:
    """Every macro of components.html on one page (a test-only page of the harness)."""
    language, page = visitor
    await page.goto(COMPONENTS_PAGE)
    # On a phone the table is a list: each cell names its column.
    label = await page.locator("td").first.evaluate(
        "(cell) => getComputedStyle(cell, '::before').content"
    )
    assert "Certificate number" in label or "证书编号" in label
    await expect(page.locator(".panel__reference")).to_have_text("PF-2026-000123")
    await expect(page.locator(".panel")).to_contain_text(
        "1,234.56 元 · 2026年12月5日" if language == "zh" else "¥1,234.56 · 2026-12-05"
    )
    await check_page(page, "components")


async def test_the_journeys_work_with_javascript_off(browser: Browser, served: str) -> None:
    context = await browser.new_context(base_url=served, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(5000)
    try:
        page = await context.new_page()
        await page.goto("/certificate-check?number=S5107030526000033&name=李小红")
        await expect(page.locator(".result")).to_contain_text("有效")
        await _sign_in(page, TEXT["zh"], "worker-2")
        await expect(page).to_have_url(re.compile(r"/my$"))
        await page.get_by_role("button", name="退出登录").click()
        await expect(page.get_by_role("status")).to_have_text("您已退出登录。")
    finally:
        await context.close()

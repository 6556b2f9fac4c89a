"""The worker's record and account in headless Chromium, as a worker uses them (demo data).

Each journey runs once, in one language, the languages alternating: the links, the forms and
their errors, the buttons and the back button. Every page passes ``check_page`` (axe-core,
360 px, 44 px targets, screenshots at 390x844 and 1280x800 in ``var/screenshots/``). What the
pages show and refuse in detail is tested over the in-process client
(test_worker_record_pages.py).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.archives.factories import fresh_resident_id
from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
LOCALES = {"zh": "zh-CN", "en": "en-GB"}


async def _page(browser: Browser, served: str, language: str) -> Page:
    context = await browser.new_context(
        base_url=served, locale=LOCALES[language], viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(5000)
    return await context.new_page()


@pytest.fixture
async def zh_page(browser: Browser, served: str) -> AsyncIterator[Page]:
    """A fresh browser whose language is Chinese."""
    page = await _page(browser, served, "zh")
    try:
        yield page
    finally:
        await page.context.close()


@pytest.fixture
async def en_page(browser: Browser, served: str) -> AsyncIterator[Page]:
    """A fresh browser whose language is English."""
    page = await _page(browser, served, "en")
    try:
        yield page
    finally:
        await page.context.close()


async def _sign_in(page: Page, username: str, password: str, *, zh: bool) -> None:
    await page.goto("/login")
    await page.get_by_label("用户名" if zh else "Username").fill(username)
    await page.get_by_label("密码" if zh else "Password").fill(password)
    await page.locator("main").get_by_role("button", name="登录" if zh else "Sign in").click()
    await expect(page).to_have_url(re.compile(r"/my$"))


async def test_home_archive_an_entry_and_the_chain_check(zh_page: Page) -> None:
    page = zh_page
    await _sign_in(page, "worker-1", DEMO_PASSWORD, zh=True)
    main = page.locator("main")
    await expect(main.get_by_role("heading", level=1)).to_have_text("我的档案")
    await expect(main).to_contain_text("王小明")
    await expect(main.locator(".inbox")).to_contain_text("待您确认的考勤")
    await expect(main).to_contain_text("中级工（四级）")
    await check_page(page, "worker-home")

    await main.get_by_role("link", name="查看全部 16 条记录").click()
    await expect(page).to_have_url(re.compile(r"/my/archive$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("我的档案记录")
    await check_page(page, "worker-archive")

    # Only the certificates issued: pick the kind and press the button.
    await page.get_by_label("类别").select_option(label="证书颁发")
    await page.get_by_role("button", name="筛选").click()
    await expect(page).to_have_url(re.compile(r"kind=certificate_issued"))
    items = main.locator(".entries__item")
    await expect(items).to_have_count(2)
    await items.first.get_by_role("link", name="证书颁发").click()
    await expect(page).to_have_url(re.compile(r"/my/archive/\d+$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("证书颁发")
    await expect(main).to_contain_text("成都天府职业技能培训学校")
    await expect(main).to_contain_text("在链条中的位置")
    await check_page(page, "worker-entry")

    # Along the chain, then back twice with the browser: the filtered list again.
    entry_url = page.url
    await main.get_by_role("link", name=re.compile("^前一条")).click()
    await expect(page).not_to_have_url(entry_url)
    await page.go_back()
    await expect(page).to_have_url(entry_url)
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"kind=certificate_issued"))
    await expect(page.get_by_label("类别")).to_have_value("certificate_issued")
    await main.get_by_role("link", name="显示全部").click()
    await expect(items).to_have_count(16)

    await main.get_by_role("link", name="核验我的档案是否完整、未被篡改").click()
    await expect(main.locator(".result")).to_contain_text("您的档案完整，未被篡改。")
    await expect(main).to_contain_text("全部 16 条记录")
    await check_page(page, "worker-chain-check")


async def test_certificates_and_their_check_link(en_page: Page) -> None:
    page = en_page
    await _sign_in(page, "worker-1", DEMO_PASSWORD, zh=False)
    main = page.locator("main")
    await (
        page.get_by_role("navigation", name="My record")
        .get_by_role("link", name="Certificates")
        .click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("My certificates")
    certificates = main.locator(".certificate")
    await expect(certificates).to_have_count(2)
    corrected = certificates.filter(has_text="S5101040626000207")
    await expect(corrected).to_contain_text("Intermediate worker (level 4)")
    await expect(corrected).to_contain_text("颁证日期录入有误，按证书原件更正")
    await expect(corrected.get_by_role("img")).to_be_visible()
    await check_page(page, "worker-certificates")

    # The QR code's link, as a phone that scanned it would open it: the public check.
    link = corrected.locator(".qr__link")
    address = await link.get_attribute("href")
    assert address is not None
    assert "S510" not in address
    await link.click()
    await expect(page).to_have_url(re.compile(r"/c/[A-Za-z0-9_-]{38}$"))
    result = main.locator(".result")
    await expect(result).to_contain_text("This certificate is valid")
    await expect(result).to_contain_text("Intermediate worker (level 4)")
    await expect(result).to_contain_text("2026-06-30")
    await expect(main).not_to_contain_text("王小明")
    await check_page(page, "certificate-link")
    await page.go_back()
    await expect(page.get_by_role("heading", level=1)).to_have_text("My certificates")


async def test_who_read_my_record_the_profile_and_the_phone(zh_page: Page) -> None:
    page = zh_page
    await _sign_in(page, "worker-2", DEMO_PASSWORD, zh=True)
    main = page.locator("main")
    nav = page.get_by_role("navigation", name="我的档案")
    await nav.get_by_role("link", name="谁查阅了我的档案").click()
    # The demo's one search by the Mianyang agency; other browser tests on the same served
    # demo (consoles reading class lists, claims, the officer's searches) may have added lines
    # of their own, newer, so it can be a page or more further on: the worker pages there.
    demo_search = main.locator(".entries__item").filter(has_text="失业登记人员就业服务回访")
    older = main.locator("a[rel=next]")
    for _ in range(20):
        if await demo_search.count() or not await older.count():
            break
        async with page.expect_navigation():
            await older.click()
    await expect(demo_search).to_have_count(1)
    await expect(demo_search).to_contain_text("绵阳市人社部门")
    await check_page(page, "worker-access-log")

    await nav.get_by_role("link", name="个人信息").click()
    await expect(main).not_to_contain_text("510703199506122469")
    await check_page(page, "worker-profile")
    await main.get_by_role("button", name="显示完整号码").click()
    await expect(main).to_contain_text("510703199506122469")
    await check_page(page, "worker-profile-revealed")
    await main.get_by_role("link", name="隐藏完整号码").click()
    await expect(main).not_to_contain_text("510703199506122469")

    await main.get_by_role("link", name="修改 手机号码").click()
    await page.get_by_label("新手机号码").fill("1390000")
    await page.get_by_label("您的密码").fill(DEMO_PASSWORD)
    await main.get_by_role("button", name="修改手机号码").click()
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("请输入 11 位手机号码")
    await summary.get_by_role("link").click()
    await expect(page.get_by_label("新手机号码")).to_be_focused()
    await expect(page.get_by_label("新手机号码")).to_have_value("1390000")
    await check_page(page, "worker-phone-error")
    await page.get_by_label("新手机号码").fill("13900002222")
    await page.get_by_label("您的密码").fill(DEMO_PASSWORD)
    await main.get_by_role("button", name="修改手机号码").click()
    await expect(page.get_by_role("status")).to_have_text("手机号码已修改。")
    await expect(main).to_contain_text("139****2222")


async def test_activation_the_password_and_the_devices(en_page: Page, served: str) -> None:
    # The agency registers a worker through the API and hands over the activation code.
    async with httpx.AsyncClient(base_url=served) as api:
        login = await api.post(
            "/auth/token",
            data={
                "grant_type": "password",
                "username": "agency-chengdu",
                "password": DEMO_PASSWORD,
            },
        )
        token = login.json()["access_token"]
        registered = await api.post(
            "/workers",
            json={
                "name": "赵六",
                "id_number": fresh_resident_id(),
                "phone": "13700001234",
                "region_code": "510104",
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert registered.status_code == 201, registered.text
        code = registered.json()["activation"]["code"]

    page = en_page
    main = page.locator("main")
    await page.goto("/login")
    await main.get_by_role("link", name="Activate your login").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Activate your login")
    await check_page(page, "activate")
    await page.get_by_label("Activation code").fill(code)
    await page.get_by_label("Password", exact=True).fill("my first password")
    await page.get_by_label("Password again").fill("my frist password")
    await main.get_by_role("button", name="Activate").click()
    await expect(page.get_by_role("alert")).to_contain_text("The two passwords are not the same")
    await check_page(page, "activate-error")
    await page.get_by_label("Activation code").fill(code)
    await page.get_by_label("Password", exact=True).fill("my first password")
    await page.get_by_label("Password again").fill("my first password")
    await main.get_by_role("button", name="Activate").click()
    await expect(page).to_have_url(re.compile(r"/my\?notice=activated$"))
    await expect(page.get_by_role("status")).to_contain_text("Your login is ready.")
    await expect(main).to_contain_text("赵六")
    # A phone-number login is stored only as its keyed name: the header says what it is.
    await expect(page.locator("header")).to_contain_text("your phone number")

    await (
        page.get_by_role("navigation", name="My record").get_by_role("link", name="Account").click()
    )
    await expect(main.locator(".devices__item")).to_have_count(1)
    await expect(main).to_contain_text("This browser")
    await check_page(page, "worker-account")
    await main.get_by_role("link", name="Change my password").click()
    await page.get_by_label("Current password").fill("not my password")
    await page.get_by_label("New password", exact=True).fill("my second password")
    await page.get_by_label("New password again").fill("my second password")
    await main.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("alert")).to_contain_text("Your current password is not right")
    await check_page(page, "worker-password-error")
    await page.get_by_label("Current password").fill("my first password")
    await page.get_by_label("New password", exact=True).fill("my second password")
    await page.get_by_label("New password again").fill("my second password")
    await main.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")

    await main.get_by_role("button", name="Sign out everywhere").click()
    await expect(page.get_by_role("status")).to_have_text("You have signed out on every device.")
    # Back: the account page is not shown again; the session is over.
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await _sign_in(page, "13700001234", "my second password", zh=False)

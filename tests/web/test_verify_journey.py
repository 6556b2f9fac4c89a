"""The public verification page in headless Chromium, once per language: a worker's CLR (the
demo worker's, fetched with their session) pasted by someone with no account shows as valid
with its badges; the same text with one character of its signature changed shows as not
valid. Every page passes ``check_page`` (axe-core, 360 px, 44 px targets, screenshots).
The checks themselves are tested over the API (tests/credentials)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.web.browser import check_page

DEMO_PASSWORD = "demo-password"
TEXT = {
    "zh": {
        "username": "用户名",
        "password": "密码",
        "sign_in": "登录",
        "credential": "凭证",
        "verify": "核验",
        "valid": "有效",
        "not_valid": "无效",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "credential": "Credential",
        "verify": "Verify",
        "valid": "Valid",
        "not_valid": "Not valid",
    },
}


def _tampered(token: str) -> str:
    """The token with the first character of its signature changed."""
    head, body, signature = token.split(".")
    swapped = "A" if signature[0] != "A" else "B"
    return f"{head}.{body}.{swapped}{signature[1:]}"


async def test_anyone_verifies_a_pasted_clr_and_sees_a_tampered_one_refused(
    visitor: tuple[str, Page], browser: Browser, served: str
) -> None:
    language, worker_page = visitor
    words = TEXT[language]
    await worker_page.goto("/login")
    await worker_page.get_by_label(words["username"]).fill("worker-1")
    await worker_page.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    await worker_page.locator("main").get_by_role("button", name=words["sign_in"]).click()
    await expect(worker_page).to_have_url(re.compile(r"/my$"))
    download = await worker_page.request.get("/my/credentials/clr.jwt")
    assert download.ok
    clr = (await download.text()).strip()

    # Someone else, with no account, on another browser.
    context = await browser.new_context(
        base_url=served,
        locale=await worker_page.evaluate("navigator.language"),
        viewport={"width": 390, "height": 844},
    )
    context.set_default_timeout(5000)
    try:
        page = await context.new_page()
        await page.goto("/verify")
        await check_page(page, "verify-form")
        await page.get_by_label(words["credential"], exact=True).fill(clr)
        await page.locator("main").get_by_role("button", name=words["verify"]).click()
        result = page.get_by_role("region").first
        await expect(result.locator("h2")).to_contain_text(words["valid"])
        await expect(result.locator("h2")).not_to_contain_text(words["not_valid"])
        # The badges inside the CLR are checked one by one and shown too.
        assert await result.locator("h3").count() >= 1
        await check_page(page, "verify-valid")

        await page.get_by_label(words["credential"], exact=True).fill(_tampered(clr))
        await page.locator("main").get_by_role("button", name=words["verify"]).click()
        await expect(page.get_by_role("region").first.locator("h2")).to_contain_text(
            words["not_valid"]
        )
        await check_page(page, "verify-tampered")
    finally:
        await context.close()

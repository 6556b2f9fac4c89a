"""Two officers of one agency decide the same claim at once, from two browsers (issue 23):
both open the claim's "check before you approve" page, both press "Approve and pay" together;
exactly one decision is stored (the API shows one redemption, one ledger entry, one event),
and the other officer's browser lands on the claim saying a colleague decided it. Then the
queue's filters with a provider's courses and a wrong amount, through the page checks.

The claim is made for this test over the in-process client (tests/vouchers factories), and the
same running app is served on a free port for Chromium (uvicorn in the test's event loop), so
the shared demo server's claims are left as they are."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
from fastapi import FastAPI
from httpx import AsyncClient
from playwright.async_api import Browser, Page, expect

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.vouchers.ledger import LedgerEntry
from tests.helpers import DEFAULT_PASSWORD, create_principal
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import make_world
from tests.web.browser import check_page

TEXT = {
    "zh": {"username": "用户名", "password": "密码", "sign_in": "登录", "pay": "审核通过并兑付"},
    "en": {
        "username": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "pay": "Approve and pay",
    },
}
LOCALES = {"zh": "zh-CN", "en": "en-GB"}


@pytest.fixture
async def live(app: FastAPI) -> AsyncIterator[str]:
    """The test session's app served over HTTP on a free port, in this event loop (the
    socket listens before the server runs, so the browser's first request just waits)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()


async def _officer(browser: Browser, base: str, language: str, username: str) -> Page:
    """An officer signed in with their own browser (context), reading ``language``."""
    context = await browser.new_context(
        base_url=base, locale=LOCALES[language], viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(5000)
    page = await context.new_page()
    words = TEXT[language]
    await page.goto("/login?next=/agency")
    await page.get_by_label(words["username"]).fill(username)
    await page.get_by_label(words["password"]).fill(DEFAULT_PASSWORD)
    await page.locator("main").get_by_role("button", name=words["sign_in"]).click()
    await expect(page).to_have_url(f"{base}/agency")
    return page


async def test_two_officers_approving_one_claim_at_once_pay_it_once(
    client: AsyncClient, runtime: Runtime, browser: Browser, live: str
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    colleague = await create_principal(
        runtime.settings, Role.AGENCY, region_prefix=world.agency.principal.region_prefix
    )
    first = await _officer(browser, live, "zh", world.agency.principal.username)
    second = await _officer(browser, live, "en", colleague.username)
    check = f"/agency/claims/{made.voucher_id}/approve"
    pages = ((first, TEXT["zh"]["pay"]), (second, TEXT["en"]["pay"]))
    try:
        for page, _ in pages:
            await page.goto(check)
        await check_page(first, "agency-approve-two-officers")
        # Both press the button together.
        await asyncio.gather(
            *(page.locator("main").get_by_role("button", name=pay).click() for page, pay in pages)
        )
        for page, _ in pages:
            await expect(page).to_have_url(re.compile(f"/agency/claims/{made.voucher_id}"))
        paid = [page for page, _ in pages if page.url.endswith("?notice=paid")]
        assert len(paid) == 1, [page.url for page, _ in pages]
        loser = second if paid == [first] else first
        summary = loser.locator(".error-summary")
        await expect(summary).to_be_visible()
        await expect(summary).to_contain_text(
            "另一位经办人刚刚已处理这笔申领" if loser is first else "Another officer decided"
        )
        await check_page(loser, "agency-claim-decided-by-colleague")
        # The queue's filters with a provider chosen (its courses offered) and an amount typed
        # wrong: the field is named, the page still reads well.
        provider = world.provider.organisation_id
        await first.goto(f"/agency/claims?provider={provider}&min_yuan=lots&days=1")
        await expect(first.locator(".error-summary")).to_be_visible()
        await expect(first.get_by_label("课程")).to_be_visible()
        await expect(first.get_by_label("培训机构")).to_have_value(provider)  # none waiting
        await check_page(first, "agency-queue-filters-error")
    finally:
        for page, _ in pages:
            await page.context.close()

    found = await client.get(f"/claims/{made.voucher_id}", headers=world.agency.headers)
    assert found.json()["voucher"]["status"] == "redeemed"
    entries = await LedgerEntry.find({"voucher_id": made.voucher_id}).to_list()
    assert [e.amount_fen for e in entries] == [80_000]
    history = await client.get(f"/vouchers/{made.voucher_id}/events", headers=world.agency.headers)
    assert [e["action"] for e in history.json()].count("redeem") == 1

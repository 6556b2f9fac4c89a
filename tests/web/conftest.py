"""Fixtures of the page tests: an in-process HTTPS client, and the app over real HTTP for
headless Chromium (Debian's, driven by Playwright).

The browser tests fail, never skip, when the browser is missing or does not work with the
pinned Playwright: ``make test`` installs it (``make browser``).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from tests.web.browser import CHROMIUM, LAUNCH_ARGS, BrowserClock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def web(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """The app in-process over https:// (so ``Secure`` cookies are kept and sent)."""
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def served(store_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the app served over HTTP with the demo data (its own database)."""
    port = _free_port()
    database = f"portfolio_web_{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "PORTFOLIO_ENV": "development",
        "PORTFOLIO_MONGODB_URI": store_uri,
        "PORTFOLIO_DATABASE": database,
        "PORTFOLIO_DATA_DIR": str(tmp_path_factory.mktemp("served")),
        "PORTFOLIO_MASTER_KEY": "test-master-key-not-secret",
        "PORTFOLIO_ARGON2_TIME_COST": "1",
        "PORTFOLIO_ARGON2_MEMORY_COST_KIB": "8",
        "PORTFOLIO_ARGON2_PARALLELISM": "1",
        "PORTFOLIO_LOGIN_RATE_PER_USERNAME": "10000",
        "PORTFOLIO_LOGIN_RATE_PER_CLIENT": "100000",
        "PORTFOLIO_REPAIR_GRACE_SECONDS": "0",
        "PORTFOLIO_LOG_LEVEL": "WARNING",
    }
    log_path = tmp_path_factory.mktemp("served-log") / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.web.server", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"the page server exited:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the page server did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if os.environ.get("PORTFOLIO_MONGODB_URI"):
            import pymongo

            with pymongo.MongoClient(store_uri) as client:
                client.drop_database(database)


BROWSER_CLOCK = BrowserClock()


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    """Playwright's driver (shipped in its wheel)."""
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def machine_browser() -> str:
    """The machine's Chromium and Chinese fonts are there (a failure, never a skip)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no browser at {CHROMIUM}: the page tests need Debian's chromium and "
            "fonts-noto-cjk (`make browser` installs them; `make test` runs it)"
        )
    fonts = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    if not fonts.stdout.strip():
        pytest.fail("no Chinese font on this machine: apt-get install fonts-noto-cjk")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(playwright: Playwright, machine_browser: str) -> AsyncIterator[Browser]:
    """Headless Chromium, checked first: it must start and render a page with Playwright."""
    try:
        launched = await playwright.chromium.launch(
            executable_path=machine_browser, args=LAUNCH_ARGS
        )
        page = await launched.new_page()
        await page.set_content("<p lang='zh-Hans'>检查</p>")
        rendered = await page.inner_text("p")
        await page.close()
    except Exception as exc:
        pytest.fail(
            f"Playwright {_playwright_version()} cannot drive {machine_browser} "
            f"({await asyncio.to_thread(_chromium_version)}): {exc}\n"
            "Update the browser (apt-get install chromium) or pin a Playwright that supports it."
        )
    assert rendered == "检查"
    try:
        yield launched
    finally:
        await launched.close()


def _playwright_version() -> str:
    from importlib.metadata import version

    return version("playwright")


def _chromium_version() -> str:
    try:
        found = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        return f"not runnable: {exc}"
    return found.stdout.strip() or found.stderr.strip()


LOCALES = {"zh": "zh-CN", "en": "en-GB"}


async def _context(browser: Browser, served: str, language: str) -> BrowserContext:
    context = await browser.new_context(
        base_url=served, locale=LOCALES[language], viewport={"width": 390, "height": 844}
    )
    # Pages answer in milliseconds here: fail fast instead of waiting Playwright's 30 s.
    context.set_default_timeout(5000)
    return context


@pytest.fixture(params=list(LOCALES))
async def visitor(
    request: pytest.FixtureRequest, browser: Browser, served: str
) -> AsyncIterator[tuple[str, Page]]:
    """A fresh browser (no cookies) whose first language is Chinese, then English: the
    language's key and a page."""
    context = await _context(browser, served, request.param)
    try:
        yield request.param, await context.new_page()
    finally:
        await context.close()


@pytest.fixture
async def zh(browser: Browser, served: str) -> AsyncIterator[BrowserContext]:
    """A fresh browser whose first language is Chinese (no cookies yet)."""
    context = await _context(browser, served, "zh")
    try:
        yield context
    finally:
        await context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Count the time of every phase of the tests that use the browser."""
    if "browser" in getattr(item, "fixturenames", ()):
        BROWSER_CLOCK.add(call.duration)
    yield


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how long the browser part took (UI.md's budget), when it ran."""
    if BROWSER_CLOCK.seconds is not None:
        terminalreporter.write_line(
            f"browser tests: {BROWSER_CLOCK.seconds:.1f} s with headless Chromium "
            f"(screenshots in {BrowserClock.SCREENSHOTS.relative_to(ROOT)}/)"
        )

"""What every page gets in the browser: axe-core, 360 px, 44 px targets, two screenshots.

    await check_page(page, "login-error")

runs axe-core (zero violations), checks that nothing scrolls sideways at 360 px and that
buttons, fields and header links are at least 44x44 px, and writes full-page screenshots at
390x844 and 1280x800 to ``var/screenshots/<name>-<lang>-<size>.png`` (look at them: a page
can pass every assertion and still look broken).
"""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",  # root on this machine; the sandbox needs user namespaces
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
NARROW = {"width": 360, "height": 640}
_AXE = Axe()

# Elements a finger presses: buttons, fields, button-like links and the header's links.
_TARGETS = "button, input:not([type=hidden]), a.button, .site-header a, .pagination a"
_SMALL_TARGETS = """(selector) => [...document.querySelectorAll(selector)]
    .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
    .filter(([, box]) => box.width > 0 && (box.width < 44 || box.height < 44))
    .map(([html, box]) => `${html} ${Math.round(box.width)}x${Math.round(box.height)}`)"""


class BrowserClock:
    """How long the browser tests took, set-up (server, browser) and teardown included:
    the sum over the tests that use the browser (printed at the end of the run)."""

    SCREENSHOTS = ROOT / "var" / "screenshots"

    def __init__(self) -> None:
        self.seconds: float | None = None

    def add(self, seconds: float) -> None:
        """One phase (setup, call, teardown) of a browser test."""
        self.seconds = (self.seconds or 0.0) + seconds


async def check_page(page: Page, name: str) -> None:
    """axe-core, the 360 px and 44 px checks, and the two screenshots of the current page."""
    lang = await page.get_attribute("html", "lang")
    assert lang in ("zh-Hans", "en"), f"{name}: lang attribute {lang!r}"
    await page.set_viewport_size(PHONE)
    results = await _AXE.run(page)
    assert results.violations_count == 0, f"{name} ({lang}): {results.generate_report()}"
    small = await page.evaluate(_SMALL_TARGETS, _TARGETS)
    assert not small, f"{name} ({lang}): targets under 44x44 px: {small}"
    await page.set_viewport_size(NARROW)
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= NARROW["width"], f"{name} ({lang}) scrolls sideways at 360 px"
    for size in (PHONE, DESK):
        await page.set_viewport_size(size)
        BrowserClock.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = BrowserClock.SCREENSHOTS / f"{name}-{lang}-{size['width']}x{size['height']}.png"
        await page.screenshot(path=path, full_page=True)
    await page.set_viewport_size(PHONE)

"""Browser tests: Playwright driving the machine's Chromium (Debian's `chromium`; browser
downloads are impossible here), headless, with every request that leaves the server under
test refused — the pages must work on an intranet with no way out.

Without Chromium these tests are skipped with the reason, unless `HUIYIN_REQUIRE_BROWSER`
is set (`.ci/run` sets it after installing Chromium), when its absence is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    """The machine's Chromium, if it has one."""
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("HUIYIN_REQUIRE_BROWSER"):
            pytest.fail("no Chromium on this machine (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (apt-get install chromium fonts-noto-cjk)")
    launched = playwright.chromium.launch(executable_path=executable, headless=True)
    yield launched
    launched.close()


class OfflinePage:
    """A page that may reach only `base`; every other request is refused and noted."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.own = urlsplit(base).netloc
        self.refused: list[str] = []
        self.console_errors: list[str] = []
        page.route("**/*", self._only_own)
        page.on("console", self._console)

    def _only_own(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.own:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("internetdisconnected")

    def _console(self, message: object) -> None:
        if getattr(message, "type", "") == "error":
            self.console_errors.append(str(getattr(message, "text", message)))


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()

"""The site the browser tests visit: a store of its own filled by a small `huiyin demo`, a
`huiyin serve` on a loopback port, and a token for each role (the demo prints them)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page

from tests.browser.conftest import OfflinePage
from tests.e2e.conftest import huiyin, own_store_env, running_server

#: A small demo: enough of every kind of case for each page to show something.
DEMO = ("demo", "--appeals", "40", "--months", "2", "--seed", "5")
TOKEN_LINE = re.compile(r"^(\w+)\s+(\S+)\s+(hy_\S+)$", re.MULTILINE)
#: Where the screenshots of every page go (the README names it).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


@dataclass(frozen=True)
class Site:
    """A running server over a demo store."""

    base: str
    #: role → (person, token)
    people: dict[str, tuple[str, str]]

    def head(self) -> int:
        """The store's position now: a page asked with `?after=` it shows what came before."""
        return int(httpx.get(f"{self.base}/health").json()["position"])


@contextmanager
def demo_site(data_dir: Path) -> Iterator[Site]:
    """The demo's store served until the block ends."""
    with own_store_env(data_dir, "huiyin_browser") as env:
        printed = huiyin(*DEMO, env=env)
        people = {role: (person, token) for role, person, token in TOKEN_LINE.findall(printed)}
        with running_server(env) as base:
            yield Site(base, people)


class Visitor:
    """A browser context signed in as one role (or nobody), every request leaving the
    server refused and noted."""

    def __init__(
        self, browser: Browser, site: Site, role: str | None, width: str = "desktop"
    ) -> None:
        w, h = WIDTHS[width]
        self.context = browser.new_context(
            locale="zh-CN", viewport={"width": w, "height": h}, reduced_motion="reduce"
        )
        self.page: Page = self.context.new_page()
        self.watch = OfflinePage(self.page, site.base)
        self.site = site
        self.status = 0
        if role is not None:
            self.sign_in(site.people[role][1])

    def sign_in(self, token: str) -> None:
        """Signs in through the form, as a person would."""
        self.page.goto(f"{self.site.base}/web/sign-in")
        self.page.get_by_role("textbox", name="令牌").fill(token)
        self.page.get_by_role("button", name="登录", exact=True).click()
        self.page.wait_for_url(f"{self.site.base}/web/")

    def open(self, path: str) -> Page:
        """Goes to a page of the site (`status` says how it answered)."""
        response = self.page.goto(f"{self.site.base}{path}")
        self.status = response.status if response is not None else 0
        return self.page

    def close(self) -> None:
        """Ends the context."""
        self.context.close()

"""Every page, as the role that uses it, at a phone's width and a desktop's: it loads with
no request leaving the server and no script error, axe-core finds no serious or critical
WCAG 2.1 AA violation on it, and its screenshot is written to `var/screenshots/`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.accessibility import serious_violations
from tests.browser.site import SCREENSHOTS, WIDTHS, Site, Visitor, demo_site

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_site(Path(tmp_path_factory.mktemp("tour"))) as running:
        yield running


def api(site: Site, role: str, path: str) -> Any:
    """What the JSON API answers `role` (the tour finds its cases as a client would)."""
    headers = {"Authorization": f"Bearer {site.people[role][1]}"}
    response = httpx.get(f"{site.base}{path}", headers=headers)
    response.raise_for_status()
    return response.json()


def tour(site: Site) -> dict[str | None, list[str]]:
    """The pages each role uses (None: anyone, signed in or not)."""
    appeal = api(site, "union_staff", "/appeals?limit=1")["items"][0]["id"]
    entry = httpx.get(f"{site.base}/public/disclosures?limit=1").json()["items"][0]["id"]
    department = sorted(api(site, "department", "/me")["departments"])[0]
    items = api(site, "department", "/action-items?limit=1")["items"]
    return {
        None: [
            "/web/",
            "/web/?section=ranking",
            "/web/?section=appeal_answer",
            f"/web/departments/{department}",
            f"/web/board/{entry}",
            "/web/verify",
            "/web/receipt",
            "/web/sign-in",
        ],
        "employee": ["/web/me", "/web/appeals/new"],
        "union_staff": [
            "/web/workbench",
            "/web/workbench/new",
            "/web/workbench/overdue",
            "/web/workbench/penalties",
            "/web/workbench/report",
            "/web/workbench/charts",
            f"/web/appeals/{appeal}",
        ],
        "committee": ["/web/workbench/reviews"],
        "department": [
            "/web/department",
            "/web/department/action-items",
            *(f"/web/action-items/{item['id']}" for item in items),
        ],
        "auditor": ["/web/audit", f"/web/audit/cases/{appeal}"],
    }


def shot_name(role: str | None, path: str, width: str) -> str:
    """A screenshot's file name: who, which page, how wide."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "board"
    slug = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "id", slug)
    return f"{role or 'public'}--{slug}--{width}.png"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_works_offline_is_accessible_and_is_photographed(
    browser: Browser, site: Site, width: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, Any] = {}
    for role, paths in tour(site).items():
        visitor = Visitor(browser, site, role, width=width)
        for path in paths:
            page = visitor.open(path)
            page.wait_for_load_state("networkidle")
            where = f"{role or 'public'} {path}"
            response_ok = visitor.status == 200 and page.locator("main h1").count() > 0
            violations = serious_violations(page)
            page.screenshot(path=str(SCREENSHOTS / shot_name(role, path, width)), full_page=True)
            if not response_ok or violations:
                problems[where] = violations or f"answered {visitor.status}, or without a heading"
        if visitor.watch.refused or visitor.watch.console_errors:
            problems[f"{role} network"] = visitor.watch.refused + visitor.watch.console_errors
        visitor.close()
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)

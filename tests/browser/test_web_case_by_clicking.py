"""One appeal's whole life in a real browser, by clicking, as the people who handle it:
an employee raises it anonymously, union staff transfer it, the department answers, staff
publish the answer and propose it for the board, the employee rates it with the receipt code,
the committee approves and publishes it, the public board shows it with its chain head, and
the auditor opens its timeline and checks its chain. No request leaves the server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.site import Site, Visitor, demo_site

pytestmark = pytest.mark.e2e

TITLE = "夜班食堂没有热菜"
RECEIPT = re.compile(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_site(Path(tmp_path_factory.mktemp("clicking"))) as running:
        yield running


def handled_department(site: Site) -> str:
    """A department the demo's department handler handles (asked of the API, as their
    client would)."""
    token = site.people["department"][1]
    me = httpx.get(f"{site.base}/me", headers={"Authorization": f"Bearer {token}"}).json()
    return str(sorted(me["departments"])[0])


def test_an_anonymous_appeal_from_raising_to_the_board_and_the_audit(
    browser: Browser, site: Site
) -> None:
    department = handled_department(site)
    employee = Visitor(browser, site, "employee", width="phone")
    page = employee.open("/web/appeals/new")
    page.get_by_label("匿名提出").check()
    page.locator("#f-channel").select_option("anonymous_box")
    page.locator("#f-kind").select_option("complaint")
    page.get_by_label("问题类别").fill("食堂")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("具体内容").fill("夜班下井前食堂只有冷菜，希望增加热菜。")
    page.get_by_role("button", name="提交诉求").click()
    expect(page.get_by_role("heading", name="匿名诉求已提交")).to_be_visible()
    code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT.fullmatch(code)
    case_number = page.locator("dt:has-text('案号') + dd").inner_text().strip()

    staff = Visitor(browser, site, "union_staff")
    page = staff.open(f"/web/workbench/new?after={site.head()}")
    page.locator("tr", has_text=TITLE).get_by_role("link").first.click()
    case_url = page.url
    page.get_by_text("转办到责任部门").click()
    page.locator("#f-transfer-department").select_option(department)
    page.locator("#f-transfer-supervisor").fill(site.people["supervisor"][0])
    page.get_by_role("button", name="预览答复时限").click()
    expect(page.get_by_text("答复时限").first).to_be_visible()
    page.get_by_role("button", name="确认转办").click()
    expect(page.locator(".flash")).to_be_visible()

    handler = Visitor(browser, site, "department", width="phone")
    page = handler.open(f"/web/department?after={site.head()}")
    page.locator("tr", has_text=TITLE).get_by_role("link").first.click()
    page.get_by_text("答复（附依据）").click()
    page.locator("#f-reply-answer").fill("自下周一起夜班供应两道热菜。")
    page.locator("#f-reply-basis").fill("《后勤服务管理办法》第12条")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator(".flash")).to_be_visible()

    page = staff.open(case_url.removeprefix(site.base))
    page.get_by_text("公示答复").first.click()
    page.locator("#f-publish-public_text").fill("自下周一起夜班供应两道热菜。")
    page.get_by_role("button", name="公示", exact=True).click()
    expect(page.locator(".flash")).to_be_visible()
    page.get_by_label("公示标题").fill(TITLE)
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".flash")).to_contain_text("审核")

    page = employee.open("/web/receipt")
    page.get_by_label("回执码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("自下周一起夜班供应两道热菜。").first).to_be_visible()
    page.locator("#f-rating").select_option("satisfied")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".flash")).to_be_visible()

    committee = Visitor(browser, site, "committee")
    page = committee.open(f"/web/workbench/reviews?after={site.head()}")
    entry = page.locator("article", has=page.get_by_role("heading", name=TITLE))
    entry.get_by_role("button", name="审核通过").click()
    expect(page.locator(".flash")).to_be_visible()
    approved = page.locator("article", has=page.get_by_role("heading", name=TITLE))
    approved.get_by_role("button", name="发布到公示栏").click()
    expect(page.locator(".flash")).to_contain_text("公示栏")

    public = Visitor(browser, site, None, width="phone")
    page = public.open(f"/web/?section=appeal_answer&after={site.head()}")
    card = page.locator("article", has=page.get_by_role("link", name=TITLE))
    expect(card.locator(".chain")).to_contain_text("链头")
    card.get_by_role("link", name="核验").click()
    expect(page.get_by_text("有效").first).to_be_visible()

    auditor = Visitor(browser, site, "auditor")
    page = auditor.open(f"/web/audit?after={site.head()}")
    page.get_by_label("案件编号或 ID").fill(case_number)
    page.get_by_role("button", name="查找").click()
    expect(page.locator("main h1")).to_contain_text(case_number)
    timeline = page.locator(".timeline li, table tbody tr")
    assert timeline.count() == 5  # raised, transferred, replied, published, rated
    expect(page.get_by_text("诉求人评价").first).to_be_visible()
    page.get_by_role("link", name="核验本案的链").click()
    expect(page.locator("#chain-verdict")).to_contain_text("完好")

    for visitor in (employee, staff, handler, committee, public, auditor):
        assert visitor.watch.refused == []
        assert visitor.watch.console_errors == []
        visitor.close()

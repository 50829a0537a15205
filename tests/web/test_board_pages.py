"""The public board (公示栏): what the committee approved and published, for anyone without
signing in, with each entry's chain head and its check; the departments' ranking of the three
rates as published with a month's report; a page per department; the chain check.

The figures' months (August 2028, July 2028) are written in by no other test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from api.bootstrap import Services
from api.web.pages import board_verify
from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from domain.calendar import CHINA_TZ
from infrastructure.database import conninfo
from tests.api.conftest import named_appeal
from tests.conftest import open_department
from tests.web.conftest import Browser

Headers = dict[str, str]
TokenFor = Callable[..., str]
#: Who the named appeals name: none of it may appear on any board page.
APPELLANT = named_appeal()["appellant"]


def bearer(token: str) -> Headers:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


class Office:
    """The union office, a committee member, a department's handler and the appellant, on
    the JSON API (the board is only ever read here)."""

    def __init__(self, web: Browser, token_for: TokenFor, department: str) -> None:
        self.client = web.client
        self.department = department
        self.staff = bearer(token_for("union-clerk-1", Role.UNION_STAFF))
        self.member = bearer(token_for("committee-zhou", Role.COMMITTEE))
        self.handler = bearer(token_for("board-handler", Role.DEPARTMENT, departments=[department]))
        self.appellant = bearer(token_for(APPELLANT["employee_no"], Role.EMPLOYEE))

    def post(self, path: str, body: dict[str, Any], headers: Headers) -> dict[str, Any]:
        """Posts a command; its answer."""
        response = self.client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    def answered_appeal(self, public_text: str = "夜班供餐时间自下月起延长至40分钟") -> str:
        """A named appeal transferred to the department, replied to and its reply published."""
        raised = self.post("/appeals", named_appeal(department=self.department), self.staff)
        path = f"/appeals/{raised['id']}"
        self.post(
            f"{path}/transfer", {"department": self.department, "supervisor": "s"}, self.staff
        )
        self.post(f"{path}/reply", {"answer": "延长供餐", "basis": "后勤管理办法"}, self.handler)
        self.post(f"{path}/publish", {"public_text": public_text}, self.staff)
        return str(raised["id"])

    def rate(self, appeal_id: str, rating: str) -> int:
        """The appellant rates the answer; the position."""
        rated = self.post(f"/appeals/{appeal_id}/rate", {"rating": rating}, self.appellant)
        return int(rated["position"])

    def propose(self, subject_type: str, subject: str, title: str, body: str = "") -> str:
        """Proposes a disclosure; its id."""
        proposed = self.post(
            "/disclosures",
            {
                "subject_type": subject_type,
                "subject": subject,
                "title": title,
                "body": body,
                "departments": [self.department],
            },
            self.staff,
        )
        return str(proposed["id"])

    def approve(self, disclosure_id: str) -> None:
        """A committee member approves it."""
        self.post(f"/disclosures/{disclosure_id}/approve", {}, self.member)

    def publish(self, disclosure_id: str) -> int:
        """The office publishes it; the position."""
        return int(self.post(f"/disclosures/{disclosure_id}/publish", {}, self.staff)["position"])

    def disclose(self, subject_type: str, subject: str, title: str, body: str = "") -> int:
        """Proposes, approves and publishes; the publication's position."""
        disclosure_id = self.propose(subject_type, subject, title, body)
        self.approve(disclosure_id)
        return self.publish(disclosure_id)

    def public_entry(self, title: str, position: int) -> dict[str, Any]:
        """The public JSON feed's entry of that title."""
        feed = self.client.get(
            "/public/disclosures", params={"department": self.department, "after": position}
        ).json()
        [entry] = [item for item in feed["items"] if item["title"] == title]
        return dict(entry)


@pytest.fixture
def department(casework: Casework) -> str:
    """A department of this test's own."""
    return open_department(casework, "公示部门")


@pytest.fixture
def office(web: Browser, token_for: TokenFor, department: str) -> Office:
    """The people who make entries public."""
    return Office(web, token_for, department)


class Cells(HTMLParser):
    """The text of each table row's cells, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def row_of(html: str, first_cell: str) -> list[str]:
    """The cells of the first table row whose heading cell reads `first_cell`."""
    parser = Cells()
    parser.feed(html)
    return next(row for row in parser.rows if first_cell in row)


def shown_rate(rate: dict[str, Any]) -> str:
    """A rate of the metrics API as the board prints it."""
    if rate["value"] is None:
        return "—"
    return f"{float(rate['value']) * 100:.1f}% {rate['numerator']}/{rate['denominator']}"


# -- the entries ---------------------------------------------------------------------------


def test_the_board_shows_a_published_approved_answer_with_its_chain_head_and_nothing_unapproved(
    web: Browser, office: Office
) -> None:
    appeal = office.answered_appeal()
    published = office.disclose("appeal_answer", appeal, "食堂供餐时间答复公示")
    waiting = office.propose("appeal_answer", office.answered_appeal(), "尚待审核的答复")
    approved = office.propose("appeal_answer", office.answered_appeal(), "审核通过未发布的答复")
    office.approve(approved)
    entry = office.public_entry("食堂供餐时间答复公示", published)
    head = entry["chain_head"]

    for path in ("/web/", "/web/?section=appeal_answer"):
        page = web.get(f"{path}{'&' if '?' in path else '?'}after={published}")
        assert page.status_code == 200
        assert "食堂供餐时间答复公示" in page.text
        assert "夜班供餐时间自下月起延长至40分钟" in page.text
        assert f"#{head['position']}" in page.text
        assert head["link"][:16] in page.text
        assert f"/web/verify?position={head['position']}&amp;link={head['link']}" in page.text
        assert "尚待审核的答复" not in page.text
        assert "审核通过未发布的答复" not in page.text
    assert waiting


def test_an_entry_page_shows_the_whole_text_and_a_list_only_its_beginning(
    web: Browser, office: Office
) -> None:
    long_text = "一、事项说明。" + "本季度协作事项按期推进，" * 40 + "完。"
    position = office.disclose(
        "penalties_and_cards", office.department, "本季度考核结果公示", long_text
    )
    entry = office.public_entry("本季度考核结果公示", position)

    listed = web.get(f"/web/?section=penalties_and_cards&after={position}").text
    whole = web.get(f"/web/board/{entry['id']}")

    assert long_text not in listed
    assert long_text[:100] in listed
    assert f'href="/web/board/{entry["id"]}"' in listed
    assert whole.status_code == 200
    assert long_text in whole.text
    assert entry["chain_head"]["link"] in whole.text
    assert "工会委员会审核通过" in whole.text


def test_an_entry_not_yet_published_has_no_page(web: Browser, office: Office) -> None:
    waiting = office.propose("appeal_answer", office.answered_appeal(), "尚待审核的答复")

    page = web.get(f"/web/board/{waiting}")

    assert page.status_code == 404
    assert "尚待审核的答复" not in page.text


def test_no_board_page_carries_the_appellants_personal_data(web: Browser, office: Office) -> None:
    appeal = office.answered_appeal()
    position = office.disclose("appeal_answer", appeal, "食堂供餐时间答复公示")
    entry = office.public_entry("食堂供餐时间答复公示", position)
    pages = [
        f"/web/?after={position}",
        "/web/?section=appeal_answer",
        "/web/?section=ranking",
        f"/web/board/{entry['id']}",
        f"/web/departments/{quote(office.department)}",
        f"/web/verify?position={entry['chain_head']['position']}&link={entry['chain_head']['link']}",
    ]

    for path in pages:
        page = web.get(path)
        assert page.status_code == 200, path
        for value in APPELLANT.values():
            assert value not in page.text, (path, value)
        assert named_appeal()["title"] not in page.text  # the appeal's own words stay private


def test_a_withdrawn_entry_stays_listed_as_withdrawn_without_its_text(
    web: Browser, office: Office
) -> None:
    disclosure_id = office.propose(
        "penalties_and_cards", office.department, "撤回的考核公示", "原公示正文"
    )
    office.approve(disclosure_id)
    office.publish(disclosure_id)
    withdrawn = office.post(
        f"/disclosures/{disclosure_id}/withdraw", {"reason": "公示内容有误"}, office.member
    )

    listed = web.get(f"/web/?section=penalties_and_cards&after={withdrawn['position']}").text
    whole = web.get(f"/web/board/{disclosure_id}").text

    assert "撤回的考核公示" in listed
    assert "已撤回" in listed
    assert "公示内容有误" in listed
    assert "原公示正文" not in listed
    assert "原公示正文" not in whole


def test_every_board_page_links_the_atom_feeds(web: Browser, office: Office) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    department_feed = f"/public/departments/{quote(office.department, safe='')}/disclosures.atom"

    for path in ("/web/", "/web/?section=ranking", "/web/verify"):
        page = web.get(path).text
        assert 'type="application/atom+xml" title=' in page
        assert 'href="/public/disclosures.atom"' in page
    department = web.get(f"/web/departments/{quote(office.department)}?after={position}").text
    assert f'href="{department_feed}"' in department
    assert web.client.get(department_feed).status_code == 200


# -- the department page -------------------------------------------------------------------


def test_a_department_page_shows_its_published_entries_and_no_other_departments(
    web: Browser, office: Office, casework: Casework
) -> None:
    other = open_department(casework, "别的部门")
    position = office.disclose("penalties_and_cards", office.department, "本部门考核公示", "扣1分")
    other_office = office.propose("penalties_and_cards", other, "别的部门考核公示", "扣2分")

    page = web.get(f"/web/departments/{quote(office.department)}?after={position}")

    assert page.status_code == 200
    assert f"<h1>{office.department}</h1>" in page.text
    assert "本部门考核公示" in page.text
    assert "别的部门考核公示" not in page.text
    assert other_office


def test_an_unknown_department_is_a_not_found_page(web: Browser) -> None:
    page = web.get("/web/departments/no-such-department")

    assert page.status_code == 404
    assert "未找到" in page.text


# -- the chain check -----------------------------------------------------------------------


def test_the_verify_page_says_an_untouched_chain_and_a_printed_head_are_valid(
    web: Browser, office: Office
) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    head = office.public_entry("考核公示", position)["chain_head"]

    checked = web.get(f"/web/verify?position={head['position']}&link={head['link']}")
    whole = web.get("/web/verify")

    assert checked.status_code == 200
    assert "有效" in checked.text
    assert "无效" not in checked.text
    assert "完好" in checked.text
    assert head["link"] in checked.text
    assert "完好" in whole.text


def test_a_head_the_store_does_not_hold_is_invalid_and_a_malformed_one_is_refused(
    web: Browser, office: Office
) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    head = office.public_entry("考核公示", position)["chain_head"]
    wrong = ("0" if head["link"][0] != "0" else "1") + head["link"][1:]

    rewritten = web.get(f"/web/verify?position={head['position']}&link={wrong}")
    malformed = web.get(f"/web/verify?position={head['position']}&link=xyz")
    half = web.get(f"/web/verify?position={head['position']}")

    assert rewritten.status_code == 200
    assert "无效" in rewritten.text
    assert malformed.status_code == 422
    assert "64" in malformed.text
    assert half.status_code == 422


def test_the_verify_page_names_the_link_where_the_chain_breaks(
    web: Browser, office: Office, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_verify, "REUSED_FOR", 0.0)  # every check walks afresh
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    head = office.public_entry("考核公示", position)["chain_head"]
    check = f"/web/verify?position={head['position']}&link={head['link']}"
    services.chain.catch_up()  # the head is not the chain's last link: nothing chains on it

    with psycopg.connect(conninfo(services.database_url), autocommit=True) as db:
        db.execute(
            "UPDATE huiyin_chain SET link = sha256('forged') WHERE position = %s",
            (head["position"],),
        )
        try:
            broken = web.get(check).text
        finally:
            db.execute(
                "UPDATE huiyin_chain SET link = %s WHERE position = %s",
                (bytes.fromhex(head["link"]), head["position"]),
            )
    mended = web.get(check).text

    assert "无效" in broken
    assert "断裂" in broken
    assert f"断在第 {head['position']} 环" in broken
    assert "链值本身被改写" in broken
    assert "有效" in mended
    assert "完好" in mended


# -- the ranking ---------------------------------------------------------------------------


def local(month: int, day: int, hour: int = 10) -> datetime:
    """A moment of 2028 in China time."""
    return datetime(2028, month, day, hour, 0, tzinfo=CHINA_TZ)


class Month:
    """A month of 2028 for one department (each test its own: a month has one report): two
    appeals raised and answered on `raised`, the first rated satisfied; its report drafted
    and filed on the first of the next month."""

    def __init__(self, office: Office, clock: ManualClock, token_for: TokenFor, month: int) -> None:
        self.office = office
        self.clock = clock
        self.token_for = token_for
        self.month = month
        self.label = f"2028-{month:02d}"

    def at(self, moment: datetime) -> Office:
        """The office with tokens issued at `moment` (a token issued today would not be
        valid then), the clock set to it."""
        self.clock.set(moment)
        return Office(Browser(self.office.client), self.token_for, self.office.department)

    def appeals(self, raised: datetime) -> tuple[str, str]:
        """Two appeals answered on `raised`, the first rated satisfied."""
        office = self.at(raised)
        first, second = office.answered_appeal(), office.answered_appeal()
        office.rate(first, "satisfied")
        return first, second

    def report_filed(self) -> Office:
        """The month's report drafted and filed on the first of the next month."""
        office = self.at(local(self.month + 1, 1))
        office.post("/monthly-reports", {"month": self.label}, office.staff)
        office.post(f"/monthly-reports/{self.label}/file", {}, office.staff)
        return office

    def report_published(self, moment: datetime, title: str) -> int:
        """The month's report disclosed and published at `moment`; the position."""
        office = self.at(moment)
        return office.disclose("monthly_report", self.label, title, "本月诉求办理情况见附表。")


def _published_at(office: Office, title: str, position: int) -> str:
    feed = office.client.get(
        "/public/disclosures",
        params={"subject_type": "monthly_report", "limit": 200, "after": position},
    ).json()
    [entry] = [item for item in feed["items"] if item["title"] == title]
    return str(entry["published_at"])


def test_the_ranking_is_hidden_until_the_months_report_is_published_then_equals_the_metrics(
    web: Browser, office: Office, clock: ManualClock, token_for: TokenFor
) -> None:
    august = Month(office, clock, token_for, 8)
    august.appeals(local(8, 7, 9))
    filed = august.report_filed()

    before = web.get("/web/?section=ranking&period=2028-08").text
    published = august.report_published(local(9, 4), "八月报告")
    as_of = _published_at(filed, "八月报告", published)
    board = web.get(f"/web/?section=ranking&period=2028-08&after={published}")
    metrics = filed.client.get(
        "/metrics/appeals",
        params={"group_by": "department", "period": "2028-08", "as_of": as_of},
        headers=august.at(local(9, 4, 11)).staff,
    ).json()

    assert "该期的月度报告尚未公示" in before
    assert office.department not in before
    assert board.status_code == 200
    shown = [row for row in metrics["rows"] if row["key"]]
    assert shown
    for row in shown:
        cells = row_of(board.text, row["key"])
        assert cells[2] == str(row["counts"]["raised"])
        assert cells[3:6] == [
            shown_rate(row["rates"][name])
            for name in ("response_rate", "resolution_rate", "satisfaction_rate")
        ]
    assert row_of(board.text, office.department)[5] == "100.0% 1/1"
    assert 'data-chart="ranking-chart"' in board.text
    assert "echarts.simple.min.js" in board.text
    assert "echarts" not in web.get("/web/").text  # the library only where a chart is


def test_as_published_on_shows_the_figures_as_they_stood_at_an_earlier_publication(
    web: Browser, office: Office, clock: ManualClock, token_for: TokenFor
) -> None:
    may = Month(office, clock, token_for, 5)
    _, second = may.appeals(local(5, 8, 9))
    filed = may.report_filed()
    first = may.report_published(local(6, 5), "五月报告")
    may.at(local(6, 6)).rate(second, "dissatisfied")
    later = may.report_published(local(6, 7), "五月报告（更正）")
    earlier = _published_at(filed, "五月报告", first)

    latest = web.get(f"/web/?section=ranking&period=2028-05&after={later}").text
    then = web.get(f"/web/?section=ranking&period=2028-05&as_of={quote(earlier)}").text
    quarter = web.get("/web/?section=ranking&period=2028-Q2").text

    assert row_of(latest, office.department)[5] == "50.0% 1/2"
    assert row_of(then, office.department)[5] == "100.0% 1/1"
    assert "2028-06-05 10:00" in then
    assert "2028-06-07 10:00" in then
    assert "该期的月度报告尚未公示" in quarter  # April and June are not published


def test_the_department_page_shows_its_rates_by_published_month(
    web: Browser, office: Office, clock: ManualClock, token_for: TokenFor
) -> None:
    february = Month(office, clock, token_for, 2)
    february.appeals(local(2, 14, 9))
    february.report_filed()
    published = february.report_published(local(3, 6), "二月报告")

    page = web.get(f"/web/departments/{quote(office.department)}?after={published}").text

    assert row_of(page, "2028-02")[2:6] == ["2", "100.0% 2/2", "0.0% 0/2", "100.0% 1/1"]


# -- languages and weight ------------------------------------------------------------------


def test_the_board_speaks_english_when_switched(web: Browser, office: Office) -> None:
    position = office.disclose("penalties_and_cards", office.department, "考核公示", "扣1分")
    web.client.get("/web/language/en?next=/web/", follow_redirects=False)

    page = web.get(f"/web/?after={position}").text
    ranking = web.get("/web/?section=ranking").text
    verify = web.get("/web/verify").text

    assert '<html lang="en">' in page
    assert "Latest" in page
    assert "Published" in page
    assert "公示于" not in page
    assert "最新公示" not in page
    assert "Ranking" in ranking
    assert "Check the hash chain" in verify


TEMPLATES = Path(__file__).parents[2] / "api" / "web" / "templates" / "board"
SOURCES = Path(__file__).parents[2] / "api" / "web" / "pages"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_chinese_text_of_the_board_has_its_english() -> None:
    from api.web.i18n import english

    quoted = re.compile(r"""["']([^"'\n]*[\u4e00-\u9fff][^"'\n]*)["']""")
    texts = {
        text
        for path in [*TEMPLATES.glob("*.html"), *SOURCES.glob("board*.py")]
        for text in quoted.findall(path.read_text(encoding="utf-8"))
        if CHINESE.search(text)
    }
    missing = sorted(text for text in texts if text not in english())
    assert missing == []


def test_a_full_page_of_the_board_stays_light(web: Browser, office: Office) -> None:
    body = "经费收支明细：" + "收入会费及上级拨付一万二千元，支出困难帮扶与文体活动。" * 80
    for index in range(3):
        position = office.disclose(
            "penalties_and_cards", office.department, f"考核公示{index}", body
        )

    page = web.get(f"/web/?after={position}")

    assert len(page.content) < 300_000
    assert len(page.content) < 60_000  # twenty entries, each cut to its beginning


def test_an_unknown_section_is_refused(web: Browser) -> None:
    assert web.get("/web/?section=nothing").status_code == 422

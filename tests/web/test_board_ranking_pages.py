"""The public board's ranking of the departments by the three rates (响应率、办结率、满意率):
hidden until the month's report is published, then the metrics' figures as they stood at a
publication ("as published on"); a department's rates by published month.

The months used here (February, May and August 2028) are written in by no other test; each
test has its own, since a month has one monthly report.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest

from application.casework import Casework
from application.clock import ManualClock
from domain.calendar import CHINA_TZ
from tests.web.board_office import Office, TokenFor, office_for, row_of, shown_rate
from tests.web.conftest import Browser


@pytest.fixture
def office(web: Browser, token_for: TokenFor, casework: Casework) -> Office:
    """The people who make entries public, for a department of this test's own."""
    return office_for(web, token_for, casework)


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
    assert "echarts.min.js" in board.text
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

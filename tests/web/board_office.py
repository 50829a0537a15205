"""What the board's page tests share: the people who make entries public (on the JSON API;
the board itself is only ever read), a test's own department, and reading a table's rows."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from application.casework import Casework
from domain.actors import Role
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


def office_for(web: Browser, token_for: TokenFor, casework: Casework) -> Office:
    """The people who make entries public, for a department of the test's own."""
    return Office(web, token_for, open_department(casework, "公示部门"))


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

"""The workbench (工作台): union staff's lists of new and overdue appeals, the committee's
disclosure review queue, penalties, the monthly report and the charts of the three rates —
each the JSON API's own reading, shown to the roles that may use it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.routing import APIRoute

from api.auth import permission_of
from api.bootstrap import Services
from api.web.i18n import english
from api.web.pages import department as department_pages
from api.web.pages import (
    department_items,
    workbench,
    workbench_charts,
    workbench_penalties,
    workbench_report,
    workbench_reviews,
)
from api.web.pages.workbench_parts import DEPARTMENT_PARTS, PARTS
from api.web.state_labels import LABELS
from application.clock import ManualClock
from domain.actors import Role
from domain.calendar import CHINA_TZ
from domain.disclosure import SubjectType
from domain.policy import Permission
from tests.conftest import open_department, scoped
from tests.web.conftest import Browser
from tests.web.json_api import SUPERVISOR, JsonApi

WEB = Path(__file__).parents[2] / "api" / "web"


@pytest.fixture
def later(clock: ManualClock) -> datetime:
    """Stops the clock years after the cases other tests made (some set it ahead), moving
    on with real time, so this test's cases are the newest and head each list."""
    moment = datetime.now(UTC).replace(year=2040)
    clock.set(moment)
    return moment


@pytest.fixture
def api(web: Browser, token_for: Callable[..., str], services: Services) -> JsonApi:
    """The JSON API beside the pages."""
    return JsonApi(web.client, token_for, services.casework.now)


@pytest.fixture
def department(services: Services) -> str:
    """A department of this test's own."""
    return open_department(services.casework, "后勤服务中心")


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    """A table's body rows by their `data-department`, each row's cells' text."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for key, body in re.findall(r'<tr data-department="([^"]*)">(.*?)</tr>', table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        rows[key] = [re.sub(r"<[^>]+>|\s+", "", cell) for cell in cells]
    return rows


def test_union_staff_see_a_new_appeal_to_transfer_and_not_a_transferred_one(
    later: datetime, api: JsonApi, signed_in: Callable[..., Browser], department: str
) -> None:
    waiting = api.raise_appeal("夜班班车发车太早", department)
    moved = api.raise_appeal("食堂窗口太少", department)
    done = api.transfer(moved["id"], department)
    web = signed_in("union-clerk-1", Role.UNION_STAFF)

    page = web.get(f"/web/workbench/new?after={done['position']}")

    assert page.status_code == 200
    assert f'href="/web/appeals/{waiting["id"]}"' in page.text
    assert waiting["case_number"] in page.text
    assert moved["id"] not in page.text
    landing = web.get("/web/workbench")
    assert landing.status_code == 200
    assert 'href="/web/workbench/new"' in landing.text


def test_the_overdue_board_shows_an_appeal_whose_deadline_passed(
    later: datetime,
    clock: ManualClock,
    api: JsonApi,
    signed_in: Callable[..., Browser],
    department: str,
) -> None:
    late = api.raise_appeal("工伤报销迟迟未办", department)
    done = api.transfer(late["id"], department, deadline=later + timedelta(days=2))
    web = signed_in("union-clerk-1", Role.UNION_STAFF)
    assert late["id"] not in web.get(f"/web/workbench/overdue?after={done['position']}").text

    clock.set(later + timedelta(days=3))
    web = signed_in("union-clerk-1", Role.UNION_STAFF)  # the first session has ended
    page = web.get("/web/workbench/overdue")

    assert page.status_code == 200
    row = page.text.split(late["case_number"], 1)[1].split("</tr>", 1)[0]
    assert "已超期" in row


def _proposal(services: Services, proposer: str, department: str) -> str:
    """A disclosure proposed by `proposer` (a committee member), awaiting review."""
    actor = scoped(services.casework, proposer, Role.COMMITTEE)
    result = services.disclosures.propose(
        subject_type=SubjectType.PENALTIES_AND_CARDS,
        subject=department,
        title=f"{department} 考核扣分与红黄牌",
        body=f"{department}：推诿扯皮 -1分；黄牌预警，限期整改。",
        departments=[department],
        actor=actor,
    )
    return str(result.id)


def _event_types(services: Services, disclosure_id: str) -> list[str]:
    return [type(e).__name__ for e in services.disclosures.history(UUID(disclosure_id))]


def test_a_committee_member_approves_a_disclosure_in_the_review_queue(
    later: datetime, services: Services, signed_in: Callable[..., Browser], department: str
) -> None:
    disclosure = _proposal(services, "committee-zhou", department)
    web = signed_in("committee-wu", Role.COMMITTEE)
    queue = web.get("/web/workbench/reviews")
    assert f'action="/web/workbench/reviews/{disclosure}/approve"' in queue.text
    header = queue.text.split("</header>", 1)[0]
    assert 'href="/web/workbench/reviews"' in header  # the committee's way in
    assert 'href="/web/workbench"' not in header

    done = web.post(f"/web/workbench/reviews/{disclosure}/approve", {"version": "1"})

    assert done.status_code == 303
    assert done.headers["location"].startswith("/web/workbench/reviews?after=")
    assert _event_types(services, disclosure) == ["Proposed", "Approved"]
    after = web.get(done.headers["location"])
    assert "已审核通过" in after.text
    awaiting_review, approved = after.text.split("审核通过、待发布", 1)
    assert disclosure not in awaiting_review  # no longer awaiting review
    assert f"/web/workbench/reviews/{disclosure}/publish" in approved  # but publication


def test_returning_a_disclosure_needs_a_reason_and_records_it(
    later: datetime, services: Services, signed_in: Callable[..., Browser], department: str
) -> None:
    disclosure = _proposal(services, "committee-zhou", department)
    web = signed_in("committee-wu", Role.COMMITTEE)
    web.get("/web/workbench/reviews")

    refused = web.post(f"/web/workbench/reviews/{disclosure}/return", {"reason": " "})
    assert refused.status_code == 422
    assert "退回理由有误" in refused.text
    assert _event_types(services, disclosure) == ["Proposed"]

    done = web.post(f"/web/workbench/reviews/{disclosure}/return", {"reason": "请补充整改期限"})
    assert done.status_code == 303
    assert _event_types(services, disclosure) == ["Proposed", "Returned"]
    returned = services.disclosures.get(UUID(disclosure))
    assert returned.returned_reason == "请补充整改期限"


def test_the_proposer_gets_no_approve_button_and_the_use_case_refuses_them(
    later: datetime, services: Services, signed_in: Callable[..., Browser], department: str
) -> None:
    disclosure = _proposal(services, "committee-zhou", department)
    web = signed_in("committee-zhou", Role.COMMITTEE)

    queue = web.get("/web/workbench/reviews")

    assert queue.status_code == 200
    assert f"{disclosure}/approve" not in queue.text
    assert "这是你提议的公示" in queue.text
    forced = web.post(f"/web/workbench/reviews/{disclosure}/approve")
    assert forced.status_code == 403
    assert _event_types(services, disclosure) == ["Proposed"]


def test_union_staff_read_the_queue_without_review_buttons(
    later: datetime, services: Services, signed_in: Callable[..., Browser], department: str
) -> None:
    disclosure = _proposal(services, "committee-zhou", department)
    web = signed_in("union-clerk-1", Role.UNION_STAFF)

    queue = web.get("/web/workbench/reviews")

    assert queue.status_code == 200
    assert f"{department} 考核扣分与红黄牌" in queue.text
    assert f"{disclosure}/approve" not in queue.text
    assert f"{disclosure}/return" not in queue.text


@pytest.mark.parametrize(
    ("actor_id", "role", "departments"),
    [
        ("E20001", Role.EMPLOYEE, ()),
        ("dept-head-9", Role.DEPARTMENT, ("Logistics",)),
        ("auditor-1", Role.AUDITOR, ()),
    ],
)
def test_a_role_without_the_permission_gets_the_403_page_and_no_workbench_link(
    signed_in: Callable[..., Browser], actor_id: str, role: Role, departments: tuple[str, ...]
) -> None:
    web = signed_in(actor_id, role, departments=departments)

    page = web.get("/web/workbench")

    assert page.status_code == 403
    assert "无权进行此操作" in page.text
    assert 'href="/web/workbench"' not in page.text
    assert web.get("/web/workbench/new").status_code == 403


def test_a_stranger_is_sent_to_sign_in(web: Browser) -> None:
    response = web.client.get("/web/workbench/reviews", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/web/sign-in?next=/web/workbench/reviews")


def test_the_charts_tables_equal_the_metrics_api_figures(
    api: JsonApi, services: Services, signed_in: Callable[..., Browser], department: str
) -> None:
    raised = api.raise_appeal("更衣室热水不足", department)
    api.transfer(raised["id"], department)
    done = api.post(
        f"/appeals/{raised['id']}/acknowledge",
        api.as_("head-1", Role.DEPARTMENT, (department,)),
        {"note": "已安排维修"},
    )
    period = services.casework.now().astimezone(CHINA_TZ).strftime("%Y-%m")
    figures = api.get(
        "/metrics/appeals",
        api.staff(),
        group_by="department",
        period=period,
        after=done["position"],
    )
    web = signed_in("union-clerk-1", Role.UNION_STAFF)

    page = web.get(f"/web/workbench/charts?month={period}")

    assert page.status_code == 200
    assert 'data-chart="chart-bar"' in page.text
    table = _rows(page.text, "rates-by-department")
    assert department in table
    for row in figures["rows"]:
        shown = table[row["key"]]
        rates = ("response_rate", "resolution_rate", "satisfaction_rate")
        for cell, name in zip(shown, rates, strict=True):
            rate = row["rates"][name]
            expected = "—" if rate["value"] is None else f"{float(rate['value']) * 100:.1f}%"
            assert cell == f"{expected}({rate['numerator']}/{rate['denominator']})"


def test_the_monthly_report_is_drafted_from_the_page(
    clock: ManualClock, services: Services, signed_in: Callable[..., Browser]
) -> None:
    clock.set(datetime(2041, 2, 3, 9, 0, tzinfo=UTC))
    web = signed_in("union-clerk-1", Role.UNION_STAFF)
    empty = web.get("/web/workbench/report?month=2041-01")
    assert "还没有起草" in empty.text
    assert 'method="post" action="/web/workbench/report"' in empty.text

    unfinished = web.post("/web/workbench/report", {"month": "2041-02"})
    assert unfinished.status_code == 422
    assert "has not ended yet" in unfinished.text

    done = web.post("/web/workbench/report", {"month": "2041-01"})
    assert done.status_code == 303
    report = web.get(done.headers["location"])
    assert "总体情况" in report.text
    assert "2041年1月" in report.text  # the drafted overview names its month


def test_an_auditor_reads_the_report_without_a_draft_button(
    clock: ManualClock, signed_in: Callable[..., Browser]
) -> None:
    clock.set(datetime(2041, 5, 3, 9, 0, tzinfo=UTC))
    web = signed_in("auditor-2", Role.AUDITOR)
    page = web.get("/web/workbench/report?month=2041-04")
    assert page.status_code == 200
    assert 'method="post" action="/web/workbench/report"' not in page.text


def test_a_committee_member_reverses_a_penalty_from_its_page(
    later: datetime,
    api: JsonApi,
    services: Services,
    signed_in: Callable[..., Browser],
    department: str,
) -> None:
    raised = api.raise_appeal("推诿扯皮", department)
    api.transfer(raised["id"], department)
    supervisor = api.as_(SUPERVISOR, Role.SUPERVISOR)
    body = {"appeal_id": raised["id"], "reason": "未说明依据"}
    penalty = api.post("/penalties", supervisor, body)
    staff = signed_in("union-clerk-1", Role.UNION_STAFF)
    listed = staff.get(f"/web/workbench/penalties?after={penalty['position']}")
    assert f'href="/web/workbench/penalties/{penalty["id"]}"' in listed.text
    assert "/reverse" not in staff.get(f"/web/workbench/penalties/{penalty['id']}").text

    web = signed_in("committee-wu", Role.COMMITTEE)
    page = web.get(f"/web/workbench/penalties/{penalty['id']}")
    assert f'action="/web/workbench/penalties/{penalty["id"]}/reverse"' in page.text
    done = web.post(f"/web/workbench/penalties/{penalty['id']}/reverse", {"reason": "依据已补充"})

    assert done.status_code == 303
    read = api.get(f"/penalties/{penalty['id']}", api.staff())
    assert (read["status"], read["reversal"]["reason"]) == ("reversed", "依据已补充")
    assert "已撤销" in web.get(done.headers["location"]).text


def test_every_chinese_text_of_these_pages_has_its_english() -> None:
    texts: set[str] = set()
    for template in [
        *WEB.glob("templates/workbench/*.html"),
        *WEB.glob("templates/department/*.html"),
    ]:
        texts |= set(re.findall(r"""_\(\s*["']([^"']+)["']\s*\)""", template.read_text("utf-8")))
    for table in LABELS.values():
        texts |= set(table.values())
    for part in (*PARTS, *DEPARTMENT_PARTS):
        texts.add(part.label)
    modules = (
        workbench_charts,
        workbench_penalties,
        workbench_report,
        workbench_reviews,
        department_items,
    )
    for module in modules:
        source = Path(module.__file__ or "").read_text("utf-8")
        body = source.split('"""', 2)[2]  # past the module's docstring
        texts |= {t for t in re.findall(r'"([^"\n]*[\u4e00-\u9fff][^"\n]*)"', body)}
    missing = sorted(t for t in texts if t not in english())
    assert missing == []


def test_every_workbench_and_department_page_names_one_permission_of_the_policy() -> None:
    routers = (
        workbench.router,
        workbench_reviews.router,
        workbench_penalties.router,
        workbench_report.router,
        workbench_charts.router,
        department_pages.router,
        department_items.router,
    )
    named = {
        f"{min(route.methods or {'?'})} {route.path}": permission_of(route.dependant)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    known = {p.value for p in Permission}
    assert {page: p for page, p in named.items() if p not in known} == {}
    assert named["GET /web/workbench"] == "appeal.transfer"
    assert named["GET /web/department"] == "appeal.respond"

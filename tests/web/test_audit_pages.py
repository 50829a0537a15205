"""审计 — the auditor's pages: a case's timeline without the appellant's identity, the case
as it stood at a version or moment, the chain check of the case (intact, and broken when a
stored event is altered), the exports (CSV with its byte-order mark, .xlsx with the same
rows), and who may not read them."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from api.bootstrap import Services
from api.web.rendering import SHOWN_IN, shown_time
from application.clock import ManualClock
from domain.actors import Role
from infrastructure.database import conninfo
from tests.api.conftest import named_appeal
from tests.conftest import open_department
from tests.exports import BOM, csv_rows, xlsx_rows
from tests.web.conftest import Browser

APPELLANT = named_appeal()["appellant"]


@pytest.fixture
def department(services: Services) -> str:
    """A department of this test's own (its code and name)."""
    return open_department(services.casework, "审计页部门")


@pytest.fixture
def staff(token_for: Callable[..., str]) -> dict[str, str]:
    """Union staff's API headers: they raise and transfer appeals."""
    return {"Authorization": f"Bearer {token_for('union-clerk-1', Role.UNION_STAFF)}"}


def _transferred(
    web: Browser, staff: dict[str, str], department: str, clock: ManualClock | None = None
) -> dict[str, Any]:
    """A named appeal raised for `department`, then (an hour later, on a stopped `clock`)
    transferred there, through the API; `raised` is the position of its first event."""
    raised = web.client.post("/appeals", json=named_appeal(department=department), headers=staff)
    assert raised.status_code == 201, raised.text
    appeal: dict[str, Any] = raised.json()
    if clock is not None:
        clock.advance(timedelta(hours=1))
    moved = web.client.post(
        f"/appeals/{appeal['id']}/transfer",
        json={"department": department, "supervisor": "union-vice-chair"},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text
    return {**appeal, "raised": appeal["position"], "position": moved.json()["position"]}


def test_an_auditor_sees_every_event_of_a_case_with_actor_and_time_and_no_appellant(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str, services: Services
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)

    page = web.get(f"/web/audit/cases/{appeal['id']}?after={appeal['position']}")

    assert page.status_code == 200, page.text
    events = services.casework.history(appeal["id"])
    assert [type(e).__name__ for e in events] == ["Raised", "Transferred"]
    named = {"Raised": "提出诉求", "Transferred": "转办"}  # as the appeal's case page names them
    for event in events:
        assert f"v{event.originator_version} · {named[type(event).__name__]}" in page.text
        assert f'<code class="muted">{type(event).__name__}</code>' in page.text
        assert shown_time(event.timestamp) in page.text
    assert page.text.count('<span class="by">union-clerk-1 · 工会工作人员</span>') == 2
    assert appeal["case_number"] in page.text
    for secret in APPELLANT.values():
        assert secret not in page.text


def test_staff_see_the_appellant_in_the_same_timeline(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str
) -> None:
    web = signed_in("union-clerk-2", Role.UNION_STAFF)
    appeal = _transferred(web, staff, department)

    page = web.get(f"/web/audit/cases/{appeal['id']}?after={appeal['position']}")

    assert APPELLANT["name"] in page.text


def test_the_case_at_version_1_is_the_case_as_registered(
    signed_in: Callable[..., Browser],
    staff: dict[str, str],
    department: str,
    clock: ManualClock,
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    clock.set(clock())
    raised_at = clock().astimezone(SHOWN_IN)
    appeal = _transferred(web, staff, department, clock)
    url = f"/web/audit/cases/{appeal['id']}"

    now = web.get(f"{url}?after={appeal['position']}")
    registered = web.get(f"{url}?version=1")
    half_an_hour_on = (raised_at + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    at_the_time = web.get(url, params={"at": half_an_hour_on})

    assert _fact(now.text, "状态") == "transferred"
    assert _fact(registered.text, "状态") == "raised"
    assert _fact(registered.text, "版本") == "1"
    assert _fact(registered.text, "转办记录") == "—"
    assert _fact(registered.text, "诉求人") == "—"  # an auditor: no identity, at any version
    assert 'type="range" name="version" min="1" max="2"' in registered.text
    assert 'value="1"' in registered.text
    assert "此后发生" in registered.text  # the transfer, after the version shown
    assert _fact(at_the_time.text, "状态") == "raised"
    assert f"截至 {half_an_hour_on.replace('T', ' ')} · v1" in at_the_time.text


def test_a_moment_before_the_case_existed_says_so_and_a_bad_moment_is_named(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)
    url = f"/web/audit/cases/{appeal['id']}"

    before = web.get(url, params={"at": "2001-01-01T08:00", "after": appeal["position"]})
    wrong = web.get(url, params={"at": "yesterday"})

    assert "那时此案件尚不存在" in before.text
    assert wrong.status_code == 200
    assert "请按 年-月-日 时:分 填写时刻" in wrong.text


def test_the_chain_check_says_the_case_is_intact(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str, services: Services
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)
    services.chain.catch_up()

    page = web.get(f"/web/audit/cases/{appeal['id']}/chain?after={appeal['position']}")

    assert page.status_code == 200, page.text
    assert "本案的链：" in page.text
    assert "本案已入链的每个事件都与链一致" in page.text
    assert page.text.count(">完好</span>") == 3  # the verdict and both events
    assert services.chain.head().link in page.text


def test_the_chain_check_says_broken_where_a_stored_event_was_altered(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str, services: Services
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)
    services.chain.catch_up()
    raised = appeal["raised"]

    with _one_byte_added(services, raised):
        page = web.get(f"/web/audit/cases/{appeal['id']}/chain?after={appeal['position']}")

    assert page.status_code == 200, page.text
    assert "已断裂" in page.text
    assert f"本案的事件被改动：链在位置 {raised}（v1）处断裂。" in page.text
    assert "存储的事件内容被改动" in page.text
    assert ">断裂处</span>" in page.text
    assert ">断点之后，未能核验</span>" in page.text  # the transfer: the walk stopped before it
    restored = web.get(f"/web/audit/cases/{appeal['id']}/chain")
    assert "本案已入链的每个事件都与链一致" in restored.text


@contextlib.contextmanager
def _one_byte_added(services: Services, position: int) -> Iterator[None]:
    """The stored event at `position` with a byte added to its state, as someone with write
    access to the database could; restored after (tests/integration/test_chain.py)."""
    with psycopg.connect(conninfo(services.database_url), autocommit=True) as db:
        db.execute(
            "UPDATE huiyin_events SET state = state || '\\x00' WHERE notification_id = %s",
            (position,),
        )
        try:
            yield
        finally:
            db.execute(
                "UPDATE huiyin_events SET state = substring(state FROM 1 FOR "
                "octet_length(state) - 1) WHERE notification_id = %s",
                (position,),
            )


def test_the_cases_xlsx_holds_the_csvs_rows_with_the_chinese_intact(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)
    case = web.get(f"/web/audit/cases/{appeal['id']}?after={appeal['position']}")

    assert f'href="/web/audit/export.xlsx?case_id={appeal["id"]}"' in case.text
    assert f'href="/web/audit/export.csv?case_id={appeal["id"]}"' in case.text
    as_csv = web.get(f"/web/audit/export.csv?case_id={appeal['id']}")
    sheet = xlsx_rows(web.get(f"/web/audit/export.xlsx?case_id={appeal['id']}"))

    assert as_csv.content.startswith(BOM)
    rows = csv_rows(as_csv)
    assert (
        [r["event_type"] for r in rows]
        == [r["event_type"] for r in sheet]
        == [
            "Raised",
            "Transferred",
        ]
    )
    for typed, text in zip(sheet, rows, strict=True):
        assert typed["position"] == int(text["position"])
        assert typed["summary"] == text["summary"]
        assert typed["department"] == text["department"] == department
    assert "转办至" in sheet[1]["summary"]
    assert "夜班食堂供餐时间太短" in sheet[0]["data"]
    assert APPELLANT["name"] not in sheet[0]["data"]


def test_the_trail_exports_by_filter_and_the_metrics_tables_from_the_page(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)
    home = web.get("/web/audit")

    assert 'formaction="/web/audit/export.csv"' in home.text
    assert 'formaction="/web/exports/metrics/appeals.xlsx"' in home.text
    filtered = {"department": department, "event_type": "Transferred", "from": "", "to": ""}
    filtered["after"] = appeal["position"]
    trail = csv_rows(web.get("/web/audit/export.csv", params=filtered))
    assert [(r["case_id"], r["event_type"]) for r in trail] == [(appeal["id"], "Transferred")]
    figures = xlsx_rows(web.get("/web/exports/metrics/appeals.xlsx", params={"period": ""}))
    assert all(isinstance(row["raised"], int) for row in figures)
    table = csv_rows(web.get("/web/exports/metrics/penalties.csv"))
    assert isinstance(table, list)


def test_finding_a_case_by_its_number_opens_its_page(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)

    found = web.client.get(
        "/web/audit",
        params={"q": appeal["case_number"].lower(), "after": appeal["position"]},
        follow_redirects=False,
    )
    missing = web.get("/web/audit", params={"q": "HY-1999-000001"})

    assert web.get("/web/audit?listing=meeting").status_code == 200
    assert found.status_code == 303
    assert found.headers["location"] == f"/web/audit/cases/{appeal['id']}"
    assert "没有找到这个案件" in missing.text


def test_a_department_handler_sees_only_their_departments_cases(
    signed_in: Callable[..., Browser],
    staff: dict[str, str],
    department: str,
    services: Services,
) -> None:
    other = open_department(services.casework, "别的部门")
    web = signed_in("handler-1", Role.DEPARTMENT, departments=[department])
    theirs = _transferred(web, staff, other)
    ours = _transferred(web, staff, department)

    home = web.get(f"/web/audit?after={ours['position']}")
    own = web.get(f"/web/audit/cases/{ours['id']}?after={ours['position']}")
    foreign = web.get(f"/web/audit/cases/{theirs['id']}")

    assert f'/web/audit/cases/{ours["id"]}"' in home.text
    assert f'/web/audit/cases/{theirs["id"]}"' not in home.text
    assert own.status_code == 200
    assert foreign.status_code == 404


@pytest.mark.parametrize("role", [Role.HR, Role.EMPLOYEE, Role.SUPERVISOR])
def test_a_role_without_audit_read_gets_the_403_page_and_no_link(
    signed_in: Callable[..., Browser], role: Role
) -> None:
    web = signed_in("no-audit-1", role)

    page = web.get("/web/audit")
    export = web.get("/web/audit/export.csv")

    assert page.status_code == 403
    assert "无权进行此操作" in page.text
    assert "audit.read" in page.text
    assert export.status_code == 403
    assert 'href="/web/audit"' not in web.get("/web/sign-in").text


def test_a_stranger_is_sent_to_sign_in(web: Browser) -> None:
    response = web.client.get("/web/audit/cases/" + "0" * 32, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/web/sign-in?next=/web/audit/cases/")


def test_the_pages_speak_english_when_asked(
    signed_in: Callable[..., Browser], staff: dict[str, str], department: str
) -> None:
    web = signed_in("auditor-1", Role.AUDITOR)
    appeal = _transferred(web, staff, department)
    web.client.get("/web/language/en?next=/web/audit", follow_redirects=False)

    page = web.get(f"/web/audit/cases/{appeal['id']}?after={appeal['position']}")

    assert "Timeline" in page.text
    assert "Show this version" in page.text


def _fact(html: str, label: str) -> str:
    """The value a page's facts list gives for `label`."""
    found = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert found, f"no fact {label}"
    return found.group(1).strip()

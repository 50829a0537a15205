"""承办: a department handler's open appeals, soonest deadline first, and the action items
assigned to their departments, with the forms the JSON API offers them to work an item."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from api.bootstrap import Services
from application.clock import ManualClock
from domain.actors import Role
from tests.conftest import open_department
from tests.web.conftest import Browser
from tests.web.json_api import JsonApi


@pytest.fixture
def api(web: Browser, token_for: Callable[..., str], services: Services) -> JsonApi:
    """The JSON API beside the pages."""
    return JsonApi(web.client, token_for, services.casework.now)


@pytest.fixture
def mine(services: Services) -> str:
    """The handler's department."""
    return open_department(services.casework, "机电科")


@pytest.fixture
def theirs(services: Services) -> str:
    """Another department."""
    return open_department(services.casework, "通风科")


def _case_numbers(html: str) -> list[str]:
    """The case numbers a page lists, in order."""
    return re.findall(r'<th scope="row"><a href="/web/appeals/[^"]+">([^<]+)</a>', html)


def test_a_department_handler_sees_only_their_departments_cases_soonest_deadline_first(
    api: JsonApi, services: Services, signed_in: Callable[..., Browser], mine: str, theirs: str
) -> None:
    now = services.casework.now()
    later = api.raise_appeal("更衣柜不够", mine)
    sooner = api.raise_appeal("井口照明不足", mine)
    other = api.raise_appeal("通风机噪声大", theirs)
    api.transfer(later["id"], mine, deadline=now + timedelta(days=9))
    api.transfer(sooner["id"], mine, deadline=now + timedelta(days=3))
    done = api.transfer(other["id"], theirs, deadline=now + timedelta(days=1))
    untransferred = api.raise_appeal("班车不够", mine)  # named for it, not yet sent to it
    web = signed_in("head-jidian", Role.DEPARTMENT, departments=[mine])

    page = web.get(f"/web/department?after={done['position']}")

    assert page.status_code == 200
    assert _case_numbers(page.text) == [sooner["case_number"], later["case_number"]]
    assert other["case_number"] not in page.text
    assert untransferred["case_number"] not in page.text
    assert f'href="/web/appeals/{sooner["id"]}"' in page.text


def test_a_replied_appeal_leaves_the_list_and_an_overdue_one_is_marked(
    api: JsonApi,
    services: Services,
    clock: ManualClock,
    signed_in: Callable[..., Browser],
    mine: str,
) -> None:
    now = services.casework.now()
    clock.set(now)
    replied = api.raise_appeal("澡堂水温低", mine)
    late = api.raise_appeal("劳保鞋尺码不全", mine)
    api.transfer(replied["id"], mine, deadline=now + timedelta(days=1))
    api.transfer(late["id"], mine, deadline=now + timedelta(days=2))
    head = api.as_("head-jidian", Role.DEPARTMENT, (mine,))
    body = {"answer": "已调高水温", "basis": "《浴室管理办法》第三条"}
    done = api.post(f"/appeals/{replied['id']}/reply", head, body)
    clock.set(now + timedelta(days=3))
    web = signed_in("head-jidian", Role.DEPARTMENT, departments=[mine])

    page = web.get(f"/web/department?after={done['position']}")

    assert _case_numbers(page.text) == [late["case_number"]]
    row = page.text.split(late["case_number"], 1)[1].split("</tr>", 1)[0]
    assert "已超期" in row


def test_the_list_pages_by_its_cursor_in_deadline_order(
    api: JsonApi, services: Services, signed_in: Callable[..., Browser], mine: str
) -> None:
    now = services.casework.now()
    raised = [api.raise_appeal(f"第{n}件", mine) for n in range(22)]
    for n, appeal in enumerate(raised):
        done = api.transfer(appeal["id"], mine, deadline=now + timedelta(days=30 - n))
    web = signed_in("head-jidian", Role.DEPARTMENT, departments=[mine])

    first = web.get(f"/web/department?after={done['position']}")
    cursor = re.search(r'href="/web/department\?cursor=([^"]+)" rel="next"', first.text)
    assert cursor is not None
    second = web.get(f"/web/department?cursor={cursor.group(1)}")

    listed = _case_numbers(first.text) + _case_numbers(second.text)
    assert listed == [appeal["case_number"] for appeal in reversed(raised)]
    assert 'rel="next"' not in second.text


def test_union_staff_get_the_403_page_and_no_department_link(
    signed_in: Callable[..., Browser],
) -> None:
    web = signed_in("union-clerk-1", Role.UNION_STAFF)

    page = web.get("/web/department")

    assert page.status_code == 403
    assert 'href="/web/department"' not in page.text
    assert 'href="/web/workbench"' in page.text


def test_a_department_handler_reports_progress_on_an_action_item_from_its_page(
    api: JsonApi, services: Services, signed_in: Callable[..., Browser], mine: str, theirs: str
) -> None:
    deadline = services.casework.now() + timedelta(days=20)
    item = api.action_item(mine, "井口照明改造", deadline)
    elsewhere = api.action_item(theirs, "风机降噪", deadline)
    web = signed_in("head-jidian", Role.DEPARTMENT, departments=[mine])
    listed = web.get(f"/web/department/action-items?after={elsewhere['position']}")
    assert f'href="/web/action-items/{item["id"]}"' in listed.text
    assert elsewhere["id"] not in listed.text

    page = web.get(f"/web/action-items/{item['id']}")
    assert f'action="/web/action-items/{item["id"]}/progress"' in page.text
    assert f'action="/web/action-items/{item["id"]}/accept"' not in page.text
    done = web.post(
        f"/web/action-items/{item['id']}/progress", {"note": "已完成一半灯具更换", "version": "1"}
    )

    assert done.status_code == 303
    shown = web.get(done.headers["location"])
    assert "已报告进展" in shown.text
    assert "已完成一半灯具更换" in shown.text
    read = api.get(f"/action-items/{item['id']}", api.staff())
    assert [note["text"] for note in read["progress"]] == ["已完成一半灯具更换"]
    assert read["progress"][0]["by"] == "head-jidian"


def test_an_empty_progress_note_is_refused_beside_the_field_and_changes_nothing(
    api: JsonApi, services: Services, signed_in: Callable[..., Browser], mine: str
) -> None:
    item = api.action_item(mine, "更衣室扩建", services.casework.now() + timedelta(days=20))
    web = signed_in("head-jidian", Role.DEPARTMENT, departments=[mine])
    web.get(f"/web/action-items/{item['id']}")

    refused = web.post(f"/web/action-items/{item['id']}/progress", {"note": "  "})

    assert refused.status_code == 422
    assert 'id="f-progress-error"' in refused.text
    assert api.get(f"/action-items/{item['id']}", api.staff())["progress"] == []


def test_another_departments_handler_may_not_open_or_work_the_item(
    api: JsonApi, services: Services, signed_in: Callable[..., Browser], mine: str, theirs: str
) -> None:
    item = api.action_item(mine, "照明改造", services.casework.now() + timedelta(days=20))
    web = signed_in("head-tongfeng", Role.DEPARTMENT, departments=[theirs])

    assert web.get(f"/web/action-items/{item['id']}").status_code == 403
    refused = web.post(f"/web/action-items/{item['id']}/progress", {"note": "越权"})
    assert refused.status_code == 403
    assert api.get(f"/action-items/{item['id']}", api.staff())["progress"] == []


def test_union_staff_accept_submitted_work_from_the_item_page(
    api: JsonApi, services: Services, signed_in: Callable[..., Browser], mine: str
) -> None:
    item = api.action_item(mine, "食堂排风", services.casework.now() + timedelta(days=20))
    head = api.as_("head-jidian", Role.DEPARTMENT, (mine,))
    api.post(f"/action-items/{item['id']}/submit", head, {"note": "已执行两周"})
    web = signed_in("union-clerk-1", Role.UNION_STAFF)

    page = web.get(f"/web/action-items/{item['id']}")
    assert f"/action-items/{item['id']}/progress" not in page.text
    done = web.post(f"/web/action-items/{item['id']}/accept", {"note": "符合验收标准"})

    assert done.status_code == 303
    assert api.get(f"/action-items/{item['id']}", api.staff())["status"] == "accepted"

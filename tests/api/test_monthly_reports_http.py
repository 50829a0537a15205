"""The monthly thought-dynamics report over HTTP: draft, edit, redraft, file, read, history.

The months used here (spring 2024) are written in by no other test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.clock import ManualClock
from domain.actors import Role
from domain.calendar import CHINA_TZ
from tests.api.conftest import Headers

PROBLEM = "application/problem+json"


@pytest.fixture
def hr(auth: Callable[..., Headers]) -> Headers:
    """Someone from HR, who may read but not file the union's report."""
    return auth("hr-chen", Role.HR)


def local(month: int, day: int, hour: int = 10) -> datetime:
    """A moment of 2024 in China time."""
    return datetime(2024, month, day, hour, tzinfo=CHINA_TZ)


def problem_of(response: Any, status: int) -> dict[str, Any]:
    """The problem+json body of a refused request."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


def test_the_union_office_drafts_edits_redrafts_and_files_a_report_late(
    client: TestClient, staff: Headers, clock: ManualClock
) -> None:
    clock.set(local(4, 2))
    drafted = client.post("/monthly-reports", json={"month": "2024-03"}, headers=staff)
    assert drafted.status_code == 201, drafted.text
    assert drafted.headers["Location"] == "/monthly-reports/2024-03"
    assert drafted.headers["ETag"] == '"1"'

    read = client.get("/monthly-reports/2024-03", headers=staff)
    assert read.status_code == 200
    report = read.json()
    assert report["status"] == "drafted"
    assert report["figures"]["month"] == "2024-03"
    assert report["text"]["overview"].startswith("2024年3月共开展慧谈")
    # Qingming closes 4–6 April 2024; Sunday 7 April is a make-up working day.
    assert report["deadline"]["due"] == "2024-04-08T23:59:59+08:00"
    assert report["deadline"]["rule"] == "monthly-report.filing"
    assert (report["filed"], report["overdue"], report["penalty_id"]) == (False, False, None)

    edited = client.post(
        "/monthly-reports/2024-03/edit",
        json={"risks": "食堂类诉求反映集中，需重点关注。", "reason": "补充风险研判"},
        headers={**staff, "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    redrafted = client.post(
        "/monthly-reports/2024-03/redraft", headers={**staff, "If-Match": '"2"'}
    )
    assert redrafted.json()["version"] == 3

    clock.set(local(4, 9))
    assert client.get("/monthly-reports/2024-03", headers=staff).json()["overdue"] is True
    filed = client.post("/monthly-reports/2024-03/file", headers={**staff, "If-Match": '"3"'})
    assert filed.status_code == 200, filed.text
    assert filed.json()["late"] is True
    assert filed.json()["penalty_id"] is not None

    report = client.get("/monthly-reports/2024-03", headers=staff).json()
    assert (report["status"], report["filed_late"], report["overdue"]) == ("filed", True, False)
    assert report["penalty_id"] == filed.json()["penalty_id"]
    assert report["text"]["risks"] == "食堂类诉求反映集中，需重点关注。"
    penalty = client.get(f"/penalties/{report['penalty_id']}", headers=staff)
    assert penalty.status_code == 200, penalty.text
    assert penalty.json()["points"] == -1

    history = client.get("/monthly-reports/2024-03/history", headers=staff).json()
    assert [e["type"] for e in history["events"]] == ["Drafted", "Edited", "Redrafted", "Filed"]
    assert history["events"][1]["actor"] == {"id": "union-clerk-1", "role": "union_staff"}
    assert history["events"][3]["data"]["late"] is True


def test_bad_months_are_refused_naming_the_field(
    client: TestClient, staff: Headers, clock: ManualClock
) -> None:
    clock.set(local(4, 20))
    for body in ({"month": "March"}, {"month": "2024-13"}, {"month": "2024-04"}, {}):
        refused = problem_of(client.post("/monthly-reports", json=body, headers=staff), 422)
        assert refused["errors"][0]["field"] == "month"
    assert problem_of(client.get("/monthly-reports/24-1", headers=staff), 422)["errors"] == [
        {"field": "month", "message": "'24-1' is not a month like 2026-10"}
    ]
    problem_of(client.get("/monthly-reports/2023-01", headers=staff), 404)


def test_refusals_are_problems(
    client: TestClient, staff: Headers, hr: Headers, clock: ManualClock
) -> None:
    clock.set(local(5, 6))
    assert client.post("/monthly-reports", json={"month": "2024-04"}).status_code == 401
    assert client.post("/monthly-reports", json={"month": "2024-04"}, headers=staff).is_success
    problem_of(client.post("/monthly-reports", json={"month": "2024-04"}, headers=staff), 409)

    empty = client.post("/monthly-reports/2024-04/edit", json={"sentiment": "  "}, headers=staff)
    assert problem_of(empty, 422)["errors"][0]["field"] == "sentiment"
    nothing = client.post("/monthly-reports/2024-04/edit", json={}, headers=staff)
    assert problem_of(nothing, 422)["errors"][0]["field"] == "sections"
    problem_of(client.post("/monthly-reports/2024-04/file", headers=hr), 403)
    stale = client.post("/monthly-reports/2024-04/file", headers={**staff, "If-Match": '"9"'})
    problem_of(stale, 412)

    assert client.post("/monthly-reports/2024-04/file", headers=staff).json()["late"] is False
    again = client.post("/monthly-reports/2024-04/file", headers=staff)
    assert problem_of(again, 409)["action"] == "file"
    late_edit = client.post("/monthly-reports/2024-04/edit", json={"risks": "x"}, headers=staff)
    problem_of(late_edit, 409)

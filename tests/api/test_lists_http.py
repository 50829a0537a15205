"""Listing cases: filters, cursor pagination and reading one's own writes with `?after=`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from tests.api.conftest import Headers, named_appeal
from tests.api.test_meetings_http import tier_talk
from tests.conftest import open_department

PROBLEM = "application/problem+json"


@pytest.fixture
def department(casework: Casework) -> str:
    """A department no other test uses, so lists show only this test's cases (its code)."""
    return open_department(casework, "测试部门")


def _raise(client: TestClient, staff: Headers, department: str, **overrides: Any) -> Any:
    raised = client.post(
        "/appeals", json=named_appeal(department=department, **overrides), headers=staff
    )
    assert raised.status_code == 201, raised.text
    return raised.json()


def test_appeals_are_listed_newest_first_a_page_at_a_time(
    client: TestClient, staff: Headers, department: str
) -> None:
    raised = [_raise(client, staff, department, title=f"诉求 {n}") for n in range(3)]
    after = raised[-1]["position"]

    first = client.get(
        "/appeals", params={"department": department, "limit": 2, "after": after}, headers=staff
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert [item["id"] for item in page["items"]] == [raised[2]["id"], raised[1]["id"]]
    assert page["position"] >= after
    assert page["next_cursor"]

    second = client.get(
        "/appeals",
        params={"department": department, "limit": 2, "cursor": page["next_cursor"]},
        headers=staff,
    ).json()
    assert [item["id"] for item in second["items"]] == [raised[0]["id"]]
    assert second["next_cursor"] is None
    row = second["items"][0]
    assert row["case_type"] == "appeal"
    assert row["ref"] == raised[0]["case_number"]
    assert row["status"] == "raised"
    assert row["channel"] == "grid_liaison"


def test_a_transfer_shows_in_the_list_as_soon_as_its_position_is_asked_for(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], department: str
) -> None:
    first = _raise(client, staff, department)
    second = _raise(client, staff, department)
    moved = client.post(
        f"/appeals/{first['id']}/transfer",
        json={"department": department, "supervisor": "union-vice-chair"},
        headers=staff,
    )
    assert moved.status_code == 200, moved.text

    listed = client.get(
        "/appeals",
        params={
            "department": department,
            "status": "transferred",
            "after": moved.json()["position"],
        },
        headers=staff,
    ).json()
    assert [item["id"] for item in listed["items"]] == [first["id"]]
    item = listed["items"][0]
    assert item["transfers"] == 1
    assert item["deadline_at"] is not None
    assert item["overdue"] is False

    # The department's own list holds only what was sent to it, not what merely names it.
    handler = auth("lists-handler", Role.DEPARTMENT, departments=[department])
    position = {"after": moved.json()["position"]}
    for_union = client.get("/appeals", params={"department": department, **position}, headers=staff)
    for_department = client.get("/appeals", params=position, headers=handler)
    assert {i["id"] for i in for_union.json()["items"]} == {first["id"], second["id"]}
    assert [i["id"] for i in for_department.json()["items"]] == [first["id"]]


def test_appeals_past_their_deadline_are_listed_as_overdue(
    client: TestClient, staff: Headers, clock: ManualClock, department: str
) -> None:
    appeal = _raise(client, staff, department)
    due = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    moved = client.post(
        f"/appeals/{appeal['id']}/transfer",
        json={"department": department, "supervisor": "union-vice-chair", "deadline": due},
        headers=staff,
    ).json()
    query = {"department": department, "overdue": "true", "after": moved["position"]}
    assert client.get("/appeals", params=query, headers=staff).json()["items"] == []

    clock.set(datetime.now(UTC) + timedelta(hours=2))
    listed = client.get("/appeals", params=query, headers=staff).json()["items"]
    assert [item["id"] for item in listed] == [appeal["id"]]
    assert listed[0]["overdue"] is True


def test_meetings_are_filtered_by_kind_tier_department_and_date(
    client: TestClient, staff: Headers, department: str
) -> None:
    soon = datetime.now(UTC) + timedelta(days=3)
    later = soon + timedelta(days=30)
    ids = []
    for when, tier in ((soon, "workers"), (later, "team_leaders")):
        created = client.post(
            "/meetings",
            json=tier_talk(scheduled_for=when.isoformat(), tier=tier),
            headers=staff,
        ).json()
        invited = client.post(
            f"/meetings/{created['id']}/invite",
            json={"participants": [f"E{uuid.uuid4().hex[:8]}"], "departments": [department]},
            headers=staff,
        )
        assert invited.status_code == 200, invited.text
        ids.append((created["id"], invited.json()["position"]))
    after = max(position for _, position in ids)

    both = client.get(
        "/meetings", params={"department": department, "after": after}, headers=staff
    ).json()
    assert [item["id"] for item in both["items"]] == [ids[1][0], ids[0][0]]
    assert both["items"][0]["status"] == "invited"

    workers = client.get(
        "/meetings",
        params={"department": department, "tier": "workers", "kind": "tier_talk"},
        headers=staff,
    ).json()
    assert [item["id"] for item in workers["items"]] == [ids[0][0]]

    window = client.get(
        "/meetings",
        params={
            "department": department,
            "from": (later - timedelta(days=1)).isoformat(),
            "to": (later + timedelta(days=1)).isoformat(),
        },
        headers=staff,
    ).json()
    assert [item["id"] for item in window["items"]] == [ids[1][0]]


def test_a_malformed_cursor_is_a_problem_naming_the_cursor(
    client: TestClient, staff: Headers
) -> None:
    answer = client.get("/appeals", params={"cursor": "not-a-cursor"}, headers=staff)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == PROBLEM
    assert "cursor" in answer.json()["detail"]


def test_an_unknown_status_and_an_empty_date_range_are_refused(
    client: TestClient, staff: Headers
) -> None:
    unknown = client.get("/appeals", params={"status": "lost"}, headers=staff)
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == PROBLEM

    moment = datetime.now(UTC).isoformat()
    empty = client.get("/meetings", params={"from": moment, "to": moment}, headers=staff)
    assert empty.status_code == 400
    assert "from" in empty.json()["detail"]

    naive = client.get("/meetings", params={"from": "2026-01-01T00:00:00"}, headers=staff)
    assert naive.status_code == 422


def test_lists_need_a_token(client: TestClient) -> None:
    assert client.get("/appeals").status_code == 401


def test_projections_report_position_head_and_lag(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], department: str
) -> None:
    raised = _raise(client, staff, department)
    client.get("/appeals", params={"after": raised["position"]}, headers=staff)

    # The views' positions are for those who keep the service (admin) and auditors.
    status = client.get("/projections", headers=auth("lists-admin", Role.ADMIN))
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["head"] >= raised["position"]
    view = next(v for v in body["views"] if v["name"] == "case_index")
    assert view["position"] >= raised["position"]
    assert view["lag"] == max(view["head"] - view["position"], 0)
    assert view["runner"] == "leading"

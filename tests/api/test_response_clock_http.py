"""The first-response clock over HTTP: set at raising, shown on the appeal and in lists,
stopped by the first response, including union staff reaching the appellant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from application.casework import Casework
from application.clock import ManualClock
from domain.actors import Role
from tests.api.conftest import Headers, named_appeal
from tests.conftest import open_department

PROBLEM = "application/problem+json"


@pytest.fixture
def department(casework: Casework) -> str:
    """A department of this test's own, so lists show only its cases."""
    return open_department(casework, "响应部门")


def _raise(client: TestClient, staff: Headers, **overrides: object) -> dict[str, object]:
    raised = client.post("/appeals", json=named_appeal(**overrides), headers=staff)
    assert raised.status_code == 201, raised.text
    body: dict[str, object] = raised.json()
    return body


def test_an_urgent_appeal_shows_its_48_hours_from_the_moment_it_is_raised(
    client: TestClient, staff: Headers, clock: ManualClock
) -> None:
    raised_at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    clock.set(raised_at)
    appeal = _raise(client, staff, channel="urgent", kind="hardship", category="work-injury")

    state = client.get(f"/appeals/{appeal['id']}", headers=staff).json()

    assert state["status"] == "raised"
    assert state["response_deadline"]["rule"] == "response.urgent-48h"
    assert state["response_deadline"]["act"] == "first_response"
    due = datetime.fromisoformat(state["response_deadline"]["due"])
    assert due == raised_at + timedelta(hours=48)
    assert state["first_response_at"] is None


def test_an_untransferred_appeal_past_its_response_deadline_is_listed_as_overdue(
    client: TestClient, staff: Headers, clock: ManualClock, department: str
) -> None:
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    appeal = _raise(client, staff, department=department)  # a grid liaison's: 24 hours
    query = {"department": department, "overdue": "true", "after": appeal["position"]}
    assert client.get("/appeals", params=query, headers=staff).json()["items"] == []

    clock.advance(timedelta(hours=25))
    listed = client.get("/appeals", params=query, headers=staff).json()["items"]

    assert [item["id"] for item in listed] == [appeal["id"]]
    assert listed[0]["overdue"] is True
    assert listed[0]["response_due"] is not None


def test_union_staff_reaching_the_appellant_is_the_first_response(
    client: TestClient, staff: Headers, clock: ManualClock, department: str
) -> None:
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    appeal = _raise(client, staff, department=department)
    clock.advance(timedelta(hours=3))

    contacted = client.post(
        f"/appeals/{appeal['id']}/contact",
        json={"note": "已电话联系职工，说明办理进度"},
        headers=staff,
    )

    assert contacted.status_code == 200, contacted.text
    state = client.get(f"/appeals/{appeal['id']}", headers=staff).json()
    assert datetime.fromisoformat(state["first_response_at"]) == datetime(
        2026, 12, 7, 12, 0, tzinfo=UTC
    )
    clock.advance(timedelta(days=2))
    query = {"department": department, "overdue": "true", "after": contacted.json()["position"]}
    assert client.get("/appeals", params=query, headers=staff).json()["items"] == []
    history = client.get(f"/appeals/{appeal['id']}/history", headers=staff).json()
    assert [event["type"] for event in history["events"]] == ["Raised", "Contacted"]


def test_contact_is_refused_with_a_problem_that_says_why(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], department: str
) -> None:
    appeal = _raise(client, staff, department=department)
    handler = auth("clock-handler", Role.DEPARTMENT, departments=[department])
    anonymous = client.post(
        "/appeals",
        json=named_appeal(channel="anonymous_box", appellant=None, department=department),
        headers=staff,
    ).json()

    empty = client.post(f"/appeals/{appeal['id']}/contact", json={"note": ""}, headers=staff)
    by_department = client.post(
        f"/appeals/{appeal['id']}/contact", json={"note": "已联系"}, headers=handler
    )
    nobody_to_reach = client.post(
        f"/appeals/{anonymous['id']}/contact", json={"note": "已联系"}, headers=staff
    )

    assert (empty.status_code, empty.headers["content-type"]) == (422, PROBLEM)
    assert (by_department.status_code, by_department.headers["content-type"]) == (403, PROBLEM)
    assert nobody_to_reach.status_code == 409, nobody_to_reach.text
    assert "anonymous" in nobody_to_reach.json()["detail"]

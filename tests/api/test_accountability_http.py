"""Penalties and red and yellow cards over HTTP: supervisors, departments, the committee."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.casework import Casework
from domain.actors import Role
from tests.api.conftest import Headers, named_appeal
from tests.conftest import open_department

PROBLEM = "application/problem+json"
SUPERVISOR_ID = "union-vice-chair"


@pytest.fixture
def supervisor(auth: Callable[..., Headers]) -> Headers:
    """The supervisor (督办员) named on the appeals' transfers."""
    return auth(SUPERVISOR_ID, Role.SUPERVISOR)


@pytest.fixture
def committee(auth: Callable[..., Headers]) -> Headers:
    """A member of the union committee."""
    return auth("committee-wu", Role.COMMITTEE)


@pytest.fixture
def department(casework: Casework) -> str:
    """The test's own responsible department, opened in the directory: its code."""
    return open_department(casework, "后勤服务中心")


@pytest.fixture
def head(auth: Callable[..., Headers], department: str) -> Headers:
    """The responsible department's head."""
    return auth("logistics-head", Role.DEPARTMENT, departments=[department])


def _post(client: TestClient, path: str, headers: Headers, body: Any = None) -> dict[str, Any]:
    done = client.post(path, json=body, headers=headers)
    assert done.status_code in (200, 201), done.text
    result: dict[str, Any] = done.json()
    return result


def _transferred(client: TestClient, staff: Headers, department: str) -> str:
    appeal_id: str = _post(client, "/appeals", staff, named_appeal(department=department))["id"]
    _post(
        client,
        f"/appeals/{appeal_id}/transfer",
        staff,
        {"department": department, "supervisor": SUPERVISOR_ID},
    )
    return appeal_id


def _penalty(client: TestClient, staff: Headers, supervisor: Headers, department: str) -> str:
    appeal_id = _transferred(client, staff, department)
    created = client.post(
        "/penalties",
        json={"appeal_id": appeal_id, "reason": "答复仅称按规定办理，未说明依据"},
        headers=supervisor,
    )
    assert created.status_code == 201, created.text
    penalty_id: str = created.json()["id"]
    assert created.headers["Location"] == f"/penalties/{penalty_id}"
    return penalty_id


def test_a_penalty_is_recorded_contested_and_reversed_with_its_history(
    client: TestClient,
    staff: Headers,
    supervisor: Headers,
    committee: Headers,
    head: Headers,
    department: str,
) -> None:
    penalty_id = _penalty(client, staff, supervisor, department)

    read = client.get(f"/penalties/{penalty_id}", headers=staff)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    body = read.json()
    assert (body["rule"], body["rule_version"], body["points"]) == ("perfunctory-handling", 1, -1)
    assert (body["recorded_by"], body["recorded_role"]) == (SUPERVISOR_ID, "supervisor")
    assert body["case"]["type"] == "appeal"

    contest = client.post(
        f"/penalties/{penalty_id}/contest",
        json={"reason": "已按制度答复"},
        headers={**head, "If-Match": '"1"'},
    )
    assert contest.status_code == 200, contest.text
    assert contest.headers["ETag"] == '"2"'
    _post(client, f"/penalties/{penalty_id}/reverse", committee, {"reason": "答复依据已补充"})

    after = client.get(f"/penalties/{penalty_id}", headers=staff).json()
    assert (after["status"], after["counts"], after["effective_points"]) == ("reversed", False, 0)
    assert after["points"] == -1
    history = client.get(f"/penalties/{penalty_id}/history", headers=staff).json()
    assert [e["type"] for e in history["events"]] == ["Recorded", "Contested", "Reversed"]
    assert history["events"][2]["actor"] == {"id": "committee-wu", "role": "committee"}
    as_recorded = client.get(f"/penalties/{penalty_id}?version=1", headers=staff).json()
    assert as_recorded["status"] == "recorded"


def test_penalty_refusals_are_problems_naming_the_rule(
    client: TestClient,
    staff: Headers,
    supervisor: Headers,
    committee: Headers,
    auth: Callable[..., Headers],
    department: str,
) -> None:
    appeal_id = _transferred(client, staff, department)
    someone = auth("other-supervisor", Role.SUPERVISOR)

    not_theirs = client.post(
        "/penalties", json={"appeal_id": appeal_id, "reason": "推诿"}, headers=someone
    )
    assert not_theirs.status_code == 403
    assert not_theirs.headers["content-type"].startswith(PROBLEM)
    assert not_theirs.json()["type"].endswith("/forbidden")
    assert not_theirs.json()["permission"] == "penalty.record"

    no_reason = client.post("/penalties", json={"appeal_id": appeal_id}, headers=supervisor)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"

    penalty_id = _penalty(client, staff, supervisor, department)
    by_staff = client.post(f"/penalties/{penalty_id}/reverse", json={"reason": "x"}, headers=staff)
    assert by_staff.status_code == 403
    assert by_staff.json()["permission"] == "penalty.decide"
    _post(client, f"/penalties/{penalty_id}/reverse", committee, {"reason": "误记"})
    twice = client.post(f"/penalties/{penalty_id}/reverse", json={"reason": "x"}, headers=committee)
    assert twice.status_code == 409
    assert twice.json()["state"] == "reversed"
    stale = client.post(
        f"/penalties/{penalty_id}/reject-contest",
        json={"reason": "x"},
        headers={**committee, "If-Match": '"1"'},
    )
    assert stale.status_code == 412

    missing = client.get(f"/penalties/{uuid.uuid4()}", headers=staff)
    assert missing.status_code == 404
    malformed = client.get("/penalties/not-a-uuid", headers=staff)
    assert malformed.status_code == 422


def test_a_department_with_three_points_gets_a_yellow_card_it_can_rectify(
    client: TestClient,
    staff: Headers,
    supervisor: Headers,
    committee: Headers,
    head: Headers,
    department: str,
) -> None:
    ids = [_penalty(client, staff, supervisor, department) for _ in range(3)]

    evaluated = _post(
        client, f"/departments/{department}/cards/evaluate", committee, {"penalty_ids": ids}
    )
    assert (evaluated["penalty_points"], evaluated["overdue_count"]) == (3, 0)
    assert evaluated["finding"]["colour"] == "yellow"
    card_id = evaluated["issued"]["id"]
    again = _post(
        client, f"/departments/{department}/cards/evaluate", committee, {"penalty_ids": ids}
    )
    assert again["issued"] is None

    card = client.get(f"/cards/{card_id}", headers=staff)
    assert card.status_code == 200
    assert card.headers["ETag"] == '"1"'
    assert (card.json()["colour"], card.json()["status"]) == ("yellow", "open")
    assert sorted(card.json()["evidence"]) == sorted(ids)

    early = client.post(f"/cards/{card_id}/escalate", headers=committee)
    assert early.status_code == 409
    _post(client, f"/cards/{card_id}/rectify", head, {"note": "已全部重新答复并公示"})
    cleared = client.get(f"/cards/{card_id}", headers=staff).json()
    assert cleared["status"] == "cleared"
    history = client.get(f"/cards/{card_id}/history", headers=staff).json()
    assert [e["type"] for e in history["events"]] == ["Issued", "Rectified"]


def test_card_evaluation_refusals(
    client: TestClient,
    casework: Casework,
    staff: Headers,
    supervisor: Headers,
    committee: Headers,
    head: Headers,
    department: str,
) -> None:
    penalty_id = _penalty(client, staff, supervisor, department)
    path = f"/departments/{department}/cards/evaluate"

    by_department = client.post(path, json={"penalty_ids": [penalty_id]}, headers=head)
    assert by_department.status_code == 403
    assert by_department.json()["type"].endswith("/forbidden")
    assert by_department.json()["permission"] == "card.issue"
    half_period = client.post(path, json={"period_start": "2026-03-01"}, headers=committee)
    assert half_period.status_code == 422
    assert half_period.json()["errors"][0]["field"] == "period_end"
    other = client.post(
        f"/departments/{open_department(casework, '后勤服务中心')}/cards/evaluate",
        json={"penalty_ids": [penalty_id]},
        headers=committee,
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "penalty_ids"


def test_an_appeal_transferred_three_times_is_flagged_for_its_supervisor(
    client: TestClient, staff: Headers, supervisor: Headers, department: str
) -> None:
    appeal_id = _transferred(client, staff, department)
    before = client.get(f"/appeals/{appeal_id}/accountability", headers=supervisor).json()
    assert (before["transfers"], before["flagged"]) == (1, False)

    for other in ("人力资源部", "机电科"):
        _post(
            client,
            f"/appeals/{appeal_id}/retransfer",
            staff,
            {"department": other, "reason": "不属于本部门职责"},
        )

    after = client.get(f"/appeals/{appeal_id}/accountability", headers=supervisor).json()
    assert (after["transfers"], after["flagged"]) == (3, True)

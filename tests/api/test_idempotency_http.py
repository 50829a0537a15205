"""Idempotency-Key on every route that creates something: a retry of the same request
answers with what the first created and records nothing new; the key with another request,
or a malformed key, is a problem."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.actors import Role
from tests.api.conftest import Headers, named_appeal
from tests.api.test_meetings_http import _held_talk_with_decision, _later, _person, _schedule
from tests.conftest import open_department

PROBLEM = "application/problem+json"

#: A creating request: its path and body, set up through the API (path, body, who sends it).
Creation = tuple[str, dict[str, Any], Headers]

#: The supervisor named on the penalty's appeal (a supervisor in the session's directory).
SUPERVISOR_ID = "union-vice-chair"

#: Who reads back what was created: auditors read every kind of case (admin reads none).
AUDITOR = ("idempotency-auditor", Role.AUDITOR)


def _appeal(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    return "/appeals", named_appeal(), staff


def _anonymous_appeal(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    body = {k: v for k, v in named_appeal(channel="anonymous_box").items() if k != "appellant"}
    return "/appeals", body, auth("E40001", Role.EMPLOYEE)


def _talk_appeal(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    meeting_id = _schedule(client, staff)
    body = {"kind": "suggestion", "category": "canteen", "title": "加开夜宵", "text": "夜班加餐"}
    return f"/meetings/{meeting_id}/appeals", body, staff


def _meeting(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    body = {
        "kind": "tier_talk",
        "tier": "workers",
        "topic": "夜班职工就餐与通勤",
        "scheduled_for": _later(),
        "place": "综合楼三楼会议室",
    }
    return "/meetings", body, staff


def _action_item(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    meeting_id = _held_talk_with_decision(client, staff)
    body = {
        "decision_ref": "D1",
        "task": "夜班供餐时间延长至40分钟",
        "department": "后勤服务中心",
        "deadline": _later(30),
        "acceptance_criteria": "连续两周夜班供餐不少于40分钟",
    }
    return f"/meetings/{meeting_id}/action-items", body, staff


def _proposal(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    congress = _schedule(client, staff, kind="congress", tier=None, topic="第五届职代会")
    client.post(f"/meetings/{congress}/invite", json={"departments": ["机电科"]}, headers=staff)
    attendance = {"attendance": [{"person_id": _person(), "department": "机电科"}]}
    client.post(f"/meetings/{congress}/hold", json=attendance, headers=staff)
    body = {
        "problem": "候车区无取暖",
        "solution": "加装暖风机",
        "department": "机电科",
        "deadline": _later(60),
    }
    return f"/meetings/{congress}/proposals", body, staff


def _disclosure(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    body = {
        "subject_type": "penalties_and_cards",
        "subject": "机电科",  # the department whose penalties and cards these are
        "title": "三月考核扣分与红黄牌",
        "body": "机电科：推诿扯皮 -1分；黄牌预警，限期整改。",
        "departments": ["机电科"],
    }
    return "/disclosures", body, staff


def _penalty(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    department = open_department(services.casework, "后勤服务中心")
    raised = client.post("/appeals", json=named_appeal(department=department), headers=staff)
    assert raised.status_code == 201, raised.text
    appeal_id = raised.json()["id"]
    transferred = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": department, "supervisor": SUPERVISOR_ID},
        headers=staff,
    )
    assert transferred.status_code == 200, transferred.text
    body = {"appeal_id": appeal_id, "reason": "答复仅称按规定办理，未说明依据"}
    return "/penalties", body, auth(SUPERVISOR_ID, Role.SUPERVISOR)


def _competition(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], services: Services
) -> Creation:
    return "/competitions", {"name": "2026年工匠杯", "judges": ["J-zhou", "J-sun"]}, staff


CREATIONS = {
    "appeal": _appeal,
    "anonymous appeal": _anonymous_appeal,
    "appeal at a talk": _talk_appeal,
    "meeting": _meeting,
    "action item": _action_item,
    "congress proposal": _proposal,
    "disclosure": _disclosure,
    "penalty": _penalty,
    "competition": _competition,
}


@pytest.fixture(params=list(CREATIONS))
def creation(
    request: pytest.FixtureRequest,
    client: TestClient,
    staff: Headers,
    auth: Callable[..., Headers],
    services: Services,
) -> Creation:
    """One creating request of each kind, with what it needs set up."""
    return CREATIONS[request.param](client, staff, auth, services)


def _history(client: TestClient, location: str, headers: Headers) -> list[Any]:
    response = client.get(f"{location}/history", headers=headers)
    assert response.status_code == 200, response.text
    events: list[Any] = response.json()["events"]
    return events


def test_the_same_request_sent_again_with_its_key_creates_nothing_new(
    client: TestClient, creation: Creation, auth: Callable[..., Headers]
) -> None:
    path, body, headers = creation
    sent = {**headers, "Idempotency-Key": str(uuid.uuid4())}

    first = client.post(path, json=body, headers=sent)
    again = client.post(path, json=body, headers=sent)

    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert again.json()["id"] == first.json()["id"]
    assert again.json().get("receipt_code") == first.json().get("receipt_code")
    assert again.json()["position"] >= first.json()["position"]
    assert len(_history(client, first.headers["Location"], auth(*AUDITOR))) == 1


def test_without_a_key_the_same_request_twice_creates_two(
    client: TestClient, creation: Creation
) -> None:
    path, body, headers = creation

    first = client.post(path, json=body, headers=headers)
    second = client.post(path, json=body, headers=headers)

    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert second.json()["id"] != first.json()["id"]


def test_the_key_sent_with_another_request_is_a_problem_and_records_nothing(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    auditor = auth(*AUDITOR)  # who may read the views' positions
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/appeals", json=named_appeal(), headers={**staff, **key})
    head = client.get("/projections", headers=auditor).json()["head"]

    changed = client.post("/appeals", json=named_appeal(title="另一件事"), headers={**staff, **key})

    assert changed.status_code == 422
    assert changed.headers["content-type"] == PROBLEM
    assert changed.json()["type"].endswith("/idempotency-key-reused")
    assert "different request" in changed.json()["detail"]
    assert client.get("/projections", headers=auditor).json()["head"] == head
    assert client.get(first.headers["Location"], headers=staff).json()["title"] != "另一件事"


def test_the_same_key_from_someone_else_is_their_own_request(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    other = auth("union-clerk-9", Role.UNION_STAFF)

    mine = client.post("/appeals", json=named_appeal(), headers={**staff, **key})
    theirs = client.post("/appeals", json=named_appeal(), headers={**other, **key})

    assert mine.status_code == theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers


@pytest.mark.parametrize(
    "key", [b"short", b"x" * 256, b"with spaces in the key", ("键" * 20).encode()]
)
def test_a_malformed_key_is_a_problem_before_anything_is_recorded(
    client: TestClient, staff: Headers, auth: Callable[..., Headers], key: bytes
) -> None:
    auditor = auth(*AUDITOR)  # who may read the views' positions
    head = client.get("/projections", headers=auditor).json()["head"]

    headers: dict[str, str | bytes] = {**staff, "Idempotency-Key": key}
    response = client.post("/appeals", json=named_appeal(), headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/invalid-idempotency-key")
    assert "16 to 255 visible ASCII" in response.json()["detail"]
    assert client.get("/projections", headers=auditor).json()["head"] == head


def test_an_anonymous_retry_shows_no_identity_in_its_id_or_history(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    employee = auth("E40002", Role.EMPLOYEE)
    body = {k: v for k, v in named_appeal(channel="anonymous_box").items() if k != "appellant"}
    sent = {**employee, "Idempotency-Key": str(uuid.uuid4())}

    first = client.post("/appeals", json=body, headers=sent)
    again = client.post("/appeals", json=body, headers=sent)

    assert again.json()["receipt_code"] == first.json()["receipt_code"]
    code = first.json()["receipt_code"]
    followed = client.get(f"/receipts/{code}")
    assert followed.status_code == 200, followed.text
    history = _history(client, first.headers["Location"], auth(*AUDITOR))
    assert "E40002" not in str(history)
    assert history[0]["actor"] == {"id": "anonymous", "role": "employee"}

"""Meetings, action items and proposals over HTTP, as the union office drives them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.actors import Role
from tests.api.conftest import Headers

PROBLEM = "application/problem+json"


def _later(days: int = 1) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _person() -> str:
    return f"E{uuid.uuid4().hex[:10]}"


def tier_talk(**overrides: Any) -> dict[str, Any]:
    """A valid body for a workers' tier talk."""
    body: dict[str, Any] = {
        "kind": "tier_talk",
        "tier": "workers",
        "topic": "夜班职工就餐与通勤",
        "scheduled_for": _later(),
        "place": "综合楼三楼会议室",
    }
    body.update(overrides)
    return body


def _schedule(client: TestClient, headers: Headers, **overrides: Any) -> str:
    created = client.post("/meetings", json=tier_talk(**overrides), headers=headers)
    assert created.status_code == 201, created.text
    meeting_id: str = created.json()["id"]
    return meeting_id


def _post(client: TestClient, path: str, headers: Headers, body: Any = None) -> dict[str, Any]:
    done = client.post(path, json=body, headers=headers)
    assert done.status_code in (200, 201), done.text
    result: dict[str, Any] = done.json()
    return result


def _held_talk_with_decision(client: TestClient, staff: Headers) -> str:
    meeting_id = _schedule(client, staff)
    person = _person()
    _post(client, f"/meetings/{meeting_id}/invite", staff, {"participants": [person]})
    _post(client, f"/meetings/{meeting_id}/hold", staff, {"attendance": [{"person_id": person}]})
    _post(client, f"/meetings/{meeting_id}/minutes", staff, {"minutes": "反映夜班就餐问题"})
    _post(client, f"/meetings/{meeting_id}/decisions", staff, {"decisions": ["延长供餐时间"]})
    return meeting_id


def test_a_tier_talk_goes_from_scheduled_to_published(client: TestClient, staff: Headers) -> None:
    created = client.post("/meetings", json=tier_talk(), headers=staff)
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    assert created.json()["version"] == 1
    assert created.headers["Location"] == f"/meetings/{meeting_id}"
    assert created.headers["ETag"] == '"1"'

    alice, bob = _person(), _person()
    steps: list[tuple[str, dict[str, Any] | None]] = [
        ("invite", {"participants": [alice, bob], "departments": ["后勤服务中心", "机电科"]}),
        (
            "hold",
            {
                "attendance": [
                    {"person_id": alice, "department": "后勤服务中心"},
                    {"person_id": bob},
                ]
            },
        ),
        ("minutes", {"minutes": "与会职工反映夜班就餐时间不足。"}),
        ("decisions", {"decisions": ["夜班供餐时间延长至40分钟", "增开通勤班车"]}),
        ("publish", None),
    ]
    last_position = created.json()["position"]
    for version, (command, payload) in enumerate(steps, start=2):
        done = client.post(f"/meetings/{meeting_id}/{command}", json=payload, headers=staff)
        assert done.status_code == 200, done.text
        assert done.json()["version"] == version
        assert done.headers["ETag"] == f'"{version}"'
        assert done.json()["position"] > last_position
        last_position = done.json()["position"]

    meeting = client.get(f"/meetings/{meeting_id}", headers=staff)
    assert meeting.status_code == 200
    assert meeting.headers["ETag"] == '"6"'
    state = meeting.json()
    assert state["status"] == "published"
    assert state["lead"] == "lead-union-vice-chair"
    assert state["absent_departments"] == ["机电科"]
    assert [d["ref"] for d in state["decisions"]] == ["D1", "D2"]
    assert state["published_at"] is not None

    earlier = client.get(f"/meetings/{meeting_id}?version=3", headers=staff)
    assert earlier.json()["status"] == "held"
    assert earlier.headers["ETag"] == '"3"'
    as_of = client.get(
        f"/meetings/{meeting_id}", params={"as_of": state["modified_at"]}, headers=staff
    )
    assert as_of.json()["version"] == 6

    history = client.get(f"/meetings/{meeting_id}/history", headers=staff).json()
    assert [e["type"] for e in history["events"]] == [
        "Scheduled",
        "Invited",
        "Held",
        "MinutesRecorded",
        "DecisionsRecorded",
        "Published",
    ]
    assert history["events"][2]["data"]["absent_departments"] == ["机电科"]


def test_an_appeal_raised_at_a_talk_carries_the_talk_and_its_tier(
    client: TestClient, staff: Headers
) -> None:
    meeting_id = _schedule(client, staff)
    body = {"kind": "suggestion", "category": "canteen", "title": "加开夜宵", "text": "夜班加餐"}

    raised = client.post(f"/meetings/{meeting_id}/appeals", json=body, headers=staff)

    assert raised.status_code == 201, raised.text
    appeal = client.get(raised.headers["Location"], headers=staff).json()
    assert appeal["channel"] == "talk_session"
    assert appeal["meeting_id"] == meeting_id
    assert appeal["tier"] == "workers"


def test_the_eleventh_participant_is_refused(client: TestClient, staff: Headers) -> None:
    meeting_id = _schedule(client, staff)
    _post(
        client,
        f"/meetings/{meeting_id}/invite",
        staff,
        {"participants": [_person() for _ in range(10)]},
    )

    refused = client.post(
        f"/meetings/{meeting_id}/invite", json={"participants": [_person()]}, headers=staff
    )

    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    problem = refused.json()
    assert problem["errors"][0]["field"] == "participants"
    assert "at most 10" in problem["detail"]


def test_a_repeat_participant_needs_an_override_reason(client: TestClient, staff: Headers) -> None:
    person = _person()
    first = _schedule(client, staff)
    _post(client, f"/meetings/{first}/invite", staff, {"participants": [person]})
    _post(client, f"/meetings/{first}/hold", staff, {"attendance": [{"person_id": person}]})
    second = _schedule(client, staff)

    refused = client.post(
        f"/meetings/{second}/invite", json={"participants": [person]}, headers=staff
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["people"] == [person]
    assert refused.json()["errors"][0]["field"] == "participants"

    reason = "该职工反映的问题尚未闭环，需再次参加"
    accepted = client.post(
        f"/meetings/{second}/invite",
        json={"participants": [person], "override_reason": reason},
        headers=staff,
    )
    assert accepted.status_code == 200, accepted.text
    history = client.get(f"/meetings/{second}/history", headers=staff).json()
    invited = history["events"][1]["data"]
    assert invited["override_reason"] == reason
    assert invited["repeat_participants"] == [person]

    coverage = client.get("/meetings/coverage/workers?population=1000000", headers=staff)
    assert coverage.status_code == 200
    assert coverage.json()["reached"] >= 1
    assert coverage.json()["complete"] is False


def test_an_action_item_is_rejected_with_a_reason_then_accepted(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    meeting_id = _held_talk_with_decision(client, staff)
    department = auth("logistics-head", Role.DEPARTMENT, departments=["后勤服务中心"])
    body = {
        "decision_ref": "D1",
        "task": "夜班供餐时间延长至40分钟",
        "department": "后勤服务中心",
        "deadline": _later(30),
        "acceptance_criteria": "连续两周夜班供餐不少于40分钟",
    }
    created = client.post(f"/meetings/{meeting_id}/action-items", json=body, headers=staff)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    assert created.headers["Location"] == f"/action-items/{item_id}"

    _post(client, f"/action-items/{item_id}/progress", department, {"note": "已协商供应商"})
    _post(client, f"/action-items/{item_id}/submit", department, {"note": "已执行一周"})
    _post(client, f"/action-items/{item_id}/reject", staff, {"reason": "未满两周"})
    assert client.get(f"/action-items/{item_id}", headers=staff).json()["status"] == "in_progress"
    _post(client, f"/action-items/{item_id}/submit", department, {"note": "已执行两周"})
    done = _post(client, f"/action-items/{item_id}/accept", staff, {"note": "符合标准"})
    assert done["version"] == 6

    item = client.get(f"/action-items/{item_id}", headers=staff)
    assert item.headers["ETag"] == '"6"'
    assert item.json()["status"] == "accepted"
    assert item.json()["rejections"][0]["text"] == "未满两周"
    history = client.get(f"/action-items/{item_id}/history", headers=staff).json()
    assert [e["type"] for e in history["events"]][-3:] == [
        "Rejected",
        "SubmittedForAcceptance",
        "Accepted",
    ]


def test_a_congress_proposal_is_assigned_and_completed(client: TestClient, staff: Headers) -> None:
    congress = _schedule(client, staff, kind="congress", tier=None, topic="第五届职代会")
    _post(client, f"/meetings/{congress}/invite", staff, {"departments": ["机电科"]})
    _post(
        client,
        f"/meetings/{congress}/hold",
        staff,
        {"attendance": [{"person_id": _person(), "department": "机电科"}]},
    )
    body = {
        "problem": "候车区无取暖",
        "solution": "加装暖风机",
        "department": "机电科",
        "deadline": _later(60),
    }
    proposal_id = _post(client, f"/meetings/{congress}/proposals", staff, body)["id"]

    _post(client, f"/proposals/{proposal_id}/assignment", staff, {"result": "交机电科办理"})
    completion = {"text": "已加装", "evidence_links": ["https://oa.example.com/docs/1"]}
    _post(client, f"/proposals/{proposal_id}/completion", staff, completion)

    proposal = client.get(f"/proposals/{proposal_id}", headers=staff)
    assert proposal.headers["ETag"] == '"3"'
    assert proposal.json()["status"] == "completed"
    assert proposal.json()["assignment_deadline"] is not None
    events = client.get(f"/proposals/{proposal_id}/history", headers=staff).json()["events"]
    assert [e["type"] for e in events] == [
        "Registered",
        "AssignmentPublished",
        "CompletionReported",
    ]


def test_a_stale_if_match_is_refused_with_412(client: TestClient, staff: Headers) -> None:
    meeting_id = _schedule(client, staff)
    _post(client, f"/meetings/{meeting_id}/invite", staff, {"participants": [_person()]})

    stale = client.post(
        f"/meetings/{meeting_id}/invite",
        json={"participants": [_person()]},
        headers={**staff, "If-Match": '"1"'},
    )

    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    assert "version 2" in stale.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/meetings/{id}", "/action-items/{id}", "/proposals/{id}/history"]
)
def test_an_unknown_id_is_404(client: TestClient, staff: Headers, path: str) -> None:
    response = client.get(path.format(id=uuid.uuid4()), headers=staff)

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_a_meeting_is_not_an_action_item(client: TestClient, staff: Headers) -> None:
    meeting_id = _schedule(client, staff)

    assert client.get(f"/action-items/{meeting_id}", headers=staff).status_code == 404


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"tier": "generals"}, "tier"),
        ({"topic": ""}, "topic"),
        ({"topic": "   "}, "topic"),
        ({"scheduled_for": "2026-12-01T15:00:00"}, "scheduled_for"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_meeting_fields_are_named_in_the_problem(
    client: TestClient, staff: Headers, override: dict[str, object], field: str
) -> None:
    response = client.post("/meetings", json=tier_talk(**override), headers=staff)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert any(error["field"] == field for error in response.json()["errors"]), response.json()

"""The reported leak, over HTTP: talk minutes carrying the name and phone number of an
appellant raised at the talk are refused wherever they would go public, and nothing of them
reaches the public feeds (`/public/disclosures`, both Atom feeds, a disclosure's history)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from application.clock import ManualClock
from domain.actors import Role
from domain.meeting import Meeting
from tests.api.conftest import Headers
from tests.conftest import open_department

PROBLEM = "application/problem+json"
NAME, PHONE = "王建国", "13655554444"
#: What the minutes of the reported leak said: the name, and the phone written with dashes.
LEAKY_MINUTES = f"职工{NAME}反映夜班食堂供餐时间太短，联系电话136-5555-4444，现场已答复。"


@pytest.fixture
def member(auth: Callable[..., Headers]) -> Headers:
    """A union committee member, who reviews disclosures."""
    return auth("committee-publication", Role.COMMITTEE)


def _post(client: TestClient, path: str, headers: Headers, body: Any = None) -> dict[str, Any]:
    done = client.post(path, json=body, headers=headers)
    assert done.status_code in (200, 201), done.text
    result: dict[str, Any] = done.json()
    return result


def _talk_with_appeal(client: TestClient, staff: Headers, department: str) -> str:
    """A held workers' talk at which 王建国 raised a named appeal, phone 13655554444."""
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    talk = {"kind": "tier_talk", "tier": "workers", "topic": "夜班职工就餐", "place": "工会活动室"}
    meeting_id = str(_post(client, "/meetings", staff, {**talk, "scheduled_for": later})["id"])
    person = f"E{uuid.uuid4().hex[:10]}"
    invite = {"participants": [person], "departments": [department]}
    _post(client, f"/meetings/{meeting_id}/invite", staff, invite)
    _post(client, f"/meetings/{meeting_id}/hold", staff, {"attendance": [{"person_id": person}]})
    appeal = {
        "kind": "complaint",
        "category": "canteen",
        "title": "夜班食堂供餐时间太短",
        "text": "夜班下井前食堂只开放20分钟，来不及吃饭。",
        "appellant": {"name": NAME, "employee_no": "E10234", "contact": PHONE},
    }
    _post(client, f"/meetings/{meeting_id}/appeals", staff, appeal)
    return meeting_id


def _refusal(response: Any, field: str, found: str) -> None:
    """A 422 problem naming the field and the kind of data found, echoing none of it."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["errors"] == [
        {"field": field, "message": f"contains {found}; public text carries no personal data"}
    ]
    assert NAME not in response.text
    assert "5555" not in response.text


@pytest.mark.parametrize(
    ("minutes", "found"),
    [
        (LEAKY_MINUTES, "an appellant's name"),
        ("职工反映夜班供餐问题，联系电话136 5555 4444。", "an appellant's contact"),
        ("职工反映夜班供餐问题，联系电话１３６５５５５４４４４。", "an appellant's contact"),
        ("职工王 建 国反映夜班供餐问题。", "an appellant's name"),
    ],
)
def test_minutes_carrying_the_appellants_identity_are_refused_when_recorded(
    client: TestClient, staff: Headers, services: Services, minutes: str, found: str
) -> None:
    meeting_id = _talk_with_appeal(client, staff, open_department(services.casework, "后勤"))

    response = client.post(
        f"/meetings/{meeting_id}/minutes", json={"minutes": minutes}, headers=staff
    )

    _refusal(response, "minutes", found)
    assert client.get(f"/meetings/{meeting_id}", headers=staff).json()["minutes"] is None


def test_minutes_stored_before_the_rule_are_neither_published_nor_disclosed(
    client: TestClient,
    staff: Headers,
    member: Headers,
    services: Services,
    clock: ManualClock,
) -> None:
    department = open_department(services.casework, "后勤")
    meeting_id = _talk_with_appeal(client, staff, department)
    meeting = services.meetings.get_meeting(uuid.UUID(meeting_id))
    stored = {"actor_id": "union-clerk-1", "actor_role": "union_staff", "timestamp": clock()}
    meeting.trigger_event(Meeting.MinutesRecorded, minutes=LEAKY_MINUTES, **stored)
    services.casework.save(meeting)  # as a release without the rule recorded them

    publish = client.post(f"/meetings/{meeting_id}/publish", headers=staff)

    _refusal(publish, "minutes", "an appellant's name")
    meeting = services.meetings.get_meeting(uuid.UUID(meeting_id))
    meeting.trigger_event(Meeting.Published, **stored)
    services.casework.save(meeting)  # and published them

    proposal = {"subject_type": "meeting_minutes", "subject": meeting_id, "title": "夜班慧谈纪要"}
    minutes = client.post("/disclosures", json=proposal, headers=staff)
    items = {
        "subject_type": "action_items",
        "subject": meeting_id,
        "title": "协作事项清单",
        "body": "夜班供餐延长至40分钟，联系人电话 136 5555 4444。",
        "departments": [department],
    }
    item_list = client.post("/disclosures", json=items, headers=staff)

    _refusal(minutes, "body", "an appellant's name")
    _refusal(item_list, "body", "an appellant's contact")
    _nothing_public_but_a_clean_notice(client, staff, member, department, meeting_id)


def _nothing_public_but_a_clean_notice(
    client: TestClient, staff: Headers, member: Headers, department: str, meeting_id: str
) -> None:
    """A clean item list of the same talk goes public; nothing else of it does."""
    clean = {
        "subject_type": "action_items",
        "subject": meeting_id,
        "title": "协作事项清单",
        "body": "夜班供餐时间自12月1日起延长至40分钟。",
        "departments": [department],
    }
    created = _post(client, "/disclosures", staff, clean)
    _post(client, f"/disclosures/{created['id']}/approve", member)
    published = _post(client, f"/disclosures/{created['id']}/publish", staff)
    after = {"after": published["position"]}

    feed = client.get("/public/disclosures", params={"department": department, **after})
    overall = client.get("/public/disclosures.atom", params=after)
    own = client.get(f"/public/departments/{quote(department)}/disclosures.atom", params=after)
    history = client.get(f"/disclosures/{created['id']}/history")

    assert [item["id"] for item in feed.json()["items"]] == [created["id"]]
    for response in (feed, overall, own, history):
        assert response.status_code == 200
        assert f"{NAME}反映" not in response.text
        assert "136-5555-4444" not in response.text
        assert "136 5555 4444" not in response.text
    assert "5555" not in feed.text + own.text + history.text  # this talk's department's own

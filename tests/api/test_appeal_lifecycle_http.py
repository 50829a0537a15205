"""An appeal's whole life over HTTP, as the OA system and the union office drive it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from domain.actors import Role
from tests.api.conftest import Headers, named_appeal


def test_a_named_appeal_goes_from_raised_to_closed(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    created = client.post("/appeals", json=named_appeal(), headers=staff)
    assert created.status_code == 201
    body = created.json()
    appeal_id = body["id"]
    assert body["case_number"].startswith("HY-20")
    assert body["version"] == 1
    assert body["position"] >= 1
    assert "receipt_code" not in body
    assert created.headers["Location"] == f"/appeals/{appeal_id}"

    department = auth("logistics-head", Role.DEPARTMENT, departments=["后勤服务中心"])
    appellant = auth("E10234", Role.EMPLOYEE)
    steps: list[tuple[str, dict[str, object], Headers]] = [
        ("transfer", {"department": "后勤服务中心", "supervisor": "union-vice-chair"}, staff),
        ("acknowledge", {"note": "已收到"}, department),
        (
            "reply",
            {"answer": "供餐延长至40分钟", "basis": "《后勤服务管理办法》第12条"},
            department,
        ),
        ("publish", {"public_text": "夜班供餐时间自12月1日起延长至40分钟"}, staff),
        ("rate", {"rating": "satisfied", "comment": "谢谢"}, appellant),
        ("close", {"outcome": "resolved"}, staff),
    ]
    last_position = body["position"]
    for version, (command, payload, headers) in enumerate(steps, start=2):
        done = client.post(f"/appeals/{appeal_id}/{command}", json=payload, headers=headers)
        assert done.status_code == 200, done.text
        assert done.json()["version"] == version
        assert done.json()["position"] > last_position
        last_position = done.json()["position"]

    appeal = client.get(f"/appeals/{appeal_id}", headers=staff)
    assert appeal.status_code == 200
    assert appeal.headers["ETag"] == '"7"'
    state = appeal.json()
    assert state["status"] == "closed"
    assert state["outcome"] == "resolved"
    assert state["rating"] == "satisfied"
    assert state["reply"]["basis"] == "《后勤服务管理办法》第12条"
    assert state["reply_deadline"]["rule"] == "reply.default"
    assert state["response_deadline"]["rule"] == "response.grid-liaison"
    assert state["appellant"]["name"] == "王建国"


def test_history_lists_every_event_with_actor_and_time(client: TestClient, staff: Headers) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "人力资源部", "supervisor": "hr-head"},
        headers=staff,
    )

    history = client.get(f"/appeals/{appeal_id}/history", headers=staff).json()

    assert [e["type"] for e in history["events"]] == ["Raised", "Transferred"]
    assert [e["version"] for e in history["events"]] == [1, 2]
    assert history["events"][0]["actor"] == {"id": "union-clerk-1", "role": "union_staff"}
    assert history["events"][1]["data"]["department"] == "人力资源部"
    assert history["events"][1]["data"]["reply_deadline"]["rule"] == "reply.default"
    assert history["events"][0]["time"].endswith(("Z", "+00:00"))


def test_appellant_identity_is_hidden_from_roles_that_may_not_see_it(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    # The department handling the appeal may read it, but not who raised it.
    department = auth("finance-head", Role.DEPARTMENT, departments=["Finance"])
    steps: list[tuple[str, dict[str, object], Headers]] = [
        ("transfer", {"department": "Finance", "supervisor": "s"}, staff),
        ("reply", {"answer": "已核对", "basis": "财务制度"}, department),
        ("publish", {"public_text": "已核对并答复"}, staff),
        ("rate", {"rating": "satisfied"}, auth("E10234", Role.EMPLOYEE)),
    ]
    for command, payload, headers in steps:
        done = client.post(f"/appeals/{appeal_id}/{command}", json=payload, headers=headers)
        assert done.status_code == 200, done.text

    state = client.get(f"/appeals/{appeal_id}", headers=department).json()
    history = client.get(f"/appeals/{appeal_id}/history", headers=department).json()

    assert state["appellant"] is None
    assert state["anonymous"] is False
    assert history["events"][0]["data"]["appellant"] == {
        "name": "(hidden)",
        "employee_no": "(hidden)",
        "contact": "(hidden)",
    }
    assert "王建国" not in str(history)
    # The appellant acting (rating) shows as `appellant`, not by their employee number.
    assert history["events"][-1]["type"] == "Rated"
    assert history["events"][-1]["actor"] == {"id": "appellant", "role": "employee"}
    assert "E10234" not in str(history)
    # Union staff may see who it is.
    seen = client.get(f"/appeals/{appeal_id}/history", headers=staff).json()
    assert seen["events"][-1]["actor"] == {"id": "E10234", "role": "employee"}


def test_dissatisfied_rating_sends_the_appeal_back_to_the_department(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    appeal_id = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    department = auth("logistics-head", Role.DEPARTMENT, departments=["后勤服务中心"])
    client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "后勤服务中心", "supervisor": "s"},
        headers=staff,
    )
    client.post(
        f"/appeals/{appeal_id}/reply", json={"answer": "a", "basis": "b"}, headers=department
    )
    client.post(f"/appeals/{appeal_id}/publish", json={"public_text": "公示"}, headers=staff)

    rated = client.post(
        f"/appeals/{appeal_id}/rate",
        json={"rating": "dissatisfied"},
        headers=auth("E10234", Role.EMPLOYEE),
    )

    assert rated.status_code == 200
    state = client.get(f"/appeals/{appeal_id}", headers=staff).json()
    assert state["status"] == "transferred"
    assert state["reopen_count"] == 1
    assert state["responsible_department"] == "后勤服务中心"
    assert state["reply_deadline"]["rule"] == "reply.default"


def test_suggestion_can_be_declined_with_an_explanation(client: TestClient, staff: Headers) -> None:
    appeal_id = client.post(
        "/appeals", json=named_appeal(kind="suggestion", title="井口加装照明"), headers=staff
    ).json()["id"]

    declined = client.post(
        f"/appeals/{appeal_id}/decline", json={"explanation": "不符合防爆要求"}, headers=staff
    )

    assert declined.status_code == 200
    state = client.get(f"/appeals/{appeal_id}", headers=staff).json()
    assert (state["status"], state["outcome"]) == ("closed", "declined")
    assert state["closing_note"] == "不符合防爆要求"

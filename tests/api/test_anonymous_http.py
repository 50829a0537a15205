"""Anonymous appeals: no identity anywhere; the receipt code follows, reads and rates."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from domain.actors import Role
from tests.api.conftest import Headers


def anonymous_appeal() -> dict[str, object]:
    return {
        "channel": "anonymous_box",
        "kind": "complaint",
        "category": "management",
        "title": "班组长分配任务不公",
        "text": "同一班组的重活总是分给同几个人。",
        "department": "综采一队",
    }


def test_anonymous_appeal_gets_a_receipt_and_records_no_identity(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    employee = auth("E20001", Role.EMPLOYEE)
    created = client.post("/appeals", json=anonymous_appeal(), headers=employee)

    assert created.status_code == 201
    code = created.json()["receipt_code"]
    assert len(code.replace("-", "")) == 16
    staff = auth("union-clerk-2", Role.UNION_STAFF)
    history = client.get(f"/appeals/{created.json()['id']}/history", headers=staff).json()
    raised = history["events"][0]
    assert raised["actor"] == {"id": "anonymous", "role": "employee"}
    assert raised["data"]["appellant"] is None
    assert code not in str(history)
    assert "E20001" not in str(history)
    state = client.get(f"/appeals/{created.json()['id']}", headers=staff).json()
    assert state["anonymous"] is True
    assert state["appellant"] is None


def test_receipt_holder_follows_reads_and_rates_the_answer(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    created = client.post(
        "/appeals", json=anonymous_appeal(), headers=auth("E20002", Role.EMPLOYEE)
    ).json()
    code, appeal_id = created["receipt_code"], created["id"]
    staff = auth("union-clerk-3", Role.UNION_STAFF)
    department = auth("team-1-head", Role.DEPARTMENT, departments=["综采一队"])
    steps: list[tuple[str, dict[str, str], Headers]] = [
        ("transfer", {"department": "综采一队", "supervisor": "s"}, staff),
        ("reply", {"answer": "已建立轮换登记表", "basis": "《班组管理规定》"}, department),
        ("publish", {"public_text": "已建立重活轮换登记"}, staff),
    ]
    for command, payload, headers in steps:
        done = client.post(f"/appeals/{appeal_id}/{command}", json=payload, headers=headers)
        assert done.status_code == 200, done.text

    followed = client.get(f"/receipts/{code}")
    rated = client.post(f"/receipts/{code.lower()}/rate", json={"rating": "basically_satisfied"})

    assert followed.status_code == 200
    assert followed.json()["answer"] == "已建立轮换登记表"
    assert followed.json()["status"] == "published"
    assert "id" not in followed.json()
    assert rated.status_code == 200
    history = client.get(f"/appeals/{appeal_id}/history", headers=staff).json()
    assert history["events"][-1]["type"] == "Rated"
    assert history["events"][-1]["actor"]["id"] == "anonymous"


def test_a_wrong_receipt_code_finds_nothing(client: TestClient) -> None:
    response = client.get("/receipts/AAAA-BBBB-CCCC-DDDD")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_staff_cannot_rate_an_anonymous_appeal_in_its_name(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    created = client.post(
        "/appeals", json=anonymous_appeal(), headers=auth("E20003", Role.EMPLOYEE)
    ).json()
    staff = auth("union-clerk-4", Role.UNION_STAFF)
    appeal_id = created["id"]
    department = auth("d-head", Role.DEPARTMENT, departments=["d"])
    steps: list[tuple[str, dict[str, str], Headers]] = [
        ("transfer", {"department": "d", "supervisor": "s"}, staff),
        ("reply", {"answer": "a", "basis": "b"}, department),
        ("publish", {"public_text": "p"}, staff),
    ]
    for command, payload, headers in steps:
        done = client.post(f"/appeals/{appeal_id}/{command}", json=payload, headers=headers)
        assert done.status_code == 200, done.text

    response = client.post(
        f"/appeals/{appeal_id}/rate", json={"rating": "satisfied"}, headers=staff
    )

    assert response.status_code == 403
    assert "receipt code" in response.json()["detail"]

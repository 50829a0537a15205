"""Who may see who a case names is decided once (`domain.policy.may_see_identity`), on the
case as it stands now: an earlier version, the history and the current case agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from domain.actors import Role
from tests.api.conftest import Headers, named_appeal

SUPERVISOR_ID = "s-liu"
HIDDEN = {"name": "(hidden)", "employee_no": "(hidden)", "contact": "(hidden)"}
SHOWN = {"name": "王建国", "employee_no": "E10234", "contact": "13800001234"}


def transferred_appeal(client: TestClient, staff: Headers) -> str:
    """A named appeal, transferred naming its supervisor (so at version 1 it had none)."""
    appeal_id: str = client.post("/appeals", json=named_appeal(), headers=staff).json()["id"]
    done = client.post(
        f"/appeals/{appeal_id}/transfer",
        json={"department": "Finance", "supervisor": SUPERVISOR_ID},
        headers=staff,
    )
    assert done.status_code == 200, done.text
    return appeal_id


def test_the_supervisor_sees_the_appellant_in_every_version_as_in_the_history(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    appeal_id = transferred_appeal(client, staff)
    supervisor = auth(SUPERVISOR_ID, Role.SUPERVISOR)

    now = client.get(f"/appeals/{appeal_id}", headers=supervisor).json()
    before = client.get(f"/appeals/{appeal_id}?version=1", headers=supervisor).json()
    history = client.get(f"/appeals/{appeal_id}/history", headers=supervisor).json()

    assert before["version"] == 1
    assert before["supervisor"] is None
    assert now["appellant"] == before["appellant"] == SHOWN
    assert history["events"][0]["data"]["appellant"] == SHOWN


def test_the_handling_department_sees_no_appellant_in_any_version(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    appeal_id = transferred_appeal(client, staff)
    department = auth("finance-head", Role.DEPARTMENT, departments=["Finance"])

    now = client.get(f"/appeals/{appeal_id}", headers=department).json()
    before = client.get(f"/appeals/{appeal_id}?version=1", headers=department).json()
    history = client.get(f"/appeals/{appeal_id}/history", headers=department).json()

    assert now["appellant"] is None
    assert before["appellant"] is None
    assert history["events"][0]["data"]["appellant"] == HIDDEN


def test_an_attendee_sees_who_an_earlier_version_named_as_they_see_the_meeting_now(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    scheduled_for = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = {"kind": "congress", "topic": "第五届职代会", "scheduled_for": scheduled_for}
    meeting_id = client.post("/meetings", json={**body, "place": "礼堂"}, headers=staff).json()[
        "id"
    ]
    steps = [
        ("invite", {"participants": ["E-invited"]}),
        ("hold", {"attendance": [{"person_id": "E-invited"}, {"person_id": "E-walk-in"}]}),
    ]
    for command, payload in steps:
        done = client.post(f"/meetings/{meeting_id}/{command}", json=payload, headers=staff)
        assert done.status_code == 200, done.text
    walk_in = auth("E-walk-in", Role.EMPLOYEE)  # came without an invitation (version 3)

    now = client.get(f"/meetings/{meeting_id}", headers=walk_in).json()
    before = client.get(f"/meetings/{meeting_id}?version=2", headers=walk_in).json()

    assert now["participants"] == before["participants"] == ["E-invited"]

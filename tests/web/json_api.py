"""Setting up cases for page tests through the JSON API, as its clients would: the same app
the pages run in, with a bearer token per role."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from domain.actors import Role
from tests.api.conftest import named_appeal

SUPERVISOR = "union-vice-chair"


class JsonApi:
    """The JSON API beside the pages, called with a token for each role."""

    def __init__(
        self, client: TestClient, token_for: Callable[..., str], now: Callable[[], datetime]
    ) -> None:
        self.client = client
        self.token_for = token_for
        self.now = now
        self._headers: dict[tuple[str, Role, tuple[str, ...]], dict[str, str]] = {}

    def as_(self, actor_id: str, role: Role, departments: tuple[str, ...] = ()) -> dict[str, str]:
        """The Authorization header of `actor_id` in `role` (granted once)."""
        key = (actor_id, role, departments)
        if key not in self._headers:
            token = self.token_for(actor_id, role, departments=departments)
            self._headers[key] = {"Authorization": f"Bearer {token}"}
        return self._headers[key]

    def staff(self) -> dict[str, str]:
        """Union staff."""
        return self.as_("union-clerk-1", Role.UNION_STAFF)

    def get(self, path: str, headers: dict[str, str], **params: Any) -> Any:
        """GETs JSON, which must be there."""
        response = self.client.get(path, headers=headers, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, headers: dict[str, str], body: Any = None) -> dict[str, Any]:
        """POSTs a command, which must succeed; its result."""
        response: httpx.Response = self.client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    def raise_appeal(self, title: str, department: str = "") -> dict[str, Any]:
        """A named appeal raised by union staff."""
        body = named_appeal(title=title, department=department)
        return self.post("/appeals", self.staff(), body)

    def transfer(self, appeal_id: str, department: str, deadline: datetime | None = None) -> Any:
        """Transfers the appeal to `department`, with an explicit deadline if given."""
        body: dict[str, Any] = {"department": department, "supervisor": SUPERVISOR}
        if deadline is not None:
            body["deadline"] = deadline.isoformat()
        return self.post(f"/appeals/{appeal_id}/transfer", self.staff(), body)

    def action_item(self, department: str, task: str, deadline: datetime) -> dict[str, Any]:
        """An action item for `department` from a held talk's decision."""
        staff = self.staff()
        talk = {
            "kind": "tier_talk",
            "tier": "workers",
            "topic": "夜班职工就餐与通勤",
            "scheduled_for": (self.now() + timedelta(days=1)).isoformat(),
            "place": "综合楼三楼会议室",
        }
        meeting = self.post("/meetings", staff, talk)["id"]
        person = f"E{uuid.uuid4().hex[:10]}"
        self.post(f"/meetings/{meeting}/invite", staff, {"participants": [person]})
        self.post(f"/meetings/{meeting}/hold", staff, {"attendance": [{"person_id": person}]})
        self.post(f"/meetings/{meeting}/minutes", staff, {"minutes": "反映夜班就餐问题"})
        self.post(f"/meetings/{meeting}/decisions", staff, {"decisions": ["延长供餐时间"]})
        body = {
            "decision_ref": "D1",
            "task": task,
            "department": department,
            "deadline": deadline.isoformat(),
            "acceptance_criteria": "连续两周夜班供餐不少于40分钟",
        }
        return self.post(f"/meetings/{meeting}/action-items", staff, body)

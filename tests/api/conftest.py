"""HTTP tests: the real app over the session's services, through FastAPI's test client."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from application.clock import ManualClock
from domain.actors import Role
from domain.terms import Tier
from tests.conftest import SETUP

Headers = dict[str, str]


@pytest.fixture
def client(services: Services, clock: ManualClock) -> Iterator[TestClient]:
    """An HTTP client of the API."""
    with TestClient(create_app(services=services)) as test_client:
        yield test_client


@pytest.fixture
def auth(services: Services) -> Callable[..., Headers]:
    """Grants the role in the directory (a department handler names `departments`, a
    supervisor may name `tiers`), issues a token and returns the Authorization header."""

    def issue(
        actor_id: str = "union-clerk-1",
        role: Role = Role.UNION_STAFF,
        *,
        departments: Sequence[str] = (),
        tiers: Sequence[Tier] = (),
    ) -> Headers:
        if role is not Role.EMPLOYEE:
            services.casework.directory.grant(
                actor_id, role, departments=tuple(departments), tiers=tuple(tiers), actor=SETUP
            )
        token = services.credentials.issue(actor_id, role).token
        return {"Authorization": f"Bearer {token}"}

    return issue


@pytest.fixture
def staff(auth: Callable[..., Headers]) -> Headers:
    """Union staff, who register and transfer appeals."""
    return auth("union-clerk-1", Role.UNION_STAFF)


def named_appeal(**overrides: Any) -> dict[str, Any]:
    """A valid body for a named appeal."""
    body: dict[str, Any] = {
        "channel": "grid_liaison",
        "kind": "complaint",
        "category": "canteen",
        "title": "夜班食堂供餐时间太短",
        "text": "夜班下井前食堂只开放20分钟，来不及吃饭。",
        "department": "后勤服务中心",
        "appellant": {"name": "王建国", "employee_no": "E10234", "contact": "13800001234"},
    }
    body.update(overrides)
    return body

"""`POST /webhooks/{id}/test`: a test message to one endpoint, whatever its kinds and filters,
recorded like every notice (one delivery, to it alone); a removed endpoint is refused, a
paused one's test is held. That a running sender delivers it, signed: the integration test
tests/integration/test_webhook_test_message.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.actors import Role
from infrastructure.database import conninfo
from tests.api.conftest import Headers

PROBLEM = "application/problem+json"


@pytest.fixture
def admin(auth: Callable[..., Headers]) -> Headers:
    """The admin, who keeps the endpoints."""
    return auth("wt-admin", Role.ADMIN)


def register(client: TestClient, admin: Headers, **overrides: Any) -> str:
    body = {"name": "OA", "target": "https://oa.example.cn/huiyin", "kinds": ["card"]}
    answer = client.post("/webhooks", json={**body, **overrides}, headers=admin)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def recipients(services: Services, delivery: str) -> list[tuple[str, str, str]]:
    """Every delivery of the delivery's notice: (endpoint, kind, key)."""
    with psycopg.connect(conninfo(services.database_url)) as conn:
        rows = conn.execute(
            "SELECT d.endpoint_id::text, n.kind, n.key FROM huiyin_webhook_deliveries d"
            " JOIN huiyin_notices n ON n.id = d.notice_id WHERE d.notice_id ="
            " (SELECT notice_id FROM huiyin_webhook_deliveries WHERE id = %s)",
            (delivery,),
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def test_a_test_goes_to_that_endpoint_alone_whatever_its_kinds_and_filters(
    client: TestClient, admin: Headers, services: Services
) -> None:
    filtered = register(client, admin, tiers=["workers"], kinds=["reminder"])
    register(client, admin, name="另一个")  # unfiltered, of another kind: not sent the test

    answer = client.post(f"/webhooks/{filtered}/test", headers=admin)
    body = answer.json()
    shown = client.get(body["link"], headers=admin)

    assert answer.status_code == 202, answer.text
    assert body["endpoint_id"] == filtered
    assert body["held"] is False
    assert body["status"] == "pending"
    assert body["link"] == f"/webhooks/deliveries/{body['delivery_id']}"
    assert answer.headers["Location"] == body["link"]
    assert shown.status_code == 200
    assert shown.json()["kind"] == "test"
    assert shown.json()["webhook_id"] == body["webhook_id"]
    [(endpoint, kind, key)] = recipients(services, body["delivery_id"])
    assert (endpoint, kind) == (filtered, "test")
    assert key.startswith("test:")
    again = client.post(f"/webhooks/{filtered}/test", headers=admin).json()
    assert again["delivery_id"] != body["delivery_id"]  # a new notice each time


def test_a_paused_endpoints_test_is_recorded_and_held(client: TestClient, admin: Headers) -> None:
    endpoint = register(client, admin)
    version = client.get(f"/webhooks/{endpoint}", headers=admin).headers["ETag"]
    client.post(f"/webhooks/{endpoint}/pause", headers={**admin, "If-Match": version})

    answer = client.post(f"/webhooks/{endpoint}/test", headers=admin)

    assert answer.status_code == 202, answer.text
    assert answer.json()["held"] is True
    assert answer.json()["status"] == "pending"
    assert "paused" in answer.json()["message"]


def test_an_unknown_endpoint_is_404_and_a_removed_one_409(
    client: TestClient, admin: Headers, services: Services
) -> None:
    endpoint = register(client, admin)
    version = client.get(f"/webhooks/{endpoint}", headers=admin).headers["ETag"]
    client.delete(f"/webhooks/{endpoint}", headers={**admin, "If-Match": version})

    unknown = client.post(f"/webhooks/{uuid.uuid4()}/test", headers=admin)
    removed = client.post(f"/webhooks/{endpoint}/test", headers=admin)

    assert unknown.status_code == 404
    assert removed.status_code == 409
    assert removed.headers["Content-Type"].startswith(PROBLEM)
    page = client.get(f"/webhooks/{endpoint}/deliveries", headers=admin).json()
    assert page["items"] == []


def test_only_the_admin_tests_and_test_is_no_kind_to_subscribe_to(
    client: TestClient, admin: Headers, auth: Callable[..., Headers]
) -> None:
    endpoint = register(client, admin)
    auditor = auth("wt-auditor", Role.AUDITOR)

    refused = client.post(f"/webhooks/{endpoint}/test", headers=auditor)
    subscribed = client.post(
        "/webhooks",
        json={"name": "x", "target": "https://oa.example.cn/x", "kinds": ["test"]},
        headers=admin,
    )

    assert refused.status_code == 403
    assert refused.json()["permission"] == "webhook.manage"
    assert subscribed.status_code == 422

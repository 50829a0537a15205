"""The health check: up, the head of the event sequence, and the calendar's projected years."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from application.clock import ManualClock
from domain.calendar import CHINA_TZ
from tests.outbox import put_delivery

#: A year whose published schedule no release of `holidays` will hold for years to come.
FAR = 2031


def test_health_names_the_years_whose_deadlines_are_counted_on_a_projection(
    client: TestClient, clock: ManualClock
) -> None:
    clock.set(datetime(FAR, 11, 22, 9, tzinfo=CHINA_TZ))  # deadlines may reach into FAR + 1

    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["calendar_projected_years"] == [FAR, FAR + 1]


def test_health_names_none_while_the_calendar_holds_the_published_schedule(
    client: TestClient, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, tzinfo=CHINA_TZ))  # the package holds 2026

    assert client.get("/health").json()["calendar_projected_years"] == []


def test_health_shows_the_outbox_when_notices_are_on(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        services, "settings", services.settings.model_copy(update={"notices": True})
    )
    put_delivery(services.database_url, None, "pending")
    put_delivery(services.database_url, None, "dead", tries=3)

    outbox = client.get("/health").json()["outbox"]

    assert outbox["pending"] >= outbox["due"] >= 1
    assert outbox["dead"] >= 1
    assert outbox["oldest_due_seconds"] > 0  # due since it was put, and nobody sends here
    assert set(outbox) == {"pending", "due", "dead", "oldest_due_seconds", "decided_position"}


def test_health_has_no_outbox_when_notices_are_off(client: TestClient) -> None:
    assert client.get("/health").json()["outbox"] is None

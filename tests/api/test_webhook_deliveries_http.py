"""Deliveries over HTTP: listed per endpoint and across endpoints by state, in pages; one
with its attempts; a dead one sent again, now, waking the sender; anything else refused.
Notices and deliveries are put in the outbox by SQL (`tests.outbox`), as the deciders and the
sender would."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.actors import Role
from infrastructure.database import conninfo
from tests.api.conftest import Headers
from tests.api.test_webhooks_http import PROBLEM, outbox, register


@pytest.fixture
def admin(auth: Callable[..., Headers]) -> Headers:
    """The admin, who replays deliveries."""
    return auth("wh-admin", Role.ADMIN)


def test_deliveries_are_listed_per_endpoint_and_by_state_in_pages(
    client: TestClient, admin: Headers, services: Services
) -> None:
    made = register(client, admin)
    ours = [outbox(services, made["id"], s) for s in ("delivered", "dead", "dead")]
    path = f"/webhooks/{made['id']}/deliveries"
    first = client.get(path, params={"limit": "2"}, headers=admin).json()
    second = client.get(
        path, params={"limit": "2", "cursor": first["next_cursor"]}, headers=admin
    ).json()
    dead = client.get(
        "/webhooks/deliveries", params={"status": "dead", "limit": "200"}, headers=admin
    )

    assert [d["id"] for d in first["items"] + second["items"]] == ours[::-1]
    assert second["next_cursor"] is None
    dead_ids = {d["id"] for d in dead.json()["items"]}
    assert set(ours[1:]) <= dead_ids
    assert ours[0] not in dead_ids
    assert {d["status"] for d in dead.json()["items"]} == {"dead"}
    assert first["items"][0]["endpoint_name"] == "值班群"


def test_a_delivery_shows_its_attempts_and_its_webhook_id(
    client: TestClient, admin: Headers, services: Services
) -> None:
    made = register(client, admin)
    dead = outbox(services, made["id"], "dead", tries=2)
    one = client.get(f"/webhooks/deliveries/{dead}", headers=admin).json()

    assert [a["number"] for a in one["tries"]] == [1, 2]
    assert one["tries"][0]["status_code"] == 503
    assert one["webhook_id"] == "msg_" + uuid.UUID(one["notice_id"]).hex
    assert (one["kind"], one["case_type"], one["attempts"]) == ("overdue", "appeal", 2)


def test_a_dead_delivery_is_sent_again_now_and_the_sender_is_woken(
    client: TestClient, admin: Headers, services: Services
) -> None:
    made = register(client, admin)
    dead = outbox(services, made["id"], "dead", tries=3)
    before = client.get(f"/webhooks/deliveries/{dead}", headers=admin).json()
    with psycopg.connect(conninfo(services.database_url), autocommit=True) as listener:
        listener.execute("LISTEN huiyin_outbox")
        retried = client.post(f"/webhooks/deliveries/{dead}/retry", headers=admin)
        woken = list(listener.notifies(timeout=5, stop_after=1))

    assert retried.status_code == 200, retried.text
    after = retried.json()
    assert (after["status"], after["dead_at"], after["attempts"]) == ("pending", None, 3)
    assert after["since"] > before["since"]
    assert after["next_attempt_at"] == after["since"]
    assert [n.channel for n in woken] == ["huiyin_outbox"]
    assert len(after["tries"]) == 3


@pytest.mark.parametrize("status", ["delivered", "pending"])
def test_a_delivery_that_is_not_dead_is_not_retried(
    client: TestClient, admin: Headers, services: Services, status: str
) -> None:
    made = register(client, admin)
    delivery = outbox(services, made["id"], status)
    answer = client.post(f"/webhooks/deliveries/{delivery}/retry", headers=admin)

    assert (answer.status_code, answer.headers["content-type"]) == (409, PROBLEM)
    assert answer.json()["state"] == status


def test_a_dropped_delivery_is_retried_only_while_its_endpoint_is_active(
    client: TestClient, admin: Headers, services: Services
) -> None:
    made = register(client, admin)
    dropped = outbox(services, made["id"], "dropped")
    client.post(f"/webhooks/{made['id']}/pause", headers=admin)
    while_paused = client.post(f"/webhooks/deliveries/{dropped}/retry", headers=admin)
    client.post(f"/webhooks/{made['id']}/resume", headers=admin)
    when_active = client.post(f"/webhooks/deliveries/{dropped}/retry", headers=admin)

    assert while_paused.status_code == 409
    assert "resume it first" in while_paused.json()["detail"]
    assert when_active.json()["status"] == "pending"

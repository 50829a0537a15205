"""An admin's test message, end to end: recorded through the use case and the outbox's one
insert, then delivered by a running sender to a real receiver on loopback, signed per
Standard Webhooks, to that endpoint alone (not to another endpoint subscribed to every kind
the first one takes)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from application.webhooks import Webhooks
from domain.actors import Actor, Role
from infrastructure.webhook_endpoints import WebhookEndpoints
from tests.outbox_rows import (
    STORE_KEY,
    add_endpoint,
    attempts,
    drop_pending,
    new_secret,
    outbox_database,
    sender,
    sender_settings,
    statuses,
)
from tests.polling import until
from tests.receivers import Behaviour, receiving

ADMIN = Actor("wt-admin", Role.ADMIN)


class NoDirectory:
    """Department filters are not looked up by a test."""

    def codes(self, references: list[str] | tuple[str, ...], field: str) -> list[str]:
        return list(references)


@pytest.fixture(scope="module")
def outbox(database_url: str) -> Iterator[str]:
    """The outbox's tables in a database of the module's own, and the case index the
    outbox's insert reads a notice's department from (empty: a test concerns no case)."""
    with outbox_database(database_url) as info:
        with psycopg.connect(info) as conn:
            conn.execute(
                "CREATE TABLE case_index (id uuid PRIMARY KEY, department text, tier text,"
                " ref text)"
            )
        yield info


@pytest.fixture
def webhooks(outbox: str) -> Iterator[Webhooks]:
    """The admin's use cases on the outbox database."""
    with ConnectionPool(outbox, min_size=1, max_size=2) as pool:
        yield Webhooks(WebhookEndpoints(pool, STORE_KEY), NoDirectory())
    drop_pending(outbox)


def test_a_running_sender_delivers_the_test_signed_to_that_endpoint_alone(
    outbox: str, webhooks: Webhooks
) -> None:
    secret, other_secret = new_secret(), new_secret()
    with (
        receiving(Behaviour(secret=secret)) as receiver,
        receiving(Behaviour(secret=other_secret)) as other,
    ):
        endpoint = add_endpoint(outbox, target=receiver.url, secret=secret)
        add_endpoint(outbox, target=other.url, secret=other_secret)
        with sender(outbox, sender_settings()).running():
            sent = webhooks.send_test(endpoint, ADMIN)
            delivery = sent.delivery.id
            until("delivered", lambda: statuses(outbox, [delivery]) == ["delivered"])
    [request] = receiver.received
    body = request.json()
    assert request.verified
    assert request.webhook_id == sent.delivery.webhook_id
    assert body["type"] == "huiyin.test"
    assert body["data"]["text"].startswith("【测试】")
    assert body["data"]["requested_by"] == {"id": "wt-admin", "role": "admin"}
    assert body["data"]["requested_at"]
    assert other.received == []
    [attempt] = attempts(outbox, delivery)
    assert (attempt["outcome"], attempt["status_code"]) == ("delivered", 204)

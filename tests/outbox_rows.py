"""Rows of the outbox written directly, for the sender's tests: endpoints (target and secret
sealed as the registry seals them), notices and their deliveries; and a database of the
tests' own for them, so no other test's pending deliveries reach these senders."""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from application.notice_delivery import Appeals, NoticeDelivery
from infrastructure.database import conninfo
from infrastructure.settings import Environment, Settings
from infrastructure.webhook_sender import WebhookSender
from infrastructure.webhook_tables import create_tables, seal

#: The key endpoints' targets and secrets are sealed with in these tests.
STORE_KEY = bytes(range(32))


def new_secret() -> str:
    """A Standard Webhooks secret as the registry makes them."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@contextlib.contextmanager
def outbox_database(database_url: str) -> Iterator[str]:
    """A fresh database holding only the outbox's tables (its conninfo), dropped after."""
    name = f"huiyin_outbox_{secrets.token_hex(4)}"
    admin = conninfo(database_url.rsplit("/", 1)[0] + "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info = conninfo(database_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        with psycopg.connect(info, autocommit=True) as conn:
            create_tables(conn)
        yield info
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def add_endpoint(
    info: str,
    *,
    form: str = "standard",
    target: str,
    secret: str | None = None,
    audience: str = "union_staff",
    personal_data: bool = False,
    store_key: bytes = STORE_KEY,
) -> UUID:
    """An active endpoint subscribed to reminders, overdue and published notices."""
    endpoint_id = uuid4()
    now = datetime.now(UTC)
    with psycopg.connect(info) as conn:
        conn.execute(
            "INSERT INTO huiyin_webhook_endpoints (id, name, format, target_sealed,"
            " target_shown, secret_sealed, kinds, audience, personal_data, created_at,"
            " created_by, changed_at, changed_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, 'test', %s, 'test')",
            (
                endpoint_id,
                f"test {form}",
                form,
                seal(store_key, endpoint_id, target),
                target.split("?")[0],
                seal(store_key, endpoint_id, secret) if secret else None,
                ["reminder", "overdue", "published"],
                audience,
                personal_data,
                now,
                now,
            ),
        )
    return endpoint_id


def add_notices(
    info: str,
    endpoint_id: UUID | None,
    count: int = 1,
    *,
    kind: str = "reminder",
    payload: dict[str, Any] | None = None,
    case_id: UUID | None = None,
) -> list[UUID]:
    """`count` notices with one delivery each to the endpoint (None: to the appellant of
    the appeal `case_id`); the deliveries' ids."""
    deliveries = []
    with psycopg.connect(info) as conn:
        for _ in range(count):
            notice_id, delivery_id = uuid4(), uuid4()
            conn.execute(
                "INSERT INTO huiyin_notices (id, key, kind, case_id, case_type, department,"
                " occurred_at, payload) VALUES (%s, %s, %s, %s, 'appeal', '生产部', %s, %s)",
                (
                    notice_id,
                    f"test:{notice_id}",
                    kind,
                    case_id or uuid4(),
                    datetime.now(UTC),
                    json.dumps(
                        payload
                        or {
                            "case": {"number": "HY-2026-000042"},
                            "act": "reply",
                            "due_at": "2026-12-09T09:00:00+00:00",
                        }
                    ),
                ),
            )
            conn.execute(
                "INSERT INTO huiyin_webhook_deliveries (id, notice_id, endpoint_id, recipient)"
                " VALUES (%s, %s, %s, %s)",
                (delivery_id, notice_id, endpoint_id, "endpoint" if endpoint_id else "appellant"),
            )
            deliveries.append(delivery_id)
        conn.execute("NOTIFY huiyin_outbox")
    return deliveries


def delivery(info: str, delivery_id: UUID) -> dict[str, Any]:
    """One delivery's row."""
    with psycopg.connect(info, row_factory=dict_row) as conn:
        row = conn.execute(
            "SELECT * FROM huiyin_webhook_deliveries WHERE id = %s", (delivery_id,)
        ).fetchone()
    assert row is not None
    return row


def statuses(info: str, ids: Sequence[UUID]) -> list[str]:
    """The deliveries' statuses, in the order of `ids`."""
    with psycopg.connect(info) as conn:
        found: dict[UUID, str] = dict(
            conn.execute(
                "SELECT id, status FROM huiyin_webhook_deliveries WHERE id = ANY(%s)", (list(ids),)
            ).fetchall()
        )
    return [found[i] for i in ids]


def attempts(info: str, delivery_id: UUID) -> list[dict[str, Any]]:
    """A delivery's attempts, in order."""
    with psycopg.connect(info, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT * FROM huiyin_webhook_attempts WHERE delivery_id = %s ORDER BY number",
            (delivery_id,),
        ).fetchall()


def notice_webhook_id(info: str, delivery_id: UUID) -> str:
    """The webhook-id receivers are told for a delivery: its notice's."""
    return f"msg_{delivery(info, delivery_id)['notice_id'].hex}"


class NoAppeals:
    """An appeal store with none in it: these tests' endpoints see no personal data."""

    def get_appeal(self, appeal_id: UUID, version: int | None = None) -> Any:
        from domain.errors import NotFound

        raise NotFound("no appeals here")


def sender_settings(**changes: Any) -> Settings:
    """Settings for a sender in tests: quick timeouts, retries and give-up unless changed."""
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "webhook_timeout_seconds": 2.0,
        "webhook_retry_seconds": 0.05,
        "webhook_give_up_hours": 1.0,
        "webhook_senders": 2,
        **changes,
    }
    return Settings(**values)


def sender(
    info: str, settings: Settings, appeals: Appeals | None = None, **options: Any
) -> WebhookSender:
    """A sender on the outbox database, reading appeals from `appeals` (default: none)."""
    delivery = NoticeDelivery(
        appeals or NoAppeals(), public_url="https://huiyin.example.cn", mail=True
    )
    return WebhookSender(info, STORE_KEY, settings, delivery, **options)


def send_once(info: str, settings: Settings) -> int:
    """One pass of a fresh sender (how many deliveries it handled), closed after."""
    once = sender(info, settings).open()
    try:
        return once.send_due()
    finally:
        once.close()


def drop_pending(info: str) -> None:
    """Ends what a test left pending, so the next test's senders see only their own."""
    with psycopg.connect(info) as conn:
        conn.execute(
            "UPDATE huiyin_webhook_deliveries SET status = 'dropped' WHERE status = 'pending'"
        )

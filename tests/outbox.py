"""Notices and deliveries put in the outbox by SQL, as the deciders and the sender would:
for tests of what reads and replays them."""

from __future__ import annotations

import uuid

import psycopg

from infrastructure.database import conninfo


def put_delivery(database_url: str, endpoint: str | None, status: str, tries: int = 0) -> str:
    """A notice and its delivery to `endpoint` (None: to an appellant) in `status`, decided
    two days ago, with `tries` failed attempts; the delivery's id."""
    notice, delivery = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(conninfo(database_url)) as conn:
        conn.execute(
            "INSERT INTO huiyin_notices (id, key, kind, case_id, case_type, occurred_at)"
            " VALUES (%s, %s, 'overdue', %s, 'appeal', now())",
            (notice, f"test:{notice}", uuid.uuid4()),
        )
        conn.execute(
            "INSERT INTO huiyin_webhook_deliveries (id, notice_id, endpoint_id, recipient,"
            " status, attempts, since, dead_at) VALUES (%s, %s, %s, %s, %s, %s,"
            " now() - interval '2 days', CASE WHEN %s = 'dead' THEN now() END)",
            (
                delivery,
                notice,
                endpoint,
                "endpoint" if endpoint else "appellant",
                status,
                tries,
                status,
            ),
        )
        for number in range(1, tries + 1):
            conn.execute(
                "INSERT INTO huiyin_webhook_attempts (delivery_id, number, started_at,"
                " duration_ms, outcome, status_code, error)"
                " VALUES (%s, %s, now(), 120, 'failed', 503, 'Service Unavailable')",
                (delivery, number),
            )
    return str(delivery)

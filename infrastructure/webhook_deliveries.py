"""The outbox's deliveries as the admin sees them: pages of them (per endpoint, by status,
newest first), one delivery with every attempt made, a dead one sent again, and an admin's
test of an endpoint recorded (through the outbox's one insert). Each row
carries its notice's references (kind, case), never a message's content: that is made when
it is sent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg_pool import ConnectionPool

from application.webhook_records import (
    AttemptRecord,
    DeliveryPage,
    DeliveryRecord,
    OutboxHealth,
)
from domain.actors import Actor
from domain.errors import ActionNotAllowed, NotFound
from domain.notices import DeliveryStatus, Notice, delivery_id
from infrastructure.notice_outbox import OUTBOX_CHANNEL, insert_notices
from projections.view import APPLICATION_NAME

log = logging.getLogger("huiyin.webhooks")

#: The outbox at a glance, from its partial indexes (no scan of delivered rows).
_PENDING = (
    "SELECT count(*), count(*) FILTER (WHERE next_attempt_at <= clock_timestamp()),"
    " EXTRACT(EPOCH FROM clock_timestamp() - min(next_attempt_at))"
    " FROM huiyin_webhook_deliveries WHERE status = 'pending'"
)
_DEAD = "SELECT count(*) FROM huiyin_webhook_deliveries WHERE status = 'dead'"
_DECIDED = "SELECT max(notification_id) FROM notices_tracking WHERE application_name = %s"

_DELIVERY = (
    "SELECT d.id, d.notice_id, n.kind, n.case_id, n.case_type, d.endpoint_id, e.name,"
    " d.recipient, d.status, d.attempts, d.created_at, d.since, d.next_attempt_at,"
    " d.delivered_at, d.dead_at, d.last_error"
    " FROM huiyin_webhook_deliveries d"
    " JOIN huiyin_notices n ON n.id = d.notice_id"
    " LEFT JOIN huiyin_webhook_endpoints e ON e.id = d.endpoint_id"
)


def _delivery(row: Sequence[Any], tried: tuple[AttemptRecord, ...] = ()) -> DeliveryRecord:
    ident, notice, kind, case, case_type, endpoint, name, recipient, status = row[:9]
    attempts, created, since, due, delivered, dead, error = row[9:]
    return DeliveryRecord(
        ident,
        notice,
        kind,
        case,
        case_type,
        endpoint,
        name,
        recipient,
        DeliveryStatus(status),
        attempts,
        created,
        since,
        due,
        delivered,
        dead,
        error,
        tried,
    )


class WebhookDeliveries:
    """Deliveries as the admin reads and replays them."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def deliveries(
        self,
        *,
        endpoint_id: UUID | None,
        statuses: tuple[DeliveryStatus, ...],
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> DeliveryPage:
        """A page of deliveries, newest first (by when they were decided), one endpoint's
        or every one's, of the statuses given (none: all); `after` is the last row seen."""
        conditions: list[str] = []
        args: dict[str, Any] = {"limit": limit + 1}
        if endpoint_id is not None:
            conditions.append("d.endpoint_id = %(endpoint)s")
            args["endpoint"] = endpoint_id
        if statuses:
            conditions.append("d.status = ANY(%(statuses)s)")
            args["statuses"] = [s.value for s in statuses]
        if after is not None:
            conditions.append("(d.created_at, d.id) < (%(at)s, %(id)s)")
            args.update(at=after[0], id=after[1])
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"{_DELIVERY}{where} ORDER BY d.created_at DESC, d.id DESC LIMIT %(limit)s",
                args,
            ).fetchall()
        page = [_delivery(row) for row in rows[:limit]]
        more = len(rows) > limit
        return DeliveryPage(page, (page[-1].created_at, page[-1].id) if more else None)

    def health(self) -> OutboxHealth:
        """Deliveries pending (and due), dead, how long the oldest pending one has been due,
        and the last event the notice decider has decided on."""
        with self.pool.connection() as conn:
            pending, due, oldest = conn.execute(_PENDING).fetchone() or (0, 0, None)
            dead = (conn.execute(_DEAD).fetchone() or (0,))[0]
            try:
                decided = (conn.execute(_DECIDED, (APPLICATION_NAME,)).fetchone() or (None,))[0]
            except psycopg.errors.UndefinedTable:  # notices were never on in this store
                decided = None
        waiting = float(oldest) if oldest is not None and due else 0.0
        return OutboxHealth(int(pending), int(due), int(dead), round(max(waiting, 0.0), 3), decided)

    def delivery(self, delivery_id: UUID) -> DeliveryRecord:
        """One delivery with its attempts, oldest first; NotFound if there is none."""
        with self.pool.connection() as conn:
            row = conn.execute(f"{_DELIVERY} WHERE d.id = %s", (delivery_id,)).fetchone()
            if row is None:
                raise NotFound(f"no delivery {delivery_id}")
            attempts = conn.execute(
                "SELECT number, started_at, duration_ms, outcome, status_code, error"
                " FROM huiyin_webhook_attempts WHERE delivery_id = %s ORDER BY number",
                (delivery_id,),
            ).fetchall()
        return _delivery(row, tuple(AttemptRecord(*a) for a in attempts))

    # -- deliveries ----------------------------------------------------------------------

    def send_test(self, endpoint_id: UUID, notice: Notice) -> DeliveryRecord:
        """Records `notice` (addressed to the endpoint) and its one delivery in one
        transaction, through the outbox's insert, which wakes the sender. NotFound for an
        unknown endpoint; a removed one is refused (409). A paused one gets its delivery,
        held (`pending`) until it resumes."""
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT removed_at FROM huiyin_webhook_endpoints WHERE id = %s FOR SHARE",
                (endpoint_id,),
            ).fetchone()
            if row is None:
                raise NotFound(f"no endpoint {endpoint_id}")
            if row[0] is not None:
                raise ActionNotAllowed(
                    "test", "removed", "nothing is sent to it any more", subject="endpoint"
                )
            insert_notices(conn, [notice])
        log.info("test notice %s recorded for endpoint %s", notice.id, endpoint_id)
        return self.delivery(delivery_id(notice.id, endpoint_id))

    def retry(self, delivery_id: UUID, actor: Actor) -> DeliveryRecord:
        """A dead delivery (or a dropped one whose endpoint is live, or an appellant's)
        pending again, due now, its retry window starting now; the sender is woken.
        Anything else is refused (409): a delivered or pending one needs no retry."""
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT d.status, d.endpoint_id, e.active, e.removed_at"
                " FROM huiyin_webhook_deliveries d"
                " LEFT JOIN huiyin_webhook_endpoints e ON e.id = d.endpoint_id"
                " WHERE d.id = %s FOR UPDATE OF d",
                (delivery_id,),
            ).fetchone()
            if row is None:
                raise NotFound(f"no delivery {delivery_id}")
            status, endpoint_id, active, removed_at = row
            _check_retry(DeliveryStatus(status), endpoint_id, active, removed_at)
            conn.execute(
                "UPDATE huiyin_webhook_deliveries SET status = %s, since = statement_timestamp(),"
                " next_attempt_at = statement_timestamp(), leased_until = NULL, dead_at = NULL"
                " WHERE id = %s",
                (DeliveryStatus.PENDING.value, delivery_id),
            )
            conn.execute(f"NOTIFY {OUTBOX_CHANNEL}")
        log.info("delivery %s (%s) retried by an admin", delivery_id, status)
        return self.delivery(delivery_id)


def _check_retry(
    status: DeliveryStatus, endpoint_id: UUID | None, active: bool | None, removed: datetime | None
) -> None:
    if status is DeliveryStatus.DEAD:
        return
    if status is DeliveryStatus.DROPPED:
        if endpoint_id is None or (active and removed is None):
            return
        why = "its endpoint is removed" if removed else "its endpoint is paused: resume it first"
        raise ActionNotAllowed("retry", "dropped", why, subject="delivery")
    raise ActionNotAllowed(
        "retry", status.value, "only a dead or dropped delivery is sent again", subject="delivery"
    )

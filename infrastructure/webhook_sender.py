"""The sender: claims due deliveries, sends each, and records what came of it.

A claim is one UPDATE over rows picked `FOR UPDATE SKIP LOCKED`: it counts the attempt and
sets a lease (`leased_until`), so two senders (threads, processes, instances) never send
one delivery at the same time. The message goes out with no transaction open; then the
attempt's row and the delivery's new state (delivered; pending again after the back-off of
`domain.webhook_retry`; dead; dropped) commit together — if this sender still holds the lease.
A sender killed mid-delivery leaves its lease to run out: another takes the delivery again
and sends it under the same `webhook-id` (a duplicate the receiver can drop, never a loss);
the attempt that never came back is recorded as interrupted.

`running()` starts `webhook_senders` threads, woken by NOTIFY on `huiyin_outbox` (the
deciders notify when they add deliveries) and otherwise when the next retry is due.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from application.notice_delivery import Audience, Dropped, NoticeDelivery
from domain.actors import Role
from domain.notices import DeliveryStatus
from domain.webhook_messages import Notice
from domain.webhook_retry import Attempt, Outcome, after_failure
from infrastructure.notice_outbox import OUTBOX_CHANNEL
from infrastructure.settings import Settings
from infrastructure.webhook_claims import CLAIM, INTERRUPTED, NEXT_DUE, RECORD_STATE
from infrastructure.webhook_transport import Transport

log = logging.getLogger("huiyin.webhooks")

#: The longest a sender with nothing due sleeps before it looks again.
LONGEST_NAP = 5.0


class WebhookSender:
    """Delivers the outbox's due deliveries (`send_due`), or keeps doing so (`running`)."""

    def __init__(
        self,
        conninfo: str,
        store_key: bytes,
        settings: Settings,
        delivery: NoticeDelivery,
        *,
        lease_seconds: float | None = None,
    ) -> None:
        self.conninfo = conninfo
        self.store_key = store_key
        self.settings = settings
        self.delivery = delivery
        #: Long enough for one attempt to end (HTTP and SMTP both stop at the timeout).
        self.lease_seconds = lease_seconds or settings.webhook_timeout_seconds * 2 + 1
        self.transport = Transport(settings)
        self.pool = ConnectionPool(
            conninfo, min_size=1, max_size=settings.webhook_senders, open=False
        )
        self._wake = threading.Condition()
        self._generation = 0

    def open(self) -> WebhookSender:
        """Opens the connection pool."""
        self.pool.open(wait=True)
        return self

    def close(self) -> None:
        """Closes connections (after `running` has ended)."""
        self.transport.close()
        self.pool.close()

    # -- one pass ----------------------------------------------------------------------

    def send_due(self, limit: int = 1) -> int:
        """Claims up to `limit` due deliveries and sends them one after another; how many."""
        claimed = self._claim(limit)
        for row in claimed:
            try:
                self._deliver(row)
            except Exception as error:  # a sender thread must outlive any one delivery
                log.error("delivery %s: %s", row["id"], type(error).__name__)
                failed = Attempt(Outcome.FAILED, error=f"no message made: {type(error).__name__}")
                with contextlib.suppress(psycopg.Error):  # else the lease runs out: retried
                    self._record(row, failed, 0.0)
        return len(claimed)

    def _claim(self, limit: int) -> list[dict[str, Any]]:
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(CLAIM, {"lease": self.lease_seconds * limit, "limit": limit})
            rows = cur.fetchall()
            for row in rows:
                if row["old_lease"] is not None:  # its sender stopped mid-attempt
                    started = row["old_lease"] - timedelta(seconds=self.lease_seconds)
                    cur.execute(INTERRUPTED, (row["id"], row["attempts"] - 1, started))
        return rows

    def _deliver(self, row: dict[str, Any]) -> None:
        notice = Notice(
            row["notice_id"],
            row["kind"],
            row["occurred_at"],
            row["case_id"],
            row["case_type"],
            row["department"],
            row["tier"],
            row["payload"] or {},
        )
        if row["recipient"] == "appellant":
            made = self.delivery.for_appellant(notice)
        else:
            made = self.delivery.for_endpoint(notice, _audience(row))
        if isinstance(made, Dropped):
            self._record(row, None, 0, dropped=made.reason)
            return
        clock = time.monotonic()
        attempt = self.transport.send(made, row, self.store_key)
        self._record(row, attempt, time.monotonic() - clock)

    def _record(
        self,
        row: dict[str, Any],
        attempt: Attempt | None,
        seconds: float,
        *,
        dropped: str | None = None,
    ) -> None:
        """The attempt's row and the delivery's new state, in one transaction, if this
        sender still holds the delivery's lease (else another has taken it: nothing)."""
        started: datetime = row["claimed_at"]
        now = started + timedelta(seconds=seconds)
        number = row["attempts"]
        if attempt is None:
            state: tuple[Any, ...] = (DeliveryStatus.DROPPED.value, -1, None, None, None, dropped)
        elif attempt.delivered:
            state = (DeliveryStatus.DELIVERED.value, 0, None, now, None, None)
        else:
            after = after_failure(
                attempt,
                number,
                since=row["since"],
                now=now,
                retry_seconds=self.settings.webhook_retry_seconds,
                give_up_hours=self.settings.webhook_give_up_hours,
                jitter=random.uniform(-1.0, 1.0),  # noqa: S311 - spreading retries, not secrecy
            )
            status = DeliveryStatus.DEAD if after.dead else DeliveryStatus.PENDING
            error = attempt.error or attempt.outcome.value
            state = (status.value, 0, after.retry_at, None, now if after.dead else None, error)
        with self.pool.connection() as conn, conn.cursor() as cur:
            cur.execute(RECORD_STATE, (*state, row["id"], row["leased_until"]))
            if cur.rowcount == 0:
                conn.rollback()
                log.warning("delivery %s: lease lost before its attempt was recorded", row["id"])
                return
            if attempt is not None:
                cur.execute(
                    "INSERT INTO huiyin_webhook_attempts (delivery_id, number, started_at,"
                    " duration_ms, outcome, status_code, error)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (
                        row["id"],
                        number,
                        started,
                        int(seconds * 1000),
                        attempt.outcome.value,
                        attempt.status_code,
                        attempt.error,
                    ),
                )
        if attempt is not None and not attempt.delivered:
            log.info("delivery %s attempt %d: %s", row["id"], number, attempt.outcome.value)

    # -- in the background -------------------------------------------------------------

    @contextlib.contextmanager
    def running(self) -> Iterator[WebhookSender]:
        """`webhook_senders` threads sending until the context ends, and a listener."""
        stop = threading.Event()
        threads = [threading.Thread(target=self._listen, args=(stop,), name="outbox-listener")]
        threads += [
            threading.Thread(target=self._work, args=(stop,), name=f"webhook-sender-{n}")
            for n in range(self.settings.webhook_senders)
        ]
        self.open()
        for thread in threads:
            thread.daemon = True
            thread.start()
        try:
            yield self
        finally:
            stop.set()
            self.wake()
            for thread in threads:
                thread.join(self.settings.webhook_timeout_seconds + 5)
            self.close()

    def wake(self) -> None:
        """Wakes every idle sender thread (something may be due)."""
        with self._wake:
            self._generation += 1
            self._wake.notify_all()

    def _work(self, stop: threading.Event) -> None:
        while not stop.is_set():
            seen = self._generation
            try:
                if self.send_due(1):
                    continue
                nap = self.next_due_in()
            except psycopg.Error as error:
                log.error("webhook sender: %s", type(error).__name__)
                nap = 1.0
            with self._wake:
                if self._generation == seen and not stop.is_set():
                    self._wake.wait(nap)

    def next_due_in(self) -> float:
        """Seconds until something may be due (at most LONGEST_NAP)."""
        with self.pool.connection() as conn:
            row = conn.execute(NEXT_DUE).fetchone()
        seconds = row[0] if row else None
        if seconds is None:
            return LONGEST_NAP
        return min(max(float(seconds), 0.005), LONGEST_NAP)

    def _listen(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
                    self.wake()  # what was added while nobody listened
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake()
            except psycopg.Error as error:
                log.error("outbox listener: %s", type(error).__name__)
                stop.wait(1.0)


def _audience(endpoint: dict[str, Any]) -> Audience:
    return Audience(
        endpoint_id=endpoint["endpoint_id"],
        role=Role(endpoint["audience"]),
        departments=frozenset(endpoint["departments"] or ()),
        tiers=frozenset(endpoint["tiers"] or ()),
        personal_data=bool(endpoint["personal_data"]),
    )

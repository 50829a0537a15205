"""Phase 12b of the benchmark: deliveries per second from the outbox to a local receiver,
beside raw POSTs of the same number from as many threads with no database
(`bench.notices` runs it; see its docstring)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING
from uuid import UUID

import httpx
import psycopg

from api.bootstrap import Services
from api.notice_work import webhook_sender
from bench.receiver import arrivals

if TYPE_CHECKING:
    from bench.notices import NoticeOutcome


def measure_sender(
    services: Services,
    url: str,
    receiver: str,
    endpoint: UUID,
    outcome: NoticeOutcome,
    repeats: int,
) -> None:
    """12b: `outcome.deliveries` pending deliveries drained by the sender; raw POSTs."""
    settings = services.settings
    outcome.senders = settings.webhook_senders
    for repeat in range(repeats):
        # Other notices each time: a receiver sees each webhook-id once unless sent twice.
        _pending(url, endpoint, outcome.deliveries, skip=repeat * outcome.deliveries)
        before, posts_before = arrivals(receiver)
        sender = webhook_sender(settings, url, services.keyring.store_key, services.casework)
        started = time.perf_counter()
        with sender.running():
            _until_delivered(url, outcome.deliveries)
        elapsed = time.perf_counter() - started
        outcome.sender.append(outcome.deliveries / elapsed)
        after, posts_after = arrivals(receiver)
        outcome.duplicates += posts_after - posts_before - outcome.deliveries
        if len(after) - len(before) != outcome.deliveries:
            raise RuntimeError("the receiver did not get every delivery's webhook-id")
        outcome.raw_posts.append(
            outcome.deliveries / _raw_posts(receiver, outcome.deliveries, outcome.senders)
        )


def _pending(url: str, endpoint: UUID, count: int, *, skip: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE huiyin_webhook_attempts, huiyin_webhook_deliveries")
        conn.execute(
            "INSERT INTO huiyin_webhook_deliveries (id, notice_id, endpoint_id)"
            " SELECT gen_random_uuid(), id, %s FROM huiyin_notices ORDER BY id"
            " OFFSET %s LIMIT %s",
            (endpoint, skip, count),
        )


def _until_delivered(url: str, count: int, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE status = 'delivered'),"
                " count(*) FILTER (WHERE status NOT IN ('delivered', 'pending'))"
                " FROM huiyin_webhook_deliveries"
            ).fetchone()
            delivered, failed = (int(row[0]), int(row[1])) if row else (0, 0)
            if failed:
                raise RuntimeError(f"{failed} deliveries failed in the throughput phase")
            if delivered >= count:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {delivered} of {count} delivered in {timeout:g} s")
            time.sleep(0.02)


def _raw_posts(receiver: str, count: int, threads: int) -> float:
    """Seconds `threads` keep-alive clients take to POST `count` notice-sized bodies."""
    body = b'{"type":"huiyin.reminder","timestamp":"2026-12-08T01:00:00Z","data":' + b"{}" + b"}"
    body = body.ljust(600, b" ")
    shares = [count // threads + (1 if n < count % threads else 0) for n in range(threads)]

    def post(share: int, n: int) -> None:
        with httpx.Client(timeout=30, trust_env=False) as client:
            for i in range(share):
                headers = {"webhook-id": f"raw_{n}_{i}", "content-type": "application/json"}
                client.post(f"{receiver}/raw", content=body, headers=headers).raise_for_status()

    workers = [threading.Thread(target=post, args=(share, n)) for n, share in enumerate(shares)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started

"""Webhook delivery throughput: deliveries per second from the outbox to a receiver on
loopback (in a process of its own, answering 204 at once), for a few sender-thread counts.

`python -m bench.webhook_delivery postgresql://postgres@127.0.0.1/postgres [count]` prints a
line per thread count. `measure_delivery` is the function a benchmark section can call.
"""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

import psycopg

from application.notice_delivery import NoticeDelivery
from bench.scratch import scratch_database
from infrastructure.database import conninfo
from infrastructure.settings import Environment, Settings
from infrastructure.webhook_sender import WebhookSender
from infrastructure.webhook_tables import create_tables, seal

STORE_KEY = secrets.token_bytes(32)


class _Quick(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive, as real receivers do

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()


def receive() -> None:
    """Serves as the receiver: prints its URL, runs until stdin closes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quick)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}/hook", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()


class _NoAppeals:
    def get_appeal(self, appeal_id: UUID, version: int | None = None) -> Any:
        raise LookupError("the benchmark's endpoint sees no personal data")


def _fill(info: str, url: str, count: int) -> None:
    endpoint = uuid4()
    now = datetime.now(UTC)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    with psycopg.connect(info) as conn:
        conn.execute(
            "INSERT INTO huiyin_webhook_endpoints (id, name, format, target_sealed, target_shown,"
            " secret_sealed, kinds, audience, created_at, created_by, changed_at, changed_by)"
            " VALUES (%s, 'bench', 'standard', %s, %s, %s, '{reminder}', 'union_staff', %s,"
            " 'bench', %s, 'bench') ON CONFLICT DO NOTHING",
            (
                endpoint,
                seal(STORE_KEY, endpoint, url),
                url,
                seal(STORE_KEY, endpoint, secret),
                now,
                now,
            ),
        )
        with conn.cursor() as cur:
            payload = json.dumps({"case": {"number": "HY-2026-000001"}, "act": "reply"})
            for _ in range(count):
                notice = uuid4()
                cur.execute(
                    "INSERT INTO huiyin_notices (id, key, kind, occurred_at, payload)"
                    " VALUES (%s, %s, 'reminder', %s, %s)",
                    (notice, f"bench:{notice}", now, payload),
                )
                cur.execute(
                    "INSERT INTO huiyin_webhook_deliveries (id, notice_id, endpoint_id)"
                    " VALUES (%s, %s, %s)",
                    (uuid4(), notice, endpoint),
                )


def measure_delivery(info: str, receiver_url: str, count: int, senders: int) -> float:
    """Deliveries per second: `count` deliveries sent by `senders` threads of one sender."""
    _fill(info, receiver_url, count)
    settings = Settings(environment=Environment.TEST, webhook_senders=senders)
    delivery = NoticeDelivery(_NoAppeals(), public_url=None, mail=False)
    sender = WebhookSender(info, STORE_KEY, settings, delivery)
    started = time.monotonic()
    with sender.running(), psycopg.connect(info, autocommit=True) as conn:
        query = "SELECT count(*) FROM huiyin_webhook_deliveries WHERE status = 'pending'"
        while (row := conn.execute(query).fetchone()) and row[0]:
            time.sleep(0.02)  # a poll of the benchmark's own, not a test's wait
    return count / (time.monotonic() - started)


def main(server_url: str, count: int = 2000) -> None:
    """Measures 1, 4 and 8 sender threads against one receiver."""
    receiver = subprocess.Popen(
        [sys.executable, "-m", "bench.webhook_delivery", "receive"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert receiver.stdout is not None
    url = receiver.stdout.readline().strip()
    try:
        with scratch_database(server_url) as url_db:
            info = conninfo(url_db)
            with psycopg.connect(info, autocommit=True) as conn:
                create_tables(conn)
            for senders in (1, 4, 8):
                rate = measure_delivery(info, url, count, senders)
                print(f"{senders} sender threads: {rate:,.0f} deliveries/s ({count} deliveries)")
    finally:
        assert receiver.stdin is not None
        receiver.stdin.close()
        receiver.wait(10)


if __name__ == "__main__":
    if sys.argv[1:2] == ["receive"]:
        receive()
    else:
        main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))

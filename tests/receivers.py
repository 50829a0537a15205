"""Real receivers for the outbox's tests: an HTTP server on loopback that checks what it is
sent as a Standard Webhooks receiver, a WeCom robot or a DingTalk robot would, and an SMTP
server (aiosmtpd). The HTTP one can fail its first N requests, hang, or answer slowly.

Signatures are checked here with the standard library, not with the code under test.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()
    verified: bool

    @property
    def webhook_id(self) -> str:
        """The request's webhook-id header."""
        return self.headers.get("webhook-id", "")

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


@dataclass
class Behaviour:
    """How the receiver answers: as what, with which secret, failing or hanging how often."""

    style: str = "standard"  # standard | wecom | dingtalk | redirect
    secret: str | None = None
    fail_first: int = 0
    hang_first: int = 0
    hang_seconds: float = 30.0
    delay: float = 0.0
    fail_status: int = 500


@dataclass
class Receiver:
    """A threaded HTTP server on 127.0.0.1 recording what it receives."""

    behaviour: Behaviour
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    count: int = 0

    def ids(self) -> list[str]:
        """The webhook-ids received, in order."""
        with self.lock:
            return [r.webhook_id for r in self.received]

    def take_turn(self) -> int:
        """The number (from 1) of the request arriving now."""
        with self.lock:
            self.count += 1
            return self.count

    def record(self, item: Received) -> None:
        """Keeps one request."""
        with self.lock:
            self.received.append(item)


def _verify_standard(secret: str, headers: dict[str, str], body: bytes) -> bool:
    msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not msg_id or not stamp or abs(time.time() - int(stamp)) > 300:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    offered = [s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split() if "," in s]
    return any(hmac.compare_digest(expected, s) for s in offered)


def _verify_dingtalk(secret: str, query: dict[str, list[str]]) -> bool:
    stamp = query.get("timestamp", [""])[0]
    sign = query.get("sign", [""])[0]
    if not stamp or abs(time.time() * 1000 - int(stamp)) > 3_600_000:
        return False
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), sign)  # parse_qs decoded it


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

        def do_POST(self) -> None:
            b = receiver.behaviour
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified = True
            if b.style == "standard" and b.secret:
                verified = _verify_standard(b.secret, headers, body)
            if b.style == "dingtalk" and b.secret:
                verified = _verify_dingtalk(b.secret, query)
            turn = receiver.take_turn()
            receiver.record(Received(parts.path, query, headers, body, time.monotonic(), verified))
            if turn <= b.hang_first:
                receiver.release.wait(b.hang_seconds)
            elif b.delay:
                time.sleep(b.delay)  # a slow receiver, not a test waiting
            failing = turn <= b.fail_first
            if b.style == "redirect":
                self._answer(302, b"", location="http://127.0.0.1:9/elsewhere")
            elif b.style in ("wecom", "dingtalk"):
                if not verified:
                    self._json(200, {"errcode": 310000, "errmsg": "sign not match"})
                elif failing:
                    self._json(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
                else:
                    self._json(200, {"errcode": 0, "errmsg": "ok"})
            elif not verified:
                self._answer(401, b"bad signature")
            elif failing:
                self._answer(b.fail_status, b"try later")
            else:
                self._answer(204, b"")

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._answer(status, json.dumps(body).encode(), kind="application/json")

        def _answer(self, status: int, body: bytes, kind: str = "text/plain", **extra: str) -> None:
            with contextlib.suppress(OSError):  # the sender may have given up on us
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def receiving(behaviour: Behaviour | None = None, path: str = "/hook") -> Iterator[Receiver]:
    """A receiver listening on loopback until the context ends."""
    receiver = Receiver(behaviour or Behaviour())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


class Mailbox:
    """What the SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """aiosmtpd's hook: keeps the message."""
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    """An SMTP server on loopback (its port and mailbox) until the context ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()

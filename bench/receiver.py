"""A webhook receiver for the benchmark: a process of its own on loopback that answers 200 to
every POST at once and remembers when each message arrived (wall clock) under its
`webhook-id`, so the benchmark can time an event to its webhook from another process.

Run by `bench.notices` as `python -m bench.receiver --port N`; `GET /arrivals` answers
{"arrivals": [[webhook_id, unix_seconds, case_id], ...], "posts": n} (duplicates included:
`posts` counts every POST, `arrivals` keeps the first of each id).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from bench.api_load import PROJECT, free_port


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first: dict[str, tuple[float, str | None]] = {}
        self.posts = 0


STATE = _State()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes: without this, Nagle's algorithm holds the
        # second until the client's delayed ACK (40 ms) on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        arrived = time.time()
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        message_id = self.headers.get("webhook-id") or ""
        case_id = _case_id(body)
        with STATE.lock:
            STATE.posts += 1
            STATE.first.setdefault(message_id, (arrived, case_id))
        self._answer(b'{"errcode":0,"errmsg":"ok"}')

    def do_GET(self) -> None:
        with STATE.lock:
            arrivals = [[mid, at, case] for mid, (at, case) in STATE.first.items()]
            body = json.dumps({"arrivals": arrivals, "posts": STATE.posts}).encode()
        self._answer(body)

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _case_id(body: bytes) -> str | None:
    try:
        data = json.loads(body)
        case = data.get("data", {}).get("case", {})
        return str(case.get("id")) if isinstance(case, dict) and case.get("id") else None
    except (ValueError, AttributeError):
        return None


@contextmanager
def running_receiver() -> Iterator[str]:
    """Starts the receiver process; yields its base URL; stops it on exit."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "bench.receiver", "--port", str(port)], cwd=PROJECT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/arrivals", timeout=1, trust_env=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the benchmark's receiver did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def arrivals(url: str) -> tuple[dict[str, tuple[float, str | None]], int]:
    """What the receiver has had: the first arrival of each webhook-id, and all POSTs."""
    data = httpx.get(f"{url}/arrivals", timeout=30, trust_env=False).json()
    first = {mid: (float(at), case) for mid, at, case in data["arrivals"]}
    return first, int(data["posts"])


def main() -> None:
    """Serves until terminated."""
    parser = argparse.ArgumentParser(prog="python -m bench.receiver")
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
